// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {ERC20} from "@openzeppelin/contracts/token/ERC20/ERC20.sol";

/**
 * @title TestToken
 * @notice An ERC-20 that anyone may mint, for tests and the demo to pay fees in. Worth nothing. Two
 * decimals, as a currency's fen or cents: the demo's fees read the same in it as in CNY.
 */
contract TestToken is ERC20 {
    /**
     * @notice Deploys the token.
     * @param name_ Its name.
     * @param symbol_ Its symbol.
     */
    constructor(string memory name_, string memory symbol_) ERC20(name_, symbol_) {}

    /// @notice Two decimals: amounts are in hundredths, as fen are of a yuan.
    function decimals() public pure override returns (uint8) {
        return 2;
    }

    /**
     * @notice Mints `amount` to `to`.
     * @param to The receiver.
     * @param amount The amount, in base units.
     */
    function mint(address to, uint256 amount) external {
        _mint(to, amount);
    }
}
