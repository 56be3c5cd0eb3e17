/** How the explorer writes hashes, times, units, amounts and rights, in the reader's language. */
import { feeTermsText as feeTermsIn, formatAmount as formatAmountIn, type CurrencyRef, type FeeTermsRef } from "../../core/money.js";
import { hasEnd } from "../../core/window.js";
import { t, tr } from "./i18n.js";
import type { Dataset } from "./model.js";

export const formatAmount = (amount: string, currency: CurrencyRef) => formatAmountIn(amount, currency, tr());
export const feeTermsText = (terms: FeeTermsRef) => feeTermsIn(terms, tr());

export function shortHex(hex: string, keep = 6): string {
  return hex.length <= 2 + keep * 2 + 1 ? hex : `${hex.slice(0, 2 + keep)}…${hex.slice(-keep + 2)}`;
}

/** "2026-11-27 09:10:11 UTC" (or 2026年11月27日 09:10:11 UTC): unambiguous for auditors in any time zone. */
export function formatTime(unixSeconds: number): string {
  return tr().time(unixSeconds);
}

/** A grant window's end: a time, or "no end" for the ledger's open-ended window. */
export function formatUntil(validUntil: number): string {
  return hasEnd(validUntil) ? formatTime(validUntil) : t("window.noEnd");
}

/** A decimal string of any size with the locale's digit grouping: "1,234,567". */
export function formatUnits(units: string): string {
  return tr().integer(units);
}

export function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  const units = ["KB", "MB", "GB", "TB"];
  let value = bytes / 1024;
  let i = 0;
  for (; value >= 1024 && i < units.length - 1; i++) value /= 1024;
  return `${value.toFixed(value < 10 ? 1 : 0)} ${units[i]}`;
}

export function rightsLabel(rights: readonly string[]): string {
  return rights.map((r) => tr().name("right", r)).join(t("list.separator")) || t("right.none");
}

/** The dataset's title from a `data:application/json` metadata URI, when it has one. */
export function datasetTitle(d: Pick<Dataset, "id" | "metadataURI">): string {
  const meta = decodeMetadata(d.metadataURI);
  const title = meta?.title ?? meta?.name;
  return typeof title === "string" && title.trim() !== "" ? title.trim() : t("dataset.untitled", { id: shortHex(d.id) });
}

/** The JSON object inside a `data:application/json[;base64],` URI; undefined for anything else. */
export function decodeMetadata(uri: string): Record<string, unknown> | undefined {
  const match = /^data:application\/json(;base64)?,(.*)$/s.exec(uri);
  if (!match) return undefined;
  try {
    const text = match[1] ? new TextDecoder().decode(Uint8Array.from(atob(match[2]), (c) => c.charCodeAt(0))) : decodeURIComponent(match[2]);
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === "object" && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}
