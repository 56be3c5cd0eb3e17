/**
 * The gateway's own LevelDB (DATA_DIR/gateway/store): every receipt it signed, by sequence, with its
 * state; each epoch's state from open to settled; the sign-in nonces it has seen. A receipt is
 * written, reserved, before any byte of its delivery leaves, and marked delivered before the last
 * byte does: after a crash, a reserved receipt is one whose answer never completed, and is voided.
 */
import { Level } from "level";

import type { SignedReceipt } from "../../core/receipts.js";

/** reserved: decided, answer under way; delivered: answered in full; void: never completed. */
export type ReceiptState = "reserved" | "delivered" | "void";

export interface StoredReceipt {
  signed: SignedReceipt;
  state: ReceiptState;
  /** The request's path and query, so that a delivered answer can be given again. */
  request?: string;
  /** Its leaf index in the epoch's tree, once the epoch is sealed. */
  position?: number;
}

/** One grant's total of one action in an epoch: an entry of its settlement. */
export interface SettlementEntry {
  grantId: string;
  action: number;
  units: string;
}

/**
 * open: taking receipts; sealed: root built, to be settled; submitted: its transaction sent;
 * settled: on chain; indexed: the index shows it, its units counted in the grants' use there;
 * empty: no receipt completed, nothing to settle; refused: the ledger refused it (asked again each minute).
 */
export type EpochStatus = "open" | "sealed" | "submitted" | "settled" | "indexed" | "empty" | "refused";

export interface EpochState {
  epoch: string;
  status: EpochStatus;
  openedAt: number;
  sealedAt?: number;
  root?: string;
  receiptCount?: number;
  units?: string;
  entries?: SettlementEntry[];
  tx?: string;
  submittedAt?: number;
  settledAt?: number;
  refusal?: string;
  refusedAt?: number;
}

type Sublevel = ReturnType<typeof jsonSublevel>;
const jsonSublevel = (db: Level<string, any>, name: string) => db.sublevel<string, any>(name, { valueEncoding: "json" });

/** Epochs nothing more happens to: the loop no longer looks at them. */
const FINISHED: readonly EpochStatus[] = ["indexed", "empty"];

const pad = (n: bigint | string, width = 20) => n.toString().padStart(width, "0");

export class GatewayStore {
  private constructor(
    private readonly db: Level<string, any>,
    private sequence: bigint,
  ) {}

  static async open(dir: string): Promise<GatewayStore> {
    const db = new Level<string, any>(dir, { valueEncoding: "json" });
    await db.open();
    // The next sequence follows the highest receipt written. A counter written with each receipt
    // could go back: concurrent reservations' writes finish in any order, and a kill after the
    // later number's write and before the earlier one's left it naming a receipt already given.
    const [last] = await jsonSublevel(db, "receipts").keys({ reverse: true, limit: 1 }).all();
    return new GatewayStore(db, last === undefined ? 0n : BigInt(last) + 1n);
  }

  private readonly subs = new Map<string, Sublevel>();

  /** A sublevel, made once: making one costs more than a write. */
  private sub(name: "receipts" | "byEpoch" | "byGrantee" | "epochs" | "unfinished" | "nonces") {
    let sub = this.subs.get(name);
    if (!sub) this.subs.set(name, (sub = jsonSublevel(this.db, name)));
    return sub;
  }

  /** The next receipt's sequence number: no two receipts written share one, even across restarts (one taken but not written before a kill was never sent, and may be given again). */
  takeSequence(): bigint {
    return this.sequence++;
  }

  /** Writes a new receipt, reserved, and its places by epoch and grantee, in one batch. */
  async reserve(signed: SignedReceipt, request: string): Promise<void> {
    const r = signed.receipt;
    const seq = pad(r.sequence);
    await this.db.batch([
      { type: "put", sublevel: this.sub("receipts"), key: seq, value: { signed, state: "reserved", request } satisfies StoredReceipt },
      { type: "put", sublevel: this.sub("byEpoch"), key: `${pad(r.epoch)}:${seq}`, value: "" },
      { type: "put", sublevel: this.sub("byGrantee"), key: `${r.grantee}:${seq}`, value: "" },
    ]);
  }

