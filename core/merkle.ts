/**
 * The Merkle tree over a dataset's records, built with merkletreejs in OpenZeppelin
 * StandardMerkleTree's leaf encoding with sorted pairs, so that proofs verify with the ledger's
 * `verifyRecord` and with `StandardMerkleTree.verify`. Keccak-256 is hash-wasm's WebAssembly
 * build: nearly all of the tree's cost is hashing, and it is about ten times faster than pure JS.
 */
import { ZeroHash } from "ethers";

import { createKeccak, type IHasher } from "hash-wasm";
import { MerkleTree } from "merkletreejs";

export interface RecordTree {
  root: string;
  /** The proof of record `index` (hex siblings, bottom up). */
  proof(index: number): string[];
  leaf(index: number): string;
}

let hasher: IHasher | undefined;
async function keccakHasher(): Promise<IHasher> {
  return (hasher ??= await createKeccak(256));
}

function keccakSync(h: IHasher, data: Uint8Array): Buffer {
  h.init();
  h.update(data);
  return Buffer.from(h.digest("binary"));
}

/** keccak256(keccak256(abi.encode(uint256 index, bytes32 recordHash))). */
function leafOf(h: IHasher, index: number, recordHash: string): Buffer {
  const encoded = Buffer.alloc(64);
  encoded.writeBigUInt64BE(BigInt(index), 24);
  Buffer.from(recordHash.slice(2), "hex").copy(encoded, 32);
  return keccakSync(h, keccakSync(h, encoded));
}

export async function buildRecordTree(recordHashes: string[]): Promise<RecordTree> {
  const h = await keccakHasher();
  const leaves = recordHashes.map((r, i) => leafOf(h, i, r));
  const tree = new MerkleTree(leaves, (data: Buffer) => keccakSync(h, data), { sortPairs: true });
  const hex = (b: Buffer) => "0x" + b.toString("hex");
  return {
    root: leaves.length === 0 ? ZeroHash : tree.getHexRoot(),
    proof: (index) => tree.getHexProof(leaves[index], index),
    leaf: (index) => hex(leaves[index]),
  };
}

/** Recomputes a root from a leaf and its sorted-pair proof. */
export async function rootFromProof(leaf: string, proof: string[]): Promise<string> {
  const h = await keccakHasher();
  let node: Buffer = Buffer.from(leaf.slice(2), "hex");
  for (const sibling of proof) {
    const other = Buffer.from(sibling.slice(2), "hex");
    node = keccakSync(h, Buffer.compare(node, other) <= 0 ? Buffer.concat([node, other]) : Buffer.concat([other, node]));
  }
  return "0x" + node.toString("hex");
}

export async function recordLeafHex(index: number, recordHash: string): Promise<string> {
  return "0x" + leafOf(await keccakHasher(), index, recordHash).toString("hex");
}
