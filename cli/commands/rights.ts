/**
 * The commands that change rights: grant (or sign a grant request), relay, cancel-request, revoke,
 * renounce, use, transfer, accept and retire. Each sends one transaction, waits for it, and prints
 * what it did. And can-use, which asks the ledger whether a use would pass, and why not.
 */
import { ZeroAddress, ZeroHash } from "ethers";

import { randomBytes } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { stat } from "node:fs/promises";

import type { Command } from "commander";

import { hasEnd, NO_END } from "../../core/window.js";
import { currencyCodeText, PURPOSE_CLASS_NAMES, rightNames, Rights, USAGE_ACTION_NAMES, type UsageAction, type UsageActionName } from "../../core/ids.js";
import { type Context, parseAddress, parseId } from "../lib/context.js";
import { refusalSentence, rightsText } from "../../core/revert.js";
import { feeTermsTuple, LedgerClient } from "../../sdk/index.js";
import { feeTermsText } from "../../core/money.js";
import { type FeeOptions, feeTermsOf } from "./fees.js";
import { CliError, EXIT } from "../lib/errors.js";
import { shownTime, t, tr } from "../lib/language.js";
import { sha256File } from "../../core/fingerprint.js";
import { printable } from "../lib/text.js";
import { eventNamed, mined } from "../lib/tx.js";

export function parseRights(text: string): number {
  let rights = 0;
  for (const part of text.split(",").map((s) => s.trim().toLowerCase())) {
    if (part === "use") rights |= Rights.USE;
    else if (part === "process") rights |= Rights.PROCESS;
    else if (part === "operate" || part === "operate-product") rights |= Rights.OPERATE_PRODUCT;
    else throw new CliError(t("cli.grant.badRights", { part }));
  }
  return rights;
}

/**
 * A date (ISO 8601, e.g. 2027-01-31 or 2027-01-31T12:00Z), "now", or Unix seconds. "now" is the
 * chain's clock (its latest block), which is the one the ledger checks windows against.
 */
export function parseTime(text: string, what: string, chainNow: number): number {
  if (text === "now") return chainNow;
  if (/^\d+$/.test(text)) return Number(text);
  const ms = Date.parse(text);
  if (Number.isNaN(ms)) throw new CliError(t("cli.badTime", { what, value: text }));
  return Math.floor(ms / 1000);
}

function parseCount(text: string, what: string, max: bigint, min = 0n): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) > max || BigInt(text) < min) throw new CliError(t("cli.badCount", { what, min, max, value: text }));
  return BigInt(text);
}

/** The actions `dpl use` records (a derivation is recorded by anchoring its product). */
const RECORDED_ACTIONS: readonly UsageActionName[] = ["use", "process", "operate"];

/** The grant, action (one of `actions`) and units a use names, each checked, with `note` after a wrong action. */
function parseUse(grant: string, opts: { action: string; units: string }, actions: readonly UsageActionName[], note = "") {
  const grantId = parseId(grant, t("cli.the.grant"));
  const name = actions.find((a) => a === opts.action);
  if (name === undefined) throw new CliError(t("cli.use.badAction", { actions: actions.slice(0, -1).join(", "), last: actions.at(-1)!, value: opts.action }) + note);
  return { grantId, action: USAGE_ACTION_NAMES.indexOf(name) as UsageAction, units: parseCount(opts.units, "--units", 2n ** 64n - 1n, 1n) };
}

