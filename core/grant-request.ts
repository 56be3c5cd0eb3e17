/**
 * The EIP-712 grant request a holder signs off-chain and anyone relays with `grantBySig`.
 */
import type { TypedDataDomain, TypedDataField } from "ethers";

import type { GrantTerms } from "./ids.js";
import { typesOf } from "./typed-data.js";

/**
 * The grant's terms, signed by the holder, with what binds it: the dataset's holding transfer count
 * (the request dies when the holding moves), the holder's request counter (it dies when the holder
 * cancels all), the nonce it spends (any unused one; requests relay in any order) and the last time
 * it may be relayed.
 */
export interface GrantRequest extends Omit<GrantTerms, "grantor"> {
  holder: string;
  transfers: bigint;
  counter: bigint;
  nonce: bigint;
  deadline: bigint;
}

/** The EIP-712 type as the contract's typehash spells it (GrantSignatures.sol): the one spelling. */
export const GRANT_REQUEST_TYPE =
  "GrantRequest(address holder,bytes32 datasetId,uint64 transfers,address grantee,uint8 rights,string purpose,uint40 validFrom,uint40 validUntil,uint80 quota,uint64 counter,uint256 nonce,uint256 deadline)";

/** The EIP-712 types for signing, read from GRANT_REQUEST_TYPE. */
export const GRANT_REQUEST_TYPES: Record<string, TypedDataField[]> = typesOf(GRANT_REQUEST_TYPE);

/** The ledger's EIP-712 domain on `chainId` at `ledger`. */
export function grantRequestDomain(chainId: bigint, ledger: string): TypedDataDomain {
  return { name: "dpl ProvenanceLedger", version: "1", chainId, verifyingContract: ledger };
}
