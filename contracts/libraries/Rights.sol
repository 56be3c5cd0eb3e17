// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IUsageMeter} from "../interfaces/IUsageMeter.sol";

/**
 * @title Rights
 * @notice The bit set of rights a grant carries, and which right each usage action needs.
 */
library Rights {
    uint8 internal constant USE = 1;
    uint8 internal constant PROCESS = 2;
    uint8 internal constant OPERATE_PRODUCT = 4;
    uint8 internal constant ALL = USE | PROCESS | OPERATE_PRODUCT;

    /**
     * @notice Whether `rights` is a non-empty set of known rights.
     * @param rights The bit set.
     * @return valid True when non-empty and within USE | PROCESS | OPERATE_PRODUCT.
     */
    function isValid(uint8 rights) internal pure returns (bool valid) {
        return rights != 0 && rights & ~ALL == 0;
    }

    /**
     * @notice The right that `action` needs.
     * @param action The usage action.
     * @return right The one right bit it needs.
     */
    function requiredFor(IUsageMeter.UsageAction action) internal pure returns (uint8 right) {
        if (action == IUsageMeter.UsageAction.Use) return USE;
        if (action == IUsageMeter.UsageAction.Operate) return OPERATE_PRODUCT;
        return PROCESS; // Process and Derive
    }
}
