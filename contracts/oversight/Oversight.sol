// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IAccessControl} from "@openzeppelin/contracts/access/IAccessControl.sol";

import {IOversight} from "../interfaces/IOversight.sol";
import {IProvenanceLedger} from "../interfaces/IProvenanceLedger.sol";

/**
 * @title Oversight
 * @notice The authority's fee caps and revenue ceilings, and objections with the holder's answer and
 * the arbiter's ruling, over the ledger that created it; see {IOversight}.
 */
contract Oversight is IOversight {
    /// @notice The ledger role that caps fees and sets operators' revenue ceilings.
    bytes32 public constant AUTHORITY_ROLE = keccak256("AUTHORITY_ROLE");

    /// @notice The ledger role that rules on objections.
    bytes32 public constant ARBITER_ROLE = keccak256("ARBITER_ROLE");

    /// @notice How long the holder has to answer before the arbiter may rule without its answer.
    uint40 public constant ANSWER_PERIOD = 15 days;

    /// @dev Two slots: the target; then its kind, the state and the answer's due time.
    // solhint-disable-next-line gas-struct-packing
    struct Objection {
        bytes32 target;
        ObjectionTarget targetKind;
        ObjectionState state;
        uint40 answerDue;
    }

    IProvenanceLedger private immutable _LEDGER;
    mapping(bytes32 datasetId => FeeCap) private _feeCaps;
    mapping(uint64 objectionId => Objection) private _objections;
    uint64 private _objectionCount;

    /// @notice Oversees the ledger that creates it.
    constructor() {
        _LEDGER = IProvenanceLedger(msg.sender);
    }

    /// @inheritdoc IOversight
    function setFeeCap(bytes32 datasetId, FeeCap calldata cap) external {
        _requireRole(AUTHORITY_ROLE);
        if (_LEDGER.holderOf(datasetId) == address(0)) revert OversightDatasetUnknown(datasetId);
        if (cap.token != address(0) && cap.currencyCode != 0) revert OversightCurrencyInvalid();
        _feeCaps[datasetId] = cap;
        emit FeeCapSet(datasetId, msg.sender, cap.token, cap.currencyCode, cap.maxUnitPrice, cap.maxDailyFee);
    }

    /// @inheritdoc IOversight
    function setRevenueCeiling(
        address operator,
        uint16 year,
        address token,
        bytes3 currencyCode,
        uint256 ceiling
    ) external {
        _requireRole(AUTHORITY_ROLE);
        if ((token != address(0)) == (currencyCode != 0)) revert OversightCurrencyInvalid();
        emit RevenueCeilingSet(operator, year, msg.sender, token, currencyCode, ceiling);
    }

    /// @inheritdoc IOversight
    function fileObjection(
        ObjectionTarget targetKind,
        bytes32 target,
        string calldata reason,
        bytes32 evidenceHash
    ) external returns (uint64 objectionId) {
        if (_holderFor(targetKind, target) == address(0)) revert ObjectionTargetUnknown(targetKind, target);
        if (bytes(reason).length == 0) revert ObjectionTextEmpty();
        objectionId = ++_objectionCount;
        uint40 answerDue = uint40(block.timestamp) + ANSWER_PERIOD;
        _objections[objectionId] = Objection(target, targetKind, ObjectionState.Open, answerDue);
        emit ObjectionFiled(objectionId, target, msg.sender, targetKind, reason, evidenceHash, answerDue);
    }

    /// @inheritdoc IOversight
    function answerObjection(uint64 objectionId, string calldata answer, bytes32 evidenceHash) external {
        Objection storage objection = _objectionIn(objectionId, ObjectionState.Open);
        bytes32 target = objection.target;
        address holder = _holderFor(objection.targetKind, target);
        if (holder != msg.sender) revert ObjectionUnauthorizedHolder(objectionId, holder, msg.sender);
        if (bytes(answer).length == 0) revert ObjectionTextEmpty();
        objection.state = ObjectionState.Answered;
        emit ObjectionAnswered(objectionId, target, msg.sender, answer, evidenceHash);
    }

    /// @inheritdoc IOversight
    function ruleOnObjection(uint64 objectionId, bool upheld, string calldata ruling) external {
        _requireRole(ARBITER_ROLE);
        Objection storage objection = _objectionIn(objectionId, ObjectionState.Answered);
        if (bytes(ruling).length == 0) revert ObjectionTextEmpty();
        bytes32 target = objection.target;
        objection.state = upheld ? ObjectionState.Upheld : ObjectionState.Rejected;
        emit ObjectionRuled(objectionId, target, msg.sender, upheld, ruling);
        if (upheld) _LEDGER.enforceRuling(objection.targetKind, target, objectionId);
    }

    /// @inheritdoc IOversight
    function ledger() external view returns (address) {
        return address(_LEDGER);
    }

    /// @inheritdoc IOversight
    function feeCapOf(bytes32 datasetId) external view returns (FeeCap memory cap) {
        return _feeCaps[datasetId];
    }

    /// @inheritdoc IOversight
    function objectionOf(
        uint64 objectionId
    ) external view returns (ObjectionTarget targetKind, bytes32 target, ObjectionState state, uint40 answerDue) {
        Objection storage objection = _objections[objectionId];
        return (objection.targetKind, objection.target, objection.state, objection.answerDue);
    }

    /// @dev Reverts unless the caller has `role` on the ledger.
    function _requireRole(bytes32 role) private view {
        if (!IAccessControl(address(_LEDGER)).hasRole(role, msg.sender)) {
            revert OversightUnauthorizedAccount(msg.sender, role);
        }
    }

    /**
     * @dev Objection `objectionId`, which must be in `state`: Open to be answered; Answered to be
     * ruled on, or Open past its answer period.
     */
    function _objectionIn(uint64 objectionId, ObjectionState state) private view returns (Objection storage objection) {
        objection = _objections[objectionId];
        ObjectionState current = objection.state;
        if (current == ObjectionState.None) revert ObjectionNotFound(objectionId);
        if (current == state) return objection;
        if (current == ObjectionState.Open) {
            uint40 answerDue = objection.answerDue;
            // The holder may answer until the last second of the period.
            // solhint-disable-next-line gas-strict-inequalities
            if (block.timestamp <= answerDue) revert ObjectionAwaitingAnswer(objectionId, answerDue);
            return objection;
        }
        revert ObjectionClosed(objectionId, current);
    }

    /// @dev The holder who answers for `target`: of the dataset, or of the grant's dataset; zero when unknown.
    function _holderFor(ObjectionTarget targetKind, bytes32 target) private view returns (address) {
        IProvenanceLedger ledger_ = _LEDGER;
        if (targetKind == ObjectionTarget.Dataset) return ledger_.holderOf(target);
        try ledger_.grantOf(target) returns (IProvenanceLedger.Grant memory grant_) {
            return ledger_.holderOf(grant_.datasetId);
        } catch {
            return address(0);
        }
    }
}
