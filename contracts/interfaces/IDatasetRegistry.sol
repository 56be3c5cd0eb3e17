// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IDatasetRegistry
 * @notice The holding right: anchoring datasets, linking versions and derived datasets, transferring
 * and retiring holdings.
 *
 * A dataset id is `keccak256(abi.encode(holder, contentHash))` where `holder` is the registrant. The
 * id never changes when holding is transferred, so an anchor keeps pointing at who made it.
 */
interface IDatasetRegistry {
    /**
     * @notice One parent of a derived dataset.
     * @param datasetId The parent dataset.
     * @param grantId The grant the registrant derives under; zero when the registrant holds the parent.
     */
    struct ParentLink {
        bytes32 datasetId;
        bytes32 grantId;
    }

    /// @notice One entry of {registerBatch}; the fields mean what they mean for {register}.
    struct Registration {
        bytes32 contentHash;
        bytes32 merkleRoot;
        uint64 recordCount;
        string metadataURI;
        ParentLink[] parents;
    }

    /**
     * @notice What the ledger keeps of a dataset, as returned by {datasetOf}.
     * @param pendingHolder The account the holding is offered to, or zero.
     * @param licensed Derived under at least one grant: operating it needs those grants active.
     * @param superseded A next version exists.
     */
    // A view's return value lives in memory, where packing saves nothing; fields follow the reader.
    // solhint-disable-next-line gas-struct-packing
    struct DatasetInfo {
        address holder;
        address pendingHolder;
        bytes32 merkleRoot;
        bool retired;
        bool licensed;
        bool superseded;
    }

    /**
     * @notice A dataset was anchored by `holder`.
     * @param datasetId keccak256(abi.encode(holder, contentHash)).
     * @param holder The registrant, who holds the dataset.
     * @param contentHash SHA-256 of the file bytes, or a salted commitment for a private anchor.
     * @param merkleRoot Root of the StandardMerkleTree over the dataset's records.
     * @param recordCount Number of records under `merkleRoot`.
     * @param metadataURI Where the dataset is described (a URL or a data: URI).
     */
    event DatasetRegistered(
        bytes32 indexed datasetId,
        address indexed holder,
        bytes32 indexed contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string metadataURI
    );

    /**
     * @notice `datasetId` was derived from `parentId`, under `grantId` (zero when its registrant held the parent).
     * @param datasetId The derived dataset.
     * @param parentId One of its parents.
     * @param grantId The grant it was derived under, or zero.
     */
    event DatasetDerived(bytes32 indexed datasetId, bytes32 indexed parentId, bytes32 indexed grantId);

    /**
     * @notice `datasetId` was registered by `holder` as the next version of `previousId`.
     * @param datasetId The new version.
     * @param previousId The version it supersedes.
     * @param holder The holder of both.
     */
    event DatasetVersioned(bytes32 indexed datasetId, bytes32 indexed previousId, address indexed holder);

    /**
     * @notice `from` offered the holding of `datasetId` to `to`; `to` is zero when an offer was withdrawn.
     * @param datasetId The dataset offered.
     * @param from Its holder.
     * @param to The account it is offered to, or zero.
     */
    event HoldingTransferOffered(bytes32 indexed datasetId, address indexed from, address indexed to);

    /**
     * @notice `to` accepted the holding of `datasetId` from `from`.
     * @param datasetId The dataset.
     * @param from The previous holder.
     * @param to The new holder.
     */
    event HoldingTransferred(bytes32 indexed datasetId, address indexed from, address indexed to);

    /**
     * @notice `holder` retired `datasetId`: no new grants, uses or derivations from then on.
     * @param datasetId The dataset retired.
     * @param holder Its holder.
     */
    event DatasetRetired(bytes32 indexed datasetId, address indexed holder);

    /// @notice A content hash of zero anchors nothing.
    error DatasetContentHashZero();

    /// @notice This holder already anchored this content as `datasetId`.
    error DatasetAlreadyRegistered(bytes32 datasetId);

    /// @notice No dataset has id `datasetId`.
    error DatasetNotFound(bytes32 datasetId);

    /// @notice `account` does not hold `datasetId`.
    error DatasetUnauthorizedAccount(bytes32 datasetId, address account);

    /// @notice `datasetId` is retired.
    error DatasetRetiredAlready(bytes32 datasetId);

    /// @notice `datasetId` already has a next version.
    error DatasetSuperseded(bytes32 datasetId);

    /// @notice A dataset names `count` parents, more than `max`.
    error DatasetTooManyParents(uint256 count, uint256 max);

    /// @notice `parentId` is named twice.
    error DatasetParentDuplicate(bytes32 parentId);

    /// @notice `grantId` covers `grantDatasetId`, not the parent `parentId` it is named for.
    error DatasetParentGrantMismatch(bytes32 parentId, bytes32 grantId, bytes32 grantDatasetId);

    /// @notice `account` cannot take the holding of `datasetId` (it holds it already, or it is not the offered receiver).
    error HoldingInvalidReceiver(bytes32 datasetId, address account);

    /// @notice A batch of `length` entries: it must hold between 1 and `max`.
    error LedgerBatchLength(uint256 length, uint256 max);

