// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IERC1271} from "@openzeppelin/contracts/interfaces/IERC1271.sol";

/**
 * @title HostileERC1271Wallet
 * @notice Test stand-in for a contract holder whose signature check misbehaves: it approves
 * everything, reverts, returns too few bytes, or burns all the gas it is given.
 */
contract HostileERC1271Wallet {
    enum Mode {
        AlwaysValid,
        Reverts,
        ShortReturn,
        BurnsGas
    }

    error HostileWalletRefused();

    Mode public immutable mode;

    constructor(Mode mode_) {
        mode = mode_;
    }

    /// @notice Calls `target` with `data` for anyone (the wallet holds datasets in tests only).
    function execute(address target, bytes calldata data) external returns (bytes memory result) {
        bool ok;
        (ok, result) = target.call(data);
        if (!ok) {
            assembly ("memory-safe") {
                revert(add(result, 0x20), mload(result))
            }
        }
    }

    /// @notice Misbehaves as its mode says; the ledger must treat every answer but a proper "valid" as invalid.
    fallback(bytes calldata) external returns (bytes memory answer) {
        if (msg.sig != IERC1271.isValidSignature.selector) revert HostileWalletRefused();
        if (mode == Mode.AlwaysValid) return abi.encode(IERC1271.isValidSignature.selector);
        if (mode == Mode.Reverts) revert HostileWalletRefused();
        if (mode == Mode.ShortReturn) return hex"1626ba";
        // Burns every unit of gas it was given (a static call cannot write, so it hashes).
        bytes32 x;
        while (gasleft() > 0) x = keccak256(abi.encode(x));
    }
}
