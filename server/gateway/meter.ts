/**
 * The gateway's meter: it decides each delivery by the ledger's rules as the index knows them now
 * (the grant is the caller's, on this dataset, live, with the right for the action) and by the quota
 * counted three ways: what the chain has recorded, what this gateway delivered and has not yet seen
 * settled, and what is asked. Decisions are taken one at a time, so concurrent requests never share
 * the last units; each one that passes gets a signed receipt, written before any byte leaves.
 */
import { Mutex } from "async-mutex";
import { type BaseWallet, type TypedDataDomain, TypedDataEncoder } from "ethers";

import { RIGHT_FOR_ACTION, USAGE_ACTION_NAMES, type UsageAction } from "../../core/ids.js";
import { type Receipt, receiptDigest } from "../../core/receipts.js";
import { StatusError } from "../api/errors.js";
import { grantStanding } from "../api/standing.js";
import { openReader, type Reader } from "../store/reads.js";
import type { Store } from "../store/store.js";
import type { Epochs } from "./epochs.js";
import type { GatewayStore, StoredReceipt } from "./store.js";

export interface Delivery {
  grantee: string;
  session: string;
  grantId: string;
  datasetId: string;
  action: UsageAction;
  units: bigint;
  requestHash: string;
  responseHash: string;
  /** The request's path and query: kept with the receipt, not signed. */
  request: string;
}

export interface MeterDeps {
  store: GatewayStore;
  epochs: Epochs;
  index: Store;
  holder: string;
  signer: BaseWallet;
  domain: TypedDataDomain;
  now: () => number;
  /** The chain head's time as the indexer last saw it. */
  headTime: () => number | undefined;
  /** Sealed epochs not settled yet; past `maxBacklog` the gateway stops delivering. */
  backlog: () => number;
  maxBacklog: number;
}

const refuse = (status: number, code: string, message: string) => new StatusError(status, code, message);

export class Meter {
  private readonly mutex = new Mutex();
  /** Units delivered (or under way) by grant and epoch, until the index shows the epoch settled. */
  private readonly pending = new Map<string, Map<string, bigint>>();

  /** The EIP-712 domain separator receipts are signed under, computed once. */
  private readonly separator: string;

  constructor(private readonly deps: MeterDeps) {
    this.separator = TypedDataEncoder.hashDomain(deps.domain);
  }

  /** Counts what earlier runs delivered and the index does not show settled yet. */
  async restore(): Promise<void> {
    for (const epoch of await this.deps.store.epochsIn(["sealed", "submitted", "settled", "refused"])) {
      for (const r of await this.deps.store.receiptsOfEpoch(epoch.epoch)) if (r.state === "delivered") this.add(r.signed.receipt.grantId, epoch.epoch, BigInt(r.signed.receipt.units));
    }
  }

  private add(grantId: string, epoch: string, units: bigint): void {
    const byEpoch = this.pending.get(grantId) ?? new Map<string, bigint>();
    byEpoch.set(epoch, (byEpoch.get(epoch) ?? 0n) + units);
    this.pending.set(grantId, byEpoch);
  }

  /** What `grantId` has delivered and the index does not count yet; epochs the index settled are dropped. */
  private pendingOf(grantId: string, reader: Reader): Promise<bigint> {
    const byEpoch = this.pending.get(grantId);
    if (!byEpoch) return Promise.resolve(0n);
    return (async () => {
      let total = 0n;
      for (const [epoch, units] of byEpoch) {
        if (await reader.epoch(this.deps.holder, BigInt(epoch))) byEpoch.delete(epoch);
        else total += units;
      }
      return total;
    })();
  }

