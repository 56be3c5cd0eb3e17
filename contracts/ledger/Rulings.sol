// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IOversight} from "../interfaces/IOversight.sol";
import {IRulings} from "../interfaces/IRulings.sol";
import {GrantFees} from "./GrantFees.sol";

/**
 * @title Rulings
 * @notice Carries out the rulings of the oversight contract; see {IRulings}.
 */
abstract contract Rulings is GrantFees, IRulings {
    /// @inheritdoc IRulings
    function enforceRuling(IOversight.ObjectionTarget targetKind, bytes32 target, uint64 objectionId) external {
        if (msg.sender != oversight()) revert RulingUnauthorized(msg.sender);
        if (targetKind == IOversight.ObjectionTarget.Dataset) {
            DatasetSlot storage dataset = _existing(target);
            if (dataset.flags & _RETIRED != 0) return;
            _retire(target, dataset);
            emit DatasetCancelled(target, objectionId);
            return;
        }
        GrantTerms storage terms = _termsOf(target, _granteeOf(target));
        if (terms.state != GrantState.Active) return;
        _endGrant(target, GrantState.Cancelled);
        emit GrantCancelled(target, terms.datasetId, objectionId);
    }

}
