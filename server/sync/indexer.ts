/**
 * The indexer: follows the events of the ledger and of its oversight contract over JSON-RPC and
 * mirrors them into the store.
 *
 * - Backfill fetches logs in block ranges that adapt to the node: halve (or take the node's
 *   suggestion) on "range too large", double again on success. A rate limit or an outage is retried
 *   with backoff on the same range: a range is never skipped nor split because the node was busy.
 * - Each range is applied in ONE atomic batch together with the cursor (block number and hash) and
 *   the running digest, so a crash at any instant resumes with nothing lost and nothing twice.
 * - Every poll checks that the node still has the cursor's block hash (and that the next block's
 *   parent is it). On a mismatch it finds the newest remembered block the node agrees with, undoes
 *   everything after it, and indexes again. Deeper than the window, it stops: it never mixes chains.
 * - A node whose head is behind the cursor, or that lacks the cursor's block, is still syncing: the
 *   indexer waits and deletes nothing.
 */
import { EventEmitter } from "node:events";
import { setTimeout as sleep } from "node:timers/promises";

import { ReorgTooDeepError, RetryableError } from "../../core/errors.js";
import { bloomBits, bloomHas } from "../chain/bloom.js";
import { RangeTooLargeError } from "../chain/rpc.js";
import { oversightAddressOf } from "../../core/ids.js";
import { decodeLedgerLog, OVERSIGHT_EVENT_KINDS, orderLogs, positionOf, type RawLog } from "../../core/ledger-events.js";
import type { BlockMark, Evidence, SyncState } from "../store/records.js";
import { applyEvent } from "../store/reduce.js";
import { exhaustedResources, isResourceExhaustion, isStorageFault, type WriteSet } from "../store/store.js";
import { createDigester, GENESIS_DIGEST, type Digester } from "./digest.js";
import { type AppliedRange, type BlockHeader, DEFAULT_INDEXER_OPTIONS, type Indexer, type IndexerArgs } from "./indexer-types.js";

/** Headers asked for in one JSON-RPC batch. */
const HEADER_BATCH = 500;

export { type AppliedRange, type BlockHeader, DEFAULT_INDEXER_OPTIONS, type Indexer, type IndexerArgs, type IndexerOptions, type IndexerStatus } from "./indexer-types.js";

const toHex = (n: number) => "0x" + n.toString(16);

function parseHeader(raw: any): BlockHeader {
  return { number: Number(raw.number), hash: raw.hash, parentHash: raw.parentHash, timestamp: Number(raw.timestamp), logsBloom: raw.logsBloom ?? "0x" };
}

