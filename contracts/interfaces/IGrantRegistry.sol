// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

/**
 * @title IGrantRegistry
 * @notice Authorization grants: the processing/use right and the product-operation right that a
 * holder gives a grantee over one dataset, for a purpose, inside a validity window, up to a quota.
 *
 * Rights are a bit set: USE = 1, PROCESS = 2, OPERATE_PRODUCT = 4.
 *
 * The validity window is inclusive at both ends: a grant can be used in any block whose timestamp t
 * satisfies `validFrom <= t <= validUntil`.
 *
 * A grant id is `keccak256(abi.encode(grantor, datasetId, grantee, rights, keccak256(purpose),
 * validFrom, validUntil, quota, bump))` where `bump` is the smallest number from 0 up that gives an
 * unused id: the id commits to every term, so no one can alter the terms an id stands for.
 *
 * A grant on a licensed dataset (see {IDatasetRegistry}) rests on every grant of that licence: it
 * lapses when any of them is revoked, renounced or expires, or when the dataset of any of them is
 * retired. Only the licensee may grant on a licensed dataset, and never beyond a licence's window.
 */
interface IGrantRegistry {
    /// @notice What the ledger stores of a grant's lifecycle.
    enum GrantState {
        None,
        Active,
        Revoked,
        Renounced,
        Cancelled
    }

    /**
     * @notice A grant's standing at a given time, as returned by {grantStatus}: whether a use could
     * succeed now, leaving aside the action's right and the units. Retired: its dataset is retired.
     * Lapsed: a grant of its dataset's licence was revoked, renounced, cancelled or expired, or its
     * dataset retired. Cancelled: an arbiter upheld an objection against it ({IOversight}).
     */
    enum GrantStatus {
        None,
        Pending,
        Active,
        Expired,
        Exhausted,
        Revoked,
        Renounced,
        Retired,
        Lapsed,
        Cancelled
    }

    /// @notice Why a licence no longer holds (Cancelled: by an arbiter's ruling).
    enum LicenceLapse {
        Revoked,
        Renounced,
        Expired,
        DatasetRetired,
        Cancelled
    }

    /**
     * @notice A grant as the ledger keeps it.
     * @param quota Metered units allowed; zero means unlimited.
     * @param used Units recorded so far.
     */
    // A view's return value lives in memory, where packing saves nothing; fields follow the reader.
    // solhint-disable-next-line gas-struct-packing
    struct Grant {
        address grantee;
        bytes32 datasetId;
        uint40 validFrom;
        uint40 validUntil;
        uint8 rights;
        GrantState state;
        uint80 quota;
        uint80 used;
    }

    /**
     * @notice A grant signed off-chain by `holder` (EIP-712) for anyone to relay with {grantBySig}.
     * @param transfers The dataset's holding transfer count when signed ({IDatasetRegistry-datasetOf}):
     * the request dies when the holding moves.
     * @param counter The holder's request counter when signed ({grantRequestCounter}): the request
     * dies when the holder cancels all its requests.
     * @param nonce Any number not used before by this holder ({isGrantNonceUsed}); relaying spends
     * it. Requests with different nonces may be relayed in any order.
     * @param deadline Last block timestamp at which the signature may be relayed.
     */
    // The fields follow the EIP-712 type a wallet shows; packing would reorder them.
    // solhint-disable-next-line gas-struct-packing
    struct GrantRequest {
        address holder;
        bytes32 datasetId;
        uint64 transfers;
        address grantee;
        uint8 rights;
        string purpose;
        uint40 validFrom;
        uint40 validUntil;
        uint80 quota;
        uint64 counter;
        uint256 nonce;
        uint256 deadline;
    }

    /**
     * @notice `grantor`, the holder of `datasetId`, granted `rights` on it to `grantee`.
     * @param grantId The grant's id.
     * @param datasetId The dataset it grants rights on.
     * @param grantee The account that holds the rights.
     * @param grantor The holder that granted them.
     * @param rights USE | PROCESS | OPERATE_PRODUCT bits.
     * @param purposeHash keccak256 of `purpose`.
     * @param purpose The purpose, as text.
     * @param validFrom First second of the window (inclusive).
     * @param validUntil Last second of the window (inclusive).
     * @param quota Metered units allowed; zero means unlimited.
     * @param bump The number that made `grantId` unique (see the interface notes).
     */
    event GrantIssued(
        bytes32 indexed grantId,
        bytes32 indexed datasetId,
        address indexed grantee,
        address grantor,
        uint8 rights,
        bytes32 purposeHash,
        string purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint80 quota,
        uint256 bump
    );

