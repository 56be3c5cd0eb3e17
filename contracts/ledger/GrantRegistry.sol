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
 * A grant's terms are kept under the pair (grant id, grantee): a use looks them up with the caller
 * as the grantee, so the lookup itself is the grantee check and a use reads two slots of the grant,
 * not three. The grantee of each grant id is kept apart for the holder's and the views' sake. The
 * purpose lives only in the {GrantIssued} event and in the grant id.
 */
abstract contract GrantRegistry is DatasetRegistry, GrantSignatures, IGrantRegistry {
    /// @dev Two slots: the dataset; then window, rights, state, quota and used (40+40+8+8+80+80 bits).
    // Already two full slots; the rule's guess is wrong.
    // solhint-disable-next-line gas-struct-packing
    struct GrantTerms {
        bytes32 datasetId;
        uint40 validFrom;
        uint40 validUntil;
        uint8 rights;
        GrantState state;
        uint80 quota;
        uint80 used;
    }

    mapping(bytes32 grantId => address grantee) private _grantees;
    mapping(bytes32 grantId => mapping(address grantee => GrantTerms)) internal _grantTerms;

    /// @inheritdoc IGrantRegistry
    function grant(
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        string calldata purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint80 quota
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
        GrantTerms storage terms = _activeTerms(grantId, _granteeOf(grantId));
        bytes32 datasetId = terms.datasetId;
        _heldBy(datasetId, msg.sender);
        terms.state = GrantState.Revoked;
        emit GrantRevoked(grantId, datasetId, msg.sender);
    }

    /// @inheritdoc IGrantRegistry
    function renounce(bytes32 grantId) external whenNotPaused {
        GrantTerms storage terms = _activeTerms(grantId, _granteeOf(grantId));
        if (_grantees[grantId] != msg.sender) revert GrantUnauthorizedAccount(grantId, msg.sender);
        terms.state = GrantState.Renounced;
        emit GrantRenounced(grantId, terms.datasetId, msg.sender);
    }

    /// @inheritdoc IGrantRegistry
    function grantOf(bytes32 grantId) external view returns (Grant memory) {
        address grantee = _granteeOf(grantId);
        GrantTerms storage terms = _grantTerms[grantId][grantee];
        return
            Grant({
                grantee: grantee,
                datasetId: terms.datasetId,
                validFrom: terms.validFrom,
                validUntil: terms.validUntil,
                rights: terms.rights,
                state: terms.state,
                quota: terms.quota,
                used: terms.used
            });
    }

    /// @inheritdoc IGrantRegistry
    function grantStatus(bytes32 grantId) external view returns (GrantStatus) {
        GrantTerms storage terms = _grantTerms[grantId][_grantees[grantId]];
        GrantState state = terms.state;
        if (state == GrantState.None) return GrantStatus.None;
        if (state == GrantState.Revoked) return GrantStatus.Revoked;
        if (state == GrantState.Renounced) return GrantStatus.Renounced;
        if (block.timestamp < terms.validFrom) return GrantStatus.Pending;
        if (block.timestamp > terms.validUntil) return GrantStatus.Expired;
        // Exhausted means used has reached the quota.
        // solhint-disable-next-line gas-strict-inequalities
        if (terms.quota != 0 && terms.used >= terms.quota) return GrantStatus.Exhausted;
        return GrantStatus.Active;
    }

    /// @inheritdoc IGrantRegistry
    function remainingQuota(bytes32 grantId) external view returns (uint80) {
        GrantTerms storage terms = _grantTerms[grantId][_granteeOf(grantId)];
        return terms.quota == 0 ? type(uint80).max : terms.quota - terms.used;
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
            GrantTerms storage licence = _grantTerms[licenceId][_grantees[licenceId]];
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

    /// @dev The grantee of `grantId`; reverts when the grant is unknown.
    function _granteeOf(bytes32 grantId) internal view returns (address grantee) {
        grantee = _grantees[grantId];
        if (grantee == address(0)) revert GrantNotFound(grantId);
    }

    /**
     * @dev The terms of `grantId` held by `grantee`. Empty terms mean that `grantee` is not the
     * grantee; the error then says whether the grant exists at all.
     */
    function _termsOf(bytes32 grantId, address grantee) internal view returns (GrantTerms storage terms) {
        terms = _grantTerms[grantId][grantee];
        if (terms.state == GrantState.None) {
            _granteeOf(grantId);
            revert GrantUnauthorizedAccount(grantId, grantee);
        }
    }

    /// @dev As {_termsOf}, and reverts when the grant was revoked or renounced.
    function _activeTerms(bytes32 grantId, address grantee) internal view returns (GrantTerms storage terms) {
        terms = _termsOf(grantId, grantee);
        if (terms.state != GrantState.Active) revert GrantNotActive(grantId, terms.state);
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
        uint80 quota
    ) private returns (bytes32 grantId) {
        DatasetSlot storage dataset = _heldBy(datasetId, grantor);
        uint8 flags = dataset.flags;
        if (flags & _RETIRED != 0) revert DatasetRetiredAlready(datasetId);
        if (flags & _LICENSED != 0) _requireProductLicence(datasetId, grantor);
        if (grantee == address(0)) revert GrantGranteeZero();
        if (!Rights.isValid(rights)) revert GrantRightsInvalid(rights);
        if (bytes(purpose).length == 0) revert GrantPurposeEmpty();
        if (validFrom > validUntil || validUntil < block.timestamp) {
            revert GrantWindowInvalid(validFrom, validUntil, block.timestamp);
        }
        bytes32 purposeHash = keccak256(bytes(purpose));
        uint256 bump;
        grantId = _grantId(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, bump);
        while (_grantees[grantId] != address(0)) {
            grantId = _grantId(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, ++bump);
        }
        _grantees[grantId] = grantee;
        _grantTerms[grantId][grantee] = GrantTerms({
            datasetId: datasetId,
            validFrom: validFrom,
            validUntil: validUntil,
            rights: rights,
            state: GrantState.Active,
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
        uint80 quota,
        uint256 bump
    ) private pure returns (bytes32) {
        return
            keccak256(abi.encode(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, bump));
    }
}
