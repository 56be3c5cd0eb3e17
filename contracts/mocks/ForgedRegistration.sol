// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDatasetRegistry} from "../interfaces/IDatasetRegistry.sol";

/**
 * @title ForgedRegistration
 * @notice An attacker's contract for tests: its constructor emits one log shaped exactly like the
 * ledger's DatasetRegistered (it is that event, emitted by another contract), naming any dataset id and any Merkle root. A receipt holding it is as
 * well-formed as a real registration's, which is why a verifier must trust only a ledger address it
 * names itself, never one a proof carries.
 */
contract ForgedRegistration {
    /**
     * @notice Emits the forged registration.
     * @param datasetId The victim's dataset id.
     * @param holder The victim.
     * @param contentHash The victim's content hash.
     * @param merkleRoot The root of the forged records.
     */
    constructor(bytes32 datasetId, address holder, bytes32 contentHash, bytes32 merkleRoot) {
        emit IDatasetRegistry.DatasetRegistered(datasetId, holder, contentHash, merkleRoot, 1, "");
    }
}