    /**
     * @notice `holder` revoked `grantId`; it takes effect at once, for it and every grant resting on it.
     * @param grantId The grant.
     * @param datasetId Its dataset.
     * @param holder The dataset's holder, who revoked it.
     */
    event GrantRevoked(bytes32 indexed grantId, bytes32 indexed datasetId, address indexed holder);

    /**
     * @notice `grantee` renounced its own grant `grantId`.
     * @param grantId The grant.
     * @param datasetId Its dataset.
     * @param grantee Its grantee.
     */
    event GrantRenounced(bytes32 indexed grantId, bytes32 indexed datasetId, address indexed grantee);

    // Nobody looks a nonce or a counter up by value, so they are not indexed.
    /* solhint-disable gas-indexed-events */
    /**
     * @notice `holder` cancelled the grant request it signed with `nonce`.
     * @param holder The signer.
     * @param nonce The nonce now spent.
     */
    event GrantRequestCancelled(address indexed holder, uint256 nonce);

    /**
     * @notice `holder` cancelled every grant request it signed so far: its counter is now `counter`.
     * @param holder The signer.
     * @param counter The counter later requests must carry.
     */
    event GrantRequestsCancelled(address indexed holder, uint64 counter);
    /* solhint-enable gas-indexed-events */

    /// @notice No grant has id `grantId`.
    error GrantNotFound(bytes32 grantId);

    /// @notice `account` is neither the grantee of `grantId` nor entitled to act on it.
    error GrantUnauthorizedAccount(bytes32 grantId, address account);

    /// @notice `grantId` was revoked or renounced (`state`).
    error GrantNotActive(bytes32 grantId, GrantState state);

    /// @notice `rights` is empty or has bits beyond USE | PROCESS | OPERATE_PRODUCT.
    error GrantRightsInvalid(uint8 rights);

    /// @notice A grant needs a grantee.
    error GrantGranteeZero();

    /// @notice A grant needs a purpose text.
    error GrantPurposeEmpty();

    /// @notice The window [`validFrom`, `validUntil`] is reversed or already over at `timestamp`.
    error GrantWindowInvalid(uint40 validFrom, uint40 validUntil, uint256 timestamp);

    /// @notice A grant until `validUntil` would outlast the licence `licenceId` it rests on, which ends at `licenceUntil`.
    error GrantWindowBeyondLicence(bytes32 licenceId, uint40 licenceUntil, uint40 validUntil);

    /// @notice The signed grant request could be relayed until `deadline`; it is now `timestamp`.
    error GrantSignatureExpired(uint256 deadline, uint256 timestamp);

    /// @notice The signature is not `holder`'s over this grant request on this chain and ledger.
    error GrantSignatureInvalid(address holder);

    /// @notice `holder` already spent `nonce` (a relayed or cancelled request).
    error GrantRequestNonceUsed(address holder, uint256 nonce);

    /// @notice The request carries counter `counter`; `holder` cancelled all its requests since (its counter is `current`).
    error GrantRequestCounterStale(address holder, uint64 counter, uint64 current);

    /// @notice The request was signed at `signedTransfers` transfers of `datasetId`; its holding has moved since (`transfers`).
    error GrantRequestHoldingMoved(bytes32 datasetId, uint64 signedTransfers, uint64 transfers);

    /// @notice The licence of `productId` lapsed: its grant `licenceId` no longer holds (`reason`).
    error ProductLicenceLapsed(bytes32 productId, bytes32 licenceId, LicenceLapse reason);

    /// @notice `account` may not operate `productId`: the licence `licenceId` belongs to `licensee`.
    error ProductLicenseeMismatch(bytes32 productId, bytes32 licenceId, address licensee, address account);

    /// @notice `productId` may not be licensed on: its licence `licenceId` (rights `rights`) lacks OPERATE_PRODUCT.
    error ProductLicenceNotOperable(bytes32 productId, bytes32 licenceId, uint8 rights);

