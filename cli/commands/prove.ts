/**
 * dpl prove <file> --record <n>: a proof that record n belongs to the anchored dataset, checkable
 * on chain (`verifyRecord`) or offline against the root; and dpl verify-proof <proof.json>.
 */
import { readFile, writeFile } from "node:fs/promises";

import type { Command } from "commander";

import type { Context } from "../lib/context.js";
import { CliError, EXIT } from "../lib/errors.js";
import { t } from "../lib/language.js";
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
    .description(t("cli.prove.help"))
    .argument("<file>", t("cli.prove.arg.file"))
    .requiredOption("--record <n>", t("cli.prove.opt.record"))
    .option("--manifest <file>", t("cli.prove.opt.manifest"))
    .option("--out <proof.json>", t("cli.prove.opt.out"))
    .option("--bundle", t("cli.prove.opt.bundle"))
    .action(async (target: string, opts: { record: string; manifest?: string; out?: string; bundle?: boolean }) => {
      const ctx = await context();
      const manifestPath = opts.manifest ?? defaultManifestFile(target);
      const manifest: Manifest = await readFile(manifestPath, "utf8").then(JSON.parse, () => {
        throw new CliError(t("cli.prove.noManifest", { file: manifestPath }));
      });
      const fp = await fingerprint(target, manifest.kind === "file" ? manifest.records.scheme : undefined, manifest.salt);
      const index = Number(opts.record);
      if (!Number.isInteger(index) || index < 0 || index >= fp.recordHashes.length) {
        throw new CliError(t("cli.prove.badRecord", { max: fp.recordHashes.length - 1, value: opts.record }));
      }
      const tree = await buildRecordTree(fp.recordHashes);
      if (tree.root !== manifest.merkleRoot) throw new CliError(t("cli.prove.changed", { target, root: tree.root, anchored: manifest.merkleRoot }), EXIT.negative);
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
        ctx.say(t("cli.prove.written", { index, id: manifest.datasetId, file: opts.out }));
      } else process.stdout.write(text);
    });

  program
    .command("verify-proof")
    .description(t("cli.verifyProof.help"))
    .argument("<proof.json>", t("cli.verifyProof.arg.proof"))
    .option("--root <hex>", t("cli.verifyProof.opt.root"))
    .option("--offline", t("cli.verifyProof.opt.offline"))
    .option("--block-hash <hash>", t("cli.verifyProof.opt.blockHash"))
    .action(async (file: string, opts: { root?: string; offline?: boolean; blockHash?: string }) => {
      const ctx = await context();
      const proof: RecordProof = await readFile(file, "utf8").then(JSON.parse, () => {
        throw new CliError(t("cli.verifyProof.unreadable", { file }));
      });
      if (!Array.isArray(proof?.proof) || typeof proof?.record?.hash !== "string") throw new CliError(t("cli.verifyProof.notProof", { file }));
      const leaf = await recordLeafHex(proof.record.index, proof.record.hash);
      const computedRoot = await rootFromProof(leaf, proof.proof);
      let valid: boolean;
      let against: string;
      if (opts.offline) {
        if (!proof.bundle) throw new CliError(t("cli.verifyProof.noBundle", { file }));
        if (!opts.blockHash || !/^0x[0-9a-fA-F]{64}$/.test(opts.blockHash)) throw new CliError(t("cli.verifyProof.needsBlockHash"));
        // The ledger is the verifier's to name, never the proof's: anyone can deploy a contract that
        // emits a registration-shaped log for someone else's dataset.
        const trusted = ctx.ledgerAddress;
        if (String(proof.ledger).toLowerCase() !== trusted.toLowerCase()) {
          throw new CliError(t("cli.verifyProof.otherLedger", { file, ledger: String(proof.ledger), trusted, source: ctx.ledgerSource }), EXIT.negative);
        }
        const registeredRoot = await rootFromBundle(proof.bundle, opts.blockHash, trusted, proof.datasetId);
        valid = computedRoot === registeredRoot;
        against = t("cli.verifyProof.againstBundle", { ledger: trusted, source: ctx.ledgerSource, block: opts.blockHash });
      } else if (opts.root) {
        if (!/^0x[0-9a-fA-F]{64}$/.test(opts.root)) throw new CliError(t("cli.verifyProof.badRoot", { value: opts.root }));
        valid = computedRoot === opts.root.toLowerCase();
        against = t("cli.verifyProof.againstRoot", { root: opts.root });
      } else {
        valid = await ctx.ledger().verifyRecord(proof.datasetId, proof.record.index, proof.record.hash, proof.proof);
        against = t("cli.verifyProof.againstLedger", { id: proof.datasetId, ledger: ctx.ledgerAddress });
      }
      const ledger = opts.root ? null : { address: ctx.ledgerAddress, from: ctx.ledgerSource };
      if (!ctx.json({ valid, datasetId: proof.datasetId, record: proof.record, computedRoot, ledger })) {
        ctx.say(valid ? t("cli.verifyProof.valid", { index: proof.record.index, hash: proof.record.hash, against }) : t("cli.verifyProof.invalid", { index: proof.record.index, against }));
      }
      if (!valid) process.exitCode = EXIT.negative;
    });
}
