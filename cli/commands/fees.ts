/**
 * Fees and the rules' oversight from the command line: the options of a priced grant, and the
 * commands pay, acknowledge, statement, cap, ceiling, object, answer, rule and objections.
 */
import { Contract, type Signer, ZeroAddress, ZeroHash } from "ethers";

import type { Command } from "commander";

import { writeFile } from "node:fs/promises";

import type { Disclosure, Objection, Statement } from "../../core/api-answers.js";
import { disclosureHtml } from "../../core/disclosure-html.js";
import { sha256File, sha256Hex } from "../../core/fingerprint.js";
import { ObjectionTarget, PURPOSE_CLASS_NAMES, type PurposeClassName } from "../../core/ids.js";
import { feeTermsText, formatAmount } from "../../core/money.js";
import { parsePeriod, RULES_OFFSET } from "../../core/period.js";
import { type FeeTermsArgs, feeTermsTuple, LedgerClient } from "../../sdk/index.js";
import { type Context, parseAddress, parseId } from "../lib/context.js";
import { CliError, EXIT } from "../lib/errors.js";
import { printable } from "../lib/text.js";
import { eventNamed, mined } from "../lib/tx.js";

const UINT96_MAX = 2n ** 96n - 1n;
const UINT256_MAX = 2n ** 256n - 1n;

/** A whole amount in the currency's smallest unit, at most `max`. */
export function parseAmount(text: string, what: string, max = UINT256_MAX): bigint {
  if (!/^\d{1,78}$/.test(text) || BigInt(text) > max) throw new CliError(`${what} must be a whole amount in the currency's smallest unit (fen for CNY), from 0 to ${max}, not "${text}"`);
  return BigInt(text);
}

/** "CNY" (an ISO 4217 code, paid off the ledger) or a token address (paid through it). */
export function parseCurrency(text: string, what = "--currency"): { token?: string; currencyCode?: string } {
  if (/^[A-Z]{3}$/.test(text)) return { currencyCode: text };
  if (/^0x[0-9a-fA-F]{40}$/.test(text)) return { token: parseAddress(text, what) };
  throw new CliError(`${what} must be an ISO 4217 code in capitals (CNY) or an ERC-20 token's address, not "${text}"`);
}

/** "30d", "12h", "90m" or seconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d{1,9})([dhm]?)$/.exec(text);
  if (!match || Number(match[1]) === 0) throw new CliError(`${what} must be a duration such as 30d, 12h, 90m or seconds, not "${text}"`);
  return Number(match[1]) * { d: 86_400, h: 3_600, m: 60, "": 1 }[match[2] as "d" | "h" | "m" | ""];
}

export function parseClass(text: string): PurposeClassName {
  const name = PURPOSE_CLASS_NAMES.find((n) => n === text && n !== "unclassified");
  if (!name) throw new CliError(`--class must be public-governance, public-welfare or commercial, not "${text}"`);
  return name;
}

/** The options of a priced grant, as `dpl grant` takes them. */
export interface FeeOptions {
  class?: string;
  unitPrice?: string;
  periodFee?: string;
  period?: string;
  currency?: string;
}

/** The fee terms the options name, or undefined when they name none (a plain grant). */
export function feeTermsOf(opts: FeeOptions): FeeTermsArgs | undefined {
  const priced = opts.unitPrice !== undefined || opts.periodFee !== undefined || opts.currency !== undefined || opts.period !== undefined;
  if (opts.class === undefined) {
    if (priced) throw new CliError("fees need a purpose class: add --class commercial (public-governance and public-welfare use is free)");
    return undefined;
  }
  const purposeClass = parseClass(opts.class);
  if (!priced) return { purposeClass };
  if (opts.currency === undefined) throw new CliError("fees need a currency: --currency CNY (paid off the ledger) or --currency <token address> (paid through it)");
  if ((opts.periodFee === undefined) !== (opts.period === undefined)) throw new CliError("--period-fee and --period go together: a fee every period");
  return {
    purposeClass,
    ...parseCurrency(opts.currency),
    unitPrice: opts.unitPrice === undefined ? 0n : parseAmount(opts.unitPrice, "--unit-price", UINT96_MAX),
    periodFee: opts.periodFee === undefined ? 0n : parseAmount(opts.periodFee, "--period-fee", UINT96_MAX),
    period: opts.period === undefined ? 0 : parseDuration(opts.period, "--period"),
  };
}

