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
import { shownTime, t, tr } from "../lib/language.js";
import { printable } from "../lib/text.js";
import { eventNamed, mined } from "../lib/tx.js";

const UINT96_MAX = 2n ** 96n - 1n;
const UINT256_MAX = 2n ** 256n - 1n;

/** A whole amount in the currency's smallest unit, at most `max`. */
export function parseAmount(text: string, what: string, max = UINT256_MAX): bigint {
  if (!/^\d{1,78}$/.test(text) || BigInt(text) > max) throw new CliError(t("cli.fees.badAmount", { what, max, value: text }));
  return BigInt(text);
}

/** "CNY" (an ISO 4217 code, paid off the ledger) or a token address (paid through it). */
export function parseCurrency(text: string, what = "--currency"): { token?: string; currencyCode?: string } {
  if (/^[A-Z]{3}$/.test(text)) return { currencyCode: text };
  if (/^0x[0-9a-fA-F]{40}$/.test(text)) return { token: parseAddress(text, what) };
  throw new CliError(t("cli.fees.badCurrency", { what, value: text }));
}

/** "30d", "12h", "90m" or seconds. */
export function parseDuration(text: string, what: string): number {
  const match = /^(\d{1,9})([dhm]?)$/.exec(text);
  if (!match || Number(match[1]) === 0) throw new CliError(t("cli.fees.badDuration", { what, value: text }));
  return Number(match[1]) * { d: 86_400, h: 3_600, m: 60, "": 1 }[match[2] as "d" | "h" | "m" | ""];
}

export function parseClass(text: string): PurposeClassName {
  const name = PURPOSE_CLASS_NAMES.find((n) => n === text && n !== "unclassified");
  if (!name) throw new CliError(t("cli.fees.badClass", { value: text }));
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
    if (priced) throw new CliError(t("cli.fees.needClass"));
    return undefined;
  }
  const purposeClass = parseClass(opts.class);
  if (!priced) return { purposeClass };
  if (opts.currency === undefined) throw new CliError(t("cli.fees.needCurrency"));
  if ((opts.periodFee === undefined) !== (opts.period === undefined)) throw new CliError(t("cli.fees.periodTogether"));
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
  if (!answer) throw new CliError(t("cli.fees.grantNotIndexed", { id: grantId }));
  const fees = answer.grant.fees;
  if (!fees) throw new CliError(t("cli.fees.noTerms", { id: grantId }));
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
    throw new CliError(t("cli.objection.badEvidence", { value: text }));
  });
}

function printStatement(ctx: Context, s: Statement): void {
  if (ctx.json(s)) return;
  const amount = (value: string, currency: Parameters<typeof formatAmount>[1]) => formatAmount(value, currency, tr());
  ctx.say(t(s.role === "grantee" ? "cli.statement.owes" : "cli.statement.owed", { account: s.account, period: s.period.label }));
  if (s.lines.length === 0) ctx.say(t("cli.statement.none"));
  for (const l of s.lines) {
    ctx.say(t("cli.statement.grant", { grant: l.grantId, status: tr().name("status", l.status), id: l.datasetId }));
    ctx.say(`    ${feeTermsText(l.fees, tr())}`);
    ctx.say(t("cli.statement.charged", { units: l.units, periods: l.periods, charged: amount(l.charged, l.fees), paid: amount(l.paidInPeriod, l.fees) }));
    ctx.say(t("cli.statement.toDate", { owed: amount(l.owedToDate, l.fees), paid: amount(l.paidToDate, l.fees), outstanding: amount(l.outstanding, l.fees) }));
  }
  // Free grants (public governance and welfare) have no currency: their total is nothing to show.
  for (const total of s.totals.filter((x) => x.token !== null || x.currencyCode !== null)) {
    ctx.say(t("cli.statement.total", { charged: amount(total.charged, total), paid: amount(total.paidInPeriod, total), outstanding: amount(total.outstanding, total) }));
  }
  if (s.truncated) ctx.say(t("cli.statement.truncated"));
}

