// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {IGrantRegistry} from "../interfaces/IGrantRegistry.sol";
import {Rights} from "../libraries/Rights.sol";
import {DatasetRegistry} from "./DatasetRegistry.sol";
import {GrantSignatures} from "./GrantSignatures.sol";

/**
 * @title GrantRegistry
 * @notice Authorization grants: issuing (direct or by signature), revoking, renouncing, and the
 * licence checks that tie a derived dataset to the grants it rests on.
 *
 * A grant's terms are kept under the pair (grant id, grantee): a use looks them up with the caller
 * as the grantee, so the lookup itself is the grantee check and a use reads two slots of the grant,
 * not three. The grantee of each grant id is kept apart for the holder's and the views' sake. The
 * purpose lives only in the {GrantIssued} event and in the grant id.
 *
 * A grant that a dataset was derived under becomes a licence and gets one more slot, its
 * {LicenceLife}: everything a licence check needs (state, end of window, rights, and the key of its
 * dataset's retirement), so that a use on a product checks each upstream licence in three reads.
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

    /**
     * @dev What a licence check reads of a licence grant, in one slot (40+8+8+160 bits). Written when
     * the grant is first derived under; its state follows the grant's. `state` None: not a licence.
     */
    // One slot already; the rule's guess is wrong.
    // solhint-disable-next-line gas-struct-packing
    struct LicenceLife {
        uint40 validUntil;
        uint8 rights;
        GrantState state;
        uint160 datasetKey;
    }

    /**
     * @dev A grant's grantee, and the low 96 bits of keccak256 of its fee terms ({IGrantFees-FeeTerms};
     * zero for a grant issued without terms): one slot, written once, so that terms cost a priced
     * grant no slot of its own. Passing other terms that match is a 2^96 second-preimage search.
     */
    struct GrantParty {
        address grantee;
        uint96 feeDigest;
    }

    mapping(bytes32 grantId => GrantParty) internal _parties;
    mapping(bytes32 grantId => mapping(address grantee => GrantTerms)) internal _grantTerms;
    mapping(bytes32 grantId => LicenceLife) internal _licenceLives;

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
        return _issueGrant(msg.sender, datasetId, grantee, rights, purpose, validFrom, validUntil, quota, 0);
    }

    /// @inheritdoc IGrantRegistry
    function grantBySig(
        GrantRequest calldata request,
        bytes calldata signature
    ) external whenNotPaused returns (bytes32 grantId) {
        _consumeGrantRequest(request, signature, _transfersOf(request.datasetId));
        return
            _issueGrant(
                request.holder,
                request.datasetId,
                request.grantee,
                request.rights,
                request.purpose,
                request.validFrom,
                request.validUntil,
                request.quota,
                0
            );
    }

    /// @inheritdoc IGrantRegistry
    function cancelGrantRequest(uint256 nonce) external {
        _spendNonce(msg.sender, nonce);
        emit GrantRequestCancelled(msg.sender, nonce);
    }

    /// @inheritdoc IGrantRegistry
    function cancelAllGrantRequests() external {
        emit GrantRequestsCancelled(msg.sender, _advanceCounter(msg.sender));
    }

    /// @inheritdoc IGrantRegistry
    function revoke(bytes32 grantId) external {
        bytes32 datasetId = _endGrant(grantId, GrantState.Revoked).datasetId;
        _heldBy(datasetId, msg.sender);
        emit GrantRevoked(grantId, datasetId, msg.sender);
    }

    /// @inheritdoc IGrantRegistry
    function renounce(bytes32 grantId) external {
        GrantTerms storage terms = _endGrant(grantId, GrantState.Renounced);
        if (_parties[grantId].grantee != msg.sender) revert GrantUnauthorizedAccount(grantId, msg.sender);
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
        GrantTerms storage terms = _grantTerms[grantId][_parties[grantId].grantee];
        GrantState state = terms.state;
        if (state == GrantState.None) return GrantStatus.None;
        if (state == GrantState.Revoked) return GrantStatus.Revoked;
        if (state == GrantState.Renounced) return GrantStatus.Renounced;
        if (state == GrantState.Cancelled) return GrantStatus.Cancelled;
        if (block.timestamp < terms.validFrom) return GrantStatus.Pending;
        if (block.timestamp > terms.validUntil) return GrantStatus.Expired;
        bytes32 datasetId = terms.datasetId;
        DatasetSlot storage dataset = _datasets[datasetId];
        if (dataset.flags & _RETIRED != 0) return GrantStatus.Retired;
        (bytes32 lapsed, ) = _lapsedLicence(datasetId, dataset.licenceCount);
        if (lapsed != 0) return GrantStatus.Lapsed;
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

    /// @inheritdoc IGrantRegistry
    function grantRequestCounter(address holder) external view returns (uint64) {
        return _counterOf(holder);
    }

    /// @inheritdoc IGrantRegistry
    function isGrantNonceUsed(address holder, uint256 nonce) external view returns (bool) {
        return _nonceSpent(holder, nonce);
    }

    /**
     * @dev The first of the `count` licences of `datasetId` that no longer holds, and why; a zero id
     * when every one holds. Grant ids are hashes, never zero. Three reads a licence: its id, its life
     * and its dataset's retirement.
     */
    function _lapsedLicence(bytes32 datasetId, uint256 count) internal view returns (bytes32, LicenceLapse) {
        for (uint256 i; i < count; ++i) {
            bytes32 licenceId = _licences[datasetId][i];
            LicenceLife storage life = _licenceLives[licenceId];
            GrantState state = life.state;
            if (state == GrantState.Revoked) return (licenceId, LicenceLapse.Revoked);
            if (state == GrantState.Renounced) return (licenceId, LicenceLapse.Renounced);
            if (state == GrantState.Cancelled) return (licenceId, LicenceLapse.Cancelled);
            if (block.timestamp > life.validUntil) return (licenceId, LicenceLapse.Expired);
            if (_retiredKeys[life.datasetKey]) return (licenceId, LicenceLapse.DatasetRetired);
        }
        return (0, LicenceLapse.Revoked);
    }

    /// @dev Reverts with {ProductLicenceLapsed} unless every licence of `datasetId` holds.
    function _requireLicenceHolds(bytes32 datasetId, uint256 count) private view {
        (bytes32 lapsed, LicenceLapse reason) = _lapsedLicence(datasetId, count);
        if (lapsed != 0) revert ProductLicenceLapsed(datasetId, lapsed, reason);
    }

    /// @dev Reverts with {ProductLicenseeMismatch} unless `account` is the grantee of licence `licenceId`.
    function _requireLicensee(bytes32 datasetId, bytes32 licenceId, address account) private view {
        address licensee = _parties[licenceId].grantee;
        if (licensee != account) revert ProductLicenseeMismatch(datasetId, licenceId, licensee, account);
    }

    /**
     * @notice Reverts unless `account` may build on `datasetId` as its holder.
     * @dev Every licence holds, then `account` is the grantee of every direct one.
     * @param datasetId The licensed dataset.
     * @param dataset Its slot.
     * @param account Who builds on it.
     */
    function _requireLicensedTo(bytes32 datasetId, DatasetSlot storage dataset, address account) internal view override {
        uint256 count = dataset.licenceCount;
        _requireLicenceHolds(datasetId, count);
        uint32 direct = dataset.directLicences;
        for (uint256 i; i < count; ++i) {
            if (direct & (1 << i) != 0) _requireLicensee(datasetId, _licences[datasetId][i], account);
        }
    }

    /**
     * @dev Reverts unless `grantor` may grant on the licensed `datasetId` until `validUntil`: every
     * licence holds; then, licence by licence, `grantor` is the grantee of a direct one, each carries
     * OPERATE_PRODUCT, and none ends before `validUntil`.
     */
    function _requireOperable(bytes32 datasetId, DatasetSlot storage dataset, address grantor, uint40 validUntil) private view {
        uint256 count = dataset.licenceCount;
        _requireLicenceHolds(datasetId, count);
        uint32 direct = dataset.directLicences;
        for (uint256 i; i < count; ++i) {
            bytes32 licenceId = _licences[datasetId][i];
            LicenceLife storage life = _licenceLives[licenceId];
            if (direct & (1 << i) != 0) _requireLicensee(datasetId, licenceId, grantor);
            uint8 rights = life.rights;
            if (rights & Rights.OPERATE_PRODUCT == 0) revert ProductLicenceNotOperable(datasetId, licenceId, rights);
            uint40 licenceUntil = life.validUntil;
            if (validUntil > licenceUntil) revert GrantWindowBeyondLicence(licenceId, licenceUntil, validUntil);
        }
    }

    /// @dev Makes `grantId` a licence, once: copies what a licence check needs into its life slot.
    function _recordLicence(bytes32 grantId, GrantTerms storage terms) internal {
        LicenceLife storage life = _licenceLives[grantId];
        if (life.state != GrantState.None) return;
        _licenceLives[grantId] = LicenceLife({
            validUntil: terms.validUntil,
            rights: terms.rights,
            state: GrantState.Active,
            datasetKey: _datasetKey(terms.datasetId)
        });
    }

    /// @dev The grantee of `grantId`; reverts when the grant is unknown.
    function _granteeOf(bytes32 grantId) internal view returns (address grantee) {
        grantee = _parties[grantId].grantee;
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

    /// @dev Ends the active grant `grantId` in `state`, in its terms and, for a licence, in its life.
    function _endGrant(bytes32 grantId, GrantState state) internal returns (GrantTerms storage terms) {
        terms = _termsOf(grantId, _granteeOf(grantId));
        if (terms.state != GrantState.Active) revert GrantNotActive(grantId, terms.state);
        terms.state = state;
        LicenceLife storage life = _licenceLives[grantId];
        if (life.state != GrantState.None) life.state = state;
        if (_parties[grantId].feeDigest != 0) _grantEnded(grantId);
    }

    /// @dev Called when a grant issued with fee terms ends (revoked, renounced or cancelled), for its period fees to stop.
    function _grantEnded(bytes32 grantId) internal virtual;

    /// @dev The one path every grant takes; `feeDigest` is that of its fee terms, zero when issued without.
    function _issueGrant(
        address grantor,
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        string calldata purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint80 quota,
        uint96 feeDigest
    ) internal returns (bytes32 grantId) {
        DatasetSlot storage dataset = _heldBy(datasetId, grantor);
        if (dataset.flags & _RETIRED != 0) revert DatasetRetiredAlready(datasetId);
        if (dataset.licenceCount != 0) _requireOperable(datasetId, dataset, grantor, validUntil);
        if (grantee == address(0)) revert GrantGranteeZero();
        if (!Rights.isValid(rights)) revert GrantRightsInvalid(rights);
        if (bytes(purpose).length == 0) revert GrantPurposeEmpty();
        if (validFrom > validUntil || validUntil < block.timestamp) {
            revert GrantWindowInvalid(validFrom, validUntil, block.timestamp);
        }
        bytes32 purposeHash = keccak256(bytes(purpose));
        uint256 bump;
        grantId = _grantId(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, bump);
        while (_parties[grantId].grantee != address(0)) {
            grantId = _grantId(grantor, datasetId, grantee, rights, purposeHash, validFrom, validUntil, quota, ++bump);
        }
        _parties[grantId] = GrantParty(grantee, feeDigest);
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
