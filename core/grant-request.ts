/**
 * The EIP-712 grant request a holder signs off-chain and anyone relays with `grantBySig`.
 */
import type { TypedDataDomain, TypedDataField } from "ethers";

import type { GrantTerms } from "./ids.js";

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

/** The EIP-712 types; the order of fields is the contract's typehash order. */
export const GRANT_REQUEST_TYPES: Record<string, TypedDataField[]> = {
  GrantRequest: [
    { name: "holder", type: "address" },
    { name: "datasetId", type: "bytes32" },
    { name: "transfers", type: "uint64" },
    { name: "grantee", type: "address" },
    { name: "rights", type: "uint8" },
    { name: "purpose", type: "string" },
    { name: "validFrom", type: "uint40" },
    { name: "validUntil", type: "uint40" },
    { name: "quota", type: "uint80" },
    { name: "counter", type: "uint64" },
    { name: "nonce", type: "uint256" },
    { name: "deadline", type: "uint256" },
  ],
};

/** The ledger's EIP-712 domain on `chainId` at `ledger`. */
export function grantRequestDomain(chainId: bigint, ledger: string): TypedDataDomain {
  return { name: "dpl ProvenanceLedger", version: "1", chainId, verifyingContract: ledger };
}
