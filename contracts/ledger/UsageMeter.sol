// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IUsageMeter} from "../interfaces/IUsageMeter.sol";
import {Rights} from "../libraries/Rights.sol";
import {GrantRegistry} from "./GrantRegistry.sol";

/**
 * @title UsageMeter
 * @notice Metered use of datasets under grants. Every use, including the DERIVE unit that
 * registering a derived dataset spends, runs one check, {_useRefusal}, which {canUse} runs too: the
 * view and the ledger cannot disagree about a use at the same block.
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

    /// @inheritdoc IUsageMeter
    function canUse(
        bytes32 grantId,
        address user,
        UsageAction action,
        uint64 units
    ) external view returns (bool allowed, bytes memory refusal) {
        if (paused()) return (false, abi.encodeWithSelector(EnforcedPause.selector));
        (refusal, ) = _useRefusal(grantId, user, action, units);
        allowed = refusal.length == 0;
    }

    /// @dev See {DatasetRegistry-_useGrantForDerivation}.
    function _useGrantForDerivation(
        bytes32 grantId,
        bytes32 parentId,
        address registrant,
        bytes32 childId
    ) internal override {
        GrantTerms storage terms = _termsOf(grantId, registrant);
        bytes32 covered = terms.datasetId;
        if (covered != parentId) revert DatasetParentGrantMismatch(parentId, grantId, covered);
        _useGrant(grantId, registrant, UsageAction.Derive, 1, childId);
        _recordLicence(grantId, terms);
    }

    /// @dev Meters `units` of `grantId` for `user` and emits {UsageRecorded}; reverts with the refusal, if any.
    function _useGrant(bytes32 grantId, address user, UsageAction action, uint64 units, bytes32 outputRef) private {
        (bytes memory refusal, GrantTerms storage terms) = _useRefusal(grantId, user, action, units);
        if (refusal.length != 0) {
            // Re-throws the custom error exactly as encoded.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                revert(add(refusal, 0x20), mload(refusal))
            }
        }
        terms.used += units;
        emit UsageRecorded(grantId, terms.datasetId, user, action, units, outputRef);
    }

    /**
     * @dev Why `user` may not use `units` of `action` under `grantId` now: the custom error, encoded,
     * or empty when it may. The checks run in the order {IUsageMeter-recordUsage} documents. Also
     * returns the terms, so that the use writes without looking them up again.
     */
    function _useRefusal(
        bytes32 grantId,
        address user,
        UsageAction action,
        uint64 units
    ) private view returns (bytes memory refusal, GrantTerms storage terms) {
        terms = _grantTerms[grantId][user];
        if (units == 0) return (abi.encodeWithSelector(UsageUnitsZero.selector), terms);
        GrantState state = terms.state;
        if (state == GrantState.None) {
            if (_parties[grantId].grantee == address(0)) return (abi.encodeWithSelector(GrantNotFound.selector, grantId), terms);
            return (abi.encodeWithSelector(GrantUnauthorizedAccount.selector, grantId, user), terms);
        }
        if (state != GrantState.Active) return (abi.encodeWithSelector(GrantNotActive.selector, grantId, state), terms);
        uint40 validFrom = terms.validFrom;
        uint40 validUntil = terms.validUntil;
        if (block.timestamp < validFrom || block.timestamp > validUntil) {
            return (
                abi.encodeWithSelector(UsageOutsideWindow.selector, grantId, validFrom, validUntil, block.timestamp),
                terms
            );
        }
        uint8 rights = terms.rights;
        if (rights & Rights.requiredFor(action) == 0) {
            return (abi.encodeWithSelector(UsageActionNotAllowed.selector, grantId, action, rights), terms);
        }
        bytes32 datasetId = terms.datasetId;
        DatasetSlot storage dataset = _datasets[datasetId];
        if (dataset.flags & _RETIRED != 0) return (abi.encodeWithSelector(DatasetRetiredAlready.selector, datasetId), terms);
        uint256 licenceCount = dataset.licenceCount;
        if (licenceCount != 0) {
            (bytes32 lapsed, LicenceLapse reason) = _lapsedLicence(datasetId, licenceCount);
            if (lapsed != 0) {
                return (abi.encodeWithSelector(ProductLicenceLapsed.selector, datasetId, lapsed, reason), terms);
            }
        }
        uint80 used = terms.used;
        uint80 quota = terms.quota;
        if (quota != 0 && used + units > quota) {
            return (abi.encodeWithSelector(UsageQuotaExceeded.selector, grantId, used, quota, units), terms);
        }
    }
}
