// SPDX-License-Identifier: MIT
pragma solidity ^0.8.28;

import {EIP712} from "@openzeppelin/contracts/utils/cryptography/EIP712.sol";
import {SignatureChecker} from "@openzeppelin/contracts/utils/cryptography/SignatureChecker.sol";
import {Nonces} from "@openzeppelin/contracts/utils/Nonces.sol";

import {IGrantRegistry} from "../interfaces/IGrantRegistry.sol";

/**
 * @title GrantSignatures
 * @notice EIP-712 grant requests: the typed struct, its digest and its signature check.
 *
 * The domain carries the chain id and this ledger's address, so a signature is good on one
 * deployment only; the nonce inside the struct makes it good once; spending the nonce cancels it.
 * Contract holders (an institution's multisig) sign through ERC-1271.
 */
abstract contract GrantSignatures is EIP712, Nonces {
    /// @dev The EIP-712 type of {IGrantRegistry-GrantRequest}; wallets show the purpose as text.
    bytes32 internal constant _GRANT_REQUEST_TYPEHASH =
        // The type string is hashed at compile time: its length costs nothing.
        // solhint-disable-next-line gas-small-strings
        keccak256(
            "GrantRequest(address holder,bytes32 datasetId,address grantee,uint8 rights,string purpose,uint40 validFrom,uint40 validUntil,uint80 quota,uint256 nonce,uint256 deadline)"
        );

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
                        request.grantee,
                        request.rights,
                        keccak256(bytes(request.purpose)),
                        request.validFrom,
                        request.validUntil,
                        request.quota,
                        request.nonce,
                        request.deadline
                    )
                )
            );
    }

    /// @dev Spends the request's nonce and checks its deadline and signature; reverts on any failure.
    function _consumeGrantSignature(IGrantRegistry.GrantRequest calldata request, bytes calldata signature) internal {
        if (block.timestamp > request.deadline) {
            revert IGrantRegistry.GrantSignatureExpired(request.deadline, block.timestamp);
        }
        _useCheckedNonce(request.holder, request.nonce);
        if (!SignatureChecker.isValidSignatureNowCalldata(request.holder, _grantRequestDigest(request), signature)) {
            revert IGrantRegistry.GrantSignatureInvalid(request.holder);
        }
    }
}
