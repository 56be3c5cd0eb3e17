// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IUsageMeter} from "../interfaces/IUsageMeter.sol";
import {Rights} from "../libraries/Rights.sol";
import {GrantRegistry} from "./GrantRegistry.sol";

/**
 * @title UsageMeter
 * @notice Metered use of datasets under grants: every use, including the DERIVE unit that
 * registering a derived dataset spends, goes through one check in {_useGrant}.
 */
abstract contract UsageMeter is GrantRegistry, IUsageMeter {
    /// @inheritdoc IUsageMeter
    function recordUsage(bytes32 grantId, UsageAction action, uint64 units, bytes32 outputRef) external whenNotPaused {
        if (action == UsageAction.Derive) revert UsageActionReserved(action);
        _useGrant(grantId, msg.sender, action, units, outputRef);
    }

    /// @inheritdoc IUsageMeter
    function recordUsageBatch(UsageEntry[] calldata entries) external whenNotPaused {
        uint256 length = entries.length;
        if (length == 0 || length > MAX_BATCH) revert LedgerBatchLength(length, MAX_BATCH);
        for (uint256 i; i < length; ++i) {
            UsageEntry calldata entry = entries[i];
            if (entry.action == UsageAction.Derive) revert UsageActionReserved(entry.action);
            _useGrant(entry.grantId, msg.sender, entry.action, entry.units, entry.outputRef);
        }
    }

    /// @dev See {DatasetRegistry-_useGrantForDerivation}.
    function _useGrantForDerivation(
        bytes32 grantId,
        bytes32 parentId,
        address registrant,
        bytes32 childId
    ) internal override {
        bytes32 covered = _termsOf(grantId, registrant).datasetId;
        if (covered != parentId) revert DatasetParentGrantMismatch(parentId, grantId, covered);
        _useGrant(grantId, registrant, UsageAction.Derive, 1, childId);
    }

    /// @dev Checks every rule of {recordUsage} for `user`, meters `units` and emits {UsageRecorded}.
    function _useGrant(bytes32 grantId, address user, UsageAction action, uint64 units, bytes32 outputRef) private {
        if (units == 0) revert UsageUnitsZero();
        GrantTerms storage terms = _activeTerms(grantId, user);
        if (block.timestamp < terms.validFrom || block.timestamp > terms.validUntil) {
            revert UsageOutsideWindow(grantId, terms.validFrom, terms.validUntil, block.timestamp);
        }
        if (terms.rights & Rights.requiredFor(action) == 0) revert UsageActionNotAllowed(grantId, action, terms.rights);
        bytes32 datasetId = terms.datasetId;
        DatasetSlot storage dataset = _datasets[datasetId];
        uint8 flags = dataset.flags;
        if (flags & _RETIRED != 0) revert DatasetRetiredAlready(datasetId);
        if (flags & _LICENSED != 0) _requireProductLicence(datasetId, dataset.holder);
        uint80 used = terms.used;
        uint80 quota = terms.quota;
        if (quota != 0 && used + units > quota) revert UsageQuotaExceeded(grantId, used, quota, units);
        terms.used = used + units;
        emit UsageRecorded(grantId, datasetId, user, action, units, outputRef);
    }
}