export function registerRights(program: Command, context: () => Promise<Context>): void {
  program
    .command("grant")
    .description(t("cli.grant.help"))
    .argument("<dataset>", t("cli.arg.datasetId"))
    .argument("<grantee>", t("cli.grant.arg.grantee"))
    .requiredOption("--rights <list>", t("cli.grant.opt.rights"))
    .requiredOption("--purpose <text>", t("cli.grant.opt.purpose"))
    .option("--from <date>", t("cli.grant.opt.from"), "now")
    .option("--until <date>", t("cli.grant.opt.until"))
    .option("--quota <n>", t("cli.grant.opt.quota"), "0")
    .option("--sign <out.json>", t("cli.grant.opt.sign"))
    .option("--deadline <date>", t("cli.grant.opt.deadline"))
    .option("--nonce <n>", t("cli.grant.opt.nonce"))
    .option("--class <class>", t("cli.grant.opt.class"))
    .option("--unit-price <n>", t("cli.grant.opt.unitPrice"))
    .option("--period-fee <n>", t("cli.grant.opt.periodFee"))
    .option("--period <duration>", t("cli.grant.opt.period"))
    .option("--currency <code|token>", t("cli.grant.opt.currency"))
    .action(
      async (
        dataset: string,
        grantee: string,
        opts: { rights: string; purpose: string; from: string; until?: string; quota: string; sign?: string; deadline?: string; nonce?: string } & FeeOptions,
      ) => {
        const ctx = await context();
        const datasetId = parseId(dataset, t("cli.the.dataset"));
        parseAddress(grantee, t("cli.the.grantee"));
        const rights = parseRights(opts.rights);
        const terms = feeTermsOf(opts);
        if (terms && opts.sign) throw new CliError(t("cli.grant.signedNoFees"));
        const chainNow = (await ctx.provider.getBlock("latest"))!.timestamp;
        // Period fees are billed from the window's start, which may not be past when the grant is mined.
        const validFrom = terms?.periodFee && opts.from === "now" ? chainNow + 60 : parseTime(opts.from, "--from", chainNow);
        const quota = parseCount(opts.quota, "--quota", 2n ** 80n - 1n);
        if (!opts.purpose.trim()) throw new CliError(t("cli.grant.emptyPurpose"));
        const nonce = opts.nonce === undefined ? BigInt("0x" + randomBytes(32).toString("hex")) : parseCount(opts.nonce, "--nonce", 2n ** 256n - 1n);
        const signer = await ctx.signer();
        const ledger = ctx.ledger(signer);
        // A grant on a derived dataset may not outlast its licence: without --until, it ends with it.
        const validUntil = opts.until ? parseTime(opts.until, "--until", chainNow) : await licenceEnd(ctx, datasetId);
        if (opts.sign) {
          const holder = await signer.getAddress();
          const client = new LedgerClient(ctx.ledgerAddress, signer);
          const deadline = opts.deadline ? parseTime(opts.deadline, "--deadline", chainNow) : chainNow + 7 * 86_400;
          const request = await client.prepareGrantRequest(holder, { datasetId, grantee, rights: rightNames(rights), purpose: opts.purpose, validFrom, validUntil, quota, nonce, deadline });
          if (await ledger.isGrantNonceUsed(holder, nonce)) throw new CliError(t("cli.grant.nonceSpent", { nonce }));
          const { signature } = await client.signGrantRequest(signer, request);
          const signed = {
            chainId: (await ctx.chainId()).toString(),
            ledger: ctx.ledgerAddress,
            request: Object.fromEntries(Object.entries(request).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
            signature,
          };
          await writeFile(opts.sign, JSON.stringify(signed, null, 2) + "\n");
          if (!ctx.json({ signed: opts.sign, nonce: request.nonce })) {
            ctx.say(t("cli.grant.signed", { file: opts.sign, nonce: request.nonce }));
            ctx.say(t("cli.grant.signedCancel", { file: opts.sign }));
          }
          return;
        }
        if (terms) {
          const m = await mined(ctx, ledger.grantWithTerms(datasetId, grantee, rights, opts.purpose, validFrom, validUntil, quota, feeTermsTuple(terms)), "GrantFeeTerms");
          printGrant(ctx, m.receipt.hash, eventNamed(m, "GrantIssued")!.args, eventNamed(m, "GrantFeeTerms")!.args);
          return;
        }
        const m = await mined(ctx, ledger.grant(datasetId, grantee, rights, opts.purpose, validFrom, validUntil, quota), "GrantIssued");
        printGrant(ctx, m.receipt.hash, eventNamed(m, "GrantIssued")!.args);
      },
    );

  program
    .command("relay")
    .description(t("cli.relay.help"))
    .argument("<signed.json>")
    .action(async (file: string) => {
      const ctx = await context();
      const signed = await readFile(file, "utf8").then(JSON.parse, () => {
        throw new CliError(t("cli.relay.unreadable", { file }));
      });
      if (!signed?.request || typeof signed.signature !== "string") throw new CliError(t("cli.relay.notRequest", { file }));
      if (signed.chainId !== (await ctx.chainId()).toString()) throw new CliError(t("cli.relay.otherChain", { file, chain: String(signed.chainId), here: await ctx.chainId() }), 3);
      if (signed.ledger.toLowerCase() !== ctx.ledgerAddress.toLowerCase()) throw new CliError(t("cli.relay.otherLedger", { file, ledger: String(signed.ledger), here: ctx.ledgerAddress }));
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).grantBySig(signed.request, signed.signature), "GrantIssued");
      printGrant(ctx, m.receipt.hash, eventNamed(m, "GrantIssued")!.args);
    });

  program
    .command("cancel-request")
    .description(t("cli.cancel.help"))
    .argument("[signed.json|nonce]", t("cli.cancel.arg.request"))
    .option("--all", t("cli.cancel.opt.all"))
    .action(async (target: string | undefined, opts: { all?: boolean }) => {
      if (Boolean(opts.all) === (target !== undefined)) throw new CliError(t("cli.cancel.oneOrAll"));
      const ctx = await context();
      const ledger = ctx.ledger(await ctx.signer());
      if (opts.all) {
        const m = await mined(ctx, ledger.cancelAllGrantRequests(), "GrantRequestsCancelled");
        const counter = eventNamed(m, "GrantRequestsCancelled")!.args.counter;
        if (!ctx.json({ cancelled: "all", counter, tx: m.receipt.hash })) ctx.say(t("cli.cancel.all", { counter, tx: m.receipt.hash }));
        return;
      }
      let nonce: bigint;
      if (/^\d+$/.test(target!)) nonce = BigInt(target!);
      else {
        const signed = await readFile(target!, "utf8").then(JSON.parse, () => {
          throw new CliError(t("cli.cancel.unreadable", { target: target! }));
        });
        if (!/^\d+$/.test(String(signed?.request?.nonce))) throw new CliError(t("cli.relay.notRequest", { file: target! }));
        nonce = BigInt(signed.request.nonce);
      }
      const m = await mined(ctx, ledger.cancelGrantRequest(nonce), "GrantRequestCancelled");
      if (!ctx.json({ cancelled: nonce, tx: m.receipt.hash })) ctx.say(t("cli.cancel.one", { nonce, tx: m.receipt.hash }));
    });

  /** A command about one use under a grant: `<grant>`, --action (one of `actions`) and --units. */
  const useCommand = (name: string, description: string, actions: readonly UsageActionName[]) =>
    program.command(name).description(description).argument("<grant>", t("cli.arg.grantId")).option("--action <action>", actions.join(" | "), "use").option("--units <n>", t("cli.use.opt.units"), "1");

  useCommand("can-use", t("cli.canUse.help"), USAGE_ACTION_NAMES)
    .option("--as <address>", t("cli.canUse.opt.as"))
    .action(async (grant: string, opts: { action: string; units: string; as?: string }) => {
      const ctx = await context();
      const { grantId, action, units } = parseUse(grant, opts, USAGE_ACTION_NAMES);
      const user = opts.as ? parseAddress(opts.as, "--as") : await (await ctx.signer()).getAddress();
      const verdict = await new LedgerClient(ctx.ledgerAddress, ctx.provider).canUse(grantId, user, USAGE_ACTION_NAMES[action], units);
      const allowed = verdict.allowed;
      const refusal = verdict.allowed ? null : verdict.data;
      const reason = verdict.allowed ? null : verdict.refusal ? refusalSentence(verdict.refusal.errorName, verdict.refusal.args, tr()) : verdict.data;
      if (ctx.json({ grant: grantId, user, action: opts.action, units, allowed, reason, refusal: allowed ? null : refusal })) return;
      ctx.say(allowed ? t("cli.canUse.yes", { user, action: opts.action, units, grant: grantId }) : t("cli.canUse.no", { reason: reason ?? "" }));
      if (!allowed) process.exitCode = EXIT.negative;
    });

  const simple = (name: string, description: string, what: string, run: (ctx: Context, id: string) => Promise<string>) =>
    program
      .command(name)
      .description(description)
      .argument(`<${what}>`, t(what === "grant" ? "cli.arg.grantId" : "cli.arg.datasetId"))
      .action(async (id: string) => {
        const ctx = await context();
        const line = await run(ctx, parseId(id, t(what === "grant" ? "cli.the.grant" : "cli.the.dataset")));
        ctx.say(line);
      });

  simple("revoke", t("cli.revoke.help"), "grant", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).revoke(id), "GrantRevoked");
    ctx.json({ revoked: id, tx: m.receipt.hash });
    return t("cli.revoke.done", { id, tx: m.receipt.hash });
  });
  simple("renounce", t("cli.renounce.help"), "grant", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).renounce(id), "GrantRenounced");
    ctx.json({ renounced: id, tx: m.receipt.hash });
    return t("cli.renounce.done", { id, tx: m.receipt.hash });
  });
  simple("accept", t("cli.accept.help"), "dataset", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).acceptHolding(id), "HoldingTransferred");
    const e = eventNamed(m, "HoldingTransferred")!.args;
    ctx.json({ dataset: id, from: e.from, to: e.to, tx: m.receipt.hash });
    return t("cli.accept.done", { id, from: e.from, tx: m.receipt.hash });
  });
  simple("retire", t("cli.retire.help"), "dataset", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).retire(id), "DatasetRetired");
    ctx.json({ retired: id, tx: m.receipt.hash });
    return t("cli.retire.done", { id, tx: m.receipt.hash });
  });

  program
    .command("transfer")
    .description(t("cli.transfer.help"))
    .argument("<dataset>", t("cli.arg.datasetId"))
    .argument("<to>", t("cli.transfer.arg.to"))
    .action(async (dataset: string, to: string) => {
      const ctx = await context();
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).transferHolding(parseId(dataset, t("cli.the.dataset")), parseAddress(to, t("cli.the.receiver"))), "HoldingTransferOffered");
      if (!ctx.json({ dataset, offeredTo: to, tx: m.receipt.hash })) ctx.say(t("cli.transfer.done", { id: dataset, to }));
    });

  useCommand("use", t("cli.use.help"), RECORDED_ACTIONS)
    .option("--output <file|hash>", t("cli.use.opt.output"))
    .action(async (grant: string, opts: { action: string; units: string; output?: string }) => {
      const ctx = await context();
      const { grantId, action, units } = parseUse(grant, opts, RECORDED_ACTIONS, t("cli.use.deriveNote"));
      let outputRef = ZeroHash;
      if (opts.output) {
        if (/^0x[0-9a-fA-F]{64}$/.test(opts.output)) outputRef = opts.output;
        else if (
          await stat(opts.output).then(
            () => true,
            () => false,
          )
        )
          outputRef = await sha256File(opts.output);
        else throw new CliError(t("cli.use.badOutput", { value: opts.output }));
      }
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).recordUsage(grantId, action, units, outputRef), "UsageRecorded");
      const e = eventNamed(m, "UsageRecorded")!.args;
      const g = await ctx.ledger().grantOf(grantId);
      if (!ctx.json({ grant: grantId, dataset: e.datasetId, action: opts.action, units, used: g.used, quota: g.quota, tx: m.receipt.hash })) {
        const used = g.quota === 0n ? String(g.used) : t("cli.use.usedOf", { used: g.used, quota: g.quota });
        ctx.say(t("cli.use.done", { action: opts.action, units, id: e.datasetId, grant: grantId, used, tx: m.receipt.hash }));
      }
    });
}