function printObjection(ctx: Context, o: Objection): void {
  ctx.say(t("cli.objection.head", { id: o.id, state: tr().name("status", o.state), kind: o.targetKind, target: o.target }));
  ctx.say(t("cli.objection.filed", { objector: o.objector, time: shownTime(o.filed.timestamp), reason: printable(o.reason) }));
  ctx.say(
    o.answer
      ? t("cli.objection.answered", { holder: o.answer.holder, time: shownTime(o.answer.evidence.timestamp), text: printable(o.answer.text) })
      : t("cli.objection.unanswered", { time: shownTime(o.answerDue) }),
  );
  if (o.ruling)
    ctx.say(t(o.ruling.upheld ? "cli.objection.upheldBy" : "cli.objection.rejectedBy", { arbiter: o.ruling.arbiter, time: shownTime(o.ruling.evidence.timestamp), text: printable(o.ruling.text) }));
}

export function registerFees(program: Command, context: () => Promise<Context>): void {
  program
    .command("pay")
    .description(t("cli.pay.help"))
    .argument("<grant>", t("cli.arg.grantId"))
    .option("--amount <n>", t("cli.pay.opt.amount"))
    .action(async (grant: string, opts: { amount?: string }) => {
      const ctx = await context();
      const grantId = parseId(grant, t("cli.the.grant"));
      const terms = await termsFromApi(ctx, grantId);
      if (!terms.token) throw new CliError(t("cli.pay.offChain", { id: grantId, currency: terms.currencyCode ?? "" }));
      const signer = await ctx.signer();
      const client = new LedgerClient(ctx.ledgerAddress, signer);
      const { owed, paid } = await client.feesOf(grantId, terms);
      const amount = opts.amount === undefined ? owed - paid : parseAmount(opts.amount, "--amount");
      if (amount === 0n) throw new CliError(t("cli.pay.nothingDue", { id: grantId, owed: formatAmount(owed.toString(), terms.currencyText, tr()) }));
      const token = new Contract(terms.token, ["function allowance(address,address) view returns (uint256)", "function approve(address,uint256) returns (bool)"], signer);
      if ((await token.allowance(await signer.getAddress(), ctx.ledgerAddress)) < amount) {
        ctx.say(t("cli.pay.approving", { amount, token: terms.token }));
        await (await token.approve(ctx.ledgerAddress, amount)).wait();
      }
      const m = await mined(ctx, ctx.ledger(signer).payFees(grantId, feeTermsTuple(terms), terms.token, amount), "FeesPaid");
      const e = eventNamed(m, "FeesPaid")!.args;
      if (!ctx.json({ grant: grantId, amount, paidTotal: e.paidTotal, holder: e.holder, tx: m.receipt.hash })) {
        const [paid, total] = [amount, e.paidTotal].map((v) => formatAmount(v.toString(), terms.currencyText, tr()));
        ctx.say(t("cli.pay.done", { amount: paid, holder: e.holder, id: grantId, total, tx: m.receipt.hash }));
      }
    });

  program
    .command("acknowledge")
    .description(t("cli.acknowledge.help"))
    .argument("<grant>", t("cli.arg.grantId"))
    .requiredOption("--amount <n>", t("cli.acknowledge.opt.amount"))
    .option("--ref <text>", t("cli.acknowledge.opt.ref"))
    .action(async (grant: string, opts: { amount: string; ref?: string }) => {
      const ctx = await context();
      const grantId = parseId(grant, t("cli.the.grant"));
      const amount = parseAmount(opts.amount, "--amount");
      const terms = await termsFromApi(ctx, grantId);
      const ref = opts.ref === undefined ? ZeroHash : sha256Hex(opts.ref);
      const m = await mined(ctx, ctx.ledger(await ctx.signer()).acknowledgeFees(grantId, feeTermsTuple(terms), amount, ref), "FeesAcknowledged");
      const e = eventNamed(m, "FeesAcknowledged")!.args;
      if (!ctx.json({ grant: grantId, amount, paidTotal: e.paidTotal, paymentRef: ref, tx: m.receipt.hash })) {
        const [paid, total] = [amount, e.paidTotal].map((v) => formatAmount(v.toString(), terms.currencyText, tr()));
        ctx.say(t("cli.acknowledge.done", { amount: paid, id: grantId, total, tx: m.receipt.hash }));
      }
    });

  program
    .command("statement")
    .description(t("cli.statement.help"))
    .argument("[account]", t("cli.statement.arg.account"))
    .option("--period <period>", t("cli.statement.opt.period"))
    .option("--holder", t("cli.statement.opt.holder"))
    .action(async (account: string | undefined, opts: { period?: string; holder?: boolean }) => {
      const ctx = await context();
      const who = account ? parseAddress(account, t("cli.the.account")) : await (await ctx.signer()).getAddress();
      const period = parsePeriod(opts.period ?? thisMonth(), "--period").label;
      const statement = await ctx.api<Statement>(`/v1/accounts/${who.toLowerCase()}/statements/${period}?role=${opts.holder ? "holder" : "grantee"}`);
      printStatement(ctx, statement!);
    });

  program
    .command("report")
    .description(t("cli.report.help"))
    .requiredOption("--operator <address>", t("cli.the.operator"))
    .requiredOption("--year <year>", t("cli.report.opt.year"))
    .option("--out <base>", t("cli.report.opt.out"))
    .action(async (opts: { operator: string; year: string; out?: string }) => {
      const ctx = await context();
      const operator = parseAddress(opts.operator, "--operator").toLowerCase();
      if (!/^\d{4}$/.test(opts.year)) throw new CliError(t("cli.badYear", { value: opts.year }));
      const disclosure = await ctx.api<Disclosure>(`/v1/disclosures/${operator}/${opts.year}`);
      if (!disclosure) throw new CliError(t("disclosure.empty", { operator, year: opts.year }), EXIT.usage);
      const base = opts.out ?? `disclosure-${operator}-${opts.year}`;
      await writeFile(`${base}.json`, `${JSON.stringify(disclosure, null, 2)}\n`);
      await writeFile(`${base}.html`, disclosureHtml(disclosure));
      if (ctx.json({ json: `${base}.json`, html: `${base}.html`, products: disclosure.products.length, revenue: disclosure.revenue, objections: disclosure.objections.length })) return;
      ctx.say(t("cli.report.wrote", { operator, year: opts.year, base, block: disclosure.readAt.number }));
      ctx.say(t("cli.report.counts", { resources: disclosure.resources.length, products: disclosure.products.length, objections: disclosure.objections.length }));
      for (const r of disclosure.revenue) {
        const [charged, paid] = [r.charged, r.paid].map((v) => formatAmount(v, r, tr()));
        const ceiling = r.ceiling ? t("cli.report.ceiling", { ceiling: formatAmount(r.ceiling, r, tr()), excess: formatAmount(r.excess, r, tr()) }) : "";
        ctx.say(t("cli.report.revenue", { charged, paid, ceiling }));
      }
    });

  program
    .command("cap")
    .description(t("cli.cap.help"))
    .argument("<dataset>", t("cli.arg.datasetId"))
    .option("--currency <code|token>", t("cli.opt.currency"))
    .option("--max-unit-price <n>", t("cli.cap.opt.maxUnitPrice"), "0")
    .option("--max-daily-fee <n>", t("cli.cap.opt.maxDailyFee"), "0")
    .option("--lift", t("cli.cap.opt.lift"))
    .action(async (dataset: string, opts: { currency?: string; maxUnitPrice: string; maxDailyFee: string; lift?: boolean }) => {
      const ctx = await context();
      const datasetId = parseId(dataset, t("cli.the.dataset"));
      if (Boolean(opts.lift) === (opts.currency !== undefined)) throw new CliError(t("cli.cap.currencyOrLift"));
      const currency = opts.currency === undefined ? {} : parseCurrency(opts.currency);
      const cap = { ...currency, maxUnitPrice: parseAmount(opts.maxUnitPrice, "--max-unit-price", UINT96_MAX), maxDailyFee: parseAmount(opts.maxDailyFee, "--max-daily-fee", UINT96_MAX) };
      const { token, currencyCode } = feeTermsTuple({ purposeClass: "commercial", ...currency });
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).setFeeCap(datasetId, { token, currencyCode, maxUnitPrice: cap.maxUnitPrice, maxDailyFee: cap.maxDailyFee }), "FeeCapSet");
      if (ctx.json({ dataset: datasetId, ...cap, tx: m.receipt.hash })) return;
      const ref = { token: cap.token ?? null, currencyCode: cap.currencyCode ?? null };
      const [unit, daily] = [cap.maxUnitPrice, cap.maxDailyFee].map((v) => formatAmount(v.toString(), ref, tr()));
      ctx.say(opts.lift ? t("cli.cap.lifted", { id: datasetId, tx: m.receipt.hash }) : t("cli.cap.set", { id: datasetId, unit, daily, tx: m.receipt.hash }));
    });

  program
    .command("ceiling")
    .description(t("cli.ceiling.help"))
    .argument("<operator>", t("cli.ceiling.arg.operator"))
    .requiredOption("--year <year>", t("cli.ceiling.opt.year"))
    .requiredOption("--currency <code|token>", t("cli.opt.currency"))
    .requiredOption("--amount <n>", t("cli.ceiling.opt.amount"))
    .action(async (operator: string, opts: { year: string; currency: string; amount: string }) => {
      const ctx = await context();
      parseAddress(operator, t("cli.the.operator"));
      if (!/^\d{4}$/.test(opts.year)) throw new CliError(t("cli.badYear", { value: opts.year }));
      const currency = parseCurrency(opts.currency);
      const amount = parseAmount(opts.amount, "--amount");
      const { token, currencyCode } = feeTermsTuple({ purposeClass: "commercial", ...currency });
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).setRevenueCeiling(operator, Number(opts.year), token, currencyCode, amount), "RevenueCeilingSet");
      const ref = { token: currency.token ?? null, currencyCode: currency.currencyCode ?? null };
      if (!ctx.json({ operator, year: Number(opts.year), ...currency, amount, tx: m.receipt.hash }))
        ctx.say(t("cli.ceiling.set", { operator, year: opts.year, amount: formatAmount(amount.toString(), ref, tr()), tx: m.receipt.hash }));
    });

  program
    .command("object")
    .description(t("cli.object.help"))
    .argument("<id>", t("cli.object.arg.id"))
    .requiredOption("--reason <text>", t("cli.object.opt.reason"))
    .option("--evidence <file|hash>", t("cli.object.opt.evidence"))
    .action(async (id: string, opts: { reason: string; evidence?: string }) => {
      const ctx = await context();
      const target = parseId(id, t("cli.the.datasetOrGrant"));
      if (!opts.reason.trim()) throw new CliError(t("cli.object.emptyReason"));
      const isDataset = (await ctx.ledger().holderOf(target)) !== ZeroAddress;
      const kind = isDataset ? ObjectionTarget.Dataset : ObjectionTarget.Grant;
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).fileObjection(kind, target, opts.reason, await evidenceHash(opts.evidence)), "ObjectionFiled");
      const { objectionId, answerDue } = eventNamed(m, "ObjectionFiled")!.args;
      if (!ctx.json({ objection: objectionId, target, targetKind: isDataset ? "dataset" : "grant", answerDue, tx: m.receipt.hash })) {
        ctx.say(t("cli.object.filed", { id: objectionId, kind: isDataset ? "dataset" : "grant", target, due: shownTime(answerDue), tx: m.receipt.hash }));
      }
    });

  const objectionNumber = (text: string) => {
    if (!/^[1-9]\d{0,19}$/.test(text)) throw new CliError(t("cli.objection.badNumber", { value: text }));
    return BigInt(text);
  };

  program
    .command("answer")
    .description(t("cli.answer.help"))
    .argument("<objection>", t("cli.objection.arg.number"))
    .requiredOption("--text <text>", t("cli.answer.opt.text"))
    .option("--evidence <file|hash>", t("cli.answer.opt.evidence"))
    .action(async (objection: string, opts: { text: string; evidence?: string }) => {
      const ctx = await context();
      const id = objectionNumber(objection);
      if (!opts.text.trim()) throw new CliError(t("cli.answer.emptyText"));
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).answerObjection(id, opts.text, await evidenceHash(opts.evidence)), "ObjectionAnswered");
      if (!ctx.json({ objection: id, answered: true, tx: m.receipt.hash })) ctx.say(t("cli.answer.done", { id, tx: m.receipt.hash }));
    });

  program
    .command("rule")
    .description(t("cli.rule.help"))
    .argument("<objection>", t("cli.objection.arg.number"))
    .option("--uphold", t("cli.rule.opt.uphold"))
    .option("--reject", t("cli.rule.opt.reject"))
    .requiredOption("--text <text>", t("cli.rule.opt.text"))
    .action(async (objection: string, opts: { uphold?: boolean; reject?: boolean; text: string }) => {
      const ctx = await context();
      const id = objectionNumber(objection);
      if (Boolean(opts.uphold) === Boolean(opts.reject)) throw new CliError(t("cli.rule.upholdOrReject"));
      if (!opts.text.trim()) throw new CliError(t("cli.rule.emptyText"));
      const m = await mined(ctx, oversight(ctx, await ctx.signer()).ruleOnObjection(id, Boolean(opts.uphold), opts.text), "ObjectionRuled");
      const cancelled = m.events.find((e) => e.name === "GrantCancelled" || e.name === "DatasetCancelled");
      if (ctx.json({ objection: id, upheld: Boolean(opts.uphold), cancelled: cancelled ? (cancelled.args[0] as string) : null, tx: m.receipt.hash })) return;
      const effect = cancelled ? t("cli.rule.cancelled", { kind: cancelled.name === "GrantCancelled" ? "grant" : "dataset", target: String(cancelled.args[0]) }) : "";
      ctx.say(t(opts.uphold ? "cli.rule.upheld" : "cli.rule.rejected", { id, effect, tx: m.receipt.hash }));
    });

  program
    .command("objections")
    .description(t("cli.objections.help"))
    .argument("[objection]", t("cli.objection.arg.number"))
    .option("--target <id>", t("cli.objections.opt.target"))
    .action(async (objection: string | undefined, opts: { target?: string }) => {
      const ctx = await context();
      if (objection !== undefined) {
        const answer = await ctx.api<{ objection: Objection }>(`/v1/objections/${objectionNumber(objection)}`);
        if (!answer) throw new CliError(t("api.objectionNotFound", { id: objection }));
        if (!ctx.json(answer.objection)) printObjection(ctx, answer.objection);
        return;
      }
      const target = opts.target ? `&target=${parseId(opts.target, "--target")}` : "";
      const page = await ctx.api<{ items: Objection[]; next: string | null }>(`/v1/objections?limit=100${target}`);
      if (ctx.json(page!.items)) return;
      if (page!.items.length === 0) ctx.say(t("cli.objections.none"));
      for (const o of page!.items) printObjection(ctx, o);
      if (page!.next) ctx.say(t("cli.objections.more"));
    });
}
