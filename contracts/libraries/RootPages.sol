// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title RootPages
 * @notice Keeps a list of 32-byte words as the runtime code of a data contract ("SSTORE2"): writing
 * costs 200 gas a byte (6,400 a word) against 22,100 for a new storage slot, which is what lets a
 * batch anchor a dataset for less than the price of two slots.
 *
 * The code starts with a STOP byte, so calling a page does nothing.
 */
library RootPages {
    /// @notice The data contract could not be created.
    error RootPagesWriteFailed();

    /**
     * @notice Deploys `words` (a multiple of 32 bytes) as a page and returns its address.
     * @param words The words to keep.
     * @return page The data contract that holds them.
     */
    function write(bytes memory words) internal returns (address page) {
        // Init code (10 bytes): PUSH2 size, DUP1, PUSH1 10, RETURNDATASIZE, CODECOPY, RETURNDATASIZE,
        // RETURN. It returns everything after itself: the STOP byte and the words.
        bytes memory initCode = abi.encodePacked(hex"61", uint16(words.length + 1), hex"80600a3d393df300", words);
        // CREATE with hand-made init code is what SSTORE2 is.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            page := create(0, add(initCode, 0x20), mload(initCode))
        }
        if (page == address(0)) revert RootPagesWriteFailed();
    }

    /**
     * @notice Word `index` of `page`.
     * @param page A data contract written by {write}.
     * @param index The word's position.
     * @return word The word.
     */
    function read(address page, uint256 index) internal view returns (bytes32 word) {
        // EXTCODECOPY of one word, no Solidity form.
        // solhint-disable-next-line no-inline-assembly
        assembly ("memory-safe") {
            // Scratch space 0x00-0x1f: the word never outlives this block.
            extcodecopy(page, 0x00, add(1, shl(5, index)), 0x20)
            word := mload(0x00)
        }
    }
}
