// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IDatasetRegistry} from "../interfaces/IDatasetRegistry.sol";
import {LicenceSets} from "../libraries/LicenceSets.sol";
import {RootPages} from "../libraries/RootPages.sol";

/**
 * @title DatasetRegistry
 * @notice The holding right: anchoring, versions, lineage and licences, transfer and retirement of
 * datasets.
 *
 * Storage is one slot per dataset (holder, flags, where its root is, and the size and direct bits of
 * its licence). The root of a dataset anchored alone takes a second slot; the roots of a batch share
 * one data contract (see {RootPages}). A licensed dataset keeps one slot per licence. Everything else
 * (content hash, record count, metadata, parents) lives only in events.
 *
 * Anchoring without parents works even while the ledger is paused: it creates only the caller's own
 * record and confers no right over anyone else's data, and an operator must not be able to stop
 * anyone from proving what they held and when. Everything that gives or carries rights (derivation,
 * a licensed version, grants, uses, transfers) stops; what only takes rights away (retiring,
 * revoking, renouncing, cancelling signatures) does not.
 */
abstract contract DatasetRegistry is IDatasetRegistry, Pausable {
    /// @notice Most parents one dataset may name: keeps every lineage loop bounded.
    uint256 public constant MAX_PARENTS = 16;

    /// @notice Most entries one batch may carry: 256 registrations stay far below a block's gas.
    uint256 public constant MAX_BATCH = 256;

    /// @notice Most upstream grants one dataset may rest on: bounds the licence check of every use.
    uint256 public constant MAX_LICENCES = LicenceSets.MAX;

    uint8 internal constant _RETIRED = 1;
    uint8 internal constant _SUPERSEDED = 4;

    /**
     * @dev `rootPage` zero means the root is in `_roots`; otherwise it is word `rootIndex` of page
     * `rootPage`. The licence's size and direct bits sit here so that a use on an unlicensed dataset
     * reads nothing more. 160 + 8 + 32 + 16 + 8 + 32 bits: one slot.
     */
    struct DatasetSlot {
        address holder;
        uint8 flags;
        uint32 rootPage;
        uint16 rootIndex;
        uint8 licenceCount;
        uint32 directLicences;
    }

    /// @dev The pending receiver and the transfer count share a slot: accepting writes both.
    struct HoldingSlot {
        address pendingHolder;
        uint64 transfers;
    }

    mapping(bytes32 datasetId => DatasetSlot) internal _datasets;
    mapping(bytes32 datasetId => bytes32) private _roots;
    mapping(bytes32 datasetId => HoldingSlot) private _holdings;
    mapping(bytes32 datasetId => mapping(uint256 index => bytes32 grantId)) internal _licences;
    /**
     * @dev Retired datasets by their low 160 bits, so that a licence check finds whether a grant's
     * dataset is retired in the grant's own licence slot plus this one. Making another dataset id
     * share those bits is a 2^160 second-preimage search, as for an address.
     */
    mapping(uint160 datasetKey => bool) internal _retiredKeys;
    mapping(uint256 page => address) private _rootPages;
    uint32 private _rootPageCount;

    /// @inheritdoc IDatasetRegistry
    function register(
        bytes32 contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string calldata metadataURI,
        ParentLink[] calldata parents
    ) external returns (bytes32 datasetId) {
        return _registerOne(contentHash, merkleRoot, recordCount, metadataURI, parents, 0);
    }

    /// @inheritdoc IDatasetRegistry
    function registerVersion(
        bytes32 previousId,
        bytes32 contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string calldata metadataURI,
        ParentLink[] calldata parents
    ) external returns (bytes32 datasetId) {
        DatasetSlot storage previous = _heldBy(previousId, msg.sender);
        if (previous.flags & _SUPERSEDED != 0) revert DatasetSuperseded(previousId);
        previous.flags |= _SUPERSEDED;
        return _registerOne(contentHash, merkleRoot, recordCount, metadataURI, parents, previousId);
    }

    /// @inheritdoc IDatasetRegistry
    function registerBatch(
        Registration[] calldata registrations
    ) external returns (bytes32[] memory datasetIds) {
        uint256 length = registrations.length;
        if (length == 0 || length > MAX_BATCH) revert LedgerBatchLength(length, MAX_BATCH);
        uint32 page = ++_rootPageCount;
        datasetIds = new bytes32[](length);
        bytes memory roots = new bytes(length * 32);
        for (uint256 i; i < length; ++i) {
            Registration calldata r = registrations[i];
            datasetIds[i] = _register(
                msg.sender,
                r.contentHash,
                r.merkleRoot,
                r.recordCount,
                r.metadataURI,
                r.parents,
                0,
                page,
                uint16(i)
            );
            bytes32 root = r.merkleRoot;
            // An unchecked store into the page buffer.
            // solhint-disable-next-line no-inline-assembly
            assembly ("memory-safe") {
                mstore(add(add(roots, 0x20), shl(5, i)), root)
            }
        }
        _rootPages[page] = RootPages.write(roots);
    }

    /// @inheritdoc IDatasetRegistry
    function transferHolding(bytes32 datasetId, address to) external whenNotPaused {
        _heldBy(datasetId, msg.sender);
        if (to == msg.sender) revert HoldingInvalidReceiver(datasetId, to);
        _holdings[datasetId].pendingHolder = to;
        emit HoldingTransferOffered(datasetId, msg.sender, to);
    }

    /// @inheritdoc IDatasetRegistry
    function acceptHolding(bytes32 datasetId) external whenNotPaused {
        HoldingSlot storage holding = _holdings[datasetId];
        // msg.sender is never zero, so a dataset with no offer can never be taken.
        if (holding.pendingHolder != msg.sender) revert HoldingInvalidReceiver(datasetId, msg.sender);
        DatasetSlot storage dataset = _datasets[datasetId];
        address from = dataset.holder;
        dataset.holder = msg.sender;
        _holdings[datasetId] = HoldingSlot(address(0), holding.transfers + 1);
        emit HoldingTransferred(datasetId, from, msg.sender);
    }

    /// @inheritdoc IDatasetRegistry
    function retire(bytes32 datasetId) external {
        DatasetSlot storage dataset = _heldBy(datasetId, msg.sender);
        if (dataset.flags & _RETIRED != 0) revert DatasetRetiredAlready(datasetId);
        _retire(datasetId, dataset);
        emit DatasetRetired(datasetId, msg.sender);
    }

    /// @inheritdoc IDatasetRegistry
    function computeDatasetId(address holder, bytes32 contentHash) public pure returns (bytes32) {
        return keccak256(abi.encode(holder, contentHash));
    }

    /// @inheritdoc IDatasetRegistry
    function isAnchored(address holder, bytes32 contentHash) external view returns (bool) {
        return _datasets[computeDatasetId(holder, contentHash)].holder != address(0);
    }

    /// @inheritdoc IDatasetRegistry
    function holderOf(bytes32 datasetId) external view returns (address) {
        return _datasets[datasetId].holder;
    }

    /// @inheritdoc IDatasetRegistry
    function merkleRootOf(bytes32 datasetId) public view returns (bytes32) {
        DatasetSlot storage dataset = _datasets[datasetId];
        uint32 page = dataset.rootPage;
        if (page == 0) return _roots[datasetId];
        return RootPages.read(_rootPages[page], dataset.rootIndex);
    }

    /// @inheritdoc IDatasetRegistry
    function datasetOf(bytes32 datasetId) external view returns (DatasetInfo memory) {
        DatasetSlot storage dataset = _existing(datasetId);
        HoldingSlot storage holding = _holdings[datasetId];
        uint8 flags = dataset.flags;
        return
            DatasetInfo({
                holder: dataset.holder,
                pendingHolder: holding.pendingHolder,
                transfers: holding.transfers,
                merkleRoot: merkleRootOf(datasetId),
                retired: flags & _RETIRED != 0,
                licensed: dataset.licenceCount != 0,
                superseded: flags & _SUPERSEDED != 0
            });
    }

    /// @inheritdoc IDatasetRegistry
    function licencesOf(bytes32 datasetId) external view returns (Licence[] memory licences) {
        DatasetSlot storage dataset = _datasets[datasetId];
        uint256 count = dataset.licenceCount;
        uint32 direct = dataset.directLicences;
        licences = new Licence[](count);
        for (uint256 i; i < count; ++i) {
            licences[i] = Licence(_licences[datasetId][i], direct & (1 << i) != 0);
        }
    }

    /// @inheritdoc IDatasetRegistry
    function recordLeaf(uint256 index, bytes32 recordHash) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, recordHash))));
    }

    /// @inheritdoc IDatasetRegistry
    function verifyRecord(
        bytes32 datasetId,
        uint256 index,
        bytes32 recordHash,
        bytes32[] calldata proof
    ) external view returns (bool) {
        bytes32 root = merkleRootOf(datasetId);
        if (root == 0) return false;
        return MerkleProof.verifyCalldata(proof, root, recordLeaf(index, recordHash));
    }

    /**
     * @dev Meters one DERIVE unit of `grantId` for `registrant`, on behalf of `childId`, after checking
     * that the grant covers `parentId`; the grant becomes a licence. Implemented by the usage meter.
     */
    function _useGrantForDerivation(
        bytes32 grantId,
        bytes32 parentId,
        address registrant,
        bytes32 childId
    ) internal virtual;

    /**
     * @dev Reverts unless `account` may build on `datasetId` as its holder: every licence holds and
     * `account` is the grantee of every direct one. Implemented by the grant registry.
     */
    function _requireLicensedTo(bytes32 datasetId, DatasetSlot storage dataset, address account) internal view virtual;

    /// @dev Retires `datasetId`: no grant, use or derivation on it from now on, and its products lapse.
    function _retire(bytes32 datasetId, DatasetSlot storage dataset) internal {
        dataset.flags |= _RETIRED;
        _retiredKeys[_datasetKey(datasetId)] = true;
    }

    /// @dev The key under which `datasetId`'s retirement is kept in `_retiredKeys`.
    function _datasetKey(bytes32 datasetId) internal pure returns (uint160) {
        return uint160(uint256(datasetId));
    }

    /// @dev How many times the holding of `datasetId` has changed hands.
    function _transfersOf(bytes32 datasetId) internal view returns (uint64) {
        return _holdings[datasetId].transfers;
    }

    /// @dev The dataset `datasetId`; reverts when unknown.
    function _existing(bytes32 datasetId) internal view returns (DatasetSlot storage dataset) {
        dataset = _datasets[datasetId];
        if (dataset.holder == address(0)) revert DatasetNotFound(datasetId);
    }

    /// @dev The dataset `datasetId`; reverts unless `account` holds it.
    function _heldBy(bytes32 datasetId, address account) internal view returns (DatasetSlot storage dataset) {
        dataset = _existing(datasetId);
        if (dataset.holder != account) revert DatasetUnauthorizedAccount(datasetId, account);
    }

    /// @dev A registration outside a batch: its root takes a slot of its own (none for a zero root).
    function _registerOne(
        bytes32 contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string calldata metadataURI,
        ParentLink[] calldata parents,
        bytes32 previousId
    ) private returns (bytes32 datasetId) {
        datasetId = _register(msg.sender, contentHash, merkleRoot, recordCount, metadataURI, parents, previousId, 0, 0);
        if (merkleRoot != 0) _roots[datasetId] = merkleRoot;
    }

    /// @dev The one path every registration takes; the caller stores the root where it belongs.
    function _register(
        address holder,
        bytes32 contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string calldata metadataURI,
        ParentLink[] calldata parents,
        bytes32 previousId,
        uint32 rootPage,
        uint16 rootIndex
    ) private returns (bytes32 datasetId) {
        if (contentHash == 0) revert DatasetContentHashZero();
        datasetId = computeDatasetId(holder, contentHash);
        DatasetSlot storage dataset = _datasets[datasetId];
        if (dataset.holder != address(0)) revert DatasetAlreadyRegistered(datasetId);
        // The slot of an unknown dataset is all zero: set only what is not. (Assigning the whole
        // struct costs some 700 gas more: solc then writes its six fields one by one.)
        dataset.holder = holder;
        if (rootPage != 0) (dataset.rootPage, dataset.rootIndex) = (rootPage, rootIndex);
        emit DatasetRegistered(datasetId, holder, contentHash, merkleRoot, recordCount, metadataURI);
        if (parents.length != 0 || previousId != 0) _linkLineage(datasetId, holder, parents, previousId);
    }

    /**
     * @dev Checks each parent (metering the grants derived under) and the previous version, gathers
     * the licence they pass on, and stores it.
     */
    function _linkLineage(
        bytes32 datasetId,
        address registrant,
        ParentLink[] calldata parents,
        bytes32 previousId
    ) private {
        LicenceSets.Set memory licence;
        uint256 count = parents.length;
        // Deriving spends other holders' grants: unlike a plain anchor, it stops while paused.
        if (count != 0) _requireNotPaused();
        if (count > MAX_PARENTS) revert DatasetTooManyParents(count, MAX_PARENTS);
        for (uint256 i; i < count; ++i) {
            bytes32 parentId = parents[i].datasetId;
            bytes32 grantId = parents[i].grantId;
            if (parentId == datasetId) revert DatasetParentIsSelf(datasetId);
            for (uint256 j; j < i; ++j) {
                if (parents[j].datasetId == parentId) revert DatasetParentDuplicate(parentId);
            }
            if (grantId == 0) {
                DatasetSlot storage parent = _heldBy(parentId, registrant);
                if (parent.flags & _RETIRED != 0) revert DatasetRetiredAlready(parentId);
                _inheritLicence(licence, parentId, parent, registrant, datasetId, true);
            } else {
                // The use of the grant checks that the parent's own licence holds.
                DatasetSlot storage parent = _existing(parentId);
                _useGrantForDerivation(grantId, parentId, registrant, datasetId);
                LicenceSets.add(licence, grantId, true, datasetId);
                _inheritLicence(licence, parentId, parent, registrant, datasetId, false);
            }
            emit DatasetDerived(datasetId, parentId, grantId);
        }
        if (previousId != 0) {
            DatasetSlot storage previous = _datasets[previousId];
            if (previous.licenceCount != 0) _requireNotPaused();
            _inheritLicence(licence, previousId, previous, registrant, datasetId, true);
            emit DatasetVersioned(datasetId, previousId, registrant);
        }
        _storeLicence(datasetId, licence);
    }

    /**
     * @dev Adds the licence of `sourceId` to `licence`. Through a held parent or a previous version
     * (`held`), the registrant builds on it as its holder: the licence must hold with the registrant
     * as grantee of its direct grants, which stay direct. Through a grant, the use of that grant has
     * checked that the licence holds, and its grants reach the child indirectly.
     */
    function _inheritLicence(
        LicenceSets.Set memory licence,
        bytes32 sourceId,
        DatasetSlot storage source,
        address registrant,
        bytes32 datasetId,
        bool held
    ) private view {
        uint256 count = source.licenceCount;
        if (count == 0) return;
        if (held) _requireLicensedTo(sourceId, source, registrant);
        uint32 direct = held ? source.directLicences : 0;
        for (uint256 i; i < count; ++i) {
            LicenceSets.add(licence, _licences[sourceId][i], direct & (1 << i) != 0, datasetId);
        }
    }

    /// @dev Stores the gathered licence of `datasetId` and emits one {DatasetLicensed} event per grant.
    function _storeLicence(bytes32 datasetId, LicenceSets.Set memory licence) private {
        uint256 count = licence.count;
        if (count == 0) return;
        DatasetSlot storage dataset = _datasets[datasetId];
        // LicenceSets caps count at 32, which fits the uint8.
        dataset.licenceCount = uint8(count);
        dataset.directLicences = licence.direct;
        for (uint256 i; i < count; ++i) {
            bytes32 grantId = licence.ids[i];
            _licences[datasetId][i] = grantId;
            emit DatasetLicensed(datasetId, grantId, licence.direct & (1 << i) != 0);
        }
    }
}
