/**
 * What a grant owes by the rules in IGrantFees' notes, written for tests apart from the code under
 * test: each unit at its price, and each period's fee from the second it starts, counting the starts
 * one by one (core/fees.ts divides).
 */

export interface FeeTermsModel {
  unitPrice: bigint;
  periodFee: bigint;
  period: bigint;
}

export function owedByRules(p: { used: bigint; terms: FeeTermsModel; validFrom: bigint; validUntil: bigint; endedAt?: bigint; now: bigint }): bigint {
  let owed = p.used * p.terms.unitPrice;
  if (p.terms.periodFee === 0n) return owed;
  let end = p.now;
  if (p.validUntil < end) end = p.validUntil;
  if (p.endedAt !== undefined && p.endedAt < end) end = p.endedAt;
  for (let start = p.validFrom; start <= end; start += p.terms.period) owed += p.terms.periodFee;
  return owed;
}
