// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDatasetRegistry} from "./IDatasetRegistry.sol";
import {IGrantFees} from "./IGrantFees.sol";
import {IGrantRegistry} from "./IGrantRegistry.sol";
import {IMeterSettlement} from "./IMeterSettlement.sol";
import {IRulings} from "./IRulings.sol";
import {IUsageMeter} from "./IUsageMeter.sol";

/**
 * @title IProvenanceLedger
 * @notice The whole ledger at one address with one event stream: datasets (holding right), grants
 * (processing/use and product-operation rights), metered usage and the settlement of what a
 * holder's gateway metered; the fees of public-data use (purpose classes, caps, payments) and the
 * objection step (file, answer, rule).
 *
 * An account with PAUSER_ROLE may pause, in an emergency, every write that gives or carries rights:
 * deriving, licensed versions, grants, uses and holding transfers. What only takes rights away
 * (revoking, renouncing, retiring, cancelling signed requests) and plain anchoring keep working.
 * Nothing can alter history, grants or holdings: there is no upgrade path and no administrative
 * write. The admin role (which grants PAUSER_ROLE) is handed over in two steps after a delay.
 */
interface IProvenanceLedger is IDatasetRegistry, IGrantRegistry, IUsageMeter, IMeterSettlement, IGrantFees, IRulings {
    // One event in a ledger's life; nobody filters by the delay.
    /* solhint-disable gas-indexed-events */
    /**
     * @notice The ledger was deployed with `admin` as its first admin and pauser, and `adminDelay`
     * seconds as the wait before a scheduled admin handover can be accepted. Emitted once, by the
     * constructor: the one fact of the roles that no other event carries.
     * @param admin The first holder of DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
     * @param adminDelay The handover delay, in seconds.
     * @param oversight The oversight contract the ledger created ({IGrantFees-oversight}).
     */
    event LedgerDeployed(address indexed admin, uint48 adminDelay, address oversight);
    /* solhint-enable gas-indexed-events */

    /// @notice Stops every write that gives or carries rights until {unpause}. Requirements: the caller has PAUSER_ROLE.
    function pause() external;

    /// @notice Lets writes resume. Requirements: the caller has PAUSER_ROLE.
    function unpause() external;
}
