// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC20} from "@openzeppelin/contracts/token/ERC20/IERC20.sol";
import {SafeERC20} from "@openzeppelin/contracts/token/ERC20/utils/SafeERC20.sol";

import {IGrantFees} from "../interfaces/IGrantFees.sol";
import {IOversight} from "../interfaces/IOversight.sol";
import {MeterSettlement} from "./MeterSettlement.sol";

/**
 * @title GrantFees
 * @notice Purpose classes and fee terms on grants, within the caps the authority set in the oversight
 * contract, and fees paid through the ledger or acknowledged by the holder. See {IGrantFees} for the
 * rules and the sum a grant owes.
 */
abstract contract GrantFees is MeterSettlement, IGrantFees {
    using SafeERC20 for IERC20;

    /// @dev What was paid for a priced grant, and when it ended (zero while it has not): one slot.
    struct FeeAccount {
        uint216 paid;
        uint40 endedAt;
    }

    mapping(bytes32 grantId => FeeAccount) private _feeAccounts;

    /// @inheritdoc IGrantFees
    function grantWithTerms(
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        string calldata purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint80 quota,
        FeeTerms calldata terms
    ) external whenNotPaused returns (bytes32 grantId) {
        grantId = _issueGrant(msg.sender, datasetId, grantee, rights, purpose, validFrom, validUntil, quota, _feeDigest(terms));
        _requireTermsAllowed(datasetId, terms);
        if (terms.periodFee != 0 && validFrom < block.timestamp) revert FeePeriodStartPast(validFrom, block.timestamp);
        emit GrantFeeTerms(
            grantId,
            terms.purposeClass,
            terms.token,
            terms.currencyCode,
            terms.unitPrice,
            terms.periodFee,
            terms.period
        );
    }

    /// @inheritdoc IGrantFees
    function payFees(bytes32 grantId, FeeTerms calldata terms, address token, uint256 amount) external whenNotPaused {
        (uint256 owed, FeeAccount storage account, bytes32 datasetId) = _feesDue(grantId, terms);
        address feeToken = terms.token;
        if (feeToken == address(0)) revert FeesPayableOffChain(grantId);
        if (token != feeToken) revert FeePaymentWrongToken(grantId, feeToken, token);
        uint256 paidTotal = _addPayment(grantId, account, owed, amount);
        address holder = _datasets[datasetId].holder;
        emit FeesPaid(grantId, msg.sender, holder, token, amount, paidTotal);
        // Last, with the payment already counted: a token calling back finds nothing more due.
        IERC20(token).safeTransferFrom(msg.sender, holder, amount);
    }

    /// @inheritdoc IGrantFees
    function acknowledgeFees(bytes32 grantId, FeeTerms calldata terms, uint256 amount, bytes32 paymentRef) external {
        (uint256 owed, FeeAccount storage account, bytes32 datasetId) = _feesDue(grantId, terms);
        _heldBy(datasetId, msg.sender);
        emit FeesAcknowledged(grantId, msg.sender, amount, _addPayment(grantId, account, owed, amount), paymentRef);
    }

    /// @inheritdoc IGrantFees
    function feesOf(bytes32 grantId, FeeTerms calldata terms) external view returns (uint256 owed, uint256 paid) {
        FeeAccount storage account;
        (owed, account, ) = _feesDue(grantId, terms);
        paid = account.paid;
    }

    /// @inheritdoc IGrantFees
    function oversight() public view virtual returns (address oversightContract);

    /// @dev Stops the period fees of a priced grant that ends now.
    function _grantEnded(bytes32 grantId) internal override {
        _feeAccounts[grantId].endedAt = uint40(block.timestamp);
    }

    /// @dev The low 96 bits of keccak256 of `terms`, as kept beside the grantee.
    function _feeDigest(FeeTerms calldata terms) private pure returns (uint96) {
        return uint96(uint256(keccak256(abi.encode(terms))));
    }

    /// @dev Reverts unless `terms` are allowed on a grant over `datasetId` (see {grantWithTerms}).
    function _requireTermsAllowed(bytes32 datasetId, FeeTerms calldata terms) private view {
        PurposeClass purposeClass = terms.purposeClass;
        if (purposeClass == PurposeClass.Unclassified) revert FeePurposeUnclassified();
        bool free = terms.unitPrice == 0 && terms.periodFee == 0;
        if (!free && purposeClass != PurposeClass.Commercial) revert FeeOnFreePurpose(purposeClass);
        bool hasToken = terms.token != address(0);
        bool hasCode = terms.currencyCode != 0;
        if (free ? hasToken || hasCode : hasToken == hasCode) revert FeeCurrencyInvalid();
        if ((terms.periodFee == 0) != (terms.period == 0)) revert FeePeriodInvalid();
        if (free) return;
        IOversight.FeeCap memory cap = IOversight(oversight()).feeCapOf(datasetId);
        (address capToken, bytes3 capCode) = (cap.token, cap.currencyCode);
        if (capToken == address(0) && capCode == 0) return;
        if (capToken != terms.token || capCode != terms.currencyCode) {
            revert FeeCurrencyNotCapped(datasetId, capToken, capCode);
        }
        uint96 maxUnitPrice = cap.maxUnitPrice;
        if (terms.unitPrice > maxUnitPrice) revert FeeUnitPriceAboveCap(datasetId, terms.unitPrice, maxUnitPrice);
        uint96 maxDailyFee = cap.maxDailyFee;
        // periodFee / period > maxDailyFee / 1 day, without rounding.
        if (uint256(terms.periodFee) * 1 days > uint256(maxDailyFee) * terms.period) {
            revert FeePeriodFeeAboveCap(datasetId, terms.periodFee, terms.period, maxDailyFee);
        }
    }

    /**
     * @dev What `grantId` owes now under `terms` (reverting unless they are its terms), its fee
     * account and its dataset.
     */
    function _feesDue(
        bytes32 grantId,
        FeeTerms calldata terms
    ) private view returns (uint256 owed, FeeAccount storage account, bytes32 datasetId) {
        GrantParty storage party = _parties[grantId];
        uint96 digest = party.feeDigest;
        if (digest == 0 || digest != _feeDigest(terms)) revert FeeTermsMismatch(grantId);
        GrantTerms storage grantTerms = _grantTerms[grantId][party.grantee];
        account = _feeAccounts[grantId];
        datasetId = grantTerms.datasetId;
        owed = uint256(grantTerms.used) * terms.unitPrice;
        uint96 periodFee = terms.periodFee;
        if (periodFee == 0) return (owed, account, datasetId);
        uint256 end = block.timestamp;
        uint40 validUntil = grantTerms.validUntil;
        if (validUntil < end) end = validUntil;
        uint40 endedAt = account.endedAt;
        if (endedAt != 0 && endedAt < end) end = endedAt;
        uint40 validFrom = grantTerms.validFrom;
        // A period's fee is due from its first second.
        // solhint-disable-next-line gas-strict-inequalities
        if (end >= validFrom) owed += ((end - validFrom) / terms.period + 1) * periodFee;
    }

    /// @dev Counts `amount` towards `account`, which owes `owed`; returns the new total paid.
    function _addPayment(
        bytes32 grantId,
        FeeAccount storage account,
        uint256 owed,
        uint256 amount
    ) private returns (uint256 paidTotal) {
        uint256 paid = account.paid;
        uint256 due = owed > paid ? owed - paid : 0;
        if (amount == 0 || amount > due) revert FeePaymentAmountInvalid(grantId, amount, due);
        paidTotal = paid + amount;
        // paidTotal <= owed < 2^216: units (80 bits) times a price (96 bits) plus period fees.
        // forge-lint: disable-next-line(unsafe-typecast)
        account.paid = uint216(paidTotal);
    }
}
