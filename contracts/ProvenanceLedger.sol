// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IProvenanceLedger} from "./interfaces/IProvenanceLedger.sol";
import {MeterSettlement} from "./ledger/MeterSettlement.sol";

/**
 * @title ProvenanceLedger
 * @notice dpl's ledger: datasets, grants, usage and its settlement at one address, with one event stream from which
 * an indexer rebuilds all history without a single eth_call.
 *
 * Not upgradeable on purpose: a ledger whose operator can rewrite it proves nothing. The only
 * administrative power is pausing what gives or carries rights (PAUSER_ROLE). The admin role follows
 * OpenZeppelin's AccessControlDefaultAdminRules: one admin, never zero, handed over in two steps
 * after a delay that the admin can change only by waiting it out.
 */
contract ProvenanceLedger is MeterSettlement, AccessControlDefaultAdminRules, IProvenanceLedger {
    /// @notice The role that may pause and unpause writes.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /**
     * @notice Deploys the ledger with one administrator.
     * @param adminDelay Seconds a scheduled admin handover must wait before it can be accepted.
     * @param admin Receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE; zero is refused.
     *
     * Emits {LedgerDeployed} after the {IAccessControl-RoleGranted} events of both roles.
     */
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {
        _grantRole(PAUSER_ROLE, admin);
        emit LedgerDeployed(admin, adminDelay);
    }

    /// @inheritdoc IProvenanceLedger
    function pause() external onlyRole(PAUSER_ROLE) {
        _pause();
    }

    /// @inheritdoc IProvenanceLedger
    function unpause() external onlyRole(PAUSER_ROLE) {
        _unpause();
    }
}
