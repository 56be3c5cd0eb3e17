// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IDatasetRegistry} from "../interfaces/IDatasetRegistry.sol";

/**
 * @title LicenceSets
 * @notice The licence of a dataset being registered, gathered in memory from its parents and its
 * previous version before it is stored: a set of grant ids without repeats, at most {MAX}, with a
 * bit per entry that says whether the licence is direct.
 */
library LicenceSets {
    /// @notice Most upstream grants one dataset may rest on: bounds every licence check.
    uint256 internal constant MAX = 32;

    /**
     * @notice A set being gathered.
     * @param ids The grant ids, `count` of them, in the order they were first added.
     * @param count How many ids are set.
     * @param direct Bit `i` set when licence `i` is direct.
     */
    struct Set {
        bytes32[MAX] ids;
        uint256 count;
        uint32 direct;
    }

    /**
     * @notice Adds `grantId` to `set`; a grant already there becomes direct when `direct` is true
     * (one path that makes it the registrant's own is enough).
     * @dev Reverts with {IDatasetRegistry-DatasetTooManyLicences} past {MAX}.
     * @param set The set.
     * @param grantId The grant.
     * @param direct Whether it is direct on this path.
     * @param datasetId The dataset being registered, for the error.
     */
    function add(Set memory set, bytes32 grantId, bool direct, bytes32 datasetId) internal pure {
        uint256 count = set.count;
        for (uint256 i; i < count; ++i) {
            if (set.ids[i] == grantId) {
                if (direct) set.direct |= uint32(1 << i);
                return;
            }
        }
        if (count == MAX) revert IDatasetRegistry.DatasetTooManyLicences(datasetId, MAX);
        set.ids[count] = grantId;
        if (direct) set.direct |= uint32(1 << count);
        set.count = count + 1;
    }
}
