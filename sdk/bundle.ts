/**
 * Portable record proofs ("bundles"): a record proof plus what ties its Merkle root to a block, so
 * that `dpl verify-proof --offline --block-hash <hash>` needs nothing but a block hash the verifier
 * trusts (from any explorer, node or checkpoint). The bundle carries the block header, the
 * registration transaction's receipt and its Merkle-Patricia proof in the block's receipts trie:
 *
 *   keccak256(rlp(header)) = trusted block hash
 *   → header.receiptsRoot proves the receipt (key rlp(transaction index))
 *   → the receipt holds the ledger's DatasetRegistered log for the dataset, with its Merkle root
 *   → the record's proof leads to that root.
 *
 * This is the receipts-trie route, not EIP-1186 storage proofs: it works on any node that serves
 * receipts, archive or not, and proves the anchor as it was registered.
 */
import { createMerkleProof, createMPT, verifyMerkleProof } from "@ethereumjs/mpt";
import { RLP } from "@ethereumjs/rlp";
import { keccak256 } from "ethers";

import { DplError } from "../core/errors.js";
import { EVENT_TOPICS } from "../core/ledger-events.js";

/**
 * A bundle that cannot be made or does not hold: `not_registered` (the node has no registration of the
 * dataset), `bundle_unsupported` (the node's blocks or receipts do not rebuild), `bundle_invalid` (a
 * link from the trusted block hash to the root fails; the message says which).
 */
export class BundleError extends DplError {}

/** What createBundle asks of a node: raw JSON-RPC (an ethers JsonRpcProvider has it). */
export interface RawRpc {
  send(method: string, params: unknown[]): Promise<any>;
}

function bytes(hex: string): Buffer {
  const digits = hex.replace(/^0x/, "");
  return Buffer.from(digits.length % 2 ? "0" + digits : digits, "hex");
}
const toHex = (b: Uint8Array) => "0x" + Buffer.from(b).toString("hex");

/** A quantity as RLP wants it: minimal big-endian bytes, empty for zero. */
function quantity(hex: string): Uint8Array {
  const n = BigInt(hex);
  if (n === 0n) return new Uint8Array();
  let h = n.toString(16);
  if (h.length % 2) h = "0" + h;
  return Buffer.from(h, "hex");
}

/** The header fields in consensus order; the later ones only when the block has them. */
export function headerFields(block: any): Uint8Array[] {
  const fields: Uint8Array[] = [
    bytes(block.parentHash),
    bytes(block.sha3Uncles),
    bytes(block.miner),
    bytes(block.stateRoot),
    bytes(block.transactionsRoot),
    bytes(block.receiptsRoot),
    bytes(block.logsBloom),
    quantity(block.difficulty),
    quantity(block.number),
    quantity(block.gasLimit),
    quantity(block.gasUsed),
    quantity(block.timestamp),
    bytes(block.extraData),
    bytes(block.mixHash),
    bytes(block.nonce),
  ];
  const optional: [string, "hash" | "quantity"][] = [
    ["baseFeePerGas", "quantity"],
    ["withdrawalsRoot", "hash"],
    ["blobGasUsed", "quantity"],
    ["excessBlobGas", "quantity"],
    ["parentBeaconBlockRoot", "hash"],
    ["requestsHash", "hash"],
  ];
  for (const [name, kind] of optional) {
    if (block[name] === undefined || block[name] === null) break;
    fields.push(kind === "hash" ? bytes(block[name]) : quantity(block[name]));
  }
  return fields;
}

export const headerHash = (fields: Uint8Array[]) => keccak256(RLP.encode(fields));

/** A receipt as the receipts trie holds it: type byte (for typed transactions) ‖ rlp(status, gas, bloom, logs). */
export function encodeReceipt(receipt: any): Uint8Array {
  const logs = receipt.logs.map((l: any) => [bytes(l.address), l.topics.map(bytes), bytes(l.data)]);
  const body = RLP.encode([quantity(receipt.status), quantity(receipt.cumulativeGasUsed), bytes(receipt.logsBloom), logs]);
  const type = Number(receipt.type ?? "0x0");
  return type === 0 ? body : Buffer.concat([Buffer.from([type]), body]);
}

