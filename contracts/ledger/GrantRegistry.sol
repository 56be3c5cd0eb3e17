// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGrantRegistry} from "../interfaces/IGrantRegistry.sol";
import {Rights} from "../libraries/Rights.sol";
import {DatasetRegistry} from "./DatasetRegistry.sol";
import {GrantSignatures} from "./GrantSignatures.sol";

/**
 * @title GrantRegistry
 * @notice Authorization grants: issuing (direct or by signature), revoking, renouncing, and the
 * product-operation licence that ties a derived dataset to the grants it was derived under.
 *
 * A grant takes three slots (see {IGrantRegistry-Grant}); its purpose lives in the {GrantIssued}
 * event and in the grant id.
 */
abstract contract GrantRegistry is DatasetRegistry, GrantSignatures, IGrantRegistry {
    mapping(bytes32 grantId => Grant) internal _grants;

    /// @inheritdoc IGrantRegistry
    function grant(
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        string calldata purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint128 quota
    ) external whenNotPaused returns (bytes32 grantId) {
        return _issueGrant(msg.sender, datasetId, grantee, rights, purpose, validFrom, validUntil, quota);
    }

    /// @inheritdoc IGrantRegistry
    function grantBySig(
        GrantRequest calldata request,
        bytes calldata signature
    ) external whenNotPaused returns (bytes32 grantId) {
        _consumeGrantSignature(request, signature);
        return
            _issueGrant(
                request.holder,
                request.datasetId,
                request.grantee,
                request.rights,
                request.purpose,
                request.validFrom,
                request.validUntil,
                request.quota
            );
    }

    /// @inheritdoc IGrantRegistry
    function cancelGrantSignatures() external {
        emit GrantSignaturesCancelled(msg.sender, _useNonce(msg.sender));
    }

    /// @inheritdoc IGrantRegistry
    function revoke(bytes32 grantId) external whenNotPaused {
        Grant storage g = _activeGrant(grantId);
        bytes32 datasetId = g.datasetId;
        _heldBy(datasetId, msg.sender);
        g.state = GrantState.Revoked;
        emit GrantRevoked(grantId, datasetId, msg.sender);
    }

    /// @inheritdoc IGrantRegistry
    function renounce(bytes32 grantId) external whenNotPaused {
        Grant storage g = _activeGrant(grantId);
        if (g.grantee != msg.sender) revert GrantUnauthorizedAccount(grantId, msg.sender);
        g.state = GrantState.Renounced;
        emit GrantRenounced(grantId, g.datasetId, msg.sender);
    }

    /// @inheritdoc IGrantRegistry
    function grantOf(bytes32 grantId) external view returns (Grant memory) {
        return _existingGrant(grantId);
    }

    /// @inheritdoc IGrantRegistry
    function grantStatus(bytes32 grantId) external view returns (GrantStatus) {
        Grant storage g = _grants[grantId];
        GrantState state = g.state;
        if (state == GrantState.None) return GrantStatus.None;
        if (state == GrantState.Revoked) return GrantStatus.Revoked;
        if (state == GrantState.Renounced) return GrantStatus.Renounced;
        if (block.timestamp < g.validFrom) return GrantStatus.Pending;
        if (block.timestamp > g.validUntil) return GrantStatus.Expired;
        if (g.quota != 0 && g.used >= g.quota) return GrantStatus.Exhausted;
        return GrantStatus.Active;
    }

    /// @inheritdoc IGrantRegistry
    function remainingQuota(bytes32 grantId) external view returns (uint128) {
        Grant storage g = _existingGrant(grantId);
        return g.quota == 0 ? type(uint128).max : g.quota - g.used;
    }

    /// @inheritdoc IGrantRegistry
    function hashGrantRequest(GrantRequest calldata request) external view returns (bytes32) {
        return _grantRequestDigest(request);
    }

    /**
     * @dev Reverts unless `productId`, a dataset derived under grants, may be operated: each grant it
     * was derived under is active, in its window, carries OPERATE_PRODUCT and covers a dataset that
     * is not retired, unless the product's current holder holds that parent itself.
     */
    function _requireProductLicence(bytes32 productId, address productHolder) internal view {
        bytes32[] storage licences = _derivationGrants[productId];
        uint256 count = licences.length;
        for (uint256 i; i < count; ++i) {
            bytes32 licenceId = licences[i];
            Grant storage licence = _grants[licenceId];
            DatasetSlot storage parent = _datasets[licence.datasetId];
            if (parent.holder == productHolder) continue;
            if (
                licence.state != GrantState.Active ||
                licence.rights & Rights.OPERATE_PRODUCT == 0 ||
                block.timestamp < licence.validFrom ||
                block.timestamp > licence.validUntil ||
                parent.flags & _RETIRED != 0
            ) revert ProductLicenceInactive(productId, licenceId);
        }
    }

    /// @dev The grant `grantId`; reverts when unknown.
    function _existingGrant(bytes32 grantId) internal view returns (Grant storage g) {
        g = _grants[grantId];
        if (g.state == GrantState.None) revert GrantNotFound(grantId);
    }

    /// @dev The grant `grantId`; reverts when unknown, revoked or renounced.
    function _activeGrant(bytes32 grantId) internal view returns (Grant storage g) {
        g = _existingGrant(grantId);
        if (g.state != GrantState.Active) revert GrantNotActive(grantId, g.state);
    }

    /// @dev The one path both {grant} and {grantBySig} take.
    function _issueGrant(
        address grantor,
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        string calldata purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint128 quota
    ) private returns (bytes32 grantId) {
        DatasetSlot storage dataset = _heldBy(datasetId, grantor);
        if (dataset.flags & _RETIRED != 0) revert DatasetRetiredAlready(datasetId);
        if (dataset.flags & _LICENSED != 0) _requireProductLicence(datasetId, grantor);
        if (grantee == address(0)) revert GrantGranteeZero();
        if (!Rights.isValid(rights)) revert GrantRightsInvalid(rights);
        if (bytes(purpose).length == 0) revert GrantPurposeEmpty();
        if (validFrom > validUntil || validUntil < block.timestamp) {
            revert GrantWindowInvalid(validFrom, validUntil, block.timestamp);
        }
        bytes32 purposeHash = keccak256(bytes(purpose));
        uint256 bump;
        grantId = _grantId(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, bump);
        while (_grants[grantId].state != GrantState.None) {
            grantId = _grantId(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, ++bump);
        }
        _grants[grantId] = Grant({
            grantee: grantee,
            validFrom: validFrom,
            validUntil: validUntil,
            rights: rights,
            state: GrantState.Active,
            datasetId: datasetId,
            quota: quota,
            used: 0
        });
        emit GrantIssued(
            grantId,
            datasetId,
            grantee,
            grantor,
            rights,
            purposeHash,
            purpose,
            validFrom,
            validUntil,
            quota,
            bump
        );
    }

    function _grantId(
        address grantor,
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        bytes32 purposeHash,
        uint40 validFrom,
        uint40 validUntil,
        uint128 quota,
        uint256 bump
    ) private pure returns (bytes32) {
        return
            keccak256(abi.encode(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, bump));
    }
}
