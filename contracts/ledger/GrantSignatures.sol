// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";

import {IGrantRegistry} from "../interfaces/IGrantRegistry.sol";

/**
 * @title GrantSignatures
 * @notice EIP-712 grant requests: the typed struct, its digest, its signature check, and the nonces
 * and counters that let a holder keep many requests outstanding and cancel them.
 *
 * The domain carries the chain id and this ledger's address, so a signature is good on one
 * deployment only. Nonces are unordered (a bitmap per holder, as in Uniswap's Permit2): any unused
 * nonce works once, in any order, and one can be cancelled alone; requests that share a 256-nonce
 * word cost less to relay. A per-holder counter inside every request lets the holder cancel all
 * outstanding requests at once (as Seaport's counter does). A request also carries the dataset's
 * holding transfer count, so it dies when the holding moves, even if it later comes back. Contract
 * holders (an institution's multisig) sign through ERC-1271.
 */
abstract contract GrantSignatures is EIP712 {
    /// @dev The EIP-712 type of {IGrantRegistry-GrantRequest}; wallets show the purpose as text.
    bytes32 internal constant _GRANT_REQUEST_TYPEHASH =
        // The type string is hashed at compile time: its length costs nothing.
        // solhint-disable-next-line gas-small-strings
        keccak256(
            "GrantRequest(address holder,bytes32 datasetId,uint64 transfers,address grantee,uint8 rights,string purpose,uint40 validFrom,uint40 validUntil,uint80 quota,uint64 counter,uint256 nonce,uint256 deadline)"
        );

    mapping(address holder => mapping(uint256 word => uint256 bits)) private _spentNonces;
    mapping(address holder => uint64 counter) private _requestCounters;

    constructor() EIP712("dpl ProvenanceLedger", "1") {}

    /// @dev The digest `request.holder` signs.
    function _grantRequestDigest(IGrantRegistry.GrantRequest calldata request) internal view returns (bytes32) {
        return
            _hashTypedDataV4(
                keccak256(
                    abi.encode(
                        _GRANT_REQUEST_TYPEHASH,
                        request.holder,
                        request.datasetId,
                        request.transfers,
                        request.grantee,
                        request.rights,
                        keccak256(bytes(request.purpose)),
                        request.validFrom,
                        request.validUntil,
                        request.quota,
                        request.counter,
                        request.nonce,
                        request.deadline
                    )
                )
            );
    }

    /**
     * @dev Checks the request's deadline, counter and holding, spends its nonce and checks its
     * signature; reverts on any failure. `transfers` is the dataset's transfer count now.
     */
    function _consumeGrantRequest(
        IGrantRegistry.GrantRequest calldata request,
        bytes calldata signature,
        uint64 transfers
    ) internal {
        address holder = request.holder;
        if (block.timestamp > request.deadline) {
            revert IGrantRegistry.GrantSignatureExpired(request.deadline, block.timestamp);
        }
        uint64 counter = _requestCounters[holder];
        if (request.counter != counter) revert IGrantRegistry.GrantRequestCounterStale(holder, request.counter, counter);
        if (request.transfers != transfers) {
            revert IGrantRegistry.GrantRequestHoldingMoved(request.datasetId, request.transfers, transfers);
        }
        _spendNonce(holder, request.nonce);
        if (!SignatureChecker.isValidSignatureNowCalldata(holder, _grantRequestDigest(request), signature)) {
            revert IGrantRegistry.GrantSignatureInvalid(holder);
        }
    }

    /// @dev Marks `nonce` of `holder` spent; reverts when it already was.
    function _spendNonce(address holder, uint256 nonce) internal {
        uint256 bit = 1 << (nonce & 0xff);
        uint256 word = _spentNonces[holder][nonce >> 8];
        if (word & bit != 0) revert IGrantRegistry.GrantRequestNonceUsed(holder, nonce);
        _spentNonces[holder][nonce >> 8] = word | bit;
    }

    /**
     * @dev Moves `holder`'s counter on and returns its new value. The value is drawn from the block's
     * randomness rather than counted up: a request signed in advance for "the next counter" could
     * otherwise come to life through the very cancellation meant to kill every outstanding request.
     */
    function _advanceCounter(address holder) internal returns (uint64 counter) {
        counter = uint64(bytes8(keccak256(abi.encode(holder, _requestCounters[holder], block.prevrandao))));
        _requestCounters[holder] = counter;
    }

    /// @dev The counter `holder`'s requests must carry.
    function _counterOf(address holder) internal view returns (uint64) {
        return _requestCounters[holder];
    }

    /// @dev Whether `holder` spent `nonce`.
    function _nonceSpent(address holder, uint256 nonce) internal view returns (bool) {
        return _spentNonces[holder][nonce >> 8] & (1 << (nonce & 0xff)) != 0;
    }
}
