/**
 * A grant's validity window as the ledger stores it: two uint40 Unix times, inclusive. The largest
 * uint40 is "no end"; written as a date it would be the year 36812. Dependency-free: the explorer
 * bundles it too.
 */
export const NO_END = 2 ** 40 - 1;

/** Whether a window ending at `validUntil` ends at all. */
export const hasEnd = (validUntil: number | bigint): boolean => Number(validUntil) < NO_END;