  /**
   * Decides a delivery; when it passes, signs and stores its receipt, reserved, and returns it. The
   * decision (and the units and epoch it takes) is made one at a time; signing and writing are not,
   * so that one delivery's write overlaps the next one's decision. Nothing is sent before the write.
   */
  async reserve(d: Delivery): Promise<StoredReceipt> {
    const { store, epochs, signer } = this.deps;
    const receipt = await this.mutex.runExclusive(async () => {
      const reader = openReader(this.deps.index);
      try {
        await this.check(d, reader);
      } finally {
        await reader.close();
      }
      const epoch = await epochs.enter(d.grantId, d.action);
      this.add(d.grantId, epoch, d.units);
      return {
        holder: this.deps.holder,
        epoch,
        sequence: store.takeSequence().toString(),
        grantId: d.grantId,
        grantee: d.grantee,
        action: d.action,
        units: d.units.toString(),
        session: d.session,
        requestHash: d.requestHash,
        responseHash: d.responseHash,
        time: this.deps.now(),
      } satisfies Receipt;
    });
    const signed = { receipt, signature: signer.signingKey.sign(receiptDigest(this.separator, receipt)).serialized };
    try {
      await store.reserve(signed, d.request);
    } catch (error) {
      // Not written: nothing is sent, and the units go back.
      this.add(receipt.grantId, receipt.epoch, -d.units);
      epochs.end(receipt.epoch);
      throw error;
    }
    return { signed, state: "reserved", request: d.request };
  }

  /** The ledger's rules, as the index knows them now, and the quota with what is not settled yet. */
  private async check(d: Delivery, reader: Reader): Promise<void> {
    const { holder, now, headTime, backlog, maxBacklog } = this.deps;
    const g = await reader.grant(d.grantId);
    if (!g) throw refuse(404, "unknown_grant", `no grant ${d.grantId} is on the ledger (or it is not indexed yet)`);
    if (g.grantee !== d.grantee) throw refuse(403, "not_your_grant", `grant ${d.grantId} was given to ${g.grantee}, not to ${d.grantee}`);
    if (g.datasetId !== d.datasetId) throw refuse(403, "other_dataset", `grant ${d.grantId} is on dataset ${g.datasetId}, not ${d.datasetId}`);
    const dataset = reader.datasetOf(g);
    if (dataset.holder !== holder) throw refuse(404, "not_served", `dataset ${d.datasetId} is held by ${dataset.holder}; this gateway serves ${holder}'s`);
    // The later of the two clocks: a stalled index must not keep an expired grant alive.
    const time = Math.max(now(), headTime() ?? 0);
    const { status, lapse } = grantStanding(g, dataset, reader.licenceFacts(dataset), time);
    if (status !== "active" && status !== "exhausted") {
      const why = lapse ? `: the grant ${lapse.grantId} its dataset rests on is ${lapse.reason}` : "";
      throw refuse(403, "grant_not_live", `grant ${d.grantId} is ${status}${why}; nothing is served under it`);
    }
    if ((g.rights & RIGHT_FOR_ACTION[d.action]) === 0) throw refuse(403, "action_not_allowed", `grant ${d.grantId} does not allow ${USAGE_ACTION_NAMES[d.action]}`);
    const quota = BigInt(g.quota);
    if (quota !== 0n) {
      const used = BigInt(g.used);
      const pending = await this.pendingOf(d.grantId, reader);
      if (used + pending + d.units > quota) {
        throw refuse(403, "quota_exceeded", `grant ${d.grantId} allows ${quota} units: ${used} recorded on chain and ${pending} delivered but not settled yet; ${d.units} more asked`);
      }
    }
    if (backlog() > maxBacklog) {
      throw refuse(
        503,
        "settlement_behind",
        `${backlog()} epochs wait to be settled (GATEWAY_MAX_BACKLOG is ${maxBacklog}): the chain cannot be reached or refuses them; deliveries resume once they settle`,
      );
    }
  }

  /** A delivery ended: answered in full (its receipt is marked delivered) or not (void, its units freed). */
  async complete(reserved: StoredReceipt, delivered: boolean): Promise<void> {
    const { receipt } = reserved.signed;
    await this.deps.store.setReceiptState(reserved, delivered ? "delivered" : "void");
    if (!delivered) this.add(receipt.grantId, receipt.epoch, -BigInt(receipt.units));
    this.deps.epochs.end(receipt.epoch);
  }
}
