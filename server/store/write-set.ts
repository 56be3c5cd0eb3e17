/**
 * The writes of one applied range, collected before they are committed in one atomic batch, with
 * the undo entries that reverse them inside the reorg window.
 */
import type { Level } from "level";

import { blockKey } from "./keys.js";
import type { SublevelName } from "./layout.js";
import type { Store } from "./store.js";

export type Json = any;
export type Db = Level<string, Json>;
export const jsonSublevel = (db: Db, name: string) => db.sublevel<string, Json>(name, { valueEncoding: "json" });
export type Sublevel = ReturnType<typeof jsonSublevel>;

export type BatchOp = { type: "put"; sublevel: Sublevel; key: string; value: Json } | { type: "del"; sublevel: Sublevel; key: string };

export interface UndoEntry {
  s: SublevelName;
  k: string;
  v: Json | null;
}

/** Sublevels whose records the reducer reads again within a range; the others are only ever written. */
export const READ_BACK = new Set<SublevelName>(["meta", "datasets", "grants", "byHolder", "objections", "listLengths"]);

/**
 * Collects the writes of one applied range: reads see the writes made so far, a key written twice
 * is written once (its last value), and every write inside the undo window records how to reverse it.
 */
export class WriteSet {
  private readonly pending = new Map<string, BatchOp>();
  /** Writes of keys that cannot exist yet nor be written again in this set: no map entry needed. */
  private readonly fresh: BatchOp[] = [];
  private readonly reads = new Map<string, Json | undefined>();
  private undoBlock = -1;
  /** The current block's undo entries, written as one record when the block ends. */
  private undo: UndoEntry[] = [];

  constructor(
    private readonly store: Store,
    private readonly undoFrom: number,
    /** The previous range's writes, possibly still being committed: reads look there first. */
    private readonly previous?: WriteSet,
  ) {}

  /** The value this set wrote for `id`, if it wrote one (undefined: deleted, or not written). */
  private written(id: string): { value: Json | undefined } | undefined {
    const op = this.pending.get(id);
    return op ? { value: op.type === "put" ? op.value : undefined } : undefined;
  }

  /** The batch operations, one per key. */
  get ops(): BatchOp[] {
    this.flushUndo();
    return [...this.fresh, ...this.pending.values()];
  }

  /** Subsequent writes belong to `blockNumber` (for undo). */
  atBlock(blockNumber: number): void {
    if (blockNumber !== this.undoBlock) {
      this.flushUndo();
      this.undoBlock = blockNumber;
    }
  }

  /** One undo record per block: its entries in write order, undone in reverse. */
  private flushUndo(): void {
    if (this.undo.length === 0) return;
    this.fresh.push({ type: "put", sublevel: this.store.sub("undo"), key: blockKey(this.undoBlock), value: this.undo });
    this.undo = [];
  }

  async get<T = Json>(name: SublevelName, key: string): Promise<T | undefined> {
    const id = `${name}\x00${key}`;
    const written = this.written(id) ?? this.previous?.written(id);
    if (written) return written.value;
    if (this.reads.has(id)) return this.reads.get(id);
    const value = this.store.sub(name).getSync(key);
    this.reads.set(id, value);
    return value;
  }

  /** Writes `value`; `fresh` promises that the key cannot exist yet (a unique event position is in it). */
  async put(name: SublevelName, key: string, value: Json, fresh = false): Promise<void> {
    if (this.undoBlock >= this.undoFrom) await this.recordUndo(name, key, fresh);
    const op: BatchOp = { type: "put", sublevel: this.store.sub(name), key, value };
    if (fresh && !READ_BACK.has(name)) this.fresh.push(op);
    else this.pending.set(`${name}\x00${key}`, op);
  }

  async del(name: SublevelName, key: string): Promise<void> {
    if (this.undoBlock >= this.undoFrom) await this.recordUndo(name, key, false);
    this.pending.set(`${name}\x00${key}`, { type: "del", sublevel: this.store.sub(name), key });
  }

  private async recordUndo(name: SublevelName, key: string, fresh: boolean): Promise<void> {
    const previous = fresh ? undefined : await this.get(name, key);
    this.undo.push({ s: name, k: key, v: previous ?? null });
  }
}
