// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {MerkleProof} from "@openzeppelin/contracts/utils/cryptography/MerkleProof.sol";
import {Pausable} from "@openzeppelin/contracts/utils/Pausable.sol";

import {IDatasetRegistry} from "../interfaces/IDatasetRegistry.sol";
import {RootPages} from "../libraries/RootPages.sol";

/**
 * @title DatasetRegistry
 * @notice The holding right: anchoring, versions, lineage, transfer and retirement of datasets.
 *
 * Storage is one slot per dataset (holder, flags and where its root is). The root of a dataset
 * anchored alone takes a second slot; the roots of a batch share one data contract (see {RootPages}).
 * Everything else (content hash, record count, metadata, parents) lives only in events.
 *
 * Anchoring without parents works even while the ledger is paused: it creates only the caller's own
 * record and confers no right over anyone else's data, and an operator must not be able to stop
 * anyone from proving what they held and when. Everything that touches rights (derivation, grants,
 * uses, transfers, retirement) stops.
 */
abstract contract DatasetRegistry is IDatasetRegistry, Pausable {
    /// @notice Most parents one dataset may name: keeps every lineage loop bounded.
    uint256 public constant MAX_PARENTS = 16;

    /// @notice Most entries one batch may carry: 256 registrations stay far below a block's gas.
    uint256 public constant MAX_BATCH = 256;

    uint8 internal constant _RETIRED = 1;
    uint8 internal constant _LICENSED = 2;
    uint8 internal constant _SUPERSEDED = 4;

    /**
     * @dev `rootPage` zero means the root is in `_roots`; otherwise it is word `rootIndex` of page
     * `rootPage`. 160 + 8 + 40 + 16 bits: one slot.
     */
    struct DatasetSlot {
        address holder;
        uint8 flags;
        uint40 rootPage;
        uint16 rootIndex;
    }

    mapping(bytes32 datasetId => DatasetSlot) internal _datasets;
    mapping(bytes32 datasetId => bytes32) private _roots;
    mapping(bytes32 datasetId => address) private _pendingHolders;
    mapping(bytes32 datasetId => bytes32[]) internal _derivationGrants;
    mapping(uint256 page => address) private _rootPages;
    uint40 private _rootPageCount;

    /// @inheritdoc IDatasetRegistry
    function register(
        bytes32 contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string calldata metadataURI,
        ParentLink[] calldata parents
    ) external returns (bytes32 datasetId) {
        return _registerOne(contentHash, merkleRoot, recordCount, metadataURI, parents);
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
        datasetId = _registerOne(contentHash, merkleRoot, recordCount, metadataURI, parents);
        emit DatasetVersioned(datasetId, previousId, msg.sender);
    }

    /// @inheritdoc IDatasetRegistry
    function registerBatch(
        Registration[] calldata registrations
    ) external returns (bytes32[] memory datasetIds) {
        uint256 length = registrations.length;
        if (length == 0 || length > MAX_BATCH) revert LedgerBatchLength(length, MAX_BATCH);
        uint40 page = ++_rootPageCount;
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
        _pendingHolders[datasetId] = to;
        emit HoldingTransferOffered(datasetId, msg.sender, to);
    }

    /// @inheritdoc IDatasetRegistry
    function acceptHolding(bytes32 datasetId) external whenNotPaused {
        // msg.sender is never zero, so a dataset with no offer can never be taken.
        if (_pendingHolders[datasetId] != msg.sender) revert HoldingInvalidReceiver(datasetId, msg.sender);
        DatasetSlot storage dataset = _datasets[datasetId];
        address from = dataset.holder;
        dataset.holder = msg.sender;
        delete _pendingHolders[datasetId];
        emit HoldingTransferred(datasetId, from, msg.sender);
    }

    /// @inheritdoc IDatasetRegistry
    function retire(bytes32 datasetId) external whenNotPaused {
        DatasetSlot storage dataset = _heldBy(datasetId, msg.sender);
        if (dataset.flags & _RETIRED != 0) revert DatasetRetiredAlready(datasetId);
        dataset.flags |= _RETIRED;
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
        uint40 page = dataset.rootPage;
        if (page == 0) return _roots[datasetId];
        return RootPages.read(_rootPages[page], dataset.rootIndex);
    }

    /// @inheritdoc IDatasetRegistry
    function datasetOf(bytes32 datasetId) external view returns (DatasetInfo memory) {
        DatasetSlot storage dataset = _existing(datasetId);
        uint8 flags = dataset.flags;
        return
            DatasetInfo({
                holder: dataset.holder,
                pendingHolder: _pendingHolders[datasetId],
                merkleRoot: merkleRootOf(datasetId),
                retired: flags & _RETIRED != 0,
                licensed: flags & _LICENSED != 0,
                superseded: flags & _SUPERSEDED != 0
            });
    }

    /// @inheritdoc IDatasetRegistry
    function derivationGrantsOf(bytes32 datasetId) external view returns (bytes32[] memory) {
        return _derivationGrants[datasetId];
    }

    /// @inheritdoc IDatasetRegistry
    function recordLeaf(uint256 index, bytes32 recordHash) public pure returns (bytes32) {
        return keccak256(bytes.concat(keccak256(abi.encode(index, recordHash))));
    }

    /// @inheritdoc IDatasetRegistry
    function verifyRecord(bytes32 datasetId, bytes32 leaf, bytes32[] calldata proof) external view returns (bool) {
        if (_datasets[datasetId].holder == address(0)) return false;
        return MerkleProof.verifyCalldata(proof, merkleRootOf(datasetId), leaf);
    }

    /**
     * @dev Meters one DERIVE unit of `grantId` for `registrant`, on behalf of `childId`, after checking
     * that the grant covers `parentId`. Implemented by the usage meter.
     */
    function _useGrantForDerivation(
        bytes32 grantId,
        bytes32 parentId,
        address registrant,
        bytes32 childId
    ) internal virtual;

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
        ParentLink[] calldata parents
    ) private returns (bytes32 datasetId) {
        datasetId = _register(msg.sender, contentHash, merkleRoot, recordCount, metadataURI, parents, 0, 0);
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
        uint40 rootPage,
        uint16 rootIndex
    ) private returns (bytes32 datasetId) {
        if (contentHash == 0) revert DatasetContentHashZero();
        datasetId = computeDatasetId(holder, contentHash);
        if (_datasets[datasetId].holder != address(0)) revert DatasetAlreadyRegistered(datasetId);
        _datasets[datasetId] = DatasetSlot(holder, _licenceFlag(parents), rootPage, rootIndex);
        emit DatasetRegistered(datasetId, holder, contentHash, merkleRoot, recordCount, metadataURI);
        if (parents.length != 0) _linkParents(datasetId, holder, parents);
    }

    /// @dev A dataset derived under any grant operates under upstream licences.
    function _licenceFlag(ParentLink[] calldata parents) private pure returns (uint8) {
        for (uint256 i; i < parents.length; ++i) {
            if (parents[i].grantId != 0) return _LICENSED;
        }
        return 0;
    }

    /// @dev Checks each parent and meters the grants the registrant derives under.
    function _linkParents(bytes32 datasetId, address registrant, ParentLink[] calldata parents) private {
        // Deriving spends other holders' grants: unlike a plain anchor, it stops while paused.
        _requireNotPaused();
        uint256 count = parents.length;
        if (count > MAX_PARENTS) revert DatasetTooManyParents(count, MAX_PARENTS);
        for (uint256 i; i < count; ++i) {
            bytes32 parentId = parents[i].datasetId;
            bytes32 grantId = parents[i].grantId;
            for (uint256 j; j < i; ++j) {
                if (parents[j].datasetId == parentId) revert DatasetParentDuplicate(parentId);
            }
            if (grantId == 0) {
                DatasetSlot storage parent = _heldBy(parentId, registrant);
                if (parent.flags & _RETIRED != 0) revert DatasetRetiredAlready(parentId);
            } else {
                _existing(parentId);
                _useGrantForDerivation(grantId, parentId, registrant, datasetId);
                _derivationGrants[datasetId].push(grantId);
            }
            emit DatasetDerived(datasetId, parentId, grantId);
        }
    }
}
