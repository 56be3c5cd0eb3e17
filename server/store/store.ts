/**
 * The LevelDB index: one sublevel per entity and per query index, a cursor and running digest
 * written in the same atomic batch as every range of events, and an undo log (written in those
 * batches too) that rolls the index back to any block inside the reorg window.
 */
import { mkdir } from "node:fs/promises";

import { Level } from "level";

import { StoreError } from "../../core/errors.js";
import { corruptStore, exhaustedResources, isLocked, isResourceExhaustion, isStorageFault } from "./faults.js";
import { blockKey } from "./keys.js";
import { SCHEMA_VERSION, SUBLEVELS, type SublevelName } from "./layout.js";
import type { BlockMark, StoreIdentity, SyncState } from "./records.js";
import { type BatchOp, type Db, type Json, jsonSublevel, type Sublevel, type UndoEntry, WriteSet } from "./write-set.js";

export { SCHEMA_VERSION, SUBLEVELS, type SublevelName } from "./layout.js";

/**
 * Commits whose journal entry is kept. LevelDB's recovery skips a damaged block of its write-ahead
 * log and applies the batches after it, so a lost batch in the middle would otherwise go unseen: the
 * gap in the journal shows it. Far more commits than one log file (4 MiB) holds.
 */
const JOURNAL_KEEP = 16_384;
const journalKey = (seq: number) => seq.toString(16).padStart(12, "0");

/** Keys `verify()` reads between two yields to the event loop. */
const VERIFY_BATCH = 10_000;

/** Table files LevelDB may keep open (its default is 1,000). */
export const TABLE_FILES_OPEN = 500;

/**
 * Bytes of one table file (LevelDB's default is 2 MiB). A read from a table file not held open opens
 * it first: with 2 MiB files a 10,000,000-event index (5.6 GiB) is some 2,900 of them, and pages read
 * across many lists spent their time opening files. At 32 MiB (as Bitcoin Core sets for its LevelDB)
 * TABLE_FILES_OPEN holds an index of up to 16 GiB.
 */
export const TABLE_FILE_BYTES = 32 * 2 ** 20;

/**
 * MiB of LevelDB's block cache (uncompressed blocks; LevelDB's default is 8 MiB) unless INDEX_CACHE_MB
 * says otherwise. A read from a block not in it goes to the file and decompresses the block again:
 * with 8 MiB, pages read across many lists of a 300,000-use index did so for nearly every item, and a
 * grant's 25 uses cost twice the CPU they cost with the blocks kept (bench/README.md, "The block cache").
 */
export const DEFAULT_INDEX_CACHE_MB = 256;

/**
 * How table files are written (INDEX_COMPRESSION). Uncompressed, LevelDB reads a block in place from
 * the memory-mapped file; compressed, it copies and decompresses it on each read that misses the
 * block cache: on a 2,500,000-use index, 25 cold point reads cost 210-240 µs compressed against
 * 46-79 uncompressed, for an index some 45% smaller (bench/README.md, "Compression"). Tables
 * already written keep their own kind until compaction rewrites them: changing it needs no rebuild.
 */
export const INDEX_COMPRESSIONS = ["none", "snappy"] as const;
export type IndexCompression = (typeof INDEX_COMPRESSIONS)[number];
export const DEFAULT_INDEX_COMPRESSION: IndexCompression = "none";

/** How an index is opened beyond its place and identity. */
export interface StoreOptions {
  /** MiB of LevelDB's block cache (INDEX_CACHE_MB), at most 4095 (its binding reads 32 bits); DEFAULT_INDEX_CACHE_MB when not given. */
  cacheMb?: number;
  /** How new table files are written (INDEX_COMPRESSION); DEFAULT_INDEX_COMPRESSION when not given. */
  compression?: IndexCompression;
}

export { corruptStore, exhaustedResources, isResourceExhaustion, isStorageFault } from "./faults.js";
export { type BatchOp, WriteSet } from "./write-set.js";

export class Store {
  private readonly subs = new Map<SublevelName, Sublevel>();
  /** Sequence number of the last commit (or rollback), written with it. */
  private seq = 0;
  private damage: StoreError | undefined;

