// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {AccessControl} from "@openzeppelin/contracts/access/AccessControl.sol";

import {IProvenanceLedger} from "./interfaces/IProvenanceLedger.sol";
import {UsageMeter} from "./ledger/UsageMeter.sol";

/**
 * @title ProvenanceLedger
 * @notice dpl's ledger: datasets, grants and usage at one address, with one event stream from which
 * an indexer rebuilds all history without a single eth_call.
 *
 * Not upgradeable on purpose: a ledger whose operator can rewrite it proves nothing. The only
 * administrative power is pausing writes (PAUSER_ROLE); cancelling one's own signatures works even
 * while paused.
 */
contract ProvenanceLedger is UsageMeter, AccessControl, IProvenanceLedger {
    /// @notice The role that may pause and unpause writes.
    bytes32 public constant PAUSER_ROLE = keccak256("PAUSER_ROLE");

    /**
     * @notice Deploys the ledger with one administrator.
     * @param admin Receives DEFAULT_ADMIN_ROLE and PAUSER_ROLE.
     */
    constructor(address admin) {
        _grantRole(DEFAULT_ADMIN_ROLE, admin);
        _grantRole(PAUSER_ROLE, admin);
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