/** The terms of a priced grant, read from the API (the ledger checks them against their hash when paid). */
async function termsFromApi(ctx: Context, grantId: string): Promise<FeeTermsArgs & { currencyText: { token: string | null; currencyCode: string | null } }> {
  const answer = await ctx.api<{ grant: { fees: null | { purposeClass: PurposeClassName; token: string | null; currencyCode: string | null; unitPrice: string; periodFee: string; period: number } } }>(
    `/v1/grants/${grantId}`,
  );
  if (!answer) throw new CliError(`no grant ${grantId} is in the index (it may not be indexed yet)`);
  const fees = answer.grant.fees;
  if (!fees) throw new CliError(`grant ${grantId} was issued without fee terms: nothing is owed under it`);
  return {
    purposeClass: fees.purposeClass,
    token: fees.token ?? undefined,
    currencyCode: fees.currencyCode ?? undefined,
    unitPrice: BigInt(fees.unitPrice),
    periodFee: BigInt(fees.periodFee),
    period: fees.period,
    currencyText: fees,
  };
}

/** The ledger's oversight contract, signing with `signer`. */
const oversight = (ctx: Context, signer: Signer) => new LedgerClient(ctx.ledgerAddress, signer).oversight;

/** The current month of the rules' calendar (UTC+8), "2026-11". */
const thisMonth = () => new Date(Date.now() + RULES_OFFSET * 1000).toISOString().slice(0, 7);

/** A hash for --evidence: a file's SHA-256, or a 0x-prefixed hash as given. */
async function evidenceHash(text: string | undefined): Promise<string> {
  if (text === undefined) return ZeroHash;
  if (/^0x[0-9a-fA-F]{64}$/.test(text)) return text.toLowerCase();
  return sha256File(text).catch(() => {
    throw new CliError(`--evidence must be a readable file or a 0x-prefixed 32-byte hash, not "${text}"`);
  });
}

function printStatement(ctx: Context, s: Statement): void {
  if (ctx.json(s)) return;
  const role = s.role === "grantee" ? "owes" : "is owed";
  ctx.say(`statement of ${s.account} for ${s.period.label} (UTC+8): what it ${role}, grant by grant`);
  if (s.lines.length === 0) ctx.say("  no priced grant");
  for (const l of s.lines) {
    ctx.say(`  grant ${l.grantId} (${l.status}) on dataset ${l.datasetId}`);
    ctx.say(`    ${feeTermsText(l.fees)}`);
    ctx.say(`    ${l.units} unit(s), ${l.periods} period(s): charged ${formatAmount(l.charged, l.fees)}; paid ${formatAmount(l.paidInPeriod, l.fees)}`);
    ctx.say(`    to date: owed ${formatAmount(l.owedToDate, l.fees)}, paid ${formatAmount(l.paidToDate, l.fees)}, outstanding ${formatAmount(l.outstanding, l.fees)}`);
  }
  for (const t of s.totals) ctx.say(`  total: charged ${formatAmount(t.charged, t)}, paid ${formatAmount(t.paidInPeriod, t)}, outstanding ${formatAmount(t.outstanding, t)}`);
  if (s.truncated) ctx.say("  (truncated: the account has more priced grants than one statement covers)");
}

function printObjection(ctx: Context, o: Objection): void {
  ctx.say(`objection #${o.id} (${o.state}) against ${o.targetKind} ${o.target}`);
  ctx.say(`  filed by ${o.objector} at ${o.filed.time}: "${printable(o.reason)}"`);
  ctx.say(
    o.answer
      ? `  answered by ${o.answer.holder} at ${o.answer.evidence.time}: "${printable(o.answer.text)}"`
      : `  unanswered; the holder may answer until ${new Date(o.answerDue * 1000).toISOString()}`,
  );
  if (o.ruling) ctx.say(`  ${o.ruling.upheld ? "upheld" : "rejected"} by ${o.ruling.arbiter} at ${o.ruling.evidence.time}: "${printable(o.ruling.text)}"`);
}

