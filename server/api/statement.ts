/**
 * A statement: for an account and a period, each of its priced grants' units and periods, what they
 * cost, what was paid, and what is outstanding, from the index. Units and payments are read from
 * each grant's series (two seeks a grant), never by scanning its uses: a grantee with 100,000 uses
 * costs what one with ten does.
 */
import type * as Answer from "../../core/api-answers.js";
import { chargeFor, owedAt, periodsStarted } from "../../core/fees.js";
import type { Period } from "../../core/period.js";
import type { Reader } from "../store/reader.js";
import type { GrantRecord } from "../store/records.js";
import { feeBasisOf, type viewsOf } from "./views.js";

/** The most grants one statement covers; past it the answer says it is truncated. */
export const STATEMENT_MAX_GRANTS = 5_000;

const PAGE = 500;

/** The account's grants: received (grantee) or issued (holder), oldest pages last, at most `max`. */
async function grantsOf(reader: Reader, account: string, role: "grantee" | "holder", max: number): Promise<{ grants: GrantRecord[]; truncated: boolean }> {
  const grants: GrantRecord[] = [];
  let cursor: string | undefined;
  do {
    const page = role === "grantee" ? await reader.grantsOfGrantee(account, { limit: PAGE, cursor }) : await reader.grantsOfGrantor(account, { limit: PAGE, cursor });
    grants.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor && grants.length < max);
  return { grants: grants.slice(0, max), truncated: cursor !== undefined || grants.length > max };
}

/** One grant's line; undefined for a grant without terms or issued after the period. */
async function lineOf(reader: Reader, views: ReturnType<typeof viewsOf>, g: GrantRecord, from: number, to: number): Promise<Answer.StatementLine | undefined> {
  const basis = feeBasisOf(g);
  if (!basis || !g.fees || g.issued.timestamp > to) return undefined;
  const [usedBefore, usedByEnd, paidBefore, paidByEnd] = await Promise.all([reader.usedBy(g, from - 1), reader.usedBy(g, to), reader.paidBy(g, from - 1), reader.paidBy(g, to)]);
  const units = usedByEnd - usedBefore;
  const owedToDate = owedAt(basis, usedByEnd, to);
  const outstanding = owedToDate > paidByEnd ? owedToDate - paidByEnd : 0n;
  return {
    grantId: g.id,
    datasetId: g.datasetId,
    holder: reader.datasetOf(g).holder,
    status: views.standing(g).status,
    fees: g.fees,
    units: units.toString(),
    periods: Number(periodsStarted(basis, from, to)),
    charged: chargeFor(basis, units, from, to).toString(),
    paidInPeriod: (paidByEnd - paidBefore).toString(),
    owedToDate: owedToDate.toString(),
    paidToDate: paidByEnd.toString(),
    outstanding: outstanding.toString(),
  };
}

/** Sums the lines per currency, in the order currencies first appear. */
function totalsOf(lines: Answer.StatementLine[]): Answer.Statement["totals"] {
  const totals = new Map<string, { token: string | null; currencyCode: string | null; charged: bigint; paidInPeriod: bigint; outstanding: bigint }>();
  for (const line of lines) {
    const key = `${line.fees.token}|${line.fees.currencyCode}`;
    const t = totals.get(key) ?? { token: line.fees.token, currencyCode: line.fees.currencyCode, charged: 0n, paidInPeriod: 0n, outstanding: 0n };
    t.charged += BigInt(line.charged);
    t.paidInPeriod += BigInt(line.paidInPeriod);
    t.outstanding += BigInt(line.outstanding);
    totals.set(key, t);
  }
  return [...totals.values()].map((t) => ({ ...t, charged: t.charged.toString(), paidInPeriod: t.paidInPeriod.toString(), outstanding: t.outstanding.toString() }));
}

/**
 * `account`'s statement for `period` as grantee (what it owes) or holder (what the grants it issued
 * bring in). Nothing accrues after the head's time: a period still running is counted to now.
 */
export async function statementOf(reader: Reader, views: ReturnType<typeof viewsOf>, account: string, role: "grantee" | "holder", period: Period): Promise<Omit<Answer.Statement, "readAt">> {
  const to = Math.min(period.to, views.finality.headTime);
  const { grants, truncated } = await grantsOf(reader, account, role, STATEMENT_MAX_GRANTS);
  const lines = (await Promise.all(grants.map((g) => lineOf(reader, views, g, period.from, to)))).filter((l): l is Answer.StatementLine => l !== undefined);
  lines.sort((a, b) => (a.grantId < b.grantId ? -1 : 1));
  return { account, role, period: { label: period.label, from: period.from, to: period.to }, lines, totals: totalsOf(lines), truncated };
}
