/**
 * Periods of the rules' calendar: a year ("2026"), a month ("2026-11") or a day ("2026-11-29") in
 * China Standard Time (UTC+8, no daylight saving), as the ledger's revenue ceilings count years.
 * Pure; times are Unix seconds, both ends inclusive.
 */
import { InvalidInputError } from "./errors.js";

/** UTC+8, in seconds. */
export const RULES_OFFSET = 8 * 3600;

export interface Period {
  /** What was asked for, as written ("2026-11"). */
  label: string;
  /** First second, Unix time. */
  from: number;
  /** Last second, Unix time. */
  to: number;
}

const PATTERN = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/** Unix seconds of midnight UTC+8 on the given calendar day (month and day may overflow: Date.UTC normalises). */
const midnight = (year: number, month: number, day: number) => Date.UTC(year, month - 1, day) / 1000 - RULES_OFFSET;

/** The period a label names; one clear sentence when it names none. */
export function parsePeriod(label: string, what = "period"): Period {
  const match = PATTERN.exec(label);
  const [year, month, day] = match ? match.slice(1).map((part) => (part === undefined ? undefined : Number(part))) : [];
  const valid =
    year !== undefined &&
    year >= 1970 &&
    (month === undefined || (month >= 1 && month <= 12)) &&
    (day === undefined || (month !== undefined && day >= 1 && day <= new Date(Date.UTC(year, month, 0)).getUTCDate()));
  if (!valid) throw new InvalidInputError({ key: "err.period", values: { what, value: label } });
  const from = midnight(year, month ?? 1, day ?? 1);
  const next = day !== undefined ? midnight(year, month!, day + 1) : month !== undefined ? midnight(year, month + 1, 1) : midnight(year + 1, 1, 1);
  return { label, from, to: next - 1 };
}

/** The calendar year (UTC+8) a moment falls in. */
export function yearOf(time: number): number {
  return new Date((time + RULES_OFFSET) * 1000).getUTCFullYear();
}

/** The month (UTC+8) a moment falls in, as a number: 202611. */
export function monthOf(time: number): number {
  const d = new Date((time + RULES_OFFSET) * 1000);
  return d.getUTCFullYear() * 100 + d.getUTCMonth() + 1;
}

/** The month after `month` (202612 → 202701). */
export function nextMonth(month: number): number {
  return month % 100 === 12 ? (Math.floor(month / 100) + 1) * 100 + 1 : month + 1;
}

/** Whether `time` is the last second of a month (UTC+8): where month and year periods end. */
export function isMonthEnd(time: number): boolean {
  return monthOf(time) !== monthOf(time + 1);
}
