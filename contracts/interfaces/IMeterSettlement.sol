// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IUsageMeter} from "./IUsageMeter.sol";

/**
 * @title IMeterSettlement
 * @notice Usage metered where it happens: a holder's data gateway (run by the holder or by a meter
 * it appoints) writes a signed receipt for every delivery, gathers the receipts of an epoch under a
 * Merkle root and settles the epoch here in one transaction. Settlement adds each grant's units to
 * what it has used, enforcing quotas on the totals, all or nothing, and records the root, so that
 * anyone holding a receipt can prove it was settled.
 *
 * A gateway refuses a delivery that the ledger would refuse at that moment ({IUsageMeter-canUse});
 * settlement comes later (at the end of the epoch), so it checks only what totals must respect and
 * what cannot have changed since: the grant exists, is on a dataset `holder` holds, allows the
 * action, and its quota holds the units. A grant revoked or expired after a delivery is still
 * charged for that delivery.
 */
interface IMeterSettlement is IUsageMeter {
    /// @notice One grant's metered units of one action in an epoch.
    struct Settlement {
        bytes32 grantId;
        UsageAction action;
        uint64 units;
    }

    /**
     * @notice `holder` appointed `meter` to settle the usage of the datasets it holds.
     * @param holder The holder.
     * @param meter The account its gateway signs and settles with.
     */
    event MeterAppointed(address indexed holder, address indexed meter);

    /**
     * @notice `holder` dismissed `meter`: it may settle no more for `holder`.
     * @param holder The holder.
     * @param meter The former meter.
     */
    event MeterDismissed(address indexed holder, address indexed meter);

    /**
     * @notice `holder`'s epoch `epoch` was settled by `meter`: the {UsageRecorded} events that follow
     * in the same transaction (each with `receiptsRoot` as its output reference) are its entries.
     * @param holder The holder whose gateway metered the deliveries.
     * @param epoch The epoch number (each settles once).
     * @param meter The account that settled it (the holder or a meter it appointed).
     * @param receiptsRoot The Merkle root of the epoch's receipts.
     * @param receiptCount How many receipts the root covers.
     * @param entryCount How many entries (grant and action totals) follow.
     * @param units The sum of the entries' units.
     */
    event EpochSettled(
        address indexed holder,
        uint64 indexed epoch,
        address indexed meter,
        bytes32 receiptsRoot,
        uint32 receiptCount,
        uint32 entryCount,
        uint256 units
    );

    /// @notice A meter cannot be the zero address.
    error MeterZero();

    /// @notice `account` is neither `holder` nor a meter `holder` appointed.
    error SettlementUnauthorized(address holder, address account);

    /// @notice `holder`'s epoch `epoch` is settled already.
    error SettlementEpochSettled(address holder, uint64 epoch);

    /// @notice `grantId` is on `datasetId`, which `holder` does not hold.
    error SettlementNotHolder(bytes32 grantId, bytes32 datasetId, address holder);

    /// @notice An epoch settles at least one receipt under a non-zero root.
    error SettlementReceiptsEmpty();

    /**
     * @notice Lets `meter` settle usage of the datasets the caller holds (now or later).
     * @dev Requirements: `meter` is not zero. Emits {MeterAppointed}, also when it was appointed already.
     * @param meter The account the caller's gateway signs and settles with.
     */
    function appointMeter(address meter) external;

    /**
     * @notice Stops `meter` settling for the caller. Emits {MeterDismissed}, also when it was not appointed.
     * @param meter The meter to dismiss.
     */
    function dismissMeter(address meter) external;

    /**
     * @notice Whether `account` may settle `holder`'s usage: it is `holder` or a meter `holder` appointed.
     * @param holder The holder.
     * @param account The account.
     * @return allowed True when it may.
     */
    function isMeter(address holder, address account) external view returns (bool allowed);

    /**
     * @notice Whether `holder`'s epoch `epoch` is settled.
     * @param holder The holder.
     * @param epoch The epoch number.
     * @return settled True once settled.
     */
    function isEpochSettled(address holder, uint64 epoch) external view returns (bool settled);

    /**
     * @notice Settles `holder`'s epoch `epoch`: adds each entry's units to its grant's use and records
     * the root of the epoch's receipts.
     * @dev Requirements: not paused; the caller is `holder` or a meter it appointed; the epoch is not
     * settled; 1 to 256 entries; `receiptCount` and `receiptsRoot` not zero; for each entry in turn:
     * the action is not DERIVE, the units are not zero, the grant exists, its dataset is held by
     * `holder`, its rights allow the action, and its quota holds the units (after the entries before
     * it). Any failure reverts the whole epoch, which can then be settled again.
     *
     * Emits {EpochSettled}, then a {UsageRecorded} event for each entry.
     * @param holder The holder whose deliveries these were.
     * @param epoch The epoch number; each settles once (epochs may settle in any order).
     * @param receiptsRoot The Merkle root of the epoch's receipts.
     * @param receiptCount How many receipts it covers.
     * @param entries Each grant's total units of each action in the epoch.
     */
    function settleUsage(
        address holder,
        uint64 epoch,
        bytes32 receiptsRoot,
        uint32 receiptCount,
        Settlement[] calldata entries
    ) external;
}
