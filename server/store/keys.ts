/**
 * Fixed-width keys that sort in chain order, so that every list is a range scan.
 */
import type { NumberedList } from "./layout.js";
import type { Evidence } from "./records.js";

export const pad = (n: number, width: number) => n.toString().padStart(width, "0");

/** Block (12 digits), transaction (6) and log (6) index: the order of events on chain. */
export const positionKey = (e: Pick<Evidence, "blockNumber" | "txIndex" | "logIndex">) => `${pad(e.blockNumber, 12)}${pad(e.txIndex, 6)}${pad(e.logIndex, 6)}`;

export const blockKey = (n: number) => pad(n, 12);

/** A holder's epoch: uint64, 20 digits, so that a holder's epochs sort by number. */
export const epochKey = (holder: string, epoch: bigint) => `${holder}:${epoch.toString().padStart(20, "0")}`;

/** A moment in a grant's series (units used, fees paid): Unix seconds, 12 digits, so that a grant's moments sort in time. */
export const seriesKey = (grantId: string, timestamp: number) => `${grantId}:${pad(timestamp, 12)}`;

/** An objection's number: uint64, 20 digits, so that objections sort in filing order. */
export const objectionKey = (id: bigint | string) => id.toString().padStart(20, "0");

/** An item's key in a numbered list (layout.ts): the list's id, then the item's number there (12 digits). */
export const numberedKey = (listId: string, n: number) => `${listId}:${pad(n, 12)}`;

/** Where a numbered list's length is kept, in "listLengths". */
export const listLengthKey = (list: NumberedList, listId: string) => `${list}:${listId}`;

/** A key greater than every key that starts with `prefix` (keys here are hex, digits and ':'). */
export const upperBound = (prefix: string) => `${prefix}\xff`;

/** Pagination cursors are opaque to clients: the last key of the page, base64url-encoded. */
export const encodeCursor = (key: string) => Buffer.from(key, "utf8").toString("base64url");

export function decodeCursor(cursor: string): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,400}$/.test(cursor)) return undefined;
  const key = Buffer.from(cursor, "base64url").toString("utf8");
  return /^[0-9a-z:]+$/.test(key) ? key : undefined;
}