  private constructor(
    readonly db: Db,
    readonly identity: StoreIdentity,
    readonly dir: string,
    /** As opened: a rebuild or reset opens the index again with the same. */
    readonly options: StoreOptions,
  ) {
    for (const name of SUBLEVELS) this.subs.set(name, jsonSublevel(db, name));
  }

  /**
   * Opens (or creates) the index at `dir` for `identity`. Throws a StoreError when another process
   * holds it, when it is unreadable, when it indexes another chain or ledger or was written by a
   * newer dpl ("store_mismatch"), or when an older dpl wrote it ("store_outdated": rebuild it).
   */
  static async open(dir: string, identity: Omit<StoreIdentity, "schema">, options: StoreOptions = {}): Promise<Store> {
    await mkdir(dir, { recursive: true });
    // At most TABLE_FILES_OPEN table files held open: with the API's connections capped, the
    // process's file descriptors stay bounded (see README, "Limits of one process").
    const db: Db = new Level<string, Json>(dir, {
      valueEncoding: "json",
      maxOpenFiles: TABLE_FILES_OPEN,
      maxFileSize: TABLE_FILE_BYTES,
      cacheSize: (options.cacheMb ?? DEFAULT_INDEX_CACHE_MB) * 2 ** 20,
      compression: (options.compression ?? DEFAULT_INDEX_COMPRESSION) === "snappy",
    });
    try {
      await db.open();
    } catch (error: any) {
      const detail = String(error?.cause?.message ?? error?.message ?? error);
      if (isResourceExhaustion(error)) throw exhaustedResources(error);
      if (isLocked(error)) {
        throw new StoreError("store_locked", `the index at ${dir} is in use by another dpl process (LevelDB lock held); stop it or set DATA_DIR to another directory`);
      }
      throw corruptStore(dir, detail, error);
    }
    const wanted: StoreIdentity = { ...identity, ledger: identity.ledger.toLowerCase(), schema: SCHEMA_VERSION };
    const meta = jsonSublevel(db, "meta");
    let existing: StoreIdentity | undefined;
    try {
      existing = await meta.get("identity");
    } catch (error) {
      await db.close();
      throw corruptStore(dir, String((error as Error)?.message ?? error), error);
    }
    if (existing === undefined) {
      await meta.put("identity", wanted);
    } else if (existing.chainId === wanted.chainId && existing.ledger === wanted.ledger && existing.deployBlock === wanted.deployBlock && existing.schema < wanted.schema) {
      await db.close();
      throw new StoreError("store_outdated", `the index at ${dir} was written by an older dpl (schema ${existing.schema}; this one writes schema ${wanted.schema})`);
    } else if (existing.chainId !== wanted.chainId || existing.ledger !== wanted.ledger || existing.schema !== wanted.schema || existing.deployBlock !== wanted.deployBlock) {
      await db.close();
      throw new StoreError(
        "store_mismatch",
        `the index at ${dir} was built for chain ${existing.chainId}, ledger ${existing.ledger}, schema ${existing.schema}; this is chain ${wanted.chainId}, ledger ${wanted.ledger}, schema ${wanted.schema}. Use another DATA_DIR or rebuild with \`npm run reindex\``,
      );
    }
    const store = new Store(db, wanted, dir, options);
    try {
      await store.checkJournal();
    } catch (error) {
      await db.close();
      throw error;
    }
    return store;
  }

  /** Opens an existing index as the identity it records says it is (for tools that need no node). */
  static async openRecorded(dir: string): Promise<Store> {
    const probe = new Level<string, Json>(dir, { valueEncoding: "json", createIfMissing: false });
    let identity: StoreIdentity | undefined;
    try {
      await probe.open();
      identity = await jsonSublevel(probe, "meta").get("identity");
    } catch (error: any) {
      const detail = String(error?.cause?.message ?? error?.message ?? error);
      if (isLocked(error)) throw new StoreError("store_locked", `the index at ${dir} is in use by another dpl process (LevelDB lock held); stop it first`);
      throw corruptStore(dir, detail, error);
    } finally {
      await probe.close().catch(() => {});
    }
    if (!identity) throw corruptStore(dir, "it records no identity");
    return Store.open(dir, identity);
  }

