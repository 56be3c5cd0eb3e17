/**
 * The indexer's contract: what it is given (IndexerArgs, IndexerOptions), what it reports
 * (IndexerStatus, AppliedRange) and what it does (Indexer). indexer.ts is how.
 */
import type { EventEmitter } from "node:events";

import type { RpcClient } from "../chain/rpc.js";
import type { Logger } from "../common/logger.js";
import type { SyncState } from "../store/records.js";
import type { Store } from "../store/store.js";

export interface BlockHeader {
  number: number;
  hash: string;
  parentHash: string;
  timestamp: number;
  logsBloom: string;
}

export interface IndexerOptions {
  /** Blocks held back from the head before indexing (CONFIRMATIONS). */
  confirmations: number;
  /** How many recent blocks can be undone on a reorganisation (REORG_WINDOW). */
  reorgWindow: number;
  /** Milliseconds between polls in live mode (POLL_MS). */
  pollMs: number;
  /** First and largest block range of one eth_getLogs. */
  initialRange: number;
  maxRange: number;
  /** Check every block's logs bloom against the logs the node returned (BLOOM_CHECK). */
  bloomCheck: boolean;
}

export const DEFAULT_INDEXER_OPTIONS: IndexerOptions = { confirmations: 0, reorgWindow: 64, pollMs: 250, initialRange: 2_000, maxRange: 50_000, bloomCheck: true };

export interface AppliedRange {
  from: number;
  to: number;
  events: number;
  state: SyncState;
}

export interface IndexerStatus {
  /** The node's head at the last poll: number and timestamp. */
  head: { number: number; timestamp: number } | undefined;
  state: SyncState | undefined;
  range: number;
  lastError: string | undefined;
}

export interface Indexer {
  /** Indexes up to the node's head minus confirmations, once. */
  syncOnce(): Promise<SyncState>;
  /** Follows the chain until `signal` aborts; retries transient failures with backoff. */
  run(signal: AbortSignal): Promise<void>;
  status(): IndexerStatus;
  /** Emits "applied" (AppliedRange) after each committed range and "reorg" ({ from, ancestor }). */
  readonly events: EventEmitter;
}

export interface IndexerArgs {
  common: { logger: Logger };
  rpc: RpcClient;
  store: Store;
  ledger: string;
  deployBlock: number;
  options?: Partial<IndexerOptions>;
}
