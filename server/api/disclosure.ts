/**
 * An operator's yearly disclosure, as the rules for authorised operation ask: the public data it was
 * authorised to operate, its products and services with their fees, units and revenue, its revenue
 * against the ceiling, and the objections and rulings about it; every figure with the chain fact it
 * rests on. Built from the index (a grant's units and payments are seeks in its series), and from
 * nothing else: no clock, no confirmations, so that replicas at one block write the same bytes.
 */
import type * as Answer from "../../core/api-answers.js";
import { NotFoundError } from "../../core/errors.js";
import { chargeFor } from "../../core/fees.js";
import { rightNames, Rights } from "../../core/ids.js";
import { parsePeriod } from "../../core/period.js";
import type { Page, PageArgs, Reader } from "../store/reader.js";
import type { Evidence, GrantRecord, ObjectionRecord } from "../store/records.js";
import { feeBasisOf, type viewsOf } from "./views.js";

const PAGE = 500;

/** Every item of a list, page after page. */
async function all<T>(list: (args: PageArgs) => Promise<Page<T>>): Promise<T[]> {
  const items: T[] = [];
  let cursor: string | undefined;
  do {
    const page = await list({ limit: PAGE, cursor });
    items.push(...page.items);
    cursor = page.next ?? undefined;
  } while (cursor);
  return items;
}

const ref = (e: Evidence): Answer.Disclosure["resources"][number]["issued"] => ({
  txHash: e.txHash,
  blockNumber: e.blockNumber,
  logIndex: e.logIndex,
  time: new Date(e.timestamp * 1000).toISOString(),
});

/** Chain order of two facts. */
const byPosition = (a: Evidence, b: Evidence) => a.blockNumber - b.blockNumber || a.txIndex - b.txIndex || a.logIndex - b.logIndex;

/** Whether a grant was in force at some second of [from, to]: issued by `to`, not ended nor expired before `from`. */
const inForce = (g: GrantRecord, from: number, to: number) => g.issued.timestamp <= to && g.validUntil >= from && (g.ended === null || g.ended.timestamp >= from);

interface Totals {
  token: string | null;
  currencyCode: string | null;
  charged: bigint;
  paid: bigint;
  chargedLastYear: bigint;
}

const currencyKey = (c: { token: string | null; currencyCode: string | null }) => `${c.token}|${c.currencyCode}`;