    /**
     * @notice Anchors a dataset held by the caller.
     * @dev Requirements: not paused; `contentHash` non-zero and not yet anchored by the caller; at most
     * 16 parents, each held by the caller (grant id zero) or covered by the caller's active grant with
     * the PROCESS right, which then meters one DERIVE unit.
     *
     * Emits a {DatasetRegistered} event, one {DatasetDerived} event per parent and, per parent used
     * under a grant, a {IUsageMeter-UsageRecorded} event with action DERIVE.
     * @param contentHash SHA-256 of the file bytes (or a salted commitment for a private anchor).
     * @param merkleRoot Root of the StandardMerkleTree over the records.
     * @param recordCount Number of records under `merkleRoot` (zero when not disclosed).
     * @param metadataURI Where the dataset is described.
     * @param parents The datasets it was derived from, each with the grant it was derived under.
     * @return datasetId keccak256(abi.encode(msg.sender, contentHash)).
     */
    function register(
        bytes32 contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string calldata metadataURI,
        ParentLink[] calldata parents
    ) external returns (bytes32 datasetId);

    /**
     * @notice Anchors a dataset as the next version of `previousId`, which the caller holds.
     * @dev Requirements: as for {register}; `previousId` has no next version yet. Versions form a line,
     * never a tree. Emits what {register} emits and a {DatasetVersioned} event.
     * @param previousId The version this one supersedes.
     * @param contentHash As for {register}.
     * @param merkleRoot As for {register}.
     * @param recordCount As for {register}.
     * @param metadataURI As for {register}.
     * @param parents As for {register}.
     * @return datasetId keccak256(abi.encode(msg.sender, contentHash)).
     */
    function registerVersion(
        bytes32 previousId,
        bytes32 contentHash,
        bytes32 merkleRoot,
        uint64 recordCount,
        string calldata metadataURI,
        ParentLink[] calldata parents
    ) external returns (bytes32 datasetId);

    /**
     * @notice Anchors up to 256 datasets in one transaction (bulk anchoring of a catalogue).
     * @dev Each entry is checked and emits as in {register}; one failing entry reverts the batch.
     * The entries' Merkle roots are kept together as the code of one data contract, which costs less
     * than a storage slot per root.
     * @param registrations The datasets, 1 to 256.
     * @return datasetIds Their ids, in order.
     */
    function registerBatch(Registration[] calldata registrations) external returns (bytes32[] memory datasetIds);

    /**
     * @notice Offers the holding of `datasetId` to `to`, who takes it with {acceptHolding}.
     * @dev Requirements: the caller holds `datasetId`; `to` is not the caller. `to` zero withdraws the
     * offer. Emits a {HoldingTransferOffered} event.
     * @param datasetId The dataset.
     * @param to The account offered the holding, or zero to withdraw the offer.
     */
    function transferHolding(bytes32 datasetId, address to) external;

    /**
     * @notice Takes the holding of `datasetId` that was offered to the caller.
     * @dev Grants issued by the previous holder stay in force; the new holder may revoke them.
     * Emits a {HoldingTransferred} event.
     * @param datasetId The dataset offered to the caller.
     */
    function acceptHolding(bytes32 datasetId) external;

    /**
     * @notice Retires `datasetId`: no new grants, uses or derivations; history stays.
     * @dev Requirements: the caller holds `datasetId`, which is not retired. Emits a {DatasetRetired} event.
     * @param datasetId The dataset to retire.
     */
    function retire(bytes32 datasetId) external;

    /**
     * @notice The id `holder` gets for anchoring `contentHash`.
     * @param holder The registrant.
     * @param contentHash The content hash it anchors.
     * @return datasetId keccak256(abi.encode(holder, contentHash)).
     */
    function computeDatasetId(address holder, bytes32 contentHash) external pure returns (bytes32 datasetId);

    /**
     * @notice Whether `holder` anchored `contentHash`.
     * @param holder The registrant.
     * @param contentHash The content hash.
     * @return anchored True when the dataset exists.
     */
    function isAnchored(address holder, bytes32 contentHash) external view returns (bool anchored);

    /**
     * @notice The current holder of `datasetId`, zero when unknown.
     * @param datasetId The dataset.
     * @return holder Its holder.
     */
    function holderOf(bytes32 datasetId) external view returns (address holder);

    /**
     * @notice The Merkle root over the records of `datasetId`.
     * @param datasetId The dataset.
     * @return merkleRoot Its root.
     */
    function merkleRootOf(bytes32 datasetId) external view returns (bytes32 merkleRoot);

    /**
     * @notice All the ledger keeps of `datasetId`; reverts with {DatasetNotFound} when unknown.
     * @param datasetId The dataset.
     * @return info Its holder, pending holder, root and flags.
     */
    function datasetOf(bytes32 datasetId) external view returns (DatasetInfo memory info);

    /**
     * @notice The grants `datasetId` was derived under, for parents its registrant did not hold.
     * @param datasetId The dataset.
     * @return grantIds The grants, in the order of its parents.
     */
    function derivationGrantsOf(bytes32 datasetId) external view returns (bytes32[] memory grantIds);

    /**
     * @notice The Merkle leaf of record `index` whose bytes hash (SHA-256) to `recordHash`: the
     * OpenZeppelin StandardMerkleTree leaf `keccak256(bytes.concat(keccak256(abi.encode(index, recordHash))))`.
     * @param index The record's position in the dataset.
     * @param recordHash SHA-256 of the record's bytes.
     * @return leaf The leaf.
     */
    function recordLeaf(uint256 index, bytes32 recordHash) external pure returns (bytes32 leaf);

    /**
     * @notice Whether `proof` shows `leaf` under the Merkle root of `datasetId` (sorted-pair tree).
     * @param datasetId The dataset.
     * @param leaf The record's leaf, from {recordLeaf}.
     * @param proof The sibling hashes from the leaf up.
     * @return valid True when the proof holds.
     */
    function verifyRecord(bytes32 datasetId, bytes32 leaf, bytes32[] calldata proof) external view returns (bool valid);
}
