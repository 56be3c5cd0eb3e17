/**
 * Settles sealed epochs on chain, oldest first, one transaction each, and follows them until the
 * index shows them settled. The ledger refuses an epoch settled before, so a settlement is never
 * doubled: a transaction that was dropped or reorganised away is simply sent again (the ledger is
 * asked first, `isEpochSettled`), and one the ledger would refuse is not sent but recorded with its
 * refusal in words. While the chain cannot be reached, epochs wait; the meter stops delivering once
 * too many do.
 */
import { LedgerRefusedError as Refused } from "../../core/revert.js";
import type { LedgerClient } from "../../sdk/ledger.js";
import type { Logger } from "../common/logger.js";
import { openReader } from "../store/reads.js";
import type { Store } from "../store/store.js";
import type { EpochState, GatewayStore } from "./store.js";

/** How long a sent settlement may stay unmined before it is checked again and, if need be, resent. */
const RESEND_AFTER_S = 60;
/** How long a refused epoch waits before the ledger is asked again (a meter appointed since, say). */
const RETRY_REFUSED_S = 60;

export interface SettlerDeps {
  store: GatewayStore;
  index: Store;
  ledger: LedgerClient;
  holder: string;
  logger: Logger;
  now: () => number;
}

export class Settler {
  private waiting = 0;
  private unreachableSince: number | undefined;

  constructor(private readonly deps: SettlerDeps) {}

  /** Sealed epochs not yet settled on chain: the meter's backlog. */
  backlog(): number {
    return this.waiting;
  }

  /** One pass: settles what is sealed, checks what was sent, and notes what the index now shows. */
  async settleOnce(): Promise<void> {
    const { store } = this.deps;
    const open = (await store.epochsIn(["sealed", "submitted", "settled", "refused"])).filter((e) => e.status !== "refused" || this.deps.now() - (e.refusedAt ?? 0) >= RETRY_REFUSED_S);
    this.waiting = open.filter((e) => e.status === "sealed" || e.status === "submitted").length;
    try {
      for (const epoch of open) await this.advance(epoch);
      if (this.unreachableSince !== undefined) {
        this.deps.logger.info({ msg: "the chain answers again: settlement resumes" });
        this.unreachableSince = undefined;
      }
    } catch (error) {
      if (this.unreachableSince === undefined) {
        this.unreachableSince = this.deps.now();
        this.deps.logger.warn({ msg: `settlement waits: the chain cannot be reached (${(error as Error).message.split("\n")[0]})` });
      }
    }
    this.waiting = (await store.epochsIn(["sealed", "submitted"])).length;
  }

  private async advance(epoch: EpochState): Promise<void> {
    const { store, ledger, holder, now } = this.deps;
    if (epoch.status === "settled") {
      if (await this.indexed(epoch)) await store.putEpoch({ ...epoch, status: "indexed" });
      // A settlement the chain lost in a reorganisation goes back to be sent again.
      else if (!(await ledger.isEpochSettled(holder, epoch.epoch))) await store.putEpoch({ ...epoch, status: "sealed", tx: undefined });
      return;
    }
    if (await ledger.isEpochSettled(holder, epoch.epoch)) {
      await store.putEpoch({ ...epoch, status: "settled", settledAt: now() });
      return;
    }
    // Sent before and not mined yet: give it time before sending again (a second one would only be refused).
    if (epoch.status === "submitted" && now() - (epoch.submittedAt ?? 0) < RESEND_AFTER_S) return;
    const args = { holder, epoch: epoch.epoch, receiptsRoot: epoch.root!, receiptCount: epoch.receiptCount!, entries: epoch.entries! };
    try {
      // Asked first: an epoch the ledger refuses is not sent, and its refusal is kept in words.
      await ledger.settleUsage(args, true);
      await store.putEpoch({ ...epoch, status: "submitted", submittedAt: now() });
      const mined = await withTimeout(ledger.settleUsage(args), RESEND_AFTER_S * 1000);
      await store.putEpoch({ ...epoch, status: "settled", submittedAt: now(), settledAt: now(), tx: mined!.tx });
    } catch (error) {
      if (!(error instanceof Refused)) throw error;
      // Refused because an earlier transaction of ours got there first: that is settled, not refused.
      if (await ledger.isEpochSettled(holder, epoch.epoch)) await store.putEpoch({ ...epoch, status: "settled", settledAt: now() });
      else await this.refused(epoch, error);
    }
  }

  /** Keeps the refusal; said in the log when it is new. The ledger is asked again in a minute. */
  private async refused(epoch: EpochState, error: Refused): Promise<void> {
    await this.deps.store.putEpoch({ ...epoch, status: "refused", refusal: error.message, refusedAt: this.deps.now() });
    if (epoch.refusal !== error.message) {
      this.deps.logger.error({
        msg: `epoch ${epoch.epoch} cannot be settled: ${error.message}; its deliveries stay counted against their grants, and the ledger is asked again every minute`,
        epoch: epoch.epoch,
      });
    }
  }

  private async indexed(epoch: EpochState): Promise<boolean> {
    const reader = openReader(this.deps.index);
    try {
      return (await reader.epoch(this.deps.holder, BigInt(epoch.epoch))) !== undefined;
    } finally {
      await reader.close();
    }
  }
}

/** `pending`, or an error once `ms` have passed (the promise itself runs on). */
function withTimeout<T>(pending: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no block included the settlement within ${ms / 1000} s`)), ms);
  });
  return Promise.race([pending, timeout]).finally(() => clearTimeout(timer));
}
