/**
 * Records as the API shows them: every fact with its evidence and how final it is at the current
 * chain head, and each grant's status computed at the head's time. Pure functions.
 */
import type { ActivityRecord, DatasetRecord, Evidence, GrantRecord, UsageRecord } from "../store/records.js";

export interface Finality {
  /** The node's head block number. */
  head: number;
  /** The head block's timestamp (Unix seconds): grant statuses are computed at this time. */
  headTime: number;
  finalityDepth: number;
}

const ZERO_HASH = "0x" + "00".repeat(32);
const ACTIONS = ["use", "process", "derive", "operate"] as const;

export function evidenceView(e: Evidence, f: Finality) {
  const confirmations = Math.max(0, f.head - e.blockNumber + 1);
  return { ...e, time: new Date(e.timestamp * 1000).toISOString(), confirmations, final: confirmations >= f.finalityDepth };
}

export function datasetView(d: DatasetRecord, f: Finality) {
  return {
    id: d.id,
    holder: d.holder,
    registrant: d.registrant,
    contentHash: d.contentHash,
    merkleRoot: d.merkleRoot,
    recordCount: d.recordCount,
    metadataURI: d.metadataURI,
    status: d.retired ? ("retired" as const) : ("active" as const),
    pendingHolder: d.pendingHolder,
    parents: d.parents.map((p) => ({ datasetId: p.datasetId, grantId: p.grantId === ZERO_HASH ? null : p.grantId, evidence: evidenceView(p.evidence, f) })),
    versions: { previous: d.previousVersion, next: d.nextVersion },
    transfers: d.transfers.map((t) => ({ from: t.from, to: t.to, evidence: evidenceView(t.evidence, f) })),
    registered: evidenceView(d.registered, f),
    retired: d.retired ? evidenceView(d.retired, f) : null,
  };
}

export function rightNames(rights: number): ("use" | "process" | "operate-product")[] {
  const names: ("use" | "process" | "operate-product")[] = [];
  if (rights & 1) names.push("use");
  if (rights & 2) names.push("process");
  if (rights & 4) names.push("operate-product");
  return names;
}

export type GrantStatusName = "pending" | "active" | "expired" | "exhausted" | "revoked" | "renounced";

/** A grant's standing at `time`, exactly as the contract's grantStatus computes it. */
export function grantStatus(g: Pick<GrantRecord, "state" | "validFrom" | "validUntil" | "quota" | "used">, time: number): GrantStatusName {
  if (g.state !== "active") return g.state;
  if (time < g.validFrom) return "pending";
  if (time > g.validUntil) return "expired";
  if (g.quota !== "0" && BigInt(g.used) >= BigInt(g.quota)) return "exhausted";
  return "active";
}

export function grantView(g: GrantRecord, f: Finality) {
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
    status: grantStatus(g, f.headTime),
    issued: evidenceView(g.issued, f),
    ended: g.ended ? evidenceView(g.ended, f) : null,
  };
}

export function usageView(u: UsageRecord, f: Finality) {
  return {
    grantId: u.grantId,
    datasetId: u.datasetId,
    grantee: u.grantee,
    action: ACTIONS[u.action] ?? ("use" as const),
    units: u.units,
    outputRef: u.outputRef === ZERO_HASH ? null : u.outputRef,
    evidence: evidenceView(u.evidence, f),
  };
}

export function activityView(a: ActivityRecord, f: Finality) {
  return { ...a, evidence: evidenceView(a.evidence, f) };
}
