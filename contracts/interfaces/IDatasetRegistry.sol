// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IDatasetRegistry
 * @notice The holding right: anchoring datasets, linking versions and derived datasets, transferring
 * and retiring holdings, and the licence a derived dataset carries.
 *
 * A dataset id is `keccak256(abi.encode(holder, contentHash))` where `holder` is the registrant. The
 * id never changes when holding is transferred, so an anchor keeps pointing at who made it.
 *
 * The licence of a dataset is the set of upstream grants it rests on, transitively: a parent used
 * under grant `g` adds `g` and the parent's licence; a parent held by the registrant, and the previous
 * version, add their licences. A licence is *direct* when it reached the dataset without passing
 * through another grant (it is the registrant's own grant, or came through held parents and
 * versions): whoever grants on the dataset, or derives from it as its holder, must be the grantee of
 * every direct licence. The licence is fixed at registration and emitted as {DatasetLicensed} events.
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
     * @param transfers How many times the holding has changed hands; a signed grant request binds it.
     * @param licensed It rests on at least one upstream grant (see {licencesOf}).
     * @param superseded A next version exists.
     */
    // A view's return value lives in memory, where packing saves nothing; fields follow the reader.
    // solhint-disable-next-line gas-struct-packing
    struct DatasetInfo {
        address holder;
        address pendingHolder;
        uint64 transfers;
        bytes32 merkleRoot;
        bool retired;
        bool licensed;
        bool superseded;
    }

    /**
     * @notice One upstream grant a dataset rests on, as returned by {licencesOf}.
     * @param grantId The grant.
     * @param direct Whoever operates the dataset must be the grantee of `grantId`.
     */
    struct Licence {
        bytes32 grantId;
        bool direct;
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

    // Nobody filters by a flag of two values.
    /* solhint-disable gas-indexed-events */
    /**
     * @notice `datasetId` rests on the upstream grant `grantId`: it lapses when that grant does. One
     * event per licence, after the dataset's {DatasetDerived} and {DatasetVersioned} events.
     * @param datasetId The licensed dataset.
     * @param grantId One grant of its licence.
     * @param direct Whoever operates `datasetId` must be the grantee of `grantId`.
     */
    event DatasetLicensed(bytes32 indexed datasetId, bytes32 indexed grantId, bool direct);
    /* solhint-enable gas-indexed-events */

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
     * @notice `holder` retired `datasetId`: no new grants, uses or derivations from then on, and every
     * dataset that rests on a grant over it lapses.
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

    /// @notice `datasetId` names itself as its parent.
    error DatasetParentIsSelf(bytes32 datasetId);

    /// @notice `grantId` covers `grantDatasetId`, not the parent `parentId` it is named for.
    error DatasetParentGrantMismatch(bytes32 parentId, bytes32 grantId, bytes32 grantDatasetId);

    /// @notice `datasetId` would rest on more than `max` upstream grants.
    error DatasetTooManyLicences(bytes32 datasetId, uint256 max);

    /// @notice `account` cannot take the holding of `datasetId` (it holds it already, or it is not the offered receiver).
    error HoldingInvalidReceiver(bytes32 datasetId, address account);

    /// @notice A batch of `length` entries: it must hold between 1 and `max`.
    error LedgerBatchLength(uint256 length, uint256 max);

    /**
     * @notice Anchors a dataset held by the caller.
     * @dev Requirements: `contentHash` non-zero and not yet anchored by the caller; at most 16
     * parents, none the dataset itself, none twice. A parent with grant id zero is held by the caller,
     * is not retired, and its licence is live with the caller as grantee of every direct licence. A
     * parent with a grant id is covered by that grant, which the caller holds, may use for PROCESS
     * now, and which meters one DERIVE unit. The resulting licence has at most 32 grants. Deriving
     * (any parent) stops while the ledger is paused; a plain anchor does not.
     *
     * Emits a {DatasetRegistered} event, per parent a {DatasetDerived} event (and, under a grant, a
     * {IUsageMeter-UsageRecorded} event with action DERIVE), then a {DatasetLicensed} event per licence.
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
     * never a tree. The new version carries the previous version's licence, checked as for a held
     * parent. Emits what {register} emits and a {DatasetVersioned} event before the licence events.
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
     * @dev Each entry is checked and emits as in {register}, in order (an entry may name an earlier
     * one as its parent); one failing entry reverts the batch. The entries' Merkle roots are kept
     * together as the code of one data contract, which costs less than a storage slot per root.
     * @param registrations The datasets, 1 to 256.
     * @return datasetIds Their ids, in order.
     */
    function registerBatch(Registration[] calldata registrations) external returns (bytes32[] memory datasetIds);

    /**
     * @notice Offers the holding of `datasetId` to `to`, who takes it with {acceptHolding}.
     * @dev Requirements: not paused; the caller holds `datasetId`; `to` is not the caller. `to` zero
     * withdraws the offer. Emits a {HoldingTransferOffered} event.
     * @param datasetId The dataset.
     * @param to The account offered the holding, or zero to withdraw the offer.
     */
    function transferHolding(bytes32 datasetId, address to) external;

    /**
     * @notice Takes the holding of `datasetId` that was offered to the caller.
     * @dev Requirements: not paused. Grants issued by the previous holder stay in force; the new
     * holder may revoke them. The licence stays with its licensees: the new holder may not grant on a
     * licensed dataset unless it is the grantee of every direct licence. Every grant request signed
     * for the dataset before the transfer dies. Emits a {HoldingTransferred} event.
     * @param datasetId The dataset offered to the caller.
     */
    function acceptHolding(bytes32 datasetId) external;

    /**
     * @notice Retires `datasetId`: no new grants, uses or derivations; every dataset resting on a grant
     * over it lapses; history stays.
     * @dev Requirements: the caller holds `datasetId`, which is not retired. Works while paused: it
     * only takes rights away. Emits a {DatasetRetired} event.
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
     * @return info Its holder, pending holder, transfer count, root and flags.
     */
    function datasetOf(bytes32 datasetId) external view returns (DatasetInfo memory info);

    /**
     * @notice The upstream grants `datasetId` rests on (empty for an unlicensed dataset).
     * @param datasetId The dataset.
     * @return licences The grants, in the order of {DatasetLicensed} events, each marked direct or not.
     */
    function licencesOf(bytes32 datasetId) external view returns (Licence[] memory licences);

    /**
     * @notice The Merkle leaf of record `index` whose bytes hash (SHA-256) to `recordHash`: the
     * OpenZeppelin StandardMerkleTree leaf `keccak256(bytes.concat(keccak256(abi.encode(index, recordHash))))`.
     * @param index The record's position in the dataset.
     * @param recordHash SHA-256 of the record's bytes.
     * @return leaf The leaf.
     */
    function recordLeaf(uint256 index, bytes32 recordHash) external pure returns (bytes32 leaf);

    /**
     * @notice Whether record `index` of `datasetId`, whose bytes hash (SHA-256) to `recordHash`, is
     * under the dataset's Merkle root by `proof`. The leaf is built here ({recordLeaf}), so an inner
     * node of the tree can never pass for a record; a dataset without a root proves nothing.
     * @param datasetId The dataset.
     * @param index The record's position.
     * @param recordHash SHA-256 of the record's bytes.
     * @param proof The sibling hashes from the leaf up (sorted pairs).
     * @return valid True when the proof holds.
     */
    function verifyRecord(
        bytes32 datasetId,
        uint256 index,
        bytes32 recordHash,
        bytes32[] calldata proof
    ) external view returns (bool valid);
}
