// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControlDefaultAdminRules} from "@openzeppelin/contracts/access/extensions/AccessControlDefaultAdminRules.sol";

import {IProvenanceLedger} from "./interfaces/IProvenanceLedger.sol";
import {IGrantFees} from "./interfaces/IGrantFees.sol";
import {GrantFees} from "./ledger/GrantFees.sol";
import {Rulings} from "./ledger/Rulings.sol";
import {Oversight} from "./oversight/Oversight.sol";

/**
 * @title ProvenanceLedger
 * @notice dpl's ledger: datasets, grants, usage, its settlement and fees at one address, and the rules'
 * oversight (fee caps, revenue ceilings, objections) in a contract it creates. An indexer rebuilds all
 * history from the two contracts' events without a single eth_call.
 *
 * Not upgradeable on purpose: a ledger whose operator can rewrite it proves nothing. The only
 * administrative power is pausing what gives or carries rights (PAUSER_ROLE); the roles its
 * oversight contract consults (AUTHORITY_ROLE caps fees, ARBITER_ROLE rules on objections) are
 * granted here, by the admin. The admin role follows
 * OpenZeppelin's AccessControlDefaultAdminRules: one admin, never zero, handed over in two steps
 * after a delay that the admin can change only by waiting it out.
 */
contract ProvenanceLedger is Rulings, AccessControlDefaultAdminRules, IProvenanceLedger {
    /// @notice The role that may pause and unpause writes.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    address private immutable _OVERSIGHT;

    /**
     * @notice Deploys the ledger with one administrator.
     * @param adminDelay Seconds a scheduled admin handover must wait before it can be accepted.
     * @param admin Receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE; zero is refused.
     *
     * Creates its oversight contract (its first CREATE, at nonce 1). Emits {LedgerDeployed} after
     * the {IAccessControl-RoleGranted} events of both roles.
     */
    constructor(uint48 adminDelay, address admin) AccessControlDefaultAdminRules(adminDelay, admin) {
        _grantRole(PAUSER_ROLE, admin);
        address oversightContract = address(new Oversight());
        _OVERSIGHT = oversightContract;
        emit LedgerDeployed(admin, adminDelay, oversightContract);
    }

    /// @inheritdoc IGrantFees
    function oversight() public view override(GrantFees, IGrantFees) returns (address) {
        return _OVERSIGHT;
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
