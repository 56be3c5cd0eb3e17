/**
 * What a grant's fee terms make it owe, by the rules in IGrantFees: each unit used at the unit price,
 * and each period's fee from the second the period starts (periods run from `validFrom`, every
 * `period` seconds, until the window ends or the grant ends). Pure; amounts are bigints in the
 * currency's smallest unit, times Unix seconds.
 */

/** The terms and window a sum needs. */
export interface FeeBasis {
  unitPrice: bigint;
  periodFee: bigint;
  /** Seconds; zero without a period fee. */
  period: number;
  validFrom: number;
  validUntil: number;
  /** When the grant was revoked, renounced or cancelled; null while it has not ended. */
  endedAt: number | null;
}

/** The last second a period can start: the window's end, or the grant's end if earlier. */
function lastStart(b: FeeBasis): number {
  return b.endedAt === null ? b.validUntil : Math.min(b.validUntil, b.endedAt);
}

/** How many periods start within [from, to] (inclusive), counting only starts the grant lives to see. */
export function periodsStarted(b: FeeBasis, from: number, to: number): bigint {
  if (b.periodFee === 0n || b.period <= 0) return 0n;
  const hi = Math.min(to, lastStart(b));
  const lo = Math.max(from, b.validFrom);
  if (hi < lo) return 0n;
  // Starts are validFrom + k * period; count k with lo <= start <= hi.
  const first = Math.ceil((lo - b.validFrom) / b.period);
  const last = Math.floor((hi - b.validFrom) / b.period);
  return last < first ? 0n : BigInt(last - first + 1);
}

/** What `units` used and the periods started within [from, to] cost. */
export function chargeFor(b: FeeBasis, units: bigint, from: number, to: number): bigint {
  return units * b.unitPrice + periodsStarted(b, from, to) * b.periodFee;
}

/** What a grant that used `used` units owes in all at time `at` (IGrantFees.feesOf at a block of that time). */
export function owedAt(b: FeeBasis, used: bigint, at: number): bigint {
  return chargeFor(b, used, Number.MIN_SAFE_INTEGER, at);
}
