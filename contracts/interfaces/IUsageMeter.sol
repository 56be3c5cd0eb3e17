// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IUsageMeter
 * @notice Usage events: a grantee records each use of a dataset under its grant, and the ledger
 * meters it against the grant's rights, window and quota.
 */
interface IUsageMeter {
    /**
     * @notice What a use did. USE needs the USE right, PROCESS and DERIVE the PROCESS right, OPERATE
     * (serving a derived product) the OPERATE_PRODUCT right. DERIVE is recorded by the ledger when a
     * derived dataset is registered, never through {recordUsage}.
     */
    enum UsageAction {
        Use,
        Process,
        Derive,
        Operate
    }

    /// @notice One entry of {recordUsageBatch}; the fields mean what they mean for {recordUsage}.
    struct UsageEntry {
        bytes32 grantId;
        UsageAction action;
        uint64 units;
        bytes32 outputRef;
    }

    /**
     * @notice `grantee` used `units` of `datasetId` under `grantId`.
     * @param grantId The grant.
     * @param datasetId Its dataset.
     * @param grantee The grantee that used it.
     * @param action USE, PROCESS, DERIVE or OPERATE.
     * @param units The metered units.
     * @param outputRef A reference to what the use produced (a content hash, a derived dataset id), or zero.
     */
    event UsageRecorded(
        bytes32 indexed grantId,
        bytes32 indexed datasetId,
        address indexed grantee,
        UsageAction action,
        uint64 units,
        bytes32 outputRef
    );

    /// @notice A use of zero units measures nothing.
    error UsageUnitsZero();

    /// @notice DERIVE is recorded by registering a derived dataset, not directly.
    error UsageActionReserved(UsageAction action);

    /// @notice `grantId`, with rights `rights`, does not allow `action`.
    error UsageActionNotAllowed(bytes32 grantId, UsageAction action, uint8 rights);

    /// @notice At `timestamp`, outside the window [`validFrom`, `validUntil`] of `grantId`.
    error UsageOutsideWindow(bytes32 grantId, uint40 validFrom, uint40 validUntil, uint256 timestamp);

    /// @notice `grantId` allows `quota` units, `used` are used, `units` more were asked for.
    error UsageQuotaExceeded(bytes32 grantId, uint80 used, uint80 quota, uint64 units);

    /**
     * @notice Whether `user` could now record `units` of `action` under `grantId`, and if not, why.
     * @dev Computed by the very function every use runs before it meters (recorded uses and the
     * DERIVE unit of a derivation alike), so it cannot disagree with the ledger at the same block.
     * `refusal` is the revert data the use would fail with: a custom error and its arguments
     * (`EnforcedPause()` while paused), empty when allowed. For DERIVE it answers for the grant's part
     * of a derivation ({recordUsage} itself refuses DERIVE with {UsageActionReserved}).
     * @param grantId The grant.
     * @param user The account that would use it.
     * @param action What it would do.
     * @param units How much.
     * @return allowed True when the use would succeed.
     * @return refusal The custom error the use would revert with; empty when allowed.
     */
    function canUse(
        bytes32 grantId,
        address user,
        UsageAction action,
        uint64 units
    ) external view returns (bool allowed, bytes memory refusal);

    /**
     * @notice Records that the caller used `units` of a dataset under its grant `grantId`.
     * @dev Requirements: not paused; the caller is the grantee; the grant is neither revoked nor
     * renounced; `validFrom <= block.timestamp <= validUntil`; the grant's rights allow `action`;
     * the dataset is not retired; every grant of the dataset's licence holds (not revoked, renounced or
     * expired, nor over a retired dataset); `used + units <= quota` (or quota is zero). The checks run
     * in this order and the first that fails names the error ({canUse} tells it beforehand).
     *
     * Emits a {UsageRecorded} event.
     * @param grantId The caller's grant.
     * @param action What was done (not DERIVE, which registering a derived dataset records).
     * @param units How much, in the grant's units.
     * @param outputRef A reference to what the use produced, or zero.
     */
    function recordUsage(bytes32 grantId, UsageAction action, uint64 units, bytes32 outputRef) external;

    /**
     * @notice Records up to 256 uses in one transaction; each entry is checked as in {recordUsage}.
     * @param entries The uses, 1 to 256; one failing entry reverts the batch.
     */
    function recordUsageBatch(UsageEntry[] calldata entries) external;
}
