// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDatasetRegistry} from "./IDatasetRegistry.sol";
import {IGrantRegistry} from "./IGrantRegistry.sol";
import {IUsageMeter} from "./IUsageMeter.sol";

/**
 * @title IProvenanceLedger
 * @notice The whole ledger at one address with one event stream: datasets (holding right), grants
 * (processing/use and product-operation rights) and metered usage.
 *
 * An account with PAUSER_ROLE may pause every write in an emergency. Nothing can alter history,
 * grants or holdings: there is no upgrade path and no administrative write.
 */
interface IProvenanceLedger is IDatasetRegistry, IGrantRegistry, IUsageMeter {
    /// @notice Stops every write until {unpause}. Requirements: the caller has PAUSER_ROLE.
    function pause() external;

    /// @notice Lets writes resume. Requirements: the caller has PAUSER_ROLE.
    function unpause() external;
}
