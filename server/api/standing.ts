/**
 * A grant's standing and a dataset's licence, computed from the index by the rules the ledger
 * enforces (IGrantRegistry.grantStatus, IUsageMeter.canUse): the checks a use makes, in the order it
 * makes them, leaving aside the action's right and the units. Pure functions over records; the
 * caller hands in the licence facts. Tests compare them with the contract's views at the same block.
 *
 * A licence (an upstream grant a dataset rests on) no longer holds when that grant was revoked,
 * renounced or cancelled by a ruling, when its window ended (`time > validUntil`), or when its dataset was retired. The first
 * licence in the ledger's order that no longer holds is the one named.
 */
import type { LapseReason } from "../../core/ids.js";
import type { DatasetRecord, Evidence, GrantRecord } from "../store/records.js";

export type GrantStatusName = "pending" | "active" | "expired" | "exhausted" | "revoked" | "renounced" | "cancelled" | "retired" | "lapsed";

export type { LapseReason };

/** Which upstream grant no longer holds, why, and the evidence of the event that ended it (none for an expiry). */
export interface Lapse {
  grantId: string;
  reason: LapseReason;
  /** The revocation, renunciation, cancellation or retirement; null when the grant's window ran out. */
  evidence: Evidence | null;
  /** The licence's last valid second. */
  validUntil: number;
}

/** One licence of a dataset as the index knows it: the upstream grant and the dataset that grant is on. */
export interface LicenceFacts {
  grant: Pick<GrantRecord, "id" | "state" | "validUntil" | "ended">;
  dataset: Pick<DatasetRecord, "retired">;
}

export interface GrantStanding {
  status: GrantStatusName;
  /** For a lapsed grant, the upstream licence that no longer holds. */
  lapse: Lapse | null;
}

/** The first licence that no longer holds at `time`, or null when every one holds (or there are none). */
export function licenceLapse(licences: readonly LicenceFacts[], time: number): Lapse | null {
  for (const { grant, dataset } of licences) {
    const base = { grantId: grant.id, validUntil: grant.validUntil };
    if (grant.state !== "active") return { ...base, reason: grant.state, evidence: grant.ended };
    if (time > grant.validUntil) return { ...base, reason: "expired", evidence: null };
    if (dataset.retired) return { ...base, reason: "retired", evidence: dataset.retired };
  }
  return null;
}

/**
 * The standing of grant `g` at `time`, whose dataset is `dataset` with licence `licences`: revoked,
 * renounced or cancelled; pending or expired by its own window; retired with its dataset; lapsed with a
 * licence; exhausted by its quota; else active.
 */
export function grantStanding(
  g: Pick<GrantRecord, "state" | "validFrom" | "validUntil" | "quota" | "used">,
  dataset: Pick<DatasetRecord, "retired">,
  licences: readonly LicenceFacts[],
  time: number,
): GrantStanding {
  if (g.state !== "active") return { status: g.state, lapse: null };
  if (time < g.validFrom) return { status: "pending", lapse: null };
  if (time > g.validUntil) return { status: "expired", lapse: null };
  if (dataset.retired) return { status: "retired", lapse: null };
  const lapse = licenceLapse(licences, time);
  if (lapse) return { status: "lapsed", lapse };
  if (g.quota !== "0" && BigInt(g.used) >= BigInt(g.quota)) return { status: "exhausted", lapse: null };
  return { status: "active", lapse: null };
}
