// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOversight} from "./IOversight.sol";

/**
 * @title IRulings
 * @notice The ledger's side of the objection step: it carries out what an arbiter upheld in its
 * oversight contract ({IOversight}), which it created and from which alone it takes the call.
 */
interface IRulings {
    /**
     * @notice Dataset `datasetId` was retired by the ruling upholding objection `objectionId`.
     * @param datasetId The dataset.
     * @param objectionId The objection (in {IGrantFees-oversight}).
     */
    event DatasetCancelled(bytes32 indexed datasetId, uint64 indexed objectionId);

    /**
     * @notice Grant `grantId` was cancelled by the ruling upholding objection `objectionId`.
     * @param grantId The grant.
     * @param datasetId Its dataset.
     * @param objectionId The objection (in {IGrantFees-oversight}).
     */
    event GrantCancelled(bytes32 indexed grantId, bytes32 indexed datasetId, uint64 indexed objectionId);

    /// @notice Only the oversight contract carries rulings to the ledger; `account` is not it.
    error RulingUnauthorized(address account);

    /**
     * @notice Cancels `target` by the ruling upholding `objectionId`: a dataset is retired (no grant,
     * use or derivation on it again, its products lapse), an active grant cancelled (no use again,
     * grants resting on it lapse). A target no longer in force is left as it is.
     * @dev Requirements: the caller is {IGrantFees-oversight}. Works while paused: it only takes rights
     * away. Emits {DatasetCancelled} or {GrantCancelled} when it cancels.
     * @param targetKind Dataset or Grant.
     * @param target The dataset id or grant id.
     * @param objectionId The objection upheld.
     */
    function enforceRuling(IOversight.ObjectionTarget targetKind, bytes32 target, uint64 objectionId) external;

}