    /**
     * @notice Grants `rights` on `datasetId` to `grantee`.
     * @dev Requirements: not paused; the caller holds `datasetId`, which is not retired; `rights` is a
     * non-empty subset of USE | PROCESS | OPERATE_PRODUCT; `purpose` is not empty; `validFrom <=
     * validUntil` and `validUntil` is not in the past. For a licensed dataset: every licence holds
     * (not revoked, renounced, expired, nor over a retired dataset) and carries OPERATE_PRODUCT, the
     * caller is the grantee of every direct licence, and `validUntil` is within every licence's window.
     *
     * Emits a {GrantIssued} event.
     * @param datasetId The dataset the caller holds.
     * @param grantee The account that receives the rights.
     * @param rights USE | PROCESS | OPERATE_PRODUCT bits.
     * @param purpose What the data may be used for, as text (stored in the event and the grant id only).
     * @param validFrom First second of the window (inclusive).
     * @param validUntil Last second of the window (inclusive).
     * @param quota Metered units allowed; zero means unlimited.
     * @return grantId The new grant's id.
     */
    function grant(
        bytes32 datasetId,
        address grantee,
        uint8 rights,
        string calldata purpose,
        uint40 validFrom,
        uint40 validUntil,
        uint80 quota
    ) external returns (bytes32 grantId);

    /**
     * @notice Issues the grant that `request.holder` signed (EIP-712); anyone may relay it.
     * @dev Requirements: those of {grant} for `request.holder`; `block.timestamp <= request.deadline`;
     * `request.nonce` unused; `request.counter` equals the holder's counter; `request.transfers`
     * equals the dataset's transfer count; `signature` is the holder's (ECDSA for an account, ERC-1271
     * for a contract). Spends the nonce. Emits a {GrantIssued} event.
     * @param request The grant request the holder signed.
     * @param signature The holder's signature over {hashGrantRequest}.
     * @return grantId The new grant's id.
     */
    function grantBySig(GrantRequest calldata request, bytes calldata signature) external returns (bytes32 grantId);

    /**
     * @notice Spends the caller's nonce `nonce`, so that the grant request it signed with it can never be relayed.
     * @dev Requirements: the nonce is unused. Works while paused. Emits a {GrantRequestCancelled} event.
     * @param nonce The nonce of the request to cancel.
     */
    function cancelGrantRequest(uint256 nonce) external;

    /**
     * @notice Cancels every grant request the caller signed so far, by moving its counter on to a
     * value drawn from the block's randomness, which no request can have been signed for in advance.
     * @dev Works while paused. Emits a {GrantRequestsCancelled} event.
     */
    function cancelAllGrantRequests() external;

    /**
     * @notice Revokes `grantId`; no use is accepted after this transaction, nor any use or grant that rests on it.
     * @dev Requirements: the caller holds the grant's dataset; the grant is active. Works while
     * paused: it only takes rights away. Emits a {GrantRevoked} event.
     * @param grantId The grant to revoke.
     */
    function revoke(bytes32 grantId) external;

    /**
     * @notice The grantee gives up its grant `grantId`.
     * @dev Requirements: the caller is the grantee; the grant is active. Works while paused.
     * Emits a {GrantRenounced} event.
     * @param grantId The grant to give up.
     */
    function renounce(bytes32 grantId) external;

    /**
     * @notice The grant `grantId` as stored; reverts with {GrantNotFound} when unknown.
     * @param grantId The grant.
     * @return terms Its dataset, parties, rights, window, quota, use and state.
     */
    function grantOf(bytes32 grantId) external view returns (Grant memory terms);

    /**
     * @notice The standing of `grantId` at the current block's timestamp, by the checks a use makes,
     * in the order it makes them (see {IUsageMeter-canUse}).
     * @param grantId The grant.
     * @return status None, Pending, Active, Expired, Exhausted, Revoked, Renounced, Retired or Lapsed.
     */
    function grantStatus(bytes32 grantId) external view returns (GrantStatus status);

    /**
     * @notice Units still allowed under `grantId`; `type(uint80).max` for an unlimited grant.
     * @param grantId The grant.
     * @return remaining The units left.
     */
    function remainingQuota(bytes32 grantId) external view returns (uint80 remaining);

    /**
     * @notice The EIP-712 digest that `request.holder` signs for {grantBySig}.
     * @param request The grant request.
     * @return digest The typed-data hash under this chain's and this ledger's domain.
     */
    function hashGrantRequest(GrantRequest calldata request) external view returns (bytes32 digest);

    /**
     * @notice The counter `holder`'s grant requests must carry now.
     * @param holder The signer.
     * @return counter Zero until the holder first cancels all its requests; then an unpredictable value.
     */
    function grantRequestCounter(address holder) external view returns (uint64 counter);

    /**
     * @notice Whether `holder` has spent `nonce` (relayed or cancelled).
     * @param holder The signer.
     * @param nonce The nonce.
     * @return used True when spent.
     */
    function isGrantNonceUsed(address holder, uint256 nonce) external view returns (bool used);
}
