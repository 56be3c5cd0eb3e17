// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

import {IGrantFees} from "../interfaces/IGrantFees.sol";

/**
 * @title HostileToken
 * @notice An ERC-20 that misbehaves when the ledger moves it, for tests of fee payments only: it
 * either reports a failed transfer (returns false, moving nothing) or, once armed, calls back into
 * the ledger's `payFees` from inside the transfer, to pay the same grant again. Worth nothing.
 */
contract HostileToken is ERC20 {
    /// @notice How the next `transferFrom` misbehaves.
    enum Mode {
        Honest,
        ReturnFalse,
        Reenter
    }

    /// @notice The misbehaviour of the next transfers.
    Mode public mode;

    /// @notice The ledger the call back pays through.
    address public reentryLedger;
    /// @notice The grant the call back pays on.
    bytes32 public reentryGrant;
    /// @notice The fee terms the call back names.
    IGrantFees.FeeTerms public reentryTerms;
    /// @notice What the call back pays.
    uint256 public reentryAmount;

    /// @notice The revert data of the last call back into the ledger (empty if it succeeded or none was made).
    bytes public reentryError;

    /// @notice How many calls back into the ledger succeeded.
    uint256 public reentriesSucceeded;

    /**
     * @notice Deploys the token.
     * @param name_ Its name.
     * @param symbol_ Its symbol.
     */
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /**
     * @notice Mints `amount` to `to`.
     * @param to The receiver.
     * @param amount The amount, in base units.
     */
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }

    /**
     * @notice Sets how the next transfers misbehave.
     * @param mode_ Honest, ReturnFalse or Reenter.
     */
    function setMode(Mode mode_) external {
        mode = mode_;
    }

    /**
     * @notice Arms the call back: the next `transferFrom` first pays `amount` on `grantId` through `ledger`,
     * from this contract's own balance.
     * @param ledger The ledger.
     * @param grantId The grant.
     * @param terms Its fee terms.
     * @param amount What the call back pays.
     */
    function armReentry(address ledger, bytes32 grantId, IGrantFees.FeeTerms calldata terms, uint256 amount) external {
        mode = Mode.Reenter;
        reentryLedger = ledger;
        reentryGrant = grantId;
        reentryTerms = terms;
        reentryAmount = amount;
        // The call back pays from this contract's own balance, which the ledger may then take.
        _approve(address(this), ledger, amount);
    }

    /**
     * @notice Moves `amount` from `from` to `to`, misbehaving as `mode` says; a call back is made once
     * and its failure kept in `reentryError` rather than passed on.
     * @param from The payer.
     * @param to The receiver.
     * @param amount The amount.
     * @return moved Whether the tokens moved.
     */
    function transferFrom(address from, address to, uint256 amount) public override returns (bool moved) {
        if (mode == Mode.ReturnFalse) return false;
        if (mode == Mode.Reenter) {
            mode = Mode.Honest;
            try IGrantFees(reentryLedger).payFees(reentryGrant, reentryTerms, address(this), reentryAmount) {
                reentriesSucceeded++;
            } catch (bytes memory reason) {
                reentryError = reason;
            }
        }
        return super.transferFrom(from, to, amount);
    }
}
