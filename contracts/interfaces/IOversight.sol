// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IOversight
 * @notice The rules' oversight of a ledger's public data: the authority (an account with the
 * ledger's AUTHORITY_ROLE) caps the fees of a dataset's or product's grants and sets each operator's
 * yearly revenue ceiling; anyone may object to a dataset's registration or to a grant, with a reason
 * and the hash of its evidence; the holder of the dataset answers; an arbiter (the ledger's
 * ARBITER_ROLE) rules once the holder has answered or the answer period has run out. An upheld
 * objection cancels its target: a dataset is retired (no grant, use or derivation on it again, and
 * every product resting on it lapses), a grant is cancelled (no use again, and every grant resting on
 * it lapses). A rejected objection changes nothing. Objections are numbered from 1 in filing order.
 *
 * A contract of its own, created by the ledger's constructor (its address is the ledger's first
 * CREATE address, nonce 1; {IGrantFees-oversight} names it), because the ledger has no room left
 * under EIP-170. The ledger reads its caps when it issues a priced grant and carries out its upheld
 * rulings ({IRulings-enforceRuling}), taking that call from it alone. It keeps no copy of the
 * ledger's state: it asks the ledger who holds a target and who has a role.
 */
interface IOversight {
    /// @notice What an objection is against.
    enum ObjectionTarget {
        Dataset,
        Grant
    }

    /// @notice Where an objection stands.
    enum ObjectionState {
        None,
        Open,
        Answered,
        Upheld,
        Rejected
    }

    /**
     * @notice The most a dataset's or product's grants may charge, in one currency.
     * @param token The ERC-20 token the cap is stated in, or zero.
     * @param currencyCode The ISO 4217 code the cap is stated in, or zero.
     * @param maxUnitPrice Highest price of one metered unit.
     * @param maxDailyFee Highest period fee per 86,400 seconds of period.
     */
    // The fields follow the order a reader states a cap in.
    // solhint-disable-next-line gas-struct-packing
    struct FeeCap {
        address token;
        bytes3 currencyCode;
        uint96 maxUnitPrice;
        uint96 maxDailyFee;
    }

    // Nobody looks a cap up by its amounts.
    /* solhint-disable gas-indexed-events */
    /**
     * @notice `authority` capped the fees of grants on `datasetId` (zero currency: the cap was lifted).
     * @param datasetId The dataset or product.
     * @param authority The account with AUTHORITY_ROLE that set it.
     * @param token The token the cap is stated in, or zero.
     * @param currencyCode The ISO 4217 code the cap is stated in, or zero.
     * @param maxUnitPrice Highest price of one metered unit.
     * @param maxDailyFee Highest period fee per 86,400 seconds.
     */
    event FeeCapSet(
        bytes32 indexed datasetId,
        address indexed authority,
        address token,
        bytes3 currencyCode,
        uint96 maxUnitPrice,
        uint96 maxDailyFee
    );
    /* solhint-enable gas-indexed-events */

    /**
     * @notice `authority` set `operator`'s revenue ceiling for `year` (a calendar year in China
     * Standard Time, UTC+8). Revenue over it is carried into the next year as a deduction.
     * @param operator The holder that operates public data or products.
     * @param year The calendar year.
     * @param authority The account with AUTHORITY_ROLE that set it.
     * @param token The token the ceiling is stated in, or zero.
     * @param currencyCode The ISO 4217 code the ceiling is stated in, or zero.
     * @param ceiling The most revenue the year may bring, in the currency's smallest unit.
     */
    event RevenueCeilingSet(
        address indexed operator,
        uint16 indexed year,
        address indexed authority,
        address token,
        bytes3 currencyCode,
        uint256 ceiling
    );

    /**
     * @notice `objector` objected to `target` (a dataset or a grant, as `targetKind` says).
     * @param objectionId The objection's number.
     * @param target The dataset id or grant id.
     * @param objector Who filed it.
     * @param targetKind Dataset or Grant.
     * @param reason Why, as text.
     * @param evidenceHash A hash of the evidence (SHA-256 of a document), or zero.
     * @param answerDue The last second the holder may answer before the arbiter may rule without it.
     */
    event ObjectionFiled(
        uint64 indexed objectionId,
        bytes32 indexed target,
        address indexed objector,
        ObjectionTarget targetKind,
        string reason,
        bytes32 evidenceHash,
        uint40 answerDue
    );

    /**
     * @notice `holder`, the holder of the target's dataset, answered objection `objectionId`.
     * @param objectionId The objection.
     * @param target Its target.
     * @param holder Who answered.
     * @param answer The answer, as text.
     * @param evidenceHash A hash of the holder's evidence, or zero.
     */
    event ObjectionAnswered(
        uint64 indexed objectionId,
        bytes32 indexed target,
        address indexed holder,
        string answer,
        bytes32 evidenceHash
    );

