/**
 * Records as the API shows them, typed by the API's contract (core/api-answers.ts): every fact with its evidence and how final it is at the current
 * chain head, each grant's standing and each dataset's licence computed at the head's time (see
 * standing.ts). Pure functions; `viewsOf` binds them to one request's reader and head.
 */
import { ZeroHash } from "ethers";

import type * as Answer from "../../core/api-answers.js";
import { rightNames } from "../../core/ids.js";
import { type FeeBasis, owedAt } from "../../core/fees.js";
import type * as R from "../store/records.js";
import { grantStanding, type GrantStanding, type Lapse, type LicenceFacts, licenceLapse } from "./standing.js";

export interface Finality {
  /** The node's head block number. */
  head: number;
  /** The head block's timestamp (Unix seconds): grant statuses are computed at this time. */
  headTime: number;
  finalityDepth: number;
}

export function evidenceView(e: R.Evidence, f: Finality): Answer.Evidence {
  const confirmations = Math.max(0, f.head - e.blockNumber + 1);
  return { ...e, time: new Date(e.timestamp * 1000).toISOString(), confirmations, final: confirmations >= f.finalityDepth };
}

function lapseView(lapse: Lapse | null, f: Finality): Answer.Lapse | null {
  return lapse ? { ...lapse, evidence: lapse.evidence ? evidenceView(lapse.evidence, f) : null } : null;
}

/** A dataset; `lapse` is the licence of it that no longer holds, if any. */
export function datasetView(d: R.DatasetRecord, f: Finality, lapse: Lapse | null): Answer.Dataset {
  return {
    id: d.id,
    holder: d.holder,
    registrant: d.registrant,
    contentHash: d.contentHash,
    merkleRoot: d.merkleRoot,
    recordCount: d.recordCount,
    metadataURI: d.metadataURI,
    status: d.retired ? ("retired" as const) : lapse ? ("lapsed" as const) : ("active" as const),
    pendingHolder: d.pendingHolder,
    parents: d.parents.map((p) => ({ datasetId: p.datasetId, grantId: p.grantId === ZeroHash ? null : p.grantId, evidence: evidenceView(p.evidence, f) })),
    licences: d.licences.map((l) => ({ grantId: l.grantId, direct: l.direct, evidence: evidenceView(l.evidence, f) })),
    lapse: lapseView(lapse, f),
    versions: { previous: d.previousVersion, next: d.nextVersion },
    transfers: d.transfers.map((t) => ({ from: t.from, to: t.to, evidence: evidenceView(t.evidence, f) })),
    registered: evidenceView(d.registered, f),
    retired: d.retired ? evidenceView(d.retired, f) : null,
    cancelledBy: d.cancelledBy ?? null,
  };
}

/** What the fee rules need of a priced grant (core/fees.ts); undefined for a grant issued without terms. */
export function feeBasisOf(g: R.GrantRecord): FeeBasis | undefined {
  if (!g.fees) return undefined;
  return {
    unitPrice: BigInt(g.fees.unitPrice),
    periodFee: BigInt(g.fees.periodFee),
    period: g.fees.period,
    validFrom: g.validFrom,
    validUntil: g.validUntil,
    endedAt: g.ended?.timestamp ?? null,
  };
}

export function grantView(g: R.GrantRecord, f: Finality, standing: GrantStanding): Answer.Grant {
  const unlimited = g.quota === "0";
  return {
    id: g.id,
    datasetId: g.datasetId,
    grantor: g.grantor,
    grantee: g.grantee,
    rights: rightNames(g.rights),
    purpose: g.purpose,
    purposeHash: g.purposeHash,
    validFrom: g.validFrom,
    validUntil: g.validUntil,
    quota: g.quota,
    used: g.used,
    remaining: unlimited ? null : (BigInt(g.quota) - BigInt(g.used)).toString(),
    uses: g.uses,
    status: standing.status,
    lapse: lapseView(standing.lapse, f),
    issued: evidenceView(g.issued, f),
    ended: g.ended ? evidenceView(g.ended, f) : null,
    cancelledBy: g.cancelledBy ?? null,
    fees: g.fees ?? null,
    owed: g.fees ? owedAt(feeBasisOf(g)!, BigInt(g.used), f.headTime).toString() : null,
    paid: g.fees ? (g.paid ?? "0") : null,
  };
}