  async receipt(sequence: bigint | string): Promise<StoredReceipt | undefined> {
    return this.sub("receipts").get(pad(sequence));
  }

  /** Marks a receipt written by `reserve` delivered or void (the caller has what was written). */
  async setReceiptState(written: StoredReceipt, state: ReceiptState): Promise<void> {
    await this.sub("receipts").put(pad(written.signed.receipt.sequence), { ...written, state });
  }

  /** An epoch's receipts, by sequence. */
  async receiptsOfEpoch(epoch: string): Promise<StoredReceipt[]> {
    const keys = await this.sub("byEpoch")
      .keys({ gte: `${pad(epoch)}:`, lt: `${pad(epoch)};` })
      .all();
    const values = await this.sub("receipts").getMany(keys.map((k) => k.slice(21)));
    return values.filter((v): v is StoredReceipt => v !== undefined);
  }

  /** A grantee's receipts, newest first, after sequence `before` when given. */
  async receiptsOf(grantee: string, limit: number, before?: string): Promise<StoredReceipt[]> {
    const keys = await this.sub("byGrantee")
      .keys({ gte: `${grantee}:`, ...(before ? { lt: `${grantee}:${pad(before)}` } : { lt: `${grantee};` }), reverse: true, limit })
      .all();
    const values = await this.sub("receipts").getMany(keys.map((k) => k.slice(grantee.length + 1)));
    return values.filter((v): v is StoredReceipt => v !== undefined);
  }

  /** Seals an epoch: its state, and each completed receipt's position, in one batch. */
  async seal(state: EpochState, positions: Map<string, number>, receipts: StoredReceipt[]): Promise<void> {
    const ops: any[] = this.epochOps(state);
    for (const r of receipts) {
      const position = positions.get(r.signed.receipt.sequence);
      const value: StoredReceipt = position === undefined ? { ...r, state: r.state === "reserved" ? "void" : r.state } : { ...r, position };
      ops.push({ type: "put", sublevel: this.sub("receipts"), key: pad(r.signed.receipt.sequence), value });
    }
    await this.db.batch(ops);
  }

  async epoch(epoch: string): Promise<EpochState | undefined> {
    return this.sub("epochs").get(pad(epoch));
  }

  async putEpoch(state: EpochState): Promise<void> {
    await this.db.batch(this.epochOps(state) as never);
  }

  /** An epoch's state, and its place among the unfinished ones (those the loop still looks at). */
  private epochOps(state: EpochState) {
    const key = pad(state.epoch);
    const done = FINISHED.includes(state.status);
    return [
      { type: "put" as const, sublevel: this.sub("epochs"), key, value: state },
      done ? { type: "del" as const, sublevel: this.sub("unfinished"), key } : { type: "put" as const, sublevel: this.sub("unfinished"), key, value: "" },
    ];
  }

  /** Epochs, newest first. */
  async epochs(limit = 1000): Promise<EpochState[]> {
    return this.sub("epochs").values({ reverse: true, limit }).all();
  }

  /** Unfinished epochs (not indexed nor empty) in `statuses`, oldest first. */
  async epochsIn(statuses: EpochStatus[]): Promise<EpochState[]> {
    // Only the unfinished are read: a gateway's years of settled epochs are not scanned every second.
    const keys = await this.sub("unfinished").keys().all();
    const all = (await this.sub("epochs").getMany(keys)).filter((e): e is EpochState => e !== undefined);
    return all.filter((e) => statuses.includes(e.status));
  }

  /** Records a sign-in nonce until it expires; false when it was seen before (a replay). */
  async spendNonce(nonce: string, expiresAt: number): Promise<boolean> {
    if ((await this.sub("nonces").get(nonce)) !== undefined) return false;
    await this.sub("nonces").put(nonce, expiresAt);
    return true;
  }

  /** Forgets nonces whose sign-in has expired: they can no longer be replayed anyway. */
  async purgeNonces(now: number): Promise<void> {
    const stale: string[] = [];
    for await (const [nonce, expiresAt] of this.sub("nonces").iterator()) if ((expiresAt as number) < now) stale.push(nonce);
    if (stale.length) await this.sub("nonces").batch(stale.map((key) => ({ type: "del" as const, key })));
  }

  close(): Promise<void> {
    return this.db.close();
  }
}
