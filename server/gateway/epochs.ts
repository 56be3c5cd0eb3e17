/**
 * The gateway's epochs. One is open at a time; its number is the Unix second it opened (greater than
 * every earlier one), so numbers never repeat, even when the gateway's store is lost. An epoch closes
 * after EPOCH_SECONDS or EPOCH_RECEIPTS receipts, or before it would need a 257th settlement entry;
 * it is sealed once every delivery in it has completed or failed: its completed receipts, in
 * sequence order, make the tree whose root settles it; the others are void.
 */
import { type Receipt, epochTree } from "../../core/receipts.js";
import type { EpochState, GatewayStore, SettlementEntry, StoredReceipt } from "./store.js";

/** The most entries one settlement takes (the ledger's MAX_BATCH). */
export const MAX_ENTRIES = 256;

export interface EpochOptions {
  epochSeconds: number;
  epochReceipts: number;
  now: () => number;
}

interface Open {
  epoch: string;
  openedAt: number;
  receipts: number;
  pairs: Set<string>;
}

/** Each grant's total of each action over `receipts`: the settlement's entries, in first-seen order. */
export function settlementEntries(receipts: Receipt[]): SettlementEntry[] {
  const totals = new Map<string, SettlementEntry>();
  for (const r of receipts) {
    const key = `${r.grantId}:${r.action}`;
    const entry = totals.get(key) ?? { grantId: r.grantId, action: r.action, units: "0" };
    totals.set(key, { ...entry, units: (BigInt(entry.units) + BigInt(r.units)).toString() });
  }
  return [...totals.values()];
}

export class Epochs {
  private open: Open | undefined;
  /** Deliveries under way, by epoch: an epoch seals when its count falls to zero. */
  private readonly inFlight = new Map<string, number>();
  private readonly drained = new Map<string, () => void>();
  /** Epochs closed to new receipts but not sealed yet. */
  private readonly closing = new Set<string>();

  constructor(
    private readonly store: GatewayStore,
    private readonly options: EpochOptions,
  ) {}

  /**
   * Seals the epochs a previous run left open. No delivery of theirs is under way any more: a receipt
   * still reserved is one whose answer never completed, and sealing voids it.
   */
  async resume(): Promise<void> {
    for (const state of await this.store.epochsIn(["open"])) await this.seal(state.epoch);
  }

  /**
   * Enters a new delivery for `grantId` and `action` in the open epoch (closing it first when it is
   * due or full) and returns that epoch, its delivery counted as under way: it cannot be sealed
   * before the delivery completes or fails (`end`). Called one at a time (the meter's lock); the loop
   * may close and seal epochs between its awaits, never after the epoch is chosen.
   */
  async enter(grantId: string, action: number): Promise<string> {
    const pair = `${grantId}:${action}`;
    const open = this.open;
    if (open && (this.due(open) || (open.pairs.size >= MAX_ENTRIES && !open.pairs.has(pair)) || open.receipts >= this.options.epochReceipts)) this.close();
    if (!this.open) {
      const last = (await this.store.epochs(1))[0];
      const epoch = BigInt(Math.max(this.options.now(), last ? Number(last.epoch) + 1 : 0)).toString();
      const openedAt = this.options.now();
      // Stored before any receipt can name it: sealing reads it back.
      await this.store.putEpoch({ epoch, status: "open", openedAt });
      this.open = { epoch, openedAt, receipts: 0, pairs: new Set() };
    }
    const entered = this.open;
    entered.pairs.add(pair);
    entered.receipts++;
    this.begin(entered.epoch);
    return entered.epoch;
  }

  private due(open: Open): boolean {
    return open.receipts > 0 && this.options.now() - open.openedAt >= this.options.epochSeconds;
  }

  private begin(epoch: string): void {
    this.inFlight.set(epoch, (this.inFlight.get(epoch) ?? 0) + 1);
  }

  /** A delivery in `epoch` completed or failed. */
  end(epoch: string): void {
    const left = (this.inFlight.get(epoch) ?? 1) - 1;
    if (left > 0) this.inFlight.set(epoch, left);
    else {
      this.inFlight.delete(epoch);
      this.drained.get(epoch)?.();
    }
  }

  /** Closes the open epoch when it is due; seals every closed epoch whose deliveries are done. */
  async tick(): Promise<void> {
    if (this.open && this.due(this.open)) this.close();
    for (const epoch of [...this.closing]) if (!this.inFlight.has(epoch)) await this.seal(epoch);
  }

  /** Closes the open epoch now, whatever its age (at shutdown, and for tests). */
  close(): void {
    if (!this.open) return;
    this.closing.add(this.open.epoch);
    this.open = undefined;
  }

  /** Closes the open epoch and seals it once its deliveries are done. */
  async closeAndSeal(): Promise<void> {
    const epoch = this.open?.epoch;
    this.close();
    if (epoch === undefined) return;
    if (this.inFlight.has(epoch)) await new Promise<void>((resolve) => this.drained.set(epoch, resolve));
    await this.seal(epoch);
  }

  /** Builds a closed epoch's tree over its completed receipts, in sequence order, and stores it sealed (or empty). */
  async seal(epoch: string): Promise<EpochState> {
    this.closing.delete(epoch);
    this.drained.delete(epoch);
    const state = (await this.store.epoch(epoch))!;
    const all = await this.store.receiptsOfEpoch(epoch);
    const done = all.filter((r) => r.state === "delivered").sort(bySequence);
    const positions = new Map(done.map((r, i) => [r.signed.receipt.sequence, i]));
    const receipts = done.map((r) => r.signed.receipt);
    const now = this.options.now();
    let sealed: EpochState;
    if (receipts.length === 0) sealed = { ...state, status: "empty", sealedAt: now, receiptCount: 0, units: "0" };
    else {
      const tree = await epochTree(receipts);
      const units = receipts.reduce((sum, r) => sum + BigInt(r.units), 0n).toString();
      sealed = { ...state, status: "sealed", sealedAt: now, root: tree.root, receiptCount: receipts.length, units, entries: settlementEntries(receipts) };
    }
    await this.store.seal(sealed, positions, all);
    return sealed;
  }
}

const bySequence = (a: StoredReceipt, b: StoredReceipt) => (BigInt(a.signed.receipt.sequence) < BigInt(b.signed.receipt.sequence) ? -1 : 1);
