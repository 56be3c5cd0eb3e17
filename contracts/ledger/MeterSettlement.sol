// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IMeterSettlement} from "../interfaces/IMeterSettlement.sol";
import {Rights} from "../libraries/Rights.sol";
import {UsageMeter} from "./UsageMeter.sol";

/**
 * @title MeterSettlement
 * @notice Epochs of gateway-metered deliveries, settled by the holder or its appointed meter. Settled
 * epochs are kept as bits, 256 to a slot, as grant nonces are: consecutive epochs share a slot.
 */
abstract contract MeterSettlement is UsageMeter, IMeterSettlement {
    mapping(address holder => mapping(address meter => bool)) private _meters;
    mapping(address holder => mapping(uint256 word => uint256 bits)) private _settledEpochs;

    /// @inheritdoc IMeterSettlement
    function appointMeter(address meter) external {
        if (meter == address(0)) revert MeterZero();
        _meters[msg.sender][meter] = true;
        emit MeterAppointed(msg.sender, meter);
    }

    /// @inheritdoc IMeterSettlement
    function dismissMeter(address meter) external {
        delete _meters[msg.sender][meter];
        emit MeterDismissed(msg.sender, meter);
    }

    /// @inheritdoc IMeterSettlement
    function isMeter(address holder, address account) external view returns (bool allowed) {
        return account == holder || _meters[holder][account];
    }

    /// @inheritdoc IMeterSettlement
    function isEpochSettled(address holder, uint64 epoch) external view returns (bool settled) {
        return _settledEpochs[holder][epoch >> 8] & (1 << (epoch & 0xff)) != 0;
    }

    /// @inheritdoc IMeterSettlement
    function settleUsage(
        address holder,
        uint64 epoch,
        bytes32 receiptsRoot,
        uint32 receiptCount,
        Settlement[] calldata entries
    ) external whenNotPaused {
        if (msg.sender != holder && !_meters[holder][msg.sender]) revert SettlementUnauthorized(holder, msg.sender);
        uint256 length = entries.length;
        if (length == 0 || length > MAX_BATCH) revert LedgerBatchLength(length, MAX_BATCH);
        if (receiptCount == 0 || receiptsRoot == 0) revert SettlementReceiptsEmpty();
        mapping(uint256 => uint256) storage settledWords = _settledEpochs[holder];
        uint256 bit = 1 << (epoch & 0xff);
        uint256 word = settledWords[epoch >> 8];
        if (word & bit != 0) revert SettlementEpochSettled(holder, epoch);
        settledWords[epoch >> 8] = word | bit;
        uint256 total;
        for (uint256 i; i < length; ++i) total += entries[i].units;
        // First, so that an indexer reads the uses after it as this epoch's.
        emit EpochSettled(holder, epoch, msg.sender, receiptsRoot, receiptCount, uint32(length), total);
        for (uint256 i; i < length; ++i) _settle(holder, entries[i], receiptsRoot);
    }

    /// @dev Meters one entry of a settlement and emits its {UsageRecorded}.
    function _settle(address holder, Settlement calldata entry, bytes32 receiptsRoot) private {
        (bytes32 grantId, UsageAction action, uint64 units) = (entry.grantId, entry.action, entry.units);
        if (action == UsageAction.Derive) revert UsageActionReserved(action);
        if (units == 0) revert UsageUnitsZero();
        address grantee = _parties[grantId].grantee;
        if (grantee == address(0)) revert GrantNotFound(grantId);
        GrantTerms storage terms = _grantTerms[grantId][grantee];
        bytes32 datasetId = terms.datasetId;
        if (_datasets[datasetId].holder != holder) revert SettlementNotHolder(grantId, datasetId, holder);
        uint8 rights = terms.rights;
        if (rights & Rights.requiredFor(action) == 0) revert UsageActionNotAllowed(grantId, action, rights);
        uint80 used = terms.used;
        uint80 quota = terms.quota;
        if (quota != 0 && used + units > quota) revert UsageQuotaExceeded(grantId, used, quota, units);
        terms.used = used + units;
        emit UsageRecorded(grantId, datasetId, grantee, action, units, receiptsRoot);
    }
}