export function createIndexer(args: IndexerArgs): Indexer {
  const options = { ...DEFAULT_INDEXER_OPTIONS, ...args.options };
  options.initialRange = Math.min(options.initialRange, options.maxRange);
  const { rpc, store } = args;
  const logger = args.common.logger.child({ stage: "sync" });
  const ledger = args.ledger.toLowerCase();
  // The ledger and the oversight contract it created: one stream of events from two addresses.
  const oversight = oversightAddressOf(ledger);
  const addresses = [ledger, oversight];
  const events = new EventEmitter();
  let range = options.initialRange;
  let head: { number: number; timestamp: number } | undefined;
  let lastState: SyncState | undefined;
  let lastError: string | undefined;
  let digester: Digester | undefined;

  /** Block headers by number (null where the node has none), in batches a node accepts. */
  async function headers(numbers: number[]): Promise<Map<number, BlockHeader | null>> {
    const unique = [...new Set(numbers)];
    const chunks = [];
    for (let i = 0; i < unique.length; i += HEADER_BATCH) chunks.push(unique.slice(i, i + HEADER_BATCH));
    const raws = (await Promise.all(chunks.map((chunk) => rpc.batch<any>(chunk.map((n) => ({ method: "eth_getBlockByNumber", params: [toHex(n), false] })))))).flat();
    return new Map(unique.map((n, i) => [n, raws[i] ? parseHeader(raws[i]) : null]));
  }

  const addressBloomBits = addresses.map(bloomBits);

  /**
   * Blocks of the range whose bloom admits a ledger log although the node returned none for them,
   * that still have logs when asked by block hash: a node that drops logs (a lagging replica behind
   * a load balancer) is caught here, and the range is fetched again. A bloom's false positive is
   * an empty second answer, and passes.
   */
  async function blocksMissingLogs(logs: RawLog[], blocks: Map<number, BlockHeader | null>): Promise<number[]> {
    const withLogs = new Set(logs.map((l) => Number(l.blockNumber)));
    const suspects = [...blocks.values()].filter((b): b is BlockHeader => b !== null && !withLogs.has(b.number) && addressBloomBits.some((bits) => bloomHas(b.logsBloom, bits)));
    if (suspects.length === 0) return [];
    const second = await rpc.batch<RawLog[]>(suspects.map((b) => ({ method: "eth_getLogs", params: [{ address: addresses, blockHash: b.hash }] })));
    return suspects.filter((_, i) => Array.isArray(second[i]) && second[i].length > 0).map((b) => b.number);
  }

  async function initialState(): Promise<SyncState> {
    const start = args.deployBlock - 1;
    const hash = start < 0 ? "" : (await headers([start])).get(start)?.hash;
    if (hash === undefined) throw new RetryableError("node_behind", `the node does not have block ${start} yet`);
    const state: SyncState = { cursor: { number: start, hash }, digest: GENESIS_DIGEST, events: 0, reorgs: 0 };
    await store.commit(store.writeSet(Number.MAX_SAFE_INTEGER), state, start < 0 ? [] : [{ number: start, mark: { hash, digest: GENESIS_DIGEST, events: 0 } }], 0);
    return state;
  }

  /** Rolls back to the newest remembered block that the node still has, or stops if there is none. */
  async function recover(state: SyncState, nodeHead: number): Promise<SyncState> {
    const marks = await store.marks();
    const onNode = await headers(marks.map((m) => m.number));
    const ancestor = marks.find((m) => onNode.get(m.number)?.hash === m.mark.hash);
    if (!ancestor) {
      const oldest = marks.at(-1)?.number ?? state.cursor.number;
      throw new ReorgTooDeepError(state.cursor.number - oldest + 1, state.cursor.number - oldest, options.reorgWindow);
    }
    logger.warn({ msg: "reorg detected", cursor: state.cursor.number, ancestor: ancestor.number, depth: state.cursor.number - ancestor.number, head: nodeHead });
    const rolledBack = await store.rollbackTo(ancestor.number);
    events.emit("reorg", { from: state.cursor.number, ancestor: ancestor.number });
    return rolledBack;
  }

  /** Fetches the logs of [from, to]; a node that refuses so wide a range makes it throw RangeTooLargeError, and the caller narrows the range. */
  async function logsOf(from: number, to: number): Promise<RawLog[]> {
    return rpc.request<RawLog[]>("eth_getLogs", [{ address: addresses, fromBlock: toHex(from), toBlock: toHex(to) }]);
  }

  interface BuiltRange {
    next: SyncState;
    writes: WriteSet;
    marks: { number: number; mark: BlockMark }[];
    undoFrom: number;
  }

  /** Applies a range's events to a new write set (not yet committed). */
  async function buildRange(state: SyncState, to: number, logs: RawLog[], blocks: Map<number, BlockHeader | null>, nodeHead: number, previous?: WriteSet): Promise<BuiltRange> {
    digester ??= await createDigester();
    const undoFrom = nodeHead - options.reorgWindow;
    const writes = store.writeSet(undoFrom, previous);
    let { digest, events: count } = state;
    const marks = new Map<number, BlockMark>();
    for (const log of logs) {
      const body = decodeLedgerLog(log);
      // Each contract's own events only: a log of the other's signature is none of them.
      if (!body || (log.address.toLowerCase() === oversight) !== OVERSIGHT_EVENT_KINDS.has(body.kind)) continue;
      const position = positionOf(log);
      const evidence: Evidence = { ...position, timestamp: blocks.get(position.blockNumber)!.timestamp };
      writes.atBlock(position.blockNumber);
      await applyEvent(writes, body, evidence);
      digest = digester.extend(digest, log);
      count++;
      marks.set(position.blockNumber, { hash: position.blockHash, digest, events: count });
    }
    const end = blocks.get(to)!;
    marks.set(to, { hash: end.hash, digest, events: count });
    const next: SyncState = { cursor: { number: to, hash: end.hash }, digest, events: count, reorgs: state.reorgs };
    return { next, writes, marks: [...marks].map(([number, mark]) => ({ number, mark })), undoFrom };
  }

  /**
   * One pass: from the cursor up to the head (less confirmations). A damaged index stops it with the
   * rebuild command; a process out of file descriptors is retried, like a node that is down.
   */
  async function syncOnce(): Promise<SyncState> {
    try {
      return await syncToHead();
    } catch (error) {
      if (isResourceExhaustion(error)) throw exhaustedResources(error);
      throw isStorageFault(error) ? store.reportDamage(String((error as Error).message), error) : error;
    }
  }

  async function syncToHead(): Promise<SyncState> {
    let state = (await store.state()) ?? (await initialState());
    const latest = await rpc.request<any>("eth_getBlockByNumber", ["latest", false]);
    if (!latest) throw new RetryableError("node_behind", "the node has no latest block");
    head = { number: Number(latest.number), timestamp: Number(latest.timestamp) };
    const nodeHead = head.number;
    if (nodeHead < state.cursor.number) {
      logger.info({ msg: "node behind the index; waiting", head: nodeHead, cursor: state.cursor.number });
      return (lastState = state);
    }
    if (state.cursor.number >= 0) {
      const atCursor = (await headers([state.cursor.number])).get(state.cursor.number);
      if (!atCursor) return (lastState = state); // the node is still syncing: wait, delete nothing
      if (atCursor.hash !== state.cursor.hash) state = await recover(state, nodeHead);
    }
    const target = nodeHead - options.confirmations;
    // Three things overlap: the node fetches the next range's logs, this process applies the current
    // range, and LevelDB commits the previous one. Commits stay in order: each waits for the last.
    let prefetched: { from: number; to: number; logs: Promise<RawLog[]> } | undefined;
    let inflight: { writes: WriteSet; done: Promise<void> } | undefined;
    try {
      while (state.cursor.number < target) {
        const from = state.cursor.number + 1;
        const to = Math.min(from + range - 1, target);
        const pending = prefetched?.from === from && prefetched.to === to ? prefetched.logs : logsOf(from, to);
        prefetched = undefined;
        let logs: RawLog[];
        try {
          logs = orderLogs(await pending);
        } catch (error) {
          if (!(error instanceof RangeTooLargeError)) throw error;
          const suggested = error.suggested && error.suggested.from === from ? error.suggested.to - from + 1 : undefined;
          range = Math.max(1, Math.min(suggested ?? Math.floor((to - from + 1) / 2), to - from));
          logger.debug({ msg: "range too large; shrinking", from, to, range });
          continue;
        }
        const every = options.bloomCheck ? Array.from({ length: to - from + 1 }, (_, i) => from + i) : [];
        const blocks = await headers([from, to, ...logs.map((l) => Number(l.blockNumber)), ...every]);
        const first = blocks.get(from);
        if ([...blocks.values()].some((b) => b === null)) throw new RetryableError("node_behind", `the node is missing blocks in ${from}-${to}`);
        if (state.cursor.hash && first!.parentHash !== state.cursor.hash) {
          await inflight?.done;
          inflight = undefined;
          state = await recover(state, nodeHead);
          continue;
        }
        if (logs.some((l) => blocks.get(Number(l.blockNumber))!.hash !== l.blockHash)) {
          throw new RetryableError("reorg_in_flight", `logs of ${from}-${to} come from blocks the node no longer has`);
        }
        if (options.bloomCheck) {
          const missing = await blocksMissingLogs(logs, blocks);
          if (missing.length > 0)
            throw new RetryableError(
              "logs_incomplete",
              `the node's logs of ${from}-${to} miss those of block${missing.length > 1 ? "s" : ""} ${missing.join(", ")}, which their bloom and a second look show`,
            );
        }
        const nextRange = Math.min(options.maxRange, range * 2);
        if (to < target) {
          const next = { from: to + 1, to: Math.min(to + nextRange, target), logs: logsOf(to + 1, Math.min(to + nextRange, target)) };
          next.logs.catch(() => {}); // awaited (and its error handled) on the next turn, or dropped
          prefetched = next;
        }
        const built = await buildRange(state, to, logs, blocks, nodeHead, inflight?.writes);
        await inflight?.done;
        const applied: AppliedRange = { from, to, events: logs.length, state: built.next };
        const done = store.commit(built.writes, built.next, built.marks, built.undoFrom).then(() => {
          lastState = built.next;
          logger.debug({ msg: "range applied", from, to, logs: logs.length, events: built.next.events });
          events.emit("applied", applied);
        });
        done.catch(() => {}); // awaited below or on the next turn
        inflight = { writes: built.writes, done };
        state = built.next;
        range = nextRange;
      }
    } finally {
      await inflight?.done;
    }
    return (lastState = state);
  }

  async function run(signal: AbortSignal): Promise<void> {
    let backoff = options.pollMs;
    let progressedTo = -1;
    while (!signal.aborted) {
      try {
        await syncOnce();
        lastError = undefined;
        backoff = options.pollMs;
        await sleep(options.pollMs, undefined, { signal }).catch(() => {});
      } catch (error) {
        if (error instanceof RetryableError) {
          lastError = error.message;
          // A node that fails now and then but lets the sync advance is retried at once, not after a growing wait.
          const cursor = lastState?.cursor.number ?? -1;
          if (cursor > progressedTo) {
            progressedTo = cursor;
            backoff = options.pollMs;
          }
          logger.warn({ msg: "retrying", code: error.code, error: error.message, backoffMs: backoff });
          await sleep(backoff, undefined, { signal }).catch(() => {});
          backoff = Math.min(backoff * 2, 10_000);
          continue;
        }
        lastError = error instanceof Error ? error.message : String(error);
        throw error;
      }
    }
  }

  return {
    syncOnce,
    run,
    status: () => ({ head, state: lastState, range, lastError }),
    events,
  };
}
