/**
 * dpl anchor <file|dir>: fingerprints the data (SHA-256 streamed, records, Merkle root), writes the
 * sidecar manifest <name>.dpl.json and registers the dataset, unless this holder anchored the same
 * content already (a read-only check, no transaction).
 */
import { randomBytes } from "node:crypto";
import { chmod, readFile, writeFile } from "node:fs/promises";

import { SingleBar } from "cli-progress";
import type { Command } from "commander";
import { ZeroHash } from "ethers";

import type { Grant, Page } from "../../core/api-answers.js";
import { schemeName } from "../../core/fingerprint.js";
import { EVENT_TOPICS } from "../../core/ledger-events.js";
import { defaultManifestFile, fingerprint, type Manifest, requireSalt, saltedHash } from "../../core/manifest.js";
import { buildRecordTree } from "../../core/merkle.js";
import { type Context, parseId } from "../lib/context.js";
import { CliError } from "../lib/errors.js";
import { t } from "../lib/language.js";
import { eventNamed, mined } from "../lib/tx.js";

const PROGRESS_FROM_BYTES = 32 * 1024 * 1024;

/** cli-progress fills these in itself: the message keeps them as they are. */
const PROGRESS_FIELDS = { bar: "{bar}", percentage: "{percentage}", value: "{value}", total: "{total}" };

/** A progress bar on stderr while a large file is hashed (a terminal only); `done` removes it. */
function hashingBar(show: boolean) {
  let bar: SingleBar | undefined;
  const onProgress = (bytes: number, size: number) => {
    if (!show || size < PROGRESS_FROM_BYTES || !process.stderr.isTTY) return;
    if (!bar) {
      bar = new SingleBar({ format: t("cli.anchor.progress", PROGRESS_FIELDS), stream: process.stderr, hideCursor: true });
      bar.start(Math.ceil(size / 2 ** 20), 0);
    }
    bar.update(Math.floor(bytes / 2 ** 20));
  };
  return { onProgress, done: () => bar?.stop() };
}

/** Writes a manifest; one that holds a salt is readable by its owner only (the salt is what keeps the anchor private). */
async function writeManifest(file: string, manifest: Manifest): Promise<void> {
  await writeFile(file, JSON.stringify(manifest, null, 2) + "\n", manifest.salt ? { mode: 0o600 } : {});
  if (manifest.salt) await chmod(file, 0o600);
}

function metadataURIOf(meta: string | undefined): string {
  if (!meta) return "";
  if (/^(https?|ipfs|ar|data):/i.test(meta)) return meta;
  try {
    const parsed = JSON.parse(meta);
    if (parsed === null || typeof parsed !== "object" || Array.isArray(parsed)) throw new Error();
    return `data:application/json;base64,${Buffer.from(JSON.stringify(parsed)).toString("base64")}`;
  } catch {
    throw new CliError(t("cli.anchor.badMeta"));
  }
}

/** Each --parent is <datasetId> or <datasetId>:<grantId>; without a grant, the one to derive under is looked up. */
async function resolveParents(ctx: Context, holder: string, parents: string[]): Promise<{ datasetId: string; grantId: string }[]> {
  const out: { datasetId: string; grantId: string }[] = [];
  for (const text of parents) {
    const [id, grant] = text.split(":");
    const datasetId = parseId(id, "--parent");
    if (grant) {
      out.push({ datasetId, grantId: parseId(grant, t("cli.the.parentGrant")) });
      continue;
    }
    const parentHolder = await ctx.ledger().holderOf(datasetId);
    if (parentHolder === "0x0000000000000000000000000000000000000000") throw new CliError(t("cli.anchor.parentUnknown", { id: datasetId }));
    if (parentHolder.toLowerCase() === holder.toLowerCase()) {
      out.push({ datasetId, grantId: ZeroHash });
      continue;
    }
    const grants = await ctx.api<Page<Grant>>(`/v1/accounts/${holder.toLowerCase()}/grants?limit=500`);
    const usable = (grants?.items ?? []).find((g) => g.datasetId === datasetId && g.status === "active" && g.rights.includes("process"));
    if (!usable) throw new CliError(t("cli.anchor.parentNoGrant", { id: datasetId }));
    out.push({ datasetId, grantId: usable.id });
  }
  return out;
}