/** `operator`'s disclosure for `year`; a 404 when it had nothing to disclose that year. */
export async function disclosureOf(reader: Reader, views: ReturnType<typeof viewsOf>, operator: string, year: number): Promise<Omit<Answer.Disclosure, "readAt">> {
  const { from, to } = parsePeriod(String(year));
  const last = parsePeriod(String(year - 1));
  const asOf = Math.min(to, views.finality.headTime);

  const received = await all((args) => reader.grantsOfGrantee(operator, args));
  const resources = received
    .filter((g) => g.rights & Rights.OPERATE_PRODUCT && inForce(g, from, to))
    .sort((a, b) => byPosition(a.issued, b.issued))
    .map((g) => ({
      grantId: g.id,
      datasetId: g.datasetId,
      grantor: g.grantor,
      rights: rightNames(g.rights),
      purpose: g.purpose,
      validFrom: g.validFrom,
      validUntil: g.validUntil,
      state: g.state,
      issued: ref(g.issued),
    }));

  const held = (await all((args) => reader.datasets({ ...args, holder: operator })))
    .filter((d) => d.registered.timestamp <= to && (d.retired === null || d.retired.timestamp >= from))
    .sort((a, b) => byPosition(a.registered, b.registered));
  const totals = new Map<string, Totals>();
  const grantIds: string[] = [];
  const products = await Promise.all(
    held.map(async (d) => {
      const grants = (await all((args) => reader.grantsOfDataset(d.id, args))).filter((g) => inForce(g, from, to)).sort((a, b) => byPosition(a.issued, b.issued));
      const lines = await Promise.all(
        grants.map(async (g) => {
          grantIds.push(g.id);
          const basis = feeBasisOf(g);
          const [usedBefore, usedByEnd, paidBefore, paidByEnd, usedBeforeLastYear] = await Promise.all([
            reader.usedBy(g, from - 1),
            reader.usedBy(g, asOf),
            reader.paidBy(g, from - 1),
            reader.paidBy(g, asOf),
            reader.usedBy(g, last.from - 1),
          ]);
          const units = usedByEnd - usedBefore;
          const charged = basis ? chargeFor(basis, units, from, asOf) : 0n;
          const paid = paidByEnd - paidBefore;
          if (g.fees) {
            const t = totals.get(currencyKey(g.fees)) ?? { token: g.fees.token, currencyCode: g.fees.currencyCode, charged: 0n, paid: 0n, chargedLastYear: 0n };
            t.charged += charged;
            t.paid += paid;
            t.chargedLastYear += chargeFor(basis!, usedBefore - usedBeforeLastYear, last.from, last.to);
            totals.set(currencyKey(g.fees), t);
          }
          return { grantId: g.id, grantee: g.grantee, state: g.state, fees: g.fees ?? null, units: units.toString(), charged: charged.toString(), paid: paid.toString(), issued: ref(g.issued) };
        }),
      );
      const revenue = new Map<string, { token: string | null; currencyCode: string | null; charged: bigint; paid: bigint }>();
      for (const line of lines) {
        if (!line.fees) continue;
        const r = revenue.get(currencyKey(line.fees)) ?? { token: line.fees.token, currencyCode: line.fees.currencyCode, charged: 0n, paid: 0n };
        r.charged += BigInt(line.charged);
        r.paid += BigInt(line.paid);
        revenue.set(currencyKey(line.fees), r);
      }
      const cap = await reader.feeCap(d.id);
      return {
        datasetId: d.id,
        metadataURI: d.metadataURI,
        registered: ref(d.registered),
        retired: d.retired ? ref(d.retired) : null,
        licences: d.licences.map((l) => l.grantId),
        cap: cap ? { token: cap.token, currencyCode: cap.currencyCode, maxUnitPrice: cap.maxUnitPrice, maxDailyFee: cap.maxDailyFee, set: ref(cap.evidence) } : null,
        grants: lines,
        units: lines.reduce((sum, l) => sum + BigInt(l.units), 0n).toString(),
        revenue: [...revenue.values()].map((r) => ({ ...r, charged: r.charged.toString(), paid: r.paid.toString() })),
      };
    }),
  );

  const ceilings = await reader.ceilings(operator);
  const ceilingOf = (y: number, key: string) => ceilings.find((c) => c.year === y && currencyKey(c) === key);
  // In currency order, not in the order concurrent reads happened to fill the map.
  const revenue = [...totals.entries()]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([key, t]) => {
      const ceiling = ceilingOf(year, key);
      const lastCeiling = ceilingOf(year - 1, key);
      const excess = ceiling && t.charged > BigInt(ceiling.ceiling) ? t.charged - BigInt(ceiling.ceiling) : 0n;
      const carriedIn = lastCeiling && t.chargedLastYear > BigInt(lastCeiling.ceiling) ? t.chargedLastYear - BigInt(lastCeiling.ceiling) : 0n;
      return {
        token: t.token,
        currencyCode: t.currencyCode,
        charged: t.charged.toString(),
        paid: t.paid.toString(),
        ceiling: ceiling?.ceiling ?? null,
        ceilingSet: ceiling ? ref(ceiling.evidence) : null,
        excess: excess.toString(),
        carriedIn: carriedIn.toString(),
      };
    });

  const during = (e: Evidence | undefined) => e !== undefined && e.timestamp >= from && e.timestamp <= to;
  const found = new Map<string, ObjectionRecord>();
  for (const target of [...held.map((d) => d.id), ...grantIds]) {
    for (const o of await all((args) => reader.objections({ ...args, target }))) if (during(o.filed) || during(o.ruling?.evidence)) found.set(o.id, o);
  }
  const objections = [...found.values()]
    .sort((a, b) => Number(BigInt(a.id) - BigInt(b.id)))
    .map((o) => ({
      id: o.id,
      targetKind: o.targetKind,
      target: o.target,
      objector: o.objector,
      reason: o.reason,
      state: o.state,
      filed: ref(o.filed),
      answer: o.answer ? { text: o.answer.text, at: ref(o.answer.evidence) } : null,
      ruling: o.ruling ? { upheld: o.ruling.upheld, text: o.ruling.text, at: ref(o.ruling.evidence) } : null,
    }));

  if (resources.length === 0 && products.length === 0 && objections.length === 0) {
    throw new NotFoundError({ key: "disclosure.empty", values: { operator, year } }, "disclosure_empty");
  }
  return { operator, year, period: { from, to }, asOf, resources, products, revenue, objections };
}