  /**
   * Checks, at open, what a crash can damage unseen: that the journal of recent commits has no gap
   * (LevelDB's recovery skips a damaged block of its write-ahead log and applies the batches after
   * it). Reads at most JOURNAL_KEEP keys, however large the index: damage to the table files is
   * found by `verify()`, which dpl runs in the background after opening.
   */
  private async checkJournal(): Promise<void> {
    try {
      this.seq = (await this.sub("meta").get("seq")) ?? 0;
      let expected: number | undefined;
      for await (const key of this.sub("journal").keys()) {
        const seq = parseInt(key, 16);
        if (expected !== undefined && seq !== expected) throw corruptStore(this.dir, `commits ${expected} to ${seq - 1} are missing from its write-ahead log`);
        expected = seq + 1;
      }
      if (expected !== undefined && expected !== this.seq + 1) throw corruptStore(this.dir, `commits after ${expected - 1} are missing although commit ${this.seq} is recorded`);
    } catch (error) {
      throw this.storeErrorOf(error);
    }
  }

  /** The StoreError for a failed read or write: damage (recorded, see `damaged`), or no file descriptors left. */
  private storeErrorOf(error: unknown): unknown {
    if (error instanceof StoreError) return error;
    if (isResourceExhaustion(error)) return exhaustedResources(error);
    if (isStorageFault(error)) return this.reportDamage(String((error as Error).message), error);
    return error;
  }

  /** Damage found since opening, if any: from then on the index answers nothing and takes no commit. */
  get damaged(): StoreError | undefined {
    return this.damage;
  }

  /** Records damage found by a read, a commit or `verify()`; the first report is the one every later answer gives. */
  reportDamage(detail: string, cause?: unknown): StoreError {
    return (this.damage ??= corruptStore(this.dir, detail, cause));
  }

  /**
   * Reads every key and value once: a table block that is malformed or no longer decompresses, or a
   * value that no longer parses, fails the read and is recorded as damage (LevelDB checks no block's
   * checksum on a read, and classic-level cannot ask it to: a changed digit inside a value that still
   * parses passes, compressed or not). Yields to other work every VERIFY_BATCH keys and leaves
   * LevelDB's block cache to the API; stops early on `signal`.
   */
  async verify(args: { signal?: AbortSignal; onProgress?: (keys: number) => void } = {}): Promise<{ keys: number; seconds: number; complete: boolean }> {
    const started = performance.now();
    let keys = 0;
    try {
      for await (const _ of this.db.iterator({ fillCache: false })) {
        if (++keys % VERIFY_BATCH === 0) {
          args.onProgress?.(keys);
          await new Promise((resolve) => setImmediate(resolve));
          if (args.signal?.aborted || this.damage) break;
        }
      }
    } catch (error) {
      throw this.storeErrorOf(error);
    }
    if (this.damage) throw this.damage;
    args.onProgress?.(keys);
    return { keys, seconds: (performance.now() - started) / 1000, complete: !args.signal?.aborted };
  }

  /** Adds the next commit's journal entry (and forgets the oldest) to `ops`. */
  private journal(ops: BatchOp[]): void {
    this.seq++;
    ops.push({ type: "put", sublevel: this.sub("meta"), key: "seq", value: this.seq });
    ops.push({ type: "put", sublevel: this.sub("journal"), key: journalKey(this.seq), value: Date.now() });
    if (this.seq > JOURNAL_KEEP) ops.push({ type: "del", sublevel: this.sub("journal"), key: journalKey(this.seq - JOURNAL_KEEP) });
  }

  sub(name: SublevelName): Sublevel {
    return this.subs.get(name)!;
  }

  async state(): Promise<SyncState | undefined> {
    return this.sub("meta").get("state");
  }

  /** The sync state the last commit or rollback wrote, read at once (a point read, answered from LevelDB's cache). */
  stateNow(): SyncState | undefined {
    return this.sub("meta").getSync("state") as SyncState | undefined;
  }

  /** The remembered blocks, newest first. */
  async marks(): Promise<{ number: number; mark: BlockMark }[]> {
    const out: { number: number; mark: BlockMark }[] = [];
    for await (const [key, mark] of this.sub("blocks").iterator({ reverse: true })) out.push({ number: Number(key), mark });
    return out;
  }

