// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IGrantFees
 * @notice Fees for the use of public data, as the rules for its authorised operation set them: a
 * grant carries a purpose class and fee terms; use for public governance or public welfare is free;
 * other use pays a price per metered unit and/or a fee per period, never above the cap the authority
 * set for the dataset or product in the ledger's oversight contract ({IOversight-setFeeCap}). Fees
 * are paid in an ERC-20 token through the ledger, or off-chain in a currency and acknowledged by the
 * holder.
 *
 * The ledger keeps 96 bits of a grant's fee terms' hash beside its grantee, so a priced grant costs
 * no slot more than a free one; whoever pays or acknowledges passes the terms again.
 *
 * What a grant owes at time t: `used * unitPrice + periods * periodFee`, where `used` is the units
 * it recorded (as {IGrantRegistry-grantOf} says) and `periods` the number of periods started from
 * `validFrom` up to the earliest of t, `validUntil` and the moment the grant ended (revoked,
 * renounced or cancelled): `(end - validFrom) / period + 1` once `end >= validFrom`, else 0. A fee
 * per period is due when its period starts. Amounts are in the currency's smallest unit (the
 * token's base unit; fen for CNY).
 */
interface IGrantFees {
    /// @notice Why data is used. Unclassified: issued without terms ({IGrantRegistry-grant}).
    enum PurposeClass {
        Unclassified,
        PublicGovernance,
        PublicWelfare,
        Commercial
    }

    /**
     * @notice What a grant's use costs.
     * @param purposeClass Why the data is used; public governance and public welfare pay nothing.
     * @param token The ERC-20 token fees are paid in through the ledger; zero when paid off-chain.
     * @param currencyCode The ISO 4217 code (e.g. "CNY") of an off-chain currency; zero with a token.
     * @param unitPrice Price of one metered unit.
     * @param periodFee Fee of each period started.
     * @param period The period's length in seconds; zero without a period fee.
     */
    // The fields follow the order a reader states terms in; packing would reorder them.
    // solhint-disable-next-line gas-struct-packing
    struct FeeTerms {
        PurposeClass purposeClass;
        address token;
        bytes3 currencyCode;
        uint96 unitPrice;
        uint96 periodFee;
        uint40 period;
    }

    /**
     * @notice The grant `grantId`, issued in the same transaction, carries these fee terms.
     * @param grantId The grant (see {IGrantRegistry-GrantIssued}).
     * @param purposeClass Why the data is used.
     * @param token The ERC-20 token of its fees, or zero.
     * @param currencyCode The ISO 4217 code of its fees, or zero.
     * @param unitPrice Price of one metered unit.
     * @param periodFee Fee of each period started.
     * @param period The period's length in seconds.
     */
    event GrantFeeTerms(
        bytes32 indexed grantId,
        PurposeClass purposeClass,
        address token,
        bytes3 currencyCode,
        uint96 unitPrice,
        uint96 periodFee,
        uint40 period
    );

    /**
     * @notice `payer` paid `amount` of `token` for `grantId` to `holder`, the holder of its dataset.
     * @param grantId The grant.
     * @param payer Who paid (usually its grantee).
     * @param holder Who received the payment.
     * @param token The token.
     * @param amount The amount paid now.
     * @param paidTotal Everything paid or acknowledged for the grant so far.
     */
    event FeesPaid(
        bytes32 indexed grantId,
        address indexed payer,
        address indexed holder,
        address token,
        uint256 amount,
        uint256 paidTotal
    );

    // Nobody looks a payment up by its amount.
    /* solhint-disable gas-indexed-events */
    /**
     * @notice `holder` acknowledged receiving `amount` for `grantId` off the ledger.
     * @param grantId The grant.
     * @param holder The holder of its dataset.
     * @param amount The amount acknowledged now.
     * @param paidTotal Everything paid or acknowledged for the grant so far.
     * @param paymentRef The holder's reference for the payment (a bank reference's hash, an invoice number).
     */
    event FeesAcknowledged(
        bytes32 indexed grantId,
        address indexed holder,
        uint256 amount,
        uint256 paidTotal,
        bytes32 paymentRef
    );
    /* solhint-enable gas-indexed-events */

    /// @notice Terms must name the purpose class: public governance, public welfare or commercial.
    error FeePurposeUnclassified();

    /// @notice A fee on a grant for `purposeClass`: public governance and public welfare use is free.
    error FeeOnFreePurpose(PurposeClass purposeClass);

    /// @notice Fees need exactly one currency (a token or an ISO 4217 code), and free terms none.
    error FeeCurrencyInvalid();

