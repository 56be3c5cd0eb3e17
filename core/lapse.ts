/**
 * Why a licence lapsed, by the API's name of each reason (in words: the catalogues' `lapse.*`). No
 * imports: the explorer's bundle takes it as it is.
 */

/** The API's name of each LicenceLapse, in the enum's order. */
export const LAPSE_REASONS = ["revoked", "renounced", "expired", "retired", "cancelled"] as const;
export type LapseReason = (typeof LAPSE_REASONS)[number];