/** The last second a grant on `datasetId` may run to: the earliest end of its licences, or no end. */
async function licenceEnd(ctx: Context, datasetId: string): Promise<number> {
  const ledger = ctx.ledger();
  let end = NO_END;
  for (const licence of await ledger.licencesOf(datasetId)) end = Math.min(end, Number((await ledger.grantOf(licence.grantId)).validUntil));
  return end;
}

function printGrant(ctx: Context, tx: string, e: any, fees?: any): void {
  const terms = fees && {
    purposeClass: PURPOSE_CLASS_NAMES[Number(fees.purposeClass)],
    token: fees.token === ZeroAddress ? null : fees.token,
    currencyCode: currencyCodeText(fees.currencyCode) || null,
    unitPrice: fees.unitPrice.toString(),
    periodFee: fees.periodFee.toString(),
    period: Number(fees.period),
  };
  if (
    ctx.json({
      grantId: e.grantId,
      datasetId: e.datasetId,
      grantee: e.grantee,
      grantor: e.grantor,
      rights: rightsText(Number(e.rights)),
      purpose: e.purpose,
      validFrom: e.validFrom,
      validUntil: e.validUntil,
      quota: e.quota,
      ...(terms && { fees: terms }),
      tx,
    })
  )
    return;
  ctx.say(t("cli.grant.done", { rights: rightsText(Number(e.rights), tr()), id: e.datasetId, grantee: e.grantee }));
  ctx.say(t("cli.grant.id", { id: e.grantId }));
  ctx.say(
    t("cli.grant.terms", {
      purpose: printable(e.purpose),
      from: shownTime(e.validFrom),
      until: hasEnd(e.validUntil) ? shownTime(e.validUntil) : t("window.noEnd"),
      quota: e.quota === 0n ? t("cli.grant.unlimited") : e.quota,
    }),
  );
  if (terms) ctx.say(t("cli.grant.fees", { fees: feeTermsText(terms, tr()) }));
  ctx.say(t("cli.grant.tx", { tx }));
}