export function registerAnchor(program: Command, context: () => Promise<Context>): void {
  program
    .command("anchor")
    .description(t("cli.anchor.help"))
    .argument("<path>", t("cli.anchor.arg.path"))
    .option("--records <scheme>", t("cli.anchor.opt.records"))
    .option("--meta <json|url>", t("cli.anchor.opt.meta"))
    .option("--parent <id[:grant]>", t("cli.anchor.opt.parent"), (v: string, all: string[]) => [...all, v], [] as string[])
    .option("--version-of <id>", t("cli.anchor.opt.versionOf"))
    .option("--private", t("cli.anchor.opt.private"))
    .option("--manifest <file>", t("cli.anchor.opt.manifest"))
    .action(async (target: string, opts: { records?: string; meta?: string; parent: string[]; versionOf?: string; private?: boolean; manifest?: string }) => {
      const ctx = await context();
      const metadataURI = metadataURIOf(opts.meta);
      const previous = opts.versionOf ? parseId(opts.versionOf, "--version-of") : undefined;
      const signer = await ctx.signer();
      const holder = await signer.getAddress();
      const manifestFile = opts.manifest ?? defaultManifestFile(target);
      // A private anchor keeps its salt, so that anchoring the same file again finds the same
      // commitment; a salt that could not hide it (planted, damaged) is refused, never used.
      const previous_: { salt?: unknown } | undefined = await readFile(manifestFile, "utf8").then(
        (t) => JSON.parse(t),
        () => undefined,
      );
      const salt = opts.private ? (previous_ && "salt" in previous_ ? requireSalt(previous_.salt, manifestFile) : "0x" + randomBytes(32).toString("hex")) : undefined;
      const bar = hashingBar(!ctx.options.json);
      const fp = await fingerprint(target, opts.records, salt, bar.onProgress).finally(bar.done);
      const tree = await buildRecordTree(fp.recordHashes);
      const contentHash = salt ? saltedHash(salt, fp.sha256) : fp.sha256;
      const ledger = ctx.ledger(signer);
      const datasetId = (await ledger.computeDatasetId(holder, contentHash)).toLowerCase();
      const manifest: Manifest = {
        version: 1,
        kind: fp.kind,
        name: target,
        datasetId,
        holder,
        chainId: (await ctx.chainId()).toString(),
        ledger: ctx.ledgerAddress,
        contentHash,
        sha256: fp.sha256,
        size: fp.size,
        records: { scheme: schemeName(fp.scheme), count: fp.recordHashes.length },
        merkleRoot: tree.root,
        ...(salt ? { salt } : {}),
        metadataURI,
        parents: [],
        ...(previous ? { previousVersion: previous } : {}),
        ...(fp.entries ? { entries: fp.entries } : {}),
      };
      if (await ledger.isAnchored(holder, contentHash)) {
        // Keep a manifest that already describes this anchor; otherwise rebuild it, with the
        // registration's transaction and block found in the ledger's logs.
        const existing = await readFile(manifestFile, "utf8").then(JSON.parse, () => undefined);
        if (existing?.datasetId !== datasetId || existing?.salt !== manifest.salt) {
          const [log] = await ctx.provider.send("eth_getLogs", [{ address: ctx.ledgerAddress, topics: [EVENT_TOPICS.DatasetRegistered, datasetId], fromBlock: "0x0", toBlock: "latest" }]);
          if (log) Object.assign(manifest, { tx: log.transactionHash, block: Number(log.blockNumber) });
          await writeManifest(manifestFile, manifest);
        }
        if (!ctx.json({ datasetId, alreadyAnchored: true, manifest: manifestFile })) {
          ctx.say(t("cli.anchor.already", { holder, id: datasetId }));
        }
        return;
      }
      manifest.parents = await resolveParents(ctx, holder, opts.parent);
      // A private anchor publishes no record count: it would help match the file.
      const recordCount = salt ? 0n : BigInt(fp.recordHashes.length);
      const sent = previous
        ? ledger.registerVersion(previous, contentHash, tree.root, recordCount, metadataURI, manifest.parents)
        : ledger.register(contentHash, tree.root, recordCount, metadataURI, manifest.parents);
      const m = await mined(ctx, sent, "DatasetRegistered");
      const registered = eventNamed(m, "DatasetRegistered");
      manifest.tx = m.receipt.hash;
      manifest.block = m.receipt.blockNumber;
      await writeManifest(manifestFile, manifest);
      if (
        ctx.json({
          datasetId: registered?.args.datasetId ?? datasetId,
          tx: m.receipt.hash,
          block: m.receipt.blockNumber,
          contentHash,
          merkleRoot: tree.root,
          records: fp.recordHashes.length,
          manifest: manifestFile,
        })
      )
        return;
      ctx.say(t("cli.anchor.done", { id: registered?.args.datasetId ?? datasetId }));
      ctx.say(t(salt ? "cli.anchor.contentSalted" : "cli.anchor.content", { hash: contentHash }));
      ctx.say(t("cli.anchor.records", { count: fp.recordHashes.length, scheme: schemeName(fp.scheme), root: tree.root }));
      ctx.say(t("cli.anchor.tx", { tx: m.receipt.hash, block: m.receipt.blockNumber, manifest: manifestFile }));
    });
}
