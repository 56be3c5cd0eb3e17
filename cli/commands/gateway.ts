/**
 * The data gateway from the command line. A holder appoints the meter its gateway settles with
 * (dpl meter); a grantee fetches records or a file through the gateway, every record checked against
 * the root the ledger anchored (dpl fetch), lists its receipts (dpl receipts), and anyone with a
 * receipt checks it was settled on chain (dpl verify-receipt).
 */
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { readFile, rename, writeFile } from "node:fs/promises";
import { Readable, Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

import { SingleBar } from "cli-progress";
import type { Command } from "commander";

import type { Dataset, Grant, Page } from "../../core/api-answers.js";
import { datasetId as computeDatasetId, USAGE_ACTION_NAMES } from "../../core/ids.js";
import type { ReceiptProof, SignedReceipt } from "../../core/receipts.js";
import { DeliveryProofError, GatewayClient, GatewayError, verifyReceipt, verifyRecords } from "../../sdk/gateway.js";
import { decodeRevert } from "../../core/revert.js";
import { type Context, LEDGER_INTERFACE, parseAddress, parseId } from "../lib/context.js";
import { messageIn } from "../../core/errors.js";
import { CliError, EXIT } from "../lib/errors.js";
import { shownTime, t, tr } from "../lib/language.js";
import { mined } from "../lib/tx.js";

/** Records asked for per request while fetching. */
const PAGE = 1000;
/** A fetch of more records than this shows a progress bar (on a terminal). */
const PROGRESS_FROM = 5000;

/** `--records A-B` (1-based, inclusive, as lines are counted) as 0-based from and to. */
export function parseRange(text: string): { from: number; to: number } {
  const match = /^(\d{1,12})(?:-(\d{1,12}))?$/.exec(text.trim());
  if (!match) throw new CliError(t("cli.fetch.badRange", { value: text }));
  const from = Number(match[1]);
  const to = match[2] === undefined ? from : Number(match[2]);
  if (from < 1 || to < from) throw new CliError(t("cli.fetch.backwardRange", { value: text }));
  return { from: from - 1, to: to - 1 };
}

/** `--where field=value`. */
function parseWhere(text: string): { field: string; equals: string } {
  const at = text.indexOf("=");
  if (at < 1) throw new CliError(t("cli.fetch.badWhere", { value: text }));
  return { field: text.slice(0, at), equals: text.slice(at + 1) };
}

/** The gateway's refusal as the CLI's: a 4xx the user can act on (2), a 403 refusal (4), else unreachable (3). */
function gatewayFailure(error: unknown): never {
  if (error instanceof GatewayError) throw new CliError(t("cli.gateway.refused", { reason: error.message }), error.status === 403 ? EXIT.refused : error.status >= 500 ? EXIT.network : EXIT.usage);
  if (error instanceof DeliveryProofError) throw new CliError(t("cli.gateway.unproven", { reason: messageIn(error, tr()) }), EXIT.negative);
  throw error;
}

async function signedIn(ctx: Context): Promise<GatewayClient> {
  const client = new GatewayClient(ctx.gatewayUrl);
  await client.signIn(await ctx.signer()).catch(gatewayFailure);
  return client;
}

/** A progress bar on stderr for a long fetch (a terminal only). */
function fetchBar(total: number, show: boolean) {
  if (!show || total < PROGRESS_FROM || !process.stderr.isTTY) return { update: (_n: number) => {}, stop: () => {} };
  const bar = new SingleBar({ format: t("cli.fetch.progress", { bar: "{bar}", percentage: "{percentage}", value: "{value}", total: "{total}" }), stream: process.stderr, hideCursor: true });
  bar.start(total, 0);
  return { update: (n: number) => bar.update(n), stop: () => bar.stop() };
}

/** The caller's one live grant on `datasetId`, as the API knows it; one sentence when there is none or several. */
async function yourGrantOn(ctx: Context, datasetId: string): Promise<string> {
  const me = (await (await ctx.signer()).getAddress()).toLowerCase();
  const live: Grant[] = [];
  for (let cursor: string | null | undefined; ; ) {
    const page = await ctx.api<Page<Grant>>(`/v1/accounts/${me}/grants?role=grantee&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
    live.push(...(page?.items ?? []).filter((g) => g.datasetId === datasetId && g.status === "active"));
    cursor = page?.next;
    if (!cursor) break;
  }
  if (live.length === 1) return live[0].id;
  if (live.length === 0) throw new CliError(t("cli.fetch.noGrant", { account: me, id: datasetId }));
  throw new CliError(t("cli.fetch.manyGrants", { account: me, count: live.length, id: datasetId, grants: live.map((g) => g.id).join(", ") }));
}

export function registerGateway(program: Command, context: () => Promise<Context>): void {
  const meter = program.command("meter").description(t("cli.meter.help"));
  for (const [name, verb] of [
    ["appoint", "appointMeter"],
    ["dismiss", "dismissMeter"],
  ] as const) {
    meter
      .command(name)
      .description(t(name === "appoint" ? "cli.meter.appoint.help" : "cli.meter.dismiss.help"))
      .argument("<address>", t("cli.meter.arg.address"))
      .action(async (address: string) => {
        const ctx = await context();
        const who = parseAddress(address, t("cli.the.meter"));
        const m = await mined(ctx, ctx.ledger(await ctx.signer())[verb](who), name === "appoint" ? "MeterAppointed" : "MeterDismissed");
        if (!ctx.json({ meter: who, appointed: name === "appoint", tx: m.receipt.hash }))
          ctx.say(t(name === "appoint" ? "cli.meter.appointed" : "cli.meter.dismissed", { meter: who, tx: m.receipt.hash }));
      });
  }

  program
    .command("fetch")
    .description(t("cli.fetch.help"))
    .argument("<dataset>", t("cli.arg.datasetId"))
    .option("--grant <id>", t("cli.fetch.opt.grant"))
    .option("--records <range>", t("cli.fetch.opt.records"))
    .option("--where <field=value>", t("cli.fetch.opt.where"))
    .option("--action <action>", "use | process | operate", "use")
    .option("--file", t("cli.fetch.opt.file"))
    .option("--out <file>", t("cli.fetch.opt.out"))
    .action(async (dataset: string, opts: { grant?: string; records?: string; where?: string; action: string; file?: boolean; out?: string }) => {
      const ctx = await context();
      const id = parseId(dataset, t("cli.the.dataset"));
      const grant = opts.grant ? parseId(opts.grant, "--grant") : await yourGrantOn(ctx, id);
      if (!["use", "process", "operate"].includes(opts.action)) throw new CliError(t("cli.use.badAction", { actions: "use, process", last: "operate", value: opts.action }));
      const action = opts.action as "use" | "process" | "operate";
      const range = opts.records ? parseRange(opts.records) : undefined;
      const where = opts.where ? parseWhere(opts.where) : undefined;
      if (opts.file && (range || where)) throw new CliError(t("cli.fetch.fileWhole"));
      if (opts.file && !opts.out) throw new CliError(t("cli.fetch.fileNeedsOut"));
      // What the ledger anchored, read from the node: the gateway's word is checked against it, never trusted.
      const onChain = await ctx
        .ledger()
        .datasetOf(id)
        .catch((error) => {
          if (decodeRevert(LEDGER_INTERFACE, error)?.errorName === "DatasetNotFound") throw new CliError(t("revert.DatasetNotFound", { id }));
          throw error;
        });
      const client = await signedIn(ctx);
      const receipts: SignedReceipt[] = [];
      let count = 0;
      const lines: string[] = [];
      if (opts.file) {
        const anchored = await ctx.api<{ dataset: Dataset }>(`/v1/datasets/${id}`);
        const registrant = anchored?.dataset.registrant;
        const { response, receipt } = await client.file(id, { grant, action }).catch(gatewayFailure);
        if (receipt) receipts.push(receipt);
        const hash = createHash("sha256");
        const partial = `${opts.out}.partial`;
        const hasher = new Transform({
          transform(chunk: Buffer, _e, done) {
            hash.update(chunk);
            done(null, chunk);
          },
        });
        await pipeline(Readable.fromWeb(response.body as never), hasher, createWriteStream(partial)).catch(() => {
          throw new CliError(t("cli.fetch.cutShort"), EXIT.network);
        });
        const sha256 = "0x" + hash.digest("hex");
        // The dataset id commits to its registrant and content hash: the bytes are the anchored ones only if they give the id back.
        if (!registrant || computeDatasetId(registrant, sha256) !== id) throw new CliError(t("cli.fetch.notTheFile", { sha256, id }), EXIT.negative);
        await rename(partial, opts.out!);
        count = Number(anchored?.dataset.recordCount ?? 0);
      } else {
        let header: string | null = null;
        let from = range?.from ?? 0;
        let bar: ReturnType<typeof fetchBar> | undefined;
        for (;;) {
          const { body, receipt } = await client.records(id, { grant, action, from, to: range?.to, limit: PAGE, ...where }).catch(gatewayFailure);
          const answer = await verifyRecords(body, receipt, onChain.merkleRoot).catch(gatewayFailure);
          if (receipt) receipts.push(receipt);
          header ??= answer.header;
          for (const r of answer.records) lines.push(r.data);
          count += answer.records.length;
          bar ??= fetchBar((range ? range.to + 1 : answer.total) - (range?.from ?? 0), !ctx.options.json && Boolean(opts.out));
          bar.update(count);
          if (answer.next === null) break;
          from = answer.next;
        }
        bar?.stop();
        const text = (header !== null ? [header, ...lines] : lines).join("\n") + "\n";
        if (opts.out) await writeFile(opts.out, text);
        else if (!ctx.options.json) process.stdout.write(text);
      }
      const units = receipts.reduce((n, r) => n + BigInt(r.receipt.units), 0n);
      if (opts.out) await writeFile(`${opts.out}.receipts.json`, JSON.stringify(receipts, null, 2) + "\n");
      const summary = { dataset: id, grant, records: count, units: units.toString(), receipts: receipts.map((r) => r.receipt.sequence), out: opts.out ?? null, ...(opts.out ? {} : { data: lines }) };
      if (ctx.json(summary)) return;
      const what = opts.file ? t("cli.fetch.whatFile") : t("cli.fetch.whatRecords", { count });
      const where2 = opts.out ? t("cli.fetch.into", { file: opts.out }) : "";
      const numbers = summary.receipts.join(", ") || t("right.none");
      console.error(t("cli.fetch.done", { what, where: where2, units, grant, count: receipts.length, receipts: numbers }));
    });

  program
    .command("receipts")
    .description(t("cli.receipts.help"))
    .option("--limit <n>", t("cli.receipts.opt.limit"), "25")
    .action(async (opts: { limit: string }) => {
      const ctx = await context();
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError(t("cli.badLimit", { value: opts.limit }));
      const client = await signedIn(ctx);
      const { items } = await client.receipts({ limit }).catch(gatewayFailure);
      if (ctx.json(items)) return;
      if (items.length === 0) return ctx.say(t("cli.receipts.none"));
      for (const r of items) {
        const x = r.receipt;
        ctx.say(
          t("cli.receipts.row", {
            sequence: x.sequence,
            time: shownTime(x.time),
            grant: x.grantId,
            action: USAGE_ACTION_NAMES[x.action],
            units: x.units,
            epoch: x.epoch,
            state: r.state,
          }),
        );
      }
    });

  program
    .command("verify-receipt")
    .description(t("cli.verifyReceipt.help"))
    .argument("<receipt>", t("cli.verifyReceipt.arg.receipt"))
    .action(async (target: string) => {
      const ctx = await context();
      let proof: Partial<ReceiptProof> & SignedReceipt;
      if (/^\d{1,20}$/.test(target)) {
        const client = await signedIn(ctx);
        proof = await client.receipt(target).catch(gatewayFailure);
      } else {
        proof = await readFile(target, "utf8").then(JSON.parse, () => {
          throw new CliError(t("cli.verifyReceipt.unreadable", { target }));
        });
      }
      const r = proof.receipt;
      if (!r?.holder || r.epoch === undefined) throw new CliError(t("cli.verifyReceipt.notReceipt"));
      if (proof.proof === undefined || proof.position === undefined) throw new CliError(t("cli.verifyReceipt.unsealed", { sequence: r.sequence, epoch: r.epoch }), EXIT.negative);
      const ledger = ctx.ledger();
      // The root the ledger recorded for the epoch, read from the node's own log of the settlement.
      const [settled] = await ledger.queryFilter(ledger.filters.EpochSettled(r.holder, r.epoch));
      if (!settled) throw new CliError(t("cli.verifyReceipt.unsettled", { sequence: r.sequence, epoch: r.epoch }), EXIT.negative);
      const signer = await verifyReceipt(proof as ReceiptProof, {
        chainId: await ctx.chainId(),
        ledger: ctx.ledgerAddress,
        signers: [settled.args.holder, settled.args.meter],
        root: settled.args.receiptsRoot,
      }).catch(gatewayFailure);
      const answer = {
        receipt: r.sequence,
        epoch: r.epoch,
        holder: r.holder,
        signer,
        root: settled.args.receiptsRoot,
        tx: settled.transactionHash,
        block: settled.blockNumber,
        units: r.units,
        grant: r.grantId,
      };
      if (!ctx.json({ settled: true, ...answer })) {
        ctx.say(
          t("cli.verifyReceipt.settled", { sequence: r.sequence, units: r.units, grant: r.grantId, signer, epoch: r.epoch, holder: r.holder, root: answer.root, tx: answer.tx, block: answer.block }),
        );
      }
    });
}