    /**
     * @notice `arbiter` ruled on objection `objectionId`. When upheld and the target was still in
     * force, the ledger cancels it in the same transaction ({IRulings-DatasetCancelled} or
     * {IRulings-GrantCancelled}).
     * @param objectionId The objection.
     * @param target Its target.
     * @param arbiter Who ruled.
     * @param upheld True when the objection was upheld.
     * @param ruling The ruling, as text.
     */
    event ObjectionRuled(
        uint64 indexed objectionId,
        bytes32 indexed target,
        address indexed arbiter,
        bool upheld,
        string ruling
    );

    /// @notice `account` lacks the ledger's `role`.
    error OversightUnauthorizedAccount(address account, bytes32 role);

    /// @notice A cap names at most one currency (a token or an ISO 4217 code), a ceiling exactly one.
    error OversightCurrencyInvalid();

    /// @notice No dataset has id `datasetId`.
    error OversightDatasetUnknown(bytes32 datasetId);

    /// @notice No dataset or grant (as `targetKind` says) has id `target`.
    error ObjectionTargetUnknown(ObjectionTarget targetKind, bytes32 target);

    /// @notice An objection needs a reason, an answer a text, a ruling a text.
    error ObjectionTextEmpty();

    /// @notice Objection `objectionId` is answered by `holder`, the holder of its target's dataset, not by `account`.
    error ObjectionUnauthorizedHolder(uint64 objectionId, address holder, address account);

    /// @notice No objection has number `objectionId`.
    error ObjectionNotFound(uint64 objectionId);

    /// @notice Objection `objectionId` is `state`: it can no longer be answered or ruled on.
    error ObjectionClosed(uint64 objectionId, ObjectionState state);

    /// @notice Objection `objectionId` awaits the holder's answer until `answerDue`.
    error ObjectionAwaitingAnswer(uint64 objectionId, uint40 answerDue);

    /**
     * @notice Caps the fees of grants issued from now on over `datasetId`; a cap with neither token
     * nor currency code lifts it. Grants already issued keep their terms.
     * @dev Requirements: the caller has the ledger's AUTHORITY_ROLE; `datasetId` exists; at most one currency.
     * Emits {FeeCapSet}.
     * @param datasetId The dataset or product.
     * @param cap The cap.
     */
    function setFeeCap(bytes32 datasetId, FeeCap calldata cap) external;

    /**
     * @notice Sets `operator`'s revenue ceiling for `year`; the ledger records it, the index applies it.
     * @dev Requirements: the caller has the ledger's AUTHORITY_ROLE; exactly one currency. Emits {RevenueCeilingSet}.
     * @param operator The holder that operates public data or products.
     * @param year The calendar year (UTC+8).
     * @param token The token the ceiling is stated in, or zero.
     * @param currencyCode The ISO 4217 code it is stated in, or zero.
     * @param ceiling The most revenue the year may bring.
     */
    function setRevenueCeiling(address operator, uint16 year, address token, bytes3 currencyCode, uint256 ceiling) external;

    /**
     * @notice Objects to a dataset's registration or to a grant.
     * @dev Requirements: the target exists; `reason` is not empty. Emits {ObjectionFiled}.
     * @param targetKind Dataset or Grant.
     * @param target The dataset id or grant id.
     * @param reason Why.
     * @param evidenceHash A hash of the evidence, or zero.
     * @return objectionId The objection's number.
     */
    function fileObjection(
        ObjectionTarget targetKind,
        bytes32 target,
        string calldata reason,
        bytes32 evidenceHash
    ) external returns (uint64 objectionId);

    /**
     * @notice The ledger this registry serves.
     * @return ledger Its address.
     */
    function ledger() external view returns (address ledger);

    /**
     * @notice The holder answers objection `objectionId`, once.
     * @dev Requirements: the objection is open; the caller holds the target's dataset; `answer` is
     * not empty. Emits {ObjectionAnswered}.
     * @param objectionId The objection.
     * @param answer The answer.
     * @param evidenceHash A hash of the holder's evidence, or zero.
     */
    function answerObjection(uint64 objectionId, string calldata answer, bytes32 evidenceHash) external;

    /**
     * @notice An arbiter rules on objection `objectionId`; upheld, it cancels the target if still in force.
     * @dev Requirements: the caller has the ledger's ARBITER_ROLE; the objection is answered, or open past its
     * answer period; `ruling` is not empty. Emits {ObjectionRuled}; when upheld, the ledger cancels
     * the target ({IRulings-enforceRuling}).
     * @param objectionId The objection.
     * @param upheld True to uphold it.
     * @param ruling The ruling.
     */
    function ruleOnObjection(uint64 objectionId, bool upheld, string calldata ruling) external;

    /**
     * @notice Where objection `objectionId` stands.
     * @param objectionId The objection.
     * @return targetKind Dataset or Grant.
     * @return target Its target.
     * @return state None for an unknown number.
     * @return answerDue The end of its answer period.
     */
    function objectionOf(
        uint64 objectionId
    ) external view returns (ObjectionTarget targetKind, bytes32 target, ObjectionState state, uint40 answerDue);

    /**
     * @notice The fee cap of `datasetId`; zero currency when none is set.
     * @param datasetId The dataset or product.
     * @return cap The cap.
     */
    function feeCapOf(bytes32 datasetId) external view returns (FeeCap memory cap);
}
