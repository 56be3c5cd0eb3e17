// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {RootPages} from "../libraries/RootPages.sol";

/// @notice Exposes {RootPages} to tests, including pages too large to deploy.
contract RootPagesHarness {
    event PageWritten(address page);

    function write(bytes calldata words) external returns (address page) {
        page = RootPages.write(words);
        emit PageWritten(page);
    }

    function read(address page, uint256 index) external view returns (bytes32) {
        return RootPages.read(page, index);
    }
}