export function paymentView(p: R.PaymentRecord, f: Finality): Answer.Payment {
  return { ...p, evidence: evidenceView(p.evidence, f) };
}

export function feeCapView(c: R.FeeCapRecord, f: Finality): Answer.FeeCap {
  return { ...c, evidence: evidenceView(c.evidence, f) };
}

export function ceilingView(c: R.RevenueCeilingRecord, f: Finality): Answer.RevenueCeiling {
  return { ...c, evidence: evidenceView(c.evidence, f) };
}

export function objectionView(o: R.ObjectionRecord, f: Finality): Answer.Objection {
  return {
    ...o,
    filed: evidenceView(o.filed, f),
    answer: o.answer && { ...o.answer, evidence: evidenceView(o.answer.evidence, f) },
    ruling: o.ruling && { ...o.ruling, evidence: evidenceView(o.ruling.evidence, f) },
  };
}

export function usageView(u: R.UsageRecord, f: Finality): Answer.Usage {
  return { ...u, evidence: evidenceView(u.evidence, f) };
}

export function epochView(e: R.EpochRecord, f: Finality): Answer.Epoch {
  return { ...e, evidence: evidenceView(e.evidence, f) };
}

export function meterView(m: R.MeterRecord, f: Finality): Answer.Meter {
  return { ...m, appointed: evidenceView(m.appointed, f) };
}

export function activityView(a: R.ActivityRecord, f: Finality): Answer.Activity {
  return { ...a, evidence: evidenceView(a.evidence, f) };
}

/**
 * A use or an activity entry as stored (JSON whose last field is its evidence, time included), with
 * its finality at the head added: the very text `JSON.stringify` writes for its view, made without
 * parsing it.
 */
export function withFinality(stored: string, blockNumber: number, f: Finality): string {
  const confirmations = Math.max(0, f.head - blockNumber + 1);
  return `${stored.slice(0, -2)},"confirmations":${confirmations},"final":${confirmations >= f.finalityDepth}}}`;
}

/** What the views read beyond a record: what its grant's dataset says of its standing, and its licence (the index's Reader has both). */
export interface LicenceSource {
  datasetStandingOf(g: R.GrantRecord): R.DatasetStanding;
  licenceFacts(dataset: Pick<R.DatasetRecord, "licences">): LicenceFacts[];
}

/**
 * The views of one request: datasets and grants with their licence standing read through `reader`
 * (each dataset's licence looked up once) at the head's time.
 */
export function viewsOf(reader: LicenceSource, f: Finality) {
  const facts = new Map<string, LicenceFacts[]>();
  const factsOf = (d: R.DatasetStanding) => {
    if (d.licences.length === 0) return [];
    let found = facts.get(d.id);
    if (!found) facts.set(d.id, (found = reader.licenceFacts(d)));
    return found;
  };
  const lapseOf = (d: R.DatasetRecord) => licenceLapse(factsOf(d), f.headTime);
  const standingOf = (g: R.GrantRecord, d: R.DatasetStanding) => grantStanding(g, d, factsOf(d), f.headTime);
  return {
    finality: f,
    dataset: (d: R.DatasetRecord) => datasetView(d, f, lapseOf(d)),
    grant: (g: R.GrantRecord) => grantView(g, f, standingOf(g, reader.datasetStandingOf(g))),
    usage: (u: R.UsageRecord) => usageView(u, f),
    activity: (a: R.ActivityRecord) => activityView(a, f),
    epoch: (e: R.EpochRecord) => epochView(e, f),
    meter: (m: R.MeterRecord) => meterView(m, f),
    payment: (p: R.PaymentRecord) => paymentView(p, f),
    feeCap: (c: R.FeeCapRecord) => feeCapView(c, f),
    ceiling: (c: R.RevenueCeilingRecord) => ceilingView(c, f),
    objection: (o: R.ObjectionRecord) => objectionView(o, f),
    /** A grant's standing at the head's time. */
    standing: (g: R.GrantRecord) => standingOf(g, reader.datasetStandingOf(g)),
    evidence: (e: R.Evidence) => evidenceView(e, f),
  };
}
export type Views = ReturnType<typeof viewsOf>;
