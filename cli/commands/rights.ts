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
import { rightsText } from "../../core/revert.js";
import { feeTermsTuple, LedgerClient } from "../../sdk/index.js";
import { feeTermsText } from "../../core/money.js";
import { type FeeOptions, feeTermsOf } from "./fees.js";
import { CliError, EXIT } from "../lib/errors.js";
import { sha256File } from "../../core/fingerprint.js";
import { printable } from "../lib/text.js";
import { eventNamed, mined } from "../lib/tx.js";

export function parseRights(text: string): number {
  let rights = 0;
  for (const part of text.split(",").map((s) => s.trim().toLowerCase())) {
    if (part === "use") rights |= Rights.USE;
    else if (part === "process") rights |= Rights.PROCESS;
    else if (part === "operate" || part === "operate-product") rights |= Rights.OPERATE_PRODUCT;
    else throw new CliError(`--rights takes use, process and operate-product (or operate), comma-separated; "${part}" is none of them`);
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
  if (Number.isNaN(ms)) throw new CliError(`${what} must be a date (2027-01-31 or 2027-01-31T12:00Z), "now" or Unix seconds, not "${text}"`);
  return Math.floor(ms / 1000);
}

function parseCount(text: string, what: string, max: bigint, min = 0n): bigint {
  if (!/^\d+$/.test(text) || BigInt(text) > max || BigInt(text) < min) throw new CliError(`${what} must be a whole number from ${min} to ${max}, not "${text}"`);
  return BigInt(text);
}

/** The actions `dpl use` records (a derivation is recorded by anchoring its product). */
const RECORDED_ACTIONS: readonly UsageActionName[] = ["use", "process", "operate"];

/** The grant, action (one of `actions`) and units a use names, each checked, with `note` after a wrong action. */
function parseUse(grant: string, opts: { action: string; units: string }, actions: readonly UsageActionName[], note = "") {
  const grantId = parseId(grant, "the grant");
  const name = actions.find((a) => a === opts.action);
  if (name === undefined) throw new CliError(`--action must be ${actions.slice(0, -1).join(", ")} or ${actions.at(-1)}, not "${opts.action}"${note}`);
  return { grantId, action: USAGE_ACTION_NAMES.indexOf(name) as UsageAction, units: parseCount(opts.units, "--units", 2n ** 64n - 1n, 1n) };
}

export function registerRights(program: Command, context: () => Promise<Context>): void {
  program
    .command("grant")
    .description("grant rights on a dataset you hold (or, with --sign, write a signed request anyone can relay)")
    .argument("<dataset>", "dataset id")
    .argument("<grantee>", "the grantee's address")
    .requiredOption("--rights <list>", "use, process, operate-product (comma-separated; operate is short for operate-product)")
    .requiredOption("--purpose <text>", "what the data may be used for")
    .option("--from <date>", "start of the validity window (inclusive)", "now")
    .option("--until <date>", "end of the validity window (inclusive; default: no end, or the end of the licence of a derived dataset)")
    .option("--quota <n>", "metered units allowed; 0 means unlimited", "0")
    .option("--sign <out.json>", "write an EIP-712 signed request instead of sending a transaction")
    .option("--deadline <date>", "with --sign: last time the request may be relayed (default: 7 days)")
    .option("--nonce <n>", "with --sign: the request's nonce, any number not used before (default: a random one; nonces that share a word of 256 cost the relayer less)")
    .option("--class <class>", "purpose class: public-governance, public-welfare (both free) or commercial")
    .option("--unit-price <n>", "with --class commercial: price of one metered unit, in the currency's smallest unit (fen for CNY)")
    .option("--period-fee <n>", "with --class commercial: a fee each --period, billed from --from (default then: a minute from now)")
    .option("--period <duration>", "the period of --period-fee: 30d, 12h, 90m or seconds")
    .option("--currency <code|token>", "the fees' currency: CNY (paid off the ledger, acknowledged by you) or an ERC-20 token's address (paid through it)")
    .action(
      async (
        dataset: string,
        grantee: string,
        opts: { rights: string; purpose: string; from: string; until?: string; quota: string; sign?: string; deadline?: string; nonce?: string } & FeeOptions,
      ) => {
        const ctx = await context();
        const datasetId = parseId(dataset, "the dataset");
        parseAddress(grantee, "the grantee");
        const rights = parseRights(opts.rights);
        const terms = feeTermsOf(opts);
        if (terms && opts.sign) throw new CliError("a signed grant request carries no fee terms: send a priced grant yourself (leave --sign out)");
        const chainNow = (await ctx.provider.getBlock("latest"))!.timestamp;
        // Period fees are billed from the window's start, which may not be past when the grant is mined.
        const validFrom = terms?.periodFee && opts.from === "now" ? chainNow + 60 : parseTime(opts.from, "--from", chainNow);
        const quota = parseCount(opts.quota, "--quota", 2n ** 80n - 1n);
        if (!opts.purpose.trim()) throw new CliError("--purpose must say what the data may be used for");
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
          if (await ledger.isGrantNonceUsed(holder, nonce)) throw new CliError(`nonce ${nonce} is already spent; pick another (or leave --nonce out)`);
          const { signature } = await client.signGrantRequest(signer, request);
          const signed = {
            chainId: (await ctx.chainId()).toString(),
            ledger: ctx.ledgerAddress,
            request: Object.fromEntries(Object.entries(request).map(([k, v]) => [k, typeof v === "bigint" ? v.toString() : v])),
            signature,
          };
          await writeFile(opts.sign, JSON.stringify(signed, null, 2) + "\n");
          if (!ctx.json({ signed: opts.sign, nonce: request.nonce })) {
            ctx.say(`signed grant request written to ${opts.sign} (nonce ${request.nonce}); anyone can submit it with dpl relay ${opts.sign}`);
            ctx.say(`  cancel it with dpl cancel-request ${opts.sign}; it also dies if the holding of the dataset moves`);
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
    .description("submit a signed grant request (from dpl grant --sign) from any account")
    .argument("<signed.json>")
    .action(async (file: string) => {
      const ctx = await context();
      const signed = await readFile(file, "utf8").then(JSON.parse, () => {
        throw new CliError(`cannot read the signed request ${file}`);
      });
      if (!signed?.request || typeof signed.signature !== "string") throw new CliError(`${file} is not a request written by dpl grant --sign`);
      if (signed.chainId !== (await ctx.chainId()).toString()) throw new CliError(`${file} was signed for chain ${signed.chainId}; this node is chain ${await ctx.chainId()}`, 3);
      if (signed.ledger.toLowerCase() !== ctx.ledgerAddress.toLowerCase()) throw new CliError(`${file} was signed for ledger ${signed.ledger}, not ${ctx.ledgerAddress}`);
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).grantBySig(signed.request, signed.signature), "GrantIssued");
      printGrant(ctx, m.receipt.hash, eventNamed(m, "GrantIssued")!.args);
    });

  program
    .command("cancel-request")
    .description("cancel a grant request you signed (by its file or nonce), or with --all every one you signed so far")
    .argument("[signed.json|nonce]", "the request written by dpl grant --sign, or its nonce")
    .option("--all", "cancel every grant request you signed so far")
    .action(async (target: string | undefined, opts: { all?: boolean }) => {
      if (Boolean(opts.all) === (target !== undefined)) throw new CliError("name one request (its file or nonce), or pass --all");
      const ctx = await context();
      const ledger = ctx.ledger(await ctx.signer());
      if (opts.all) {
        const m = await mined(ctx, ledger.cancelAllGrantRequests(), "GrantRequestsCancelled");
        const counter = eventNamed(m, "GrantRequestsCancelled")!.args.counter;
        if (!ctx.json({ cancelled: "all", counter, tx: m.receipt.hash })) ctx.say(`cancelled every grant request you signed so far (new counter ${counter}); tx ${m.receipt.hash}`);
        return;
      }
      let nonce: bigint;
      if (/^\d+$/.test(target!)) nonce = BigInt(target!);
      else {
        const signed = await readFile(target!, "utf8").then(JSON.parse, () => {
          throw new CliError(`${target} is neither a nonce nor a readable request written by dpl grant --sign`);
        });
        if (!/^\d+$/.test(String(signed?.request?.nonce))) throw new CliError(`${target} is not a request written by dpl grant --sign`);
        nonce = BigInt(signed.request.nonce);
      }
      const m = await mined(ctx, ledger.cancelGrantRequest(nonce), "GrantRequestCancelled");
      if (!ctx.json({ cancelled: nonce, tx: m.receipt.hash })) ctx.say(`cancelled the grant request with nonce ${nonce}; tx ${m.receipt.hash}`);
    });

  /** A command about one use under a grant: `<grant>`, --action (one of `actions`) and --units. */
  const useCommand = (name: string, description: string, actions: readonly UsageActionName[]) =>
    program.command(name).description(description).argument("<grant>", "grant id").option("--action <action>", actions.join(" | "), "use").option("--units <n>", "metered units", "1");

  useCommand("can-use", "ask the ledger whether a use under a grant would pass now, and if not, why (nothing is sent)", USAGE_ACTION_NAMES)
    .option("--as <address>", "the account that would use it (default: yours)")
    .action(async (grant: string, opts: { action: string; units: string; as?: string }) => {
      const ctx = await context();
      const { grantId, action, units } = parseUse(grant, opts, USAGE_ACTION_NAMES);
      const user = opts.as ? parseAddress(opts.as, "--as") : await (await ctx.signer()).getAddress();
      const verdict = await new LedgerClient(ctx.ledgerAddress, ctx.provider).canUse(grantId, user, USAGE_ACTION_NAMES[action], units);
      const allowed = verdict.allowed;
      const refusal = verdict.allowed ? null : verdict.data;
      const reason = verdict.allowed ? null : (verdict.refusal?.message.replace(/^the ledger refused: /, "") ?? verdict.data);
      if (ctx.json({ grant: grantId, user, action: opts.action, units, allowed, reason, refusal: allowed ? null : refusal })) return;
      ctx.say(allowed ? `yes: ${user} may record ${opts.action} of ${units} unit(s) under grant ${grantId} now` : `no: ${reason}`);
      if (!allowed) process.exitCode = EXIT.negative;
    });

  const simple = (name: string, description: string, what: string, run: (ctx: Context, id: string) => Promise<string>) =>
    program
      .command(name)
      .description(description)
      .argument(`<${what}>`, `${what} id`)
      .action(async (id: string) => {
        const ctx = await context();
        const line = await run(ctx, parseId(id, `the ${what}`));
        ctx.say(line);
      });

  simple("revoke", "revoke a grant on a dataset you hold; it takes effect at once", "grant", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).revoke(id), "GrantRevoked");
    ctx.json({ revoked: id, tx: m.receipt.hash });
    return `revoked grant ${id} in tx ${m.receipt.hash}`;
  });
  simple("renounce", "give up a grant you received", "grant", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).renounce(id), "GrantRenounced");
    ctx.json({ renounced: id, tx: m.receipt.hash });
    return `renounced grant ${id} in tx ${m.receipt.hash}`;
  });
  simple("accept", "accept the holding of a dataset offered to you", "dataset", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).acceptHolding(id), "HoldingTransferred");
    const e = eventNamed(m, "HoldingTransferred")!.args;
    ctx.json({ dataset: id, from: e.from, to: e.to, tx: m.receipt.hash });
    return `you now hold dataset ${id} (from ${e.from}), tx ${m.receipt.hash}`;
  });
  simple("retire", "retire a dataset you hold: no new grants, uses or derivations", "dataset", async (ctx, id) => {
    const m = await mined(ctx, ctx.ledger(await ctx.signer()).retire(id), "DatasetRetired");
    ctx.json({ retired: id, tx: m.receipt.hash });
    return `retired dataset ${id} in tx ${m.receipt.hash}`;
  });

  program
    .command("transfer")
    .description("offer the holding of a dataset to another account (it accepts with dpl accept)")
    .argument("<dataset>")
    .argument("<to>", "the receiver's address (0x000…0 withdraws an offer)")
    .action(async (dataset: string, to: string) => {
      const ctx = await context();
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).transferHolding(parseId(dataset, "the dataset"), parseAddress(to, "the receiver")), "HoldingTransferOffered");
      if (!ctx.json({ dataset, offeredTo: to, tx: m.receipt.hash })) ctx.say(`offered the holding of dataset ${dataset} to ${to}; it takes it with dpl accept ${dataset}`);
    });

  useCommand("use", "record a use of a dataset under your grant", RECORDED_ACTIONS)
    .option("--output <file|hash>", "what the use produced: a file (hashed) or a 0x-prefixed hash")
    .action(async (grant: string, opts: { action: string; units: string; output?: string }) => {
      const ctx = await context();
      const { grantId, action, units } = parseUse(grant, opts, RECORDED_ACTIONS, " (derive is recorded by dpl anchor --parent)");
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
        else throw new CliError(`--output must be an existing file or a 0x-prefixed 32-byte hash, not "${opts.output}"`);
      }
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).recordUsage(grantId, action, units, outputRef), "UsageRecorded");
      const e = eventNamed(m, "UsageRecorded")!.args;
      const g = await ctx.ledger().grantOf(grantId);
      if (!ctx.json({ grant: grantId, dataset: e.datasetId, action: opts.action, units, used: g.used, quota: g.quota, tx: m.receipt.hash })) {
        ctx.say(`recorded ${opts.action} of ${units} unit(s) of dataset ${e.datasetId} under grant ${grantId}: ${g.used}${g.quota === 0n ? "" : ` of ${g.quota}`} used; tx ${m.receipt.hash}`);
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
  ctx.say(`granted ${rightsText(Number(e.rights))} on dataset ${e.datasetId} to ${e.grantee}`);
  ctx.say(`  grant ${e.grantId}`);
  ctx.say(
    `  purpose "${printable(e.purpose)}", ${new Date(Number(e.validFrom) * 1000).toISOString()} to ${hasEnd(e.validUntil) ? new Date(Number(e.validUntil) * 1000).toISOString() : "no end"}, quota ${e.quota === 0n ? "unlimited" : e.quota}`,
  );
  if (terms) ctx.say(`  fees: ${feeTermsText(terms)}`);
  ctx.say(`  tx ${tx}`);
}
