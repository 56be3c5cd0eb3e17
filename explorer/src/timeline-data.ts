/** The usage timeline's data: units used over time, cumulated per grantee. Pure. */
import type { Usage } from "./model.js";

export interface GranteeSeries {
  grantee: string;
  total: bigint;
  /** One point per use, in time order: the block time and the grantee's running total after it. */
  points: { t: number; total: number }[];
}

export function cumulativeByGrantee(uses: readonly Pick<Usage, "grantee" | "units" | "evidence">[]): GranteeSeries[] {
  const ordered = [...uses].sort((a, b) => a.evidence.blockNumber - b.evidence.blockNumber || a.evidence.logIndex - b.evidence.logIndex);
  const series = new Map<string, GranteeSeries>();
  for (const use of ordered) {
    let s = series.get(use.grantee);
    if (!s) series.set(use.grantee, (s = { grantee: use.grantee, total: 0n, points: [] }));
    s.total += BigInt(use.units);
    s.points.push({ t: use.evidence.timestamp, total: Number(s.total) });
  }
  return [...series.values()].sort((a, b) => (a.total === b.total ? a.grantee.localeCompare(b.grantee) : a.total > b.total ? -1 : 1));
}

/** The time axis: from a little before the first use to a little after the last, never zero-wide. */
export function timelineBounds(series: readonly GranteeSeries[]): { min: number; max: number } {
  const times = series.flatMap((s) => s.points.map((p) => p.t));
  const first = Math.min(...times);
  const last = Math.max(...times);
  const pad = Math.max(60, Math.ceil((last - first) * 0.05));
  return { min: first - pad, max: last + pad };
}
