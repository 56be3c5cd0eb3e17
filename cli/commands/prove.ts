/**
 * dpl prove <file> --record <n>: a proof that record n belongs to the anchored dataset, checkable
 * on chain (`verifyRecord`) or offline against the root; and dpl verify-proof <proof.json>.
 */
import { readFile, writeFile } from "node:fs/promises";

import type { Command } from "commander";

import type { Context } from "../lib/context.js";
import { CliError, EXIT } from "../lib/errors.js";
import { type AnchorBundle, createBundle, rootFromBundle } from "../../sdk/bundle.js";
import { buildRecordTree, recordLeafHex, rootFromProof } from "../../core/merkle.js";
import { defaultManifestFile, fingerprint, type Manifest } from "../../core/manifest.js";

export interface RecordProof {
  version: 1;
  datasetId: string;
  chainId: string;
  ledger: string;
  merkleRoot: string;
  record: { index: number; hash: string };
  leaf: string;
  proof: string[];
  /** With --bundle: what ties the root to a block (see sdk/bundle.ts). */
  bundle?: AnchorBundle;
}

export function registerProve(program: Command, context: () => Promise<Context>): void {
  program
    .command("prove")
    .description("write a Merkle proof that one record belongs to an anchored file")
    .argument("<file>", "the anchored file or directory (its manifest <file>.dpl.json must be beside it)")
    .requiredOption("--record <n>", "the record's index, from 0")
    .option("--manifest <file>", "the manifest written by dpl anchor (default <file>.dpl.json)")
    .option("--out <proof.json>", "where to write the proof (default: standard output)")
    .option("--bundle", "make it portable: add the block header, the registration receipt and its receipts-trie proof")
    .action(async (target: string, opts: { record: string; manifest?: string; out?: string; bundle?: boolean }) => {
      const ctx = await context();
      const manifestPath = opts.manifest ?? defaultManifestFile(target);
      const manifest: Manifest = await readFile(manifestPath, "utf8").then(JSON.parse, () => {
        throw new CliError(`cannot read the manifest ${manifestPath}; anchor the file with dpl anchor first, or pass --manifest`);
      });
      const fp = await fingerprint(target, manifest.kind === "file" ? manifest.records.scheme : undefined, manifest.salt);
      const index = Number(opts.record);
      if (!Number.isInteger(index) || index < 0 || index >= fp.recordHashes.length) {
        throw new CliError(`--record must be a record index from 0 to ${fp.recordHashes.length - 1}, not "${opts.record}"`);
      }
      const tree = await buildRecordTree(fp.recordHashes);
      if (tree.root !== manifest.merkleRoot) throw new CliError(`${target} no longer matches its manifest: its Merkle root is ${tree.root}, the anchored one ${manifest.merkleRoot}`, EXIT.negative);
      const proof: RecordProof = {
        version: 1,
        datasetId: manifest.datasetId,
        chainId: manifest.chainId,
        ledger: manifest.ledger,
        merkleRoot: tree.root,
        record: { index, hash: fp.recordHashes[index] },
        leaf: tree.leaf(index),
        proof: tree.proof(index),
        ...(opts.bundle ? { bundle: await createBundle(ctx.provider, ctx.ledgerAddress, manifest.datasetId) } : {}),
      };
      const text = JSON.stringify(proof, null, 2) + "\n";
      if (opts.out) {
        await writeFile(opts.out, text);
        ctx.say(`proof of record ${index} of dataset ${manifest.datasetId} written to ${opts.out}`);
      } else process.stdout.write(text);
    });

  program
    .command("verify-proof")
    .description("check a record proof against the root on chain, or offline with --root; exit 0 if valid, 1 if not")
    .argument("<proof.json>", "a proof written by dpl prove")
    .option("--root <hex>", "check offline against this Merkle root instead of asking the ledger")
    .option("--offline", "check a bundled proof with no node at all (needs --block-hash, and the ledger you trust: --ledger, LEDGER_ADDRESS or the deployment record)")
    .option("--block-hash <hash>", "with --offline: the hash of the registration's block, from a source you trust")
    .action(async (file: string, opts: { root?: string; offline?: boolean; blockHash?: string }) => {
      const ctx = await context();
      const proof: RecordProof = await readFile(file, "utf8").then(JSON.parse, () => {
        throw new CliError(`cannot read the proof ${file}`);
      });
      if (!Array.isArray(proof?.proof) || typeof proof?.record?.hash !== "string") throw new CliError(`${file} is not a proof written by dpl prove`);
      const leaf = await recordLeafHex(proof.record.index, proof.record.hash);
      const computedRoot = await rootFromProof(leaf, proof.proof);
      let valid: boolean;
      let against: string;
      if (opts.offline) {
        if (!proof.bundle) throw new CliError(`${file} carries no bundle: write it with dpl prove --bundle`);
        if (!opts.blockHash || !/^0x[0-9a-fA-F]{64}$/.test(opts.blockHash))
          throw new CliError("--offline needs --block-hash <0x-prefixed 32-byte hash> of the registration's block, from a source you trust");
        // The ledger is the verifier's to name, never the proof's: anyone can deploy a contract that
        // emits a registration-shaped log for someone else's dataset.
        const trusted = ctx.ledgerAddress;
        if (String(proof.ledger).toLowerCase() !== trusted.toLowerCase()) {
          throw new CliError(`${file} is a proof on ledger ${proof.ledger}, not on the ledger you trust, ${trusted} (from ${ctx.ledgerSource}): refused`, EXIT.negative);
        }
        const registeredRoot = await rootFromBundle(proof.bundle, opts.blockHash, trusted, proof.datasetId);
        valid = computedRoot === registeredRoot;
        against = `the root ledger ${trusted} (trusted from ${ctx.ledgerSource}) registered in block ${opts.blockHash} (offline, through its receipts trie)`;
      } else if (opts.root) {
        if (!/^0x[0-9a-fA-F]{64}$/.test(opts.root)) throw new CliError(`--root must be a 0x-prefixed 32-byte hex root, not "${opts.root}"`);
        valid = computedRoot === opts.root.toLowerCase();
        against = `the root ${opts.root} (offline)`;
      } else {
        valid = await ctx.ledger().verifyRecord(proof.datasetId, proof.record.index, proof.record.hash, proof.proof);
        against = `dataset ${proof.datasetId}'s root on ledger ${ctx.ledgerAddress} (verifyRecord)`;
      }
      const ledger = opts.root ? null : { address: ctx.ledgerAddress, from: ctx.ledgerSource };
      if (!ctx.json({ valid, datasetId: proof.datasetId, record: proof.record, computedRoot, ledger })) {
        ctx.say(valid ? `valid: record ${proof.record.index} (${proof.record.hash}) is under ${against}` : `NOT valid: record ${proof.record.index} is not under ${against}`);
      }
      if (!valid) process.exitCode = EXIT.negative;
    });
}
