/**
 * What a LevelDB failure means: the index damaged (a storage fault), the process out of file
 * descriptors (a resource exhaustion, which passes), or the index held by another process; each
 * with the one sentence a user gets.
 */
import { causeChain, RetryableError, StoreError } from "../../core/errors.js";

const STORAGE_FAULTS = new Set(["LEVEL_CORRUPTION", "LEVEL_IO_ERROR", "LEVEL_DECODE_ERROR"]);

/**
 * The process ran out of file descriptors (EMFILE, ENFILE): LevelDB then reports an IO error ("Too
 * many open files") that says nothing about the index itself. It passes when connections close.
 */
export function isResourceExhaustion(error: unknown): boolean {
  for (const e of causeChain(error)) {
    if (e.code === "EMFILE" || e.code === "ENFILE" || /Too many open files|\bE[MN]FILE\b/.test(String(e.message ?? ""))) return true;
  }
  return false;
}

/** Another process holds the index's LevelDB lock (not any message with "lock" in it: "bad block" has). */
export function isLocked(error: unknown): boolean {
  for (const e of causeChain(error)) if (e.code === "LEVEL_LOCKED") return true;
  return false;
}

/** LevelDB's errors for damaged or unreadable files, and a stored value that no longer parses; never a lack of file descriptors. */
export function isStorageFault(error: unknown): boolean {
  if (isResourceExhaustion(error)) return false;
  for (const e of causeChain(error)) if (STORAGE_FAULTS.has(e.code as string)) return true;
  return false;
}

/** The one sentence for a process out of file descriptors: retry later; nothing is damaged. */
export function exhaustedResources(cause?: unknown): RetryableError {
  return new RetryableError(
    "resource_exhausted",
    "the server has run out of open files (too many connections at once); nothing is damaged: try again in a moment",
    cause === undefined ? undefined : { cause },
  );
}

/** The one sentence for a damaged index, with the command that rebuilds it. */
export function corruptStore(dir: string, detail: string, cause?: unknown): StoreError {
  return new StoreError(
    "store_corrupt",
    `the index at ${dir} is damaged (${detail}); stop dpl and rebuild it from the chain with \`npm run reindex\` (same RPC_URL, LEDGER_ADDRESS and DATA_DIR)`,
    cause === undefined ? undefined : { cause },
  );
}