    /// @notice A period fee needs a period, and a period a period fee.
    error FeePeriodInvalid();

    /// @notice Periods are billed from `validFrom`, which is before `timestamp`: start a window with a period fee from now on.
    error FeePeriodStartPast(uint40 validFrom, uint256 timestamp);

    /// @notice The cap of `datasetId` is stated in another currency (`capToken`, `capCurrencyCode`).
    error FeeCurrencyNotCapped(bytes32 datasetId, address capToken, bytes3 capCurrencyCode);

    /// @notice A unit price of `unitPrice` is above the cap of `datasetId`, `maxUnitPrice`.
    error FeeUnitPriceAboveCap(bytes32 datasetId, uint96 unitPrice, uint96 maxUnitPrice);

    /// @notice A fee of `periodFee` every `period` seconds is above the cap of `datasetId`, `maxDailyFee` a day.
    error FeePeriodFeeAboveCap(bytes32 datasetId, uint96 periodFee, uint40 period, uint96 maxDailyFee);

    /// @notice The terms given are not those `grantId` was issued with (or it was issued without terms).
    error FeeTermsMismatch(bytes32 grantId);

    /// @notice `grantId`'s fees are in an off-chain currency: the holder acknowledges their payment.
    error FeesPayableOffChain(bytes32 grantId);

    /// @notice `grantId`'s fees are paid in `token`, not in `given`.
    error FeePaymentWrongToken(bytes32 grantId, address token, address given);

    /// @notice A payment of `amount` on `grantId`, of which `due` is due now (it may be neither zero nor more).
    error FeePaymentAmountInvalid(bytes32 grantId, uint256 amount, uint256 due);

    /**
     * @notice Grants as {IGrantRegistry-grant} does, with a purpose class and fee terms.
     * @dev Requirements: those of {IGrantRegistry-grant}; a purpose class; no fee for public governance or public
     * welfare; fees in exactly one currency, and free terms in none; a period fee with a period and
     * no period without one, and then `validFrom` not in the past (periods are billed from it); within the cap of `datasetId` ({IOversight-feeCapOf}), if the
     * authority set one, and in its currency. Emits {IGrantRegistry-GrantIssued} then {GrantFeeTerms}.
     * @param datasetId The dataset the caller holds.
     * @param grantee The account that receives the rights.
     * @param rights USE | PROCESS | OPERATE_PRODUCT bits.
     * @param purpose What the data may be used for, as text.
     * @param validFrom First second of the window (inclusive).
     * @param validUntil Last second of the window (inclusive).
     * @param quota Metered units allowed; zero means unlimited.
     * @param terms The purpose class and fee terms.
     * @return grantId The new grant's id.
     */
    function grantWithTerms(
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        string calldata purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint80 quota,
        FeeTerms calldata terms
    ) external returns (bytes32 grantId);

    /**
     * @notice Pays `amount` of `token` towards what `grantId` owes, from the caller to its dataset's holder.
     * @dev Requirements: not paused; `terms` are the grant's; they name a token, and it is `token`;
     * `0 < amount <= owed - paid`. The caller must have approved the ledger for `amount`. Emits {FeesPaid}.
     * @param grantId The grant.
     * @param terms Its fee terms, as issued.
     * @param token The token paid in.
     * @param amount The amount.
     */
    function payFees(bytes32 grantId, FeeTerms calldata terms, address token, uint256 amount) external;

    /**
     * @notice The holder of `grantId`'s dataset acknowledges `amount` paid to it off the ledger.
     * @dev Requirements: the caller holds the grant's dataset; `terms` are the grant's;
     * `0 < amount <= owed - paid`. Emits {FeesAcknowledged}.
     * @param grantId The grant.
     * @param terms Its fee terms, as issued.
     * @param amount The amount received.
     * @param paymentRef The holder's reference for the payment.
     */
    function acknowledgeFees(bytes32 grantId, FeeTerms calldata terms, uint256 amount, bytes32 paymentRef) external;

    /**
     * @notice The oversight contract this ledger created: fee caps, revenue ceilings, objections.
     * @return oversightContract Its address.
     */
    function oversight() external view returns (address oversightContract);

    /**
     * @notice What `grantId` owes now under its `terms`, and what was paid or acknowledged.
     * @param grantId The grant.
     * @param terms Its fee terms, as issued; reverts with {FeeTermsMismatch} otherwise.
     * @return owed Units used times the unit price plus the period fees due so far.
     * @return paid Paid through the ledger or acknowledged by the holder.
     */
    function feesOf(bytes32 grantId, FeeTerms calldata terms) external view returns (uint256 owed, uint256 paid);

}
