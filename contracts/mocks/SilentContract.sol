// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title SilentContract
 * @notice For tests: a contract that accepts any call and does nothing, so a transaction meant for the
 * ledger but sent here succeeds without emitting anything. Clients must not take that for success.
 */
contract SilentContract {
    /// @notice Accepts any call and does nothing.
    fallback() external {}
}
