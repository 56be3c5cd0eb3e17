/**
 * dpl verify <file|dir|hash>: every anchor of the content (holder, time, block, tx). Exit 0 when it
 * is anchored with enough confirmations, 1 when it is not (or only pending). By default it asks the
 * API; --chain asks the node directly, so a user who does not trust the indexer needs only a node.
 */
import { readFile, stat } from "node:fs/promises";

import type { Command } from "commander";

import { redactUrl } from "../../core/redact.js";
import { EVENT_TOPICS, decodeLedgerLog, type RawLog } from "../../core/ledger-events.js";
import type { Context } from "../lib/context.js";
import { CliError, EXIT } from "../lib/errors.js";
import { shownTime, t } from "../lib/language.js";
import { printable } from "../lib/text.js";
import type { Anchors } from "../../core/api-answers.js";
import { defaultManifestFile, fingerprint, type Manifest, saltedHash } from "../../core/manifest.js";

export interface Anchor {
  datasetId: string;
  holder: string;
  blockNumber: number;
  txHash: string;
  timestamp: number;
  confirmations: number;
}

/** The content hash to look for: a given hash, or the file's or directory's (salted when its manifest has a salt). */
export async function contentHashOf(target: string, manifestFile?: string): Promise<{ contentHash: string; private: boolean; manifest?: Manifest }> {
  if (/^0x[0-9a-fA-F]{64}$/.test(target)) return { contentHash: target.toLowerCase(), private: false };
  await stat(target).catch(() => {
    throw new CliError(t("cli.verify.noTarget", { target }));
  });
  const manifestPath = manifestFile ?? defaultManifestFile(target);
  const manifest: Manifest | undefined = await readFile(manifestPath, "utf8").then(JSON.parse, () => undefined);
  if (manifestFile && !manifest) throw new CliError(t("cli.manifestUnreadable", { file: manifestFile }));
  const fp = await fingerprint(target, undefined);
  if (manifest?.salt) return { contentHash: saltedHash(manifest.salt, fp.sha256), private: true, manifest };
  return { contentHash: fp.sha256, private: false, manifest };
}

/**
 * Why content whose manifest records an anchor is not found here, when the manifest says why: another
 * ledger, another chain, or a chain without the manifest's transaction (reset, or another chain at
 * the same address). Undefined when the manifest's transaction is on this chain, or it names none.
 */
export async function whyNotFound(ctx: Context, manifest: Manifest | undefined): Promise<string | undefined> {
  if (!manifest?.tx) return undefined;
  const where = { ledger: manifest.ledger, chain: manifest.chainId, tx: manifest.tx, block: manifest.block ?? "?" };
  if (manifest.ledger.toLowerCase() !== ctx.ledgerAddress.toLowerCase()) return t("cli.verify.otherLedger", { ...where, here: ctx.ledgerAddress });
  const chainId = await ctx.chainId();
  if (String(chainId) !== String(manifest.chainId)) return t("cli.verify.otherChain", { ...where, url: redactUrl(ctx.rpcUrl), here: chainId });
  if ((await ctx.provider.send("eth_getTransactionReceipt", [manifest.tx])) === null) return t("cli.verify.chainReset", where);
  return undefined;
}

/** Anchors of `contentHash` straight from the node's logs: DatasetRegistered filtered by its content-hash topic. */
export async function anchorsOnChain(ctx: Context, contentHash: string): Promise<Anchor[]> {
  const head = Number(await ctx.provider.send("eth_blockNumber", []));
  const logs: RawLog[] = await ctx.provider.send("eth_getLogs", [
    { address: ctx.ledgerAddress, topics: [EVENT_TOPICS.DatasetRegistered, null, null, contentHash], fromBlock: "0x0", toBlock: "latest" },
  ]);
  const anchors: Anchor[] = [];
  for (const log of logs) {
    const event = decodeLedgerLog(log);
    if (event?.kind !== "DatasetRegistered") continue;
    const block = await ctx.provider.send("eth_getBlockByHash", [log.blockHash, false]);
    if (!block) continue; // reorganised away while we looked
    const blockNumber = Number(log.blockNumber);
    anchors.push({ datasetId: event.datasetId, holder: event.holder, blockNumber, txHash: log.transactionHash, timestamp: Number(block.timestamp), confirmations: head - blockNumber + 1 });
  }
  return anchors;
}

export async function anchorsFromApi(ctx: Context, contentHash: string): Promise<Anchor[]> {
  const answer = await ctx.api<Anchors>(`/v1/verify/${contentHash}`);
  return (answer?.anchors ?? []).map((d) => ({
    datasetId: d.id,
    holder: d.registrant,
    blockNumber: d.registered.blockNumber,
    txHash: d.registered.txHash,
    timestamp: d.registered.timestamp,
    confirmations: d.registered.confirmations,
  }));
}

export function registerVerify(program: Command, context: () => Promise<Context>): void {
  program
    .command("verify")
    .description(t("cli.verify.help"))
    .argument("<target>", t("cli.verify.arg.target"))
    .option("--chain", t("cli.opt.chain"))
    .option("--manifest <file>", t("cli.verify.opt.manifest"))
    .option("--confirmations <n>", t("cli.verify.opt.confirmations"), "1")
    .action(async (target: string, opts: { chain?: boolean; manifest?: string; confirmations: string }) => {
      const ctx = await context();
      const needed = Number(opts.confirmations);
      if (!Number.isInteger(needed) || needed < 0) throw new CliError(t("cli.verify.badConfirmations", { value: opts.confirmations }));
      const { contentHash, manifest } = await contentHashOf(target, opts.manifest);
      const anchors = opts.chain ? await anchorsOnChain(ctx, contentHash) : await anchorsFromApi(ctx, contentHash);
      const confirmed = anchors.filter((a) => a.confirmations >= needed);
      const anchored = confirmed.length > 0;
      const elsewhere = anchors.length === 0 ? await whyNotFound(ctx, manifest) : undefined;
      if (
        !ctx.json({
          contentHash,
          anchored,
          source: opts.chain ? "chain" : "api",
          anchors: anchors.map((a) => ({ ...a, pending: a.confirmations < needed })),
          ...(elsewhere ? { note: elsewhere } : {}),
        })
      ) {
        if (anchors.length === 0)
          ctx.say(elsewhere ? t("cli.verify.notHere", { hash: contentHash, why: printable(elsewhere) }) : t("cli.verify.notAnchored", { hash: contentHash, ledger: ctx.ledgerAddress }));
        for (const a of anchors) {
          const state = a.confirmations >= needed ? t("cli.verify.confirmed", { count: a.confirmations }) : t("cli.verify.pending", { count: a.confirmations, needed });
          ctx.say(t("cli.verify.anchored", { holder: a.holder, time: shownTime(a.timestamp), block: a.blockNumber, tx: a.txHash, state, id: a.datasetId }));
        }
      }
      if (!anchored) process.exitCode = EXIT.negative;
    });
}