export function registerFees(program: Command, context: () => Promise<Context>): void {
  program
    .command("pay")
    .description("pay what a priced grant owes, in its token, to the dataset's holder (approves the ledger first when needed)")
    .argument("<grant>", "grant id")
    .option("--amount <n>", "in the token's base unit (default: everything due now)")
    .action(async (grant: string, opts: { amount?: string }) => {
      const ctx = await context();
      const grantId = parseId(grant, "the grant");
      const terms = await termsFromApi(ctx, grantId);
      if (!terms.token) throw new CliError(`grant ${grantId}'s fees are in ${terms.currencyCode}, paid off the ledger: pay the holder, who acknowledges it with dpl acknowledge`);
      const signer = await ctx.signer();
      const client = new LedgerClient(ctx.ledgerAddress, signer);
      const { owed, paid } = await client.feesOf(grantId, terms);
      const amount = opts.amount === undefined ? owed - paid : parseAmount(opts.amount, "--amount");
      if (amount === 0n) throw new CliError(`nothing is due on grant ${grantId}: ${formatAmount(owed.toString(), terms.currencyText)} owed, all of it paid`);
      const token = new Contract(terms.token, ["function allowance(address,address) view returns (uint256)", "function approve(address,uint256) returns (bool)"], signer);
      if ((await token.allowance(await signer.getAddress(), ctx.ledgerAddress)) < amount) {
        ctx.say(`approving the ledger to take ${amount} of token ${terms.token}…`);
        await (await token.approve(ctx.ledgerAddress, amount)).wait();
      }
      const m = await mined(ctx, ctx.ledger(signer).payFees(grantId, feeTermsTuple(terms), terms.token, amount), "FeesPaid");
      const e = eventNamed(m, "FeesPaid")!.args;
      if (!ctx.json({ grant: grantId, amount, paidTotal: e.paidTotal, holder: e.holder, tx: m.receipt.hash })) {
        ctx.say(
          `paid ${formatAmount(amount.toString(), terms.currencyText)} to ${e.holder} for grant ${grantId}; ${formatAmount(e.paidTotal.toString(), terms.currencyText)} paid in all; tx ${m.receipt.hash}`,
        );
      }
    });

  program
    .command("acknowledge")
    .description("as the holder, acknowledge a payment a grantee made off the ledger (bank transfer, invoice)")
    .argument("<grant>", "grant id")
    .requiredOption("--amount <n>", "in the currency's smallest unit (fen for CNY)")
    .option("--ref <text>", "your reference for the payment (kept as its SHA-256)")
    .action(async (grant: string, opts: { amount: string; ref?: string }) => {
      const ctx = await context();
      const grantId = parseId(grant, "the grant");
      const amount = parseAmount(opts.amount, "--amount");
      const terms = await termsFromApi(ctx, grantId);
      const ref = opts.ref === undefined ? ZeroHash : sha256Hex(opts.ref);
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).acknowledgeFees(grantId, feeTermsTuple(terms), amount, ref), "FeesAcknowledged");
      const e = eventNamed(m, "FeesAcknowledged")!.args;
      if (!ctx.json({ grant: grantId, amount, paidTotal: e.paidTotal, paymentRef: ref, tx: m.receipt.hash })) {
        ctx.say(
          `acknowledged ${formatAmount(amount.toString(), terms.currencyText)} paid for grant ${grantId}; ${formatAmount(e.paidTotal.toString(), terms.currencyText)} paid in all; tx ${m.receipt.hash}`,
        );
      }
    });

  program
    .command("statement")
    .description("an account's fees for a year, month or day (UTC+8): each priced grant's units, charges and payments")
    .argument("[account]", "the account (default: yours)")
    .option("--period <period>", "2026, 2026-11 or 2026-11-29 (default: this month)")
    .option("--holder", "what the grants the account issued bring in, rather than what it owes")
    .action(async (account: string | undefined, opts: { period?: string; holder?: boolean }) => {
      const ctx = await context();
      const who = account ? parseAddress(account, "the account") : await (await ctx.signer()).getAddress();
      const period = parsePeriod(opts.period ?? thisMonth(), "--period").label;
      const statement = await ctx.api<Statement>(`/v1/accounts/${who.toLowerCase()}/statements/${period}?role=${opts.holder ? "holder" : "grantee"}`);
      printStatement(ctx, statement!);
    });

  program
    .command("report")
    .description("an operator's yearly disclosure: writes it as JSON and as a printable HTML page (Chinese and English)")
    .requiredOption("--operator <address>", "the operator")
    .requiredOption("--year <year>", "the calendar year (UTC+8)")
    .option("--out <base>", "write <base>.json and <base>.html (default: disclosure-<operator>-<year>)")
    .action(async (opts: { operator: string; year: string; out?: string }) => {
      const ctx = await context();
      const operator = parseAddress(opts.operator, "--operator").toLowerCase();
      if (!/^\d{4}$/.test(opts.year)) throw new CliError(`--year must be a year such as 2026, not "${opts.year}"`);
      const disclosure = await ctx.api<Disclosure>(`/v1/disclosures/${operator}/${opts.year}`);
      if (!disclosure) throw new CliError(`${operator} has nothing to disclose for ${opts.year}: it held no dataset and received no operate-product grant in force that year`, EXIT.usage);
      const base = opts.out ?? `disclosure-${operator}-${opts.year}`;
      await writeFile(`${base}.json`, `${JSON.stringify(disclosure, null, 2)}\n`);
      await writeFile(`${base}.html`, disclosureHtml(disclosure));
      if (ctx.json({ json: `${base}.json`, html: `${base}.html`, products: disclosure.products.length, revenue: disclosure.revenue, objections: disclosure.objections.length })) return;
      ctx.say(`wrote ${operator}'s disclosure for ${opts.year} to ${base}.json and ${base}.html (read at block ${disclosure.readAt.number})`);
      ctx.say(`  ${disclosure.resources.length} authorised resource(s), ${disclosure.products.length} product(s), ${disclosure.objections.length} objection(s)`);
      for (const r of disclosure.revenue) {
        ctx.say(`  revenue ${formatAmount(r.charged, r)} (paid ${formatAmount(r.paid, r)})${r.ceiling ? `, ceiling ${formatAmount(r.ceiling, r)}, excess ${formatAmount(r.excess, r)}` : ""}`);
      }
    });

  program
    .command("cap")
    .description("as the authority, cap the fees of a dataset's or product's grants (--lift removes the cap)")
    .argument("<dataset>", "dataset id")
    .option("--currency <code|token>", "CNY, or an ERC-20 token's address")
    .option("--max-unit-price <n>", "highest price of one metered unit, in the smallest unit", "0")
    .option("--max-daily-fee <n>", "highest period fee per day of period, in the smallest unit", "0")
    .option("--lift", "remove the cap")
    .action(async (dataset: string, opts: { currency?: string; maxUnitPrice: string; maxDailyFee: string; lift?: boolean }) => {
      const ctx = await context();
      const datasetId = parseId(dataset, "the dataset");
      if (Boolean(opts.lift) === (opts.currency !== undefined)) throw new CliError("name the cap's --currency, or pass --lift to remove it");
      const currency = opts.currency === undefined ? {} : parseCurrency(opts.currency);
      const cap = { ...currency, maxUnitPrice: parseAmount(opts.maxUnitPrice, "--max-unit-price", UINT96_MAX), maxDailyFee: parseAmount(opts.maxDailyFee, "--max-daily-fee", UINT96_MAX) };
      const { token, currencyCode } = feeTermsTuple({ purposeClass: "commercial", ...currency });
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).setFeeCap(datasetId, { token, currencyCode, maxUnitPrice: cap.maxUnitPrice, maxDailyFee: cap.maxDailyFee }), "FeeCapSet");
      if (ctx.json({ dataset: datasetId, ...cap, tx: m.receipt.hash })) return;
      const ref = { token: cap.token ?? null, currencyCode: cap.currencyCode ?? null };
      ctx.say(
        opts.lift
          ? `lifted the fee cap of dataset ${datasetId}; tx ${m.receipt.hash}`
          : `capped the fees of dataset ${datasetId}: ${formatAmount(cap.maxUnitPrice.toString(), ref)} a unit, ${formatAmount(cap.maxDailyFee.toString(), ref)} a day of period; tx ${m.receipt.hash}`,
      );
    });

  program
    .command("ceiling")
    .description("as the authority, set an operator's revenue ceiling for a year (UTC+8)")
    .argument("<operator>", "the operator's address")
    .requiredOption("--year <year>", "the calendar year")
    .requiredOption("--currency <code|token>", "CNY, or an ERC-20 token's address")
    .requiredOption("--amount <n>", "the ceiling, in the smallest unit")
    .action(async (operator: string, opts: { year: string; currency: string; amount: string }) => {
      const ctx = await context();
      parseAddress(operator, "the operator");
      if (!/^\d{4}$/.test(opts.year)) throw new CliError(`--year must be a year such as 2026, not "${opts.year}"`);
      const currency = parseCurrency(opts.currency);
      const amount = parseAmount(opts.amount, "--amount");
      const { token, currencyCode } = feeTermsTuple({ purposeClass: "commercial", ...currency });
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).setRevenueCeiling(operator, Number(opts.year), token, currencyCode, amount), "RevenueCeilingSet");
      const ref = { token: currency.token ?? null, currencyCode: currency.currencyCode ?? null };
      if (!ctx.json({ operator, year: Number(opts.year), ...currency, amount, tx: m.receipt.hash }))
        ctx.say(`set ${operator}'s revenue ceiling for ${opts.year} to ${formatAmount(amount.toString(), ref)}; tx ${m.receipt.hash}`);
    });

  program
    .command("object")
    .description("object to a dataset's registration or to a grant; the holder answers, an arbiter rules")
    .argument("<id>", "the dataset id or grant id")
    .requiredOption("--reason <text>", "why")
    .option("--evidence <file|hash>", "a document backing the objection (its SHA-256 is recorded)")
    .action(async (id: string, opts: { reason: string; evidence?: string }) => {
      const ctx = await context();
      const target = parseId(id, "the dataset or grant");
      if (!opts.reason.trim()) throw new CliError("--reason must say why");
      const isDataset = (await ctx.ledger().holderOf(target)) !== ZeroAddress;
      const kind = isDataset ? ObjectionTarget.Dataset : ObjectionTarget.Grant;
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).fileObjection(kind, target, opts.reason, await evidenceHash(opts.evidence)), "ObjectionFiled");
      const { objectionId, answerDue } = eventNamed(m, "ObjectionFiled")!.args;
      if (!ctx.json({ objection: objectionId, target, targetKind: isDataset ? "dataset" : "grant", answerDue, tx: m.receipt.hash })) {
        ctx.say(
          `filed objection #${objectionId} against ${isDataset ? "dataset" : "grant"} ${target}; the holder may answer until ${new Date(Number(answerDue) * 1000).toISOString()}; tx ${m.receipt.hash}`,
        );
      }
    });

  const objectionNumber = (text: string) => {
    if (!/^[1-9]\d{0,19}$/.test(text)) throw new CliError(`the objection must be its number (1, 2, …), not "${text}"`);
    return BigInt(text);
  };

  program
    .command("answer")
    .description("as the holder, answer an objection to your dataset or grant")
    .argument("<objection>", "the objection's number")
    .requiredOption("--text <text>", "the answer")
    .option("--evidence <file|hash>", "a document backing the answer (its SHA-256 is recorded)")
    .action(async (objection: string, opts: { text: string; evidence?: string }) => {
      const ctx = await context();
      const id = objectionNumber(objection);
      if (!opts.text.trim()) throw new CliError("--text must carry the answer");
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).answerObjection(id, opts.text, await evidenceHash(opts.evidence)), "ObjectionAnswered");
      if (!ctx.json({ objection: id, answered: true, tx: m.receipt.hash })) ctx.say(`answered objection #${id}; an arbiter rules next; tx ${m.receipt.hash}`);
    });

  program
    .command("rule")
    .description("as an arbiter, rule on an objection: upheld cancels the grant or retires the dataset")
    .argument("<objection>", "the objection's number")
    .option("--uphold", "uphold the objection")
    .option("--reject", "reject the objection")
    .requiredOption("--text <text>", "the ruling")
    .action(async (objection: string, opts: { uphold?: boolean; reject?: boolean; text: string }) => {
      const ctx = await context();
      const id = objectionNumber(objection);
      if (Boolean(opts.uphold) === Boolean(opts.reject)) throw new CliError("pass --uphold or --reject");
      if (!opts.text.trim()) throw new CliError("--text must carry the ruling");
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).ruleOnObjection(id, Boolean(opts.uphold), opts.text), "ObjectionRuled");
      const cancelled = m.events.find((e) => e.name === "GrantCancelled" || e.name === "DatasetCancelled");
      if (ctx.json({ objection: id, upheld: Boolean(opts.uphold), cancelled: cancelled ? (cancelled.args[0] as string) : null, tx: m.receipt.hash })) return;
      ctx.say(
        `${opts.uphold ? "upheld" : "rejected"} objection #${id}${cancelled ? `; ${cancelled.name === "GrantCancelled" ? "grant" : "dataset"} ${cancelled.args[0]} is cancelled` : ""}; tx ${m.receipt.hash}`,
      );
    });

  program
    .command("objections")
    .description("objections and where they stand: all, one (by number), or those against a dataset or grant")
    .argument("[objection]", "an objection's number")
    .option("--target <id>", "only those against this dataset or grant")
    .action(async (objection: string | undefined, opts: { target?: string }) => {
      const ctx = await context();
      if (objection !== undefined) {
        const answer = await ctx.api<{ objection: Objection }>(`/v1/objections/${objectionNumber(objection)}`);
        if (!answer) throw new CliError(`no objection #${objection} was filed on this ledger`);
        if (!ctx.json(answer.objection)) printObjection(ctx, answer.objection);
        return;
      }
      const target = opts.target ? `&target=${parseId(opts.target, "--target")}` : "";
      const page = await ctx.api<{ items: Objection[]; next: string | null }>(`/v1/objections?limit=100${target}`);
      if (ctx.json(page!.items)) return;
      if (page!.items.length === 0) ctx.say("no objections");
      for (const o of page!.items) printObjection(ctx, o);
      if (page!.next) ctx.say("(more: the first 100 are shown, newest first)");
    });
}
