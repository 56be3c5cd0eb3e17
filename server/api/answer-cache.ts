/**
 * Answers already written, kept for the next request that asks the same thing at the same point.
 * A GET answer of the API is a function of its URL, of the index state it was read at and of the
 * head its finality is counted against, nothing else: kept with those, it is served again, byte for
 * byte, for as long as they hold, and any commit, rollback or new head makes it stale. graph-node
 * keeps query results per block the same way. Bounded in bytes, least recently used out first.
 */
import { LRUCache } from "lru-cache";

import type { SyncState } from "../store/records.js";

/** A written answer, its media type and any other headers it carries. */
export interface WrittenAnswer {
  type: string;
  text: string;
  headers: Record<string, string>;
}

/** What a kept answer holds besides the answer: the point it was read at. */
interface Kept extends WrittenAnswer {
  at: string;
}

/**
 * The point an answer is read at: the indexed state (its cursor and its digest of every event, so a
 * rollback and re-application to another block differ) and the chain head (number and time) that
 * finality and lapses are counted against. Undefined when the head is unknown: the answer then uses
 * the clock, and is not kept.
 */
export function answerPoint(state: SyncState | undefined, head: { number: number; timestamp: number } | undefined): string | undefined {
  if (state === undefined || head === undefined) return undefined;
  return `${state.cursor.number}:${state.cursor.hash}:${state.digest}:${head.number}:${head.timestamp}`;
}

/** Each character of a kept answer counted as two bytes (JavaScript strings are UTF-16 at worst). */
const BYTES_PER_CHAR = 2;

/** Who is told of each lookup and of the bytes kept (the API's metrics). */
export interface AnswerCacheWatch {
  lookup(result: "hit" | "miss"): void;
  bytes(bytes: number): void;
}

export class AnswerCache {
  private readonly kept: LRUCache<string, Kept> | undefined;

  /** `maxBytes` 0 keeps nothing. */
  constructor(
    readonly maxBytes: number,
    private readonly watch?: AnswerCacheWatch,
  ) {
    this.kept =
      maxBytes > 0
        ? new LRUCache<string, Kept>({
            maxSize: maxBytes,
            // An answer larger than an eighth of the cache would push out many others to be kept once.
            maxEntrySize: Math.max(1, Math.floor(maxBytes / 8)),
            sizeCalculation: (kept, url) => (kept.text.length + url.length + kept.at.length) * BYTES_PER_CHAR + 64,
          })
        : undefined;
  }

  /** The answer to `url` kept at `at`, if any. */
  get(url: string, at: string | undefined): WrittenAnswer | undefined {
    if (this.kept === undefined || at === undefined) return undefined;
    const kept = this.kept.get(url);
    const hit = kept?.at === at;
    this.watch?.lookup(hit ? "hit" : "miss");
    return hit ? kept : undefined;
  }

  /** Keeps `answer` to `url`, read at `at`. */
  set(url: string, at: string | undefined, answer: WrittenAnswer): void {
    if (this.kept === undefined || at === undefined) return;
    this.kept.set(url, { ...answer, at });
    this.watch?.bytes(this.kept.calculatedSize);
  }

  /** Bytes the kept answers take, as counted against `maxBytes`. */
  get bytes(): number {
    return this.kept?.calculatedSize ?? 0;
  }
}
