/**
 * Why a licence lapsed, by the API's name of each reason and in words. No imports: the explorer's
 * bundle takes it as it is.
 */

/** The API's name of each LicenceLapse, in the enum's order. */
export const LAPSE_REASONS = ["revoked", "renounced", "expired", "retired", "cancelled"] as const;
export type LapseReason = (typeof LAPSE_REASONS)[number];

/** Why a licence lapsed, in words, by the API's name of the reason. */
export const LAPSE_WORDS: Record<LapseReason, string> = {
  revoked: "was revoked",
  renounced: "was renounced",
  expired: "expired",
  retired: "is over a retired dataset",
  cancelled: "was cancelled by an arbiter's ruling",
};