export interface AnchorBundle {
  blockHash: string;
  header: string[];
  txIndex: number;
  receipt: string;
  receiptProof: string[];
  logIndexInReceipt: number;
}

/** Builds the bundle for the registration of `datasetId` (found in the node's logs). */
export async function createBundle(rpc: RawRpc, ledger: string, datasetId: string): Promise<AnchorBundle> {
  const logs: any[] = await rpc.send("eth_getLogs", [{ address: ledger, topics: [EVENT_TOPICS.DatasetRegistered, datasetId], fromBlock: "0x0", toBlock: "latest" }]);
  if (logs.length === 0) throw new BundleError("not_registered", { key: "err.bundle.notRegistered", values: { id: datasetId } });
  const log = logs[0];
  const block = await rpc.send("eth_getBlockByHash", [log.blockHash, false]);
  const fields = headerFields(block);
  if (headerHash(fields) !== block.hash) throw new BundleError("bundle_unsupported", { key: "err.bundle.header", values: { block: Number(block.number) } });
  const receipts: any[] = await Promise.all(block.transactions.map((tx: string) => rpc.send("eth_getTransactionReceipt", [tx])));
  const trie = await createMPT();
  for (const r of receipts) await trie.put(RLP.encode(quantity(r.transactionIndex)), encodeReceipt(r));
  if (toHex(trie.root()) !== block.receiptsRoot) throw new BundleError("bundle_unsupported", { key: "err.bundle.receipts" });
  const txIndex = Number(log.transactionIndex);
  const receipt = receipts[txIndex];
  const proof = await createMerkleProof(trie, RLP.encode(quantity(receipt.transactionIndex)));
  const logIndexInReceipt = receipt.logs.findIndex((l: any) => l.logIndex === log.logIndex);
  return { blockHash: block.hash, header: fields.map(toHex), txIndex, receipt: toHex(encodeReceipt(receipt)), receiptProof: proof.map(toHex), logIndexInReceipt };
}

/**
 * Checks a bundle against a trusted block hash and returns the Merkle root that `ledger`, the
 * ledger the verifier trusts (never the one a proof names), registered for `datasetId`, or throws
 * a BundleError saying which link failed.
 */
export async function rootFromBundle(bundle: AnchorBundle, trustedBlockHash: string, ledger: string, datasetId: string): Promise<string> {
  const header = bundle.header.map(bytes);
  if (headerHash(header) !== trustedBlockHash.toLowerCase()) throw new BundleError("bundle_invalid", { key: "err.bundle.blockHash" });
  const receiptsRoot = toHex(header[5]);
  const proof = bundle.receiptProof.map(bytes);
  if (keccak256(proof[0]) !== receiptsRoot) throw new BundleError("bundle_invalid", { key: "err.bundle.proofStart" });
  const value = await verifyMerkleProof(RLP.encode(quantity("0x" + bundle.txIndex.toString(16))), proof).catch(() => null);
  if (!value || toHex(value) !== bundle.receipt.toLowerCase()) throw new BundleError("bundle_invalid", { key: "err.bundle.notInTrie" });
  const raw = bytes(bundle.receipt);
  const decoded = RLP.decode(raw[0] < 0x80 ? raw.subarray(1) : raw) as unknown as [Uint8Array, Uint8Array, Uint8Array, [Uint8Array, Uint8Array[], Uint8Array][]];
  const log = decoded[3][bundle.logIndexInReceipt];
  if (!log) throw new BundleError("bundle_invalid", { key: "err.bundle.noLog" });
  const [address, topics, data] = log;
  if (toHex(address) !== ledger.toLowerCase() || toHex(topics[0]) !== EVENT_TOPICS.DatasetRegistered || toHex(topics[1]) !== datasetId.toLowerCase()) {
    throw new BundleError("bundle_invalid", { key: "err.bundle.otherLog", values: { ledger, id: datasetId, emitter: toHex(address) } });
  }
  return toHex(data.subarray(0, 32));
}