  /** A new set of writes; `previous` is the set whose commit may still be under way. */
  writeSet(undoFrom: number, previous?: WriteSet): WriteSet {
    return new WriteSet(this, undoFrom, previous);
  }

  /**
   * Commits `writes` with the new sync state and block marks in one atomic batch. Marks and undo
   * records below `threshold` (the bottom of the reorg window) are forgotten, except the newest mark
   * below it: a rollback may need to land there.
   */
  async commit(writes: WriteSet, state: SyncState, marks: { number: number; mark: BlockMark }[], threshold: number): Promise<void> {
    if (this.damage) throw this.damage;
    const ops = writes.ops;
    const below = marks.filter((m) => m.number < threshold);
    const keptNew = below.length === 0 ? undefined : below.reduce((a, b) => (b.number > a.number ? b : a));
    for (const { number, mark } of marks) {
      if (number < threshold && number !== keptNew?.number) continue;
      ops.push({ type: "put", sublevel: this.sub("blocks"), key: blockKey(number), value: mark });
    }
    if (threshold > 0) {
      let keptOld = keptNew !== undefined;
      for await (const key of this.sub("blocks").keys({ lt: blockKey(threshold), reverse: true })) {
        if (!keptOld) {
          keptOld = true;
          continue;
        }
        ops.push({ type: "del", sublevel: this.sub("blocks"), key });
      }
      for await (const key of this.sub("undo").keys({ lt: blockKey(threshold) })) ops.push({ type: "del", sublevel: this.sub("undo"), key });
    }
    ops.push({ type: "put", sublevel: this.sub("meta"), key: "state", value: state });
    this.journal(ops);
    await this.write(ops);
  }

  /**
   * Writes `ops` as one atomic batch on the root database with each key already prefixed by its
   * sublevel's prefix: the same bytes the sublevels would write, without their per-operation work
   * (a third of the backfill's time otherwise).
   */
  private async write(ops: BatchOp[]): Promise<void> {
    // The chained form hands each operation to LevelDB's native batch at once, so no second array of
    // operation objects is built: the garbage collector was the backfill's largest cost.
    const batch = this.db.batch();
    for (const op of ops) {
      if (op.type === "put") batch.put(op.sublevel.prefix + op.key, op.value);
      else batch.del(op.sublevel.prefix + op.key);
    }
    await batch.write();
  }

  /**
   * Undoes every block above `ancestor` (a remembered block) in one atomic batch and returns the
   * state as it was after `ancestor`.
   */
  async rollbackTo(ancestor: number): Promise<SyncState> {
    if (this.damage) throw this.damage;
    const state = await this.state();
    const mark: BlockMark | undefined = await this.sub("blocks").get(blockKey(ancestor));
    if (!state || !mark) throw new StoreError("store_no_mark", `the index remembers no block ${ancestor} to roll back to`);
    const ops: BatchOp[] = [];
    for await (const [key, entries] of this.sub("undo").iterator({ gte: blockKey(ancestor + 1), reverse: true }) as AsyncIterable<[string, UndoEntry[]]>) {
      for (const entry of [...entries].reverse()) {
        ops.push(entry.v === null ? { type: "del", sublevel: this.sub(entry.s), key: entry.k } : { type: "put", sublevel: this.sub(entry.s), key: entry.k, value: entry.v });
      }
      ops.push({ type: "del", sublevel: this.sub("undo"), key });
    }
    for await (const key of this.sub("blocks").keys({ gt: blockKey(ancestor) })) ops.push({ type: "del", sublevel: this.sub("blocks"), key });
    const rolledBack: SyncState = { cursor: { number: ancestor, hash: mark.hash }, digest: mark.digest, events: mark.events, reorgs: state.reorgs + 1 };
    ops.push({ type: "put", sublevel: this.sub("meta"), key: "state", value: rolledBack });
    this.journal(ops);
    await this.write(ops);
    return rolledBack;
  }

  /** Every key and value of the index but its bookkeeping, in key order: for comparing two indexes. */
  async *dump(): AsyncGenerator<[string, string]> {
    for (const name of SUBLEVELS) {
      if (name === "meta" || name === "undo" || name === "blocks" || name === "journal") continue;
      for await (const [key, value] of this.sub(name).iterator()) yield [`${name}/${key}`, JSON.stringify(value)];
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
