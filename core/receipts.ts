/**
 * The gateway protocol's signed messages. A grantee signs in (GatewaySignIn); the gateway signs a
 * receipt for every delivery (UsageReceipt), gathers an epoch's receipts under a Merkle root (the
 * same tree as a dataset's records, a receipt's struct hash standing for the record) and settles the
 * epoch on chain. Anyone holding a receipt, its signature and its proof can check that it was
 * settled: the root is in the ledger's EpochSettled event, and the signer is the account that settled.
 */
import { concat, keccak256, type TypedDataDomain, TypedDataEncoder, verifyTypedData } from "ethers";

import { buildRecordTree, recordLeafHex, rootFromProof } from "./merkle.js";
import { typesOf } from "./typed-data.js";

/** What a grantee signs to open a session with a gateway. */
export const SIGN_IN_TYPE = "GatewaySignIn(address grantee,address gateway,bytes32 nonce,uint64 issuedAt,uint64 expiresAt)";
export const SIGN_IN_TYPES = typesOf(SIGN_IN_TYPE);

/** What a gateway signs for each delivery, before any byte of it leaves. */
export const RECEIPT_TYPE =
  "UsageReceipt(address holder,uint64 epoch,uint64 sequence,bytes32 grantId,address grantee,uint8 action,uint64 units,bytes32 session,bytes32 requestHash,bytes32 responseHash,uint64 time)";
export const RECEIPT_TYPES = typesOf(RECEIPT_TYPE);

/** The EIP-712 domain of gateway messages for the ledger at `ledger` on `chainId`. */
export function gatewayDomain(chainId: bigint | number, ledger: string): TypedDataDomain {
  return { name: "dpl gateway", version: "1", chainId, verifyingContract: ledger };
}

export interface SignIn {
  grantee: string;
  /** The gateway's signing account (the holder or its meter): a sign-in is for one gateway. */
  gateway: string;
  nonce: string;
  issuedAt: number;
  expiresAt: number;
}

/**
 * A delivery, as the gateway signed it. `session` is the keccak-256 of the grantee's sign-in
 * signature: the grantee's own signature binds the receipt to it. `requestHash` commits to what was
 * asked, `responseHash` to what was answered.
 */
export interface Receipt {
  holder: string;
  epoch: string;
  /** The gateway's running count of receipts: unique per gateway. */
  sequence: string;
  grantId: string;
  grantee: string;
  /** UsageAction: 0 use, 1 process, 3 operate. */
  action: number;
  units: string;
  session: string;
  requestHash: string;
  responseHash: string;
  /** Unix seconds. */
  time: number;
}

export interface SignedReceipt {
  receipt: Receipt;
  signature: string;
}

/** A signed receipt with what proves it is in its epoch's root. */
export interface ReceiptProof extends SignedReceipt {
  /** Its place among the epoch's settled receipts (the leaf index). */
  position: number;
  proof: string[];
  root: string;
}

// Built once: ethers would otherwise rebuild the encoder for every receipt hashed.
const RECEIPT_ENCODER = TypedDataEncoder.from(RECEIPT_TYPES);

/** The receipt's EIP-712 struct hash: the record its epoch's tree is built over. */
export function receiptHash(receipt: Receipt): string {
  return RECEIPT_ENCODER.hash(receipt);
}

/** The EIP-712 digest a receipt's signature signs, under the domain separator `separator` (TypedDataEncoder.hashDomain). */
export function receiptDigest(separator: string, receipt: Receipt): string {
  return keccak256(concat(["0x1901", separator, receiptHash(receipt)]));
}

/** The account that signed `signed` in `domain` (throws on a malformed signature). */
export function receiptSigner(domain: TypedDataDomain, signed: SignedReceipt): string {
  return verifyTypedData(domain, RECEIPT_TYPES, signed.receipt, signed.signature).toLowerCase();
}

/** An epoch's root and each receipt's proof, the receipts in the order given. */
export async function epochTree(receipts: Receipt[]): Promise<{ root: string; proof(position: number): string[] }> {
  const tree = await buildRecordTree(receipts.map(receiptHash));
  return { root: tree.root, proof: (position) => tree.proof(position) };
}

/** The root `proof` leads to from its receipt at its position. */
export async function rootOfReceipt(proof: ReceiptProof): Promise<string> {
  return rootFromProof(await recordLeafHex(proof.position, receiptHash(proof.receipt)), proof.proof);
}
