/**
 * A generated scenario of every kind of ledger event, sent to a real chain over JSON-RPC, with the
 * truth kept on the side as the test computes it from what it sent (never from the index).
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { ZeroAddress, ZeroHash } from "ethers";

import { grantRequestDomain, GRANT_REQUEST_TYPES } from "../../core/grant-request.js";
import { currencyCodeText, datasetId as computeDatasetId, grantId as computeGrantId, ObjectionTarget, PURPOSE_CLASS_NAMES, PurposeClass, Rights, UsageAction } from "../../core/ids.js";
import type { ObjectionRecord } from "../../server/store/records.js";
import type { Oversight, ProvenanceLedger } from "../../types/ethers-contracts/index.js";
import { currency, deployToken, type FeeTermsInput, feeTerms, oversightOf, sha256 } from "./fixtures.js";

export interface TruthDataset {
  id: string;
  holder: string;
  registrant: string;
  contentHash: string;
  merkleRoot: string;
  recordCount: bigint;
  metadataURI: string;
  parents: { datasetId: string; grantId: string }[];
  /** The upstream grants it rests on, by the rules in README ("Product-operation licence"). */
  licences: { grantId: string; direct: boolean }[];
  previous: string | null;
  next: string | null;
  retired: boolean;
  pendingHolder: string | null;
  transfers: number;
}

export interface TruthGrant {
  id: string;
  datasetId: string;
  grantor: string;
  grantee: string;
  rights: number;
  purpose: string;
  validFrom: number;
  validUntil: number;
  quota: bigint;
  used: bigint;
  uses: number;
  state: "active" | "revoked" | "renounced" | "cancelled";
  /** Its fee terms as sent (grantWithTerms), and what was paid or acknowledged. */
  fees?: { purposeClass: string; token: string | null; currencyCode: string | null; unitPrice: bigint; periodFee: bigint; period: number };
  paid?: bigint;
}

/** An objection as the test filed it: the index's record, but for its evidence and with the texts alone. */
export type TruthObjection = Pick<ObjectionRecord, "id" | "targetKind" | "target" | "datasetId" | "objector" | "reason" | "state"> & {
  answer: string | null;
  ruling: { arbiter: string; upheld: boolean; text: string } | null;
};

export interface TruthUse {
  grantId: string;
  datasetId: string;
  grantee: string;
  action: number;
  units: bigint;
  outputRef: string;
}

export interface Truth {
  datasets: Map<string, TruthDataset>;
  grants: Map<string, TruthGrant>;
  /** Uses in chain order. */
  uses: TruthUse[];
  objections: TruthObjection[];
  /** Fee caps in force, by dataset. */
  caps: Map<string, { currencyCode: string; maxUnitPrice: bigint; maxDailyFee: bigint }>;
  /** Ledger events emitted, by kind. */
  events: Map<string, number>;
  /** Activity entries each account should have. */
  activity: Map<string, number>;
}

const lower = (a: string) => a.toLowerCase();

export class ScenarioBuilder {
  readonly truth: Truth = { datasets: new Map(), grants: new Map(), uses: [], objections: [], caps: new Map(), events: new Map(), activity: new Map() };
  private oversightContract?: Oversight;
  private n = 0;

  constructor(
    readonly ethers: HardhatEthers,
    readonly ledger: ProvenanceLedger,
    readonly admin: HardhatEthersSigner,
  ) {}

  private count(kind: string, times = 1) {
    this.truth.events.set(kind, (this.truth.events.get(kind) ?? 0) + times);
  }

  private act(account: string, times = 1) {
    this.truth.activity.set(lower(account), (this.truth.activity.get(lower(account)) ?? 0) + times);
  }

  private fresh(label: string) {
    return sha256(`${label} ${this.n++}`);
  }

  async registerBatch(holder: HardhatEthersSigner, count: number): Promise<string[]> {
    const entries = Array.from({ length: count }, (_, i) => ({
      contentHash: this.fresh("content"),
      merkleRoot: this.fresh("root"),
      recordCount: BigInt(100 + i),
      metadataURI: `data:application/json,{"title":"dataset ${this.n}"}`,
      parents: [] as { datasetId: string; grantId: string }[],
    }));
    await (await this.ledger.connect(holder).registerBatch(entries)).wait();
    return entries.map((e) => this.addDataset(holder.address, e, null));
  }

  /** The ledger was deployed by `admin` to itself: its two roles and the deployment event. */
  deployed(): void {
    this.count("RoleGranted", 2);
    this.count("LedgerDeployed");
    this.act(this.admin.address, 2);
  }

  /**
   * The licence a new dataset gets, written from the rules: a parent used under a grant passes that
   * grant (direct) and its own licence (indirect); a held parent, and the previous version, pass
   * their licence as it is. A grant met twice is one licence, direct if either time was.
   */
  private licenceOf(parents: { datasetId: string; grantId: string }[], previous: string | null) {
    const licences: { grantId: string; direct: boolean }[] = [];
    const add = (grantId: string, direct: boolean) => {
      const found = licences.find((l) => l.grantId === grantId);
      if (found) found.direct ||= direct;
      else licences.push({ grantId, direct });
    };
    for (const p of parents) {
      const parent = this.truth.datasets.get(lower(p.datasetId))!;
      if (p.grantId === ZeroHash) for (const l of parent.licences) add(l.grantId, l.direct);
      else {
        add(lower(p.grantId), true);
        for (const l of parent.licences) add(l.grantId, false);
      }
    }
    if (previous) for (const l of this.truth.datasets.get(previous)!.licences) add(l.grantId, l.direct);
    return licences;
  }

  private addDataset(
    holder: string,
    e: { contentHash: string; merkleRoot: string; recordCount: bigint; metadataURI: string; parents: { datasetId: string; grantId: string }[] },
    previous: string | null,
  ): string {
    const id = lower(computeDatasetId(holder, e.contentHash));
    const licences = this.licenceOf(e.parents, previous);
    this.count("DatasetLicensed", licences.length);
    this.truth.datasets.set(id, {
      id,
      holder: lower(holder),
      registrant: lower(holder),
      contentHash: lower(e.contentHash),
      merkleRoot: lower(e.merkleRoot),
      recordCount: e.recordCount,
      metadataURI: e.metadataURI,
      parents: e.parents.map((p) => ({ datasetId: lower(p.datasetId), grantId: lower(p.grantId) })),
      licences,
      previous,
      next: null,
      retired: false,
      pendingHolder: null,
      transfers: 0,
    });
    this.count("DatasetRegistered");
    this.act(holder);
    return id;
  }

  async registerVersion(holder: HardhatEthersSigner, previousId: string): Promise<string> {
    const e = { contentHash: this.fresh("v"), merkleRoot: this.fresh("vr"), recordCount: 7n, metadataURI: "ipfs://version", parents: [] };
    await (await this.ledger.connect(holder).registerVersion(previousId, e.contentHash, e.merkleRoot, e.recordCount, e.metadataURI, [])).wait();
    const id = this.addDataset(holder.address, e, previousId);
    this.truth.datasets.get(previousId)!.next = id;
    this.count("DatasetVersioned");
    this.act(holder.address);
    return id;
  }

  async derive(registrant: HardhatEthersSigner, parents: { datasetId: string; grantId: string }[]): Promise<string> {
    const e = { contentHash: this.fresh("derived"), merkleRoot: this.fresh("dr"), recordCount: 3n, metadataURI: "ipfs://product", parents };
    await (await this.ledger.connect(registrant).register(e.contentHash, e.merkleRoot, e.recordCount, e.metadataURI, parents)).wait();
    const id = this.addDataset(registrant.address, e, null);
    for (const p of parents) {
      this.count("DatasetDerived");
      this.act(registrant.address);
      if (p.grantId !== ZeroHash) this.use(p.grantId, registrant.address, UsageAction.Derive, 1n, id);
    }
    return id;
  }

  private use(grantId: string, grantee: string, action: number, units: bigint, outputRef: string) {
    const g = this.truth.grants.get(lower(grantId))!;
    g.used += units;
    g.uses++;
    this.truth.uses.push({ grantId: g.id, datasetId: g.datasetId, grantee: lower(grantee), action, units, outputRef: lower(outputRef) });
    this.count("UsageRecorded");
    this.act(grantee);
    const holder = this.truth.datasets.get(g.datasetId)!.holder;
    if (holder !== lower(grantee)) this.act(holder);
  }

  async appointMeter(holder: HardhatEthersSigner, meter: string, appoint = true): Promise<void> {
    await (await (appoint ? this.ledger.connect(holder).appointMeter(meter) : this.ledger.connect(holder).dismissMeter(meter))).wait();
    this.count(appoint ? "MeterAppointed" : "MeterDismissed");
    this.act(holder.address);
    if (lower(meter) !== lower(holder.address)) this.act(meter);
  }

  /** `meter` settles `holder`'s epoch: each entry becomes a use whose output is the receipts root. */
  async settle(meter: HardhatEthersSigner, holder: string, epoch: bigint, entries: { grantId: string; action: number; units: bigint }[]): Promise<void> {
    const root = this.fresh("receipts");
    await (await this.ledger.connect(meter).settleUsage(holder, epoch, root, entries.length * 3, entries)).wait();
    this.count("EpochSettled");
    this.act(holder);
    if (lower(meter.address) !== lower(holder)) this.act(meter.address);
    for (const e of entries) this.use(e.grantId, this.truth.grants.get(lower(e.grantId))!.grantee, e.action, e.units, root);
  }

  async grant(holder: HardhatEthersSigner, datasetId: string, grantee: string, terms: { rights: number; validFrom: number; validUntil: number; quota: bigint; purpose?: string }): Promise<string> {
    const purpose = terms.purpose ?? `purpose ${this.n++}`;
    await (await this.ledger.connect(holder).grant(datasetId, grantee, terms.rights, purpose, terms.validFrom, terms.validUntil, terms.quota)).wait();
    return this.addGrant(holder.address, datasetId, grantee, { ...terms, purpose });
  }

  private addGrant(grantor: string, datasetId: string, grantee: string, terms: { rights: number; validFrom: number; validUntil: number; quota: bigint; purpose: string }): string {
    const id = lower(
      computeGrantId({ grantor, datasetId, grantee, rights: terms.rights, purpose: terms.purpose, validFrom: BigInt(terms.validFrom), validUntil: BigInt(terms.validUntil), quota: terms.quota }),
    );
    this.truth.grants.set(id, { id, datasetId, grantor: lower(grantor), grantee: lower(grantee), ...terms, used: 0n, uses: 0, state: "active" });
    this.count("GrantIssued");
    this.act(grantor);
    this.act(grantee);
    return id;
  }

  async grantBySig(holder: HardhatEthersSigner, relayer: HardhatEthersSigner, datasetId: string, grantee: string, validUntil: number): Promise<string> {
    const { chainId } = await this.ethers.provider.getNetwork();
    const request = {
      holder: holder.address,
      datasetId,
      transfers: BigInt(this.truth.datasets.get(datasetId)!.transfers),
      grantee,
      rights: Rights.USE,
      purpose: `signed ${this.n++}`,
      validFrom: 0n,
      validUntil: BigInt(validUntil),
      quota: 50n,
      counter: await this.ledger.grantRequestCounter(holder.address),
      nonce: BigInt(this.n++),
      deadline: BigInt(validUntil),
    };
    const signature = await holder.signTypedData(grantRequestDomain(chainId, await this.ledger.getAddress()), GRANT_REQUEST_TYPES, request);
    await (await this.ledger.connect(relayer).grantBySig(request, signature)).wait();
    return this.addGrant(holder.address, datasetId, grantee, { rights: Rights.USE, validFrom: 0, validUntil, quota: 50n, purpose: request.purpose });
  }

  async useBatch(grantee: HardhatEthersSigner, entries: { grantId: string; action: number; units: bigint }[]): Promise<void> {
    for (let i = 0; i < entries.length; i += 200) {
      const chunk = entries.slice(i, i + 200).map((e) => ({ ...e, outputRef: this.fresh("output") }));
      await (await this.ledger.connect(grantee).recordUsageBatch(chunk)).wait();
      for (const e of chunk) this.use(e.grantId, grantee.address, e.action, e.units, e.outputRef);
    }
  }

  async revoke(holder: HardhatEthersSigner, grantId: string): Promise<void> {
    await this.endGrant(holder, grantId, "revoked");
  }

  async renounce(grantee: HardhatEthersSigner, grantId: string): Promise<void> {
    await this.endGrant(grantee, grantId, "renounced");
  }

  /** The holder revokes, or the grantee renounces; the other party sees it in its activity too. */
  private async endGrant(signer: HardhatEthersSigner, grantId: string, state: "revoked" | "renounced"): Promise<void> {
    const ledger = this.ledger.connect(signer);
    await (await (state === "revoked" ? ledger.revoke(grantId) : ledger.renounce(grantId))).wait();
    const g = this.truth.grants.get(grantId)!;
    g.state = state;
    this.count(state === "revoked" ? "GrantRevoked" : "GrantRenounced");
    this.act(signer.address);
    this.act(state === "revoked" ? g.grantee : this.truth.datasets.get(g.datasetId)!.holder);
  }

  async transfer(holder: HardhatEthersSigner, datasetId: string, to: HardhatEthersSigner | null, accept: boolean): Promise<void> {
    await (await this.ledger.connect(holder).transferHolding(datasetId, to?.address ?? ZeroAddress)).wait();
    const d = this.truth.datasets.get(datasetId)!;
    d.pendingHolder = to ? lower(to.address) : null;
    this.count("HoldingTransferOffered");
    this.act(holder.address);
    if (to) this.act(to.address);
    if (to && accept) {
      await (await this.ledger.connect(to).acceptHolding(datasetId)).wait();
      d.holder = lower(to.address);
      d.pendingHolder = null;
      d.transfers++;
      this.count("HoldingTransferred");
      this.act(to.address);
      this.act(holder.address);
    }
  }

  async retire(holder: HardhatEthersSigner, datasetId: string): Promise<void> {
    await (await this.ledger.connect(holder).retire(datasetId)).wait();
    this.truth.datasets.get(datasetId)!.retired = true;
    this.count("DatasetRetired");
    this.act(holder.address);
  }

  async cancelRequests(holder: HardhatEthersSigner): Promise<void> {
    await (await this.ledger.connect(holder).cancelGrantRequest(BigInt(this.n++))).wait();
    await (await this.ledger.connect(holder).cancelAllGrantRequests()).wait();
    this.count("GrantRequestCancelled");
    this.count("GrantRequestsCancelled");
    this.act(holder.address, 2);
  }

  /**
   * The admin role handed over the long way: scheduled, cancelled, scheduled again, accepted after
   * the delay; then the new admin schedules a shorter delay, rolls it back and schedules it again.
   */
  async adminHandover(to: HardhatEthersSigner, delay: bigint): Promise<void> {
    const old = this.ledger.connect(this.admin);
    await (await old.beginDefaultAdminTransfer(to.address)).wait();
    await (await old.cancelDefaultAdminTransfer()).wait();
    await (await old.beginDefaultAdminTransfer(to.address)).wait();
    await this.ethers.provider.send("evm_increaseTime", [Number(delay) + 1]);
    await (await this.ledger.connect(to).acceptDefaultAdminTransfer()).wait();
    this.count("DefaultAdminTransferScheduled", 2);
    this.count("DefaultAdminTransferCanceled");
    this.count("RoleRevoked");
    this.count("RoleGranted");
    this.act(to.address, 2 + 1 + 1); // offered twice; revoked the old admin (as sender); granted itself
    this.act(this.admin.address);
    const next = this.ledger.connect(to);
    await (await next.changeDefaultAdminDelay(86_400n)).wait();
    await (await next.rollbackDefaultAdminDelay()).wait();
    await (await next.changeDefaultAdminDelay(86_400n)).wait();
    this.count("DefaultAdminDelayChangeScheduled", 2);
    this.count("DefaultAdminDelayChangeCanceled");
  }

  private async oversight(): Promise<Oversight> {
    this.oversightContract ??= await oversightOf(this.ethers, this.ledger);
    return this.oversightContract;
  }

  /** The admin grants the authority and arbiter roles the oversight contract consults. */
  async appointOverseers(authority: HardhatEthersSigner, arbiter: HardhatEthersSigner): Promise<void> {
    for (const [role, account] of [
      ["AUTHORITY_ROLE", authority],
      ["ARBITER_ROLE", arbiter],
    ] as const) {
      await (await this.ledger.connect(this.admin).grantRole(this.ethers.id(role), account.address)).wait();
      this.count("RoleGranted");
      this.act(this.admin.address);
      this.act(account.address);
    }
  }

  async setFeeCap(authority: HardhatEthersSigner, datasetId: string, code: string, maxUnitPrice: bigint, maxDailyFee: bigint): Promise<void> {
    await (await (await this.oversight()).connect(authority).setFeeCap(datasetId, { token: ZeroAddress, currencyCode: currency(code), maxUnitPrice, maxDailyFee })).wait();
    this.truth.caps.set(datasetId, { currencyCode: code, maxUnitPrice, maxDailyFee });
    this.count("FeeCapSet");
    this.act(authority.address);
  }

  async setRevenueCeiling(authority: HardhatEthersSigner, operator: string, year: number, code: string, ceiling: bigint): Promise<void> {
    await (await (await this.oversight()).connect(authority).setRevenueCeiling(operator, year, ZeroAddress, currency(code), ceiling)).wait();
    this.count("RevenueCeilingSet");
    this.act(authority.address);
    if (lower(operator) !== lower(authority.address)) this.act(operator);
  }

  async grantWithTerms(
    holder: HardhatEthersSigner,
    datasetId: string,
    grantee: string,
    window: { rights: number; validFrom: number; validUntil: number; quota: bigint },
    terms: FeeTermsInput,
  ): Promise<string> {
    const purpose = `priced purpose ${this.n++}`;
    const sent = this.ledger.connect(holder).grantWithTerms(datasetId, grantee, window.rights, purpose, window.validFrom, window.validUntil, window.quota, terms);
    await (await sent).wait();
    const id = this.addGrant(holder.address, datasetId, grantee, { ...window, purpose });
    const g = this.truth.grants.get(id)!;
    const code = currencyCodeText(terms.currencyCode);
    g.fees = {
      purposeClass: PURPOSE_CLASS_NAMES[terms.purposeClass],
      token: terms.token === ZeroAddress ? null : lower(terms.token),
      currencyCode: code || null,
      unitPrice: terms.unitPrice,
      periodFee: terms.periodFee,
      period: Number(terms.period),
    };
    g.paid = 0n;
    this.count("GrantFeeTerms");
    return id;
  }

  /** `payer` pays `amount` of the grant's token to the dataset's holder, or the holder acknowledges it (no token). */
  async pay(payer: HardhatEthersSigner, grantId: string, terms: FeeTermsInput, amount: bigint): Promise<void> {
    const g = this.truth.grants.get(grantId)!;
    const holder = this.truth.datasets.get(g.datasetId)!.holder;
    if (terms.token === ZeroAddress) {
      await (await this.ledger.connect(payer).acknowledgeFees(grantId, terms, amount, sha256(`payment ${this.n++}`))).wait();
      this.count("FeesAcknowledged");
      this.act(payer.address);
    } else {
      await (await this.ledger.connect(payer).payFees(grantId, terms, terms.token, amount)).wait();
      this.count("FeesPaid");
      this.act(payer.address);
      if (holder !== lower(payer.address)) this.act(holder);
    }
    g.paid = (g.paid ?? 0n) + amount;
  }

  async fileObjection(objector: HardhatEthersSigner, targetKind: "dataset" | "grant", target: string): Promise<string> {
    const reason = `objection ${this.n++}: the data is not the holder's to publish`;
    const kind = targetKind === "grant" ? ObjectionTarget.Grant : ObjectionTarget.Dataset;
    await (await (await this.oversight()).connect(objector).fileObjection(kind, target, reason, sha256(reason))).wait();
    const datasetId = targetKind === "grant" ? this.truth.grants.get(target)!.datasetId : target;
    const id = String(this.truth.objections.length + 1);
    this.truth.objections.push({ id, targetKind, target, datasetId, objector: lower(objector.address), reason, state: "open", answer: null, ruling: null });
    this.count("ObjectionFiled");
    this.act(objector.address);
    const holder = this.truth.datasets.get(datasetId)!.holder;
    if (holder !== lower(objector.address)) this.act(holder);
    return id;
  }

  async answerObjection(holder: HardhatEthersSigner, id: string): Promise<void> {
    const answer = `answer to objection ${id}`;
    await (await (await this.oversight()).connect(holder).answerObjection(BigInt(id), answer, ZeroHash)).wait();
    const o = this.truth.objections[Number(id) - 1];
    o.state = "answered";
    o.answer = answer;
    this.count("ObjectionAnswered");
    this.act(holder.address);
  }

  /** The arbiter rules; upheld, the ledger cancels a grant still active or retires a dataset not yet retired. */
  async ruleOnObjection(arbiter: HardhatEthersSigner, id: string, upheld: boolean): Promise<void> {
    const text = `${upheld ? "upheld" : "rejected"}: ruling on objection ${id}`;
    await (await (await this.oversight()).connect(arbiter).ruleOnObjection(BigInt(id), upheld, text)).wait();
    const o = this.truth.objections[Number(id) - 1];
    o.state = upheld ? "upheld" : "rejected";
    o.ruling = { arbiter: lower(arbiter.address), upheld, text };
    this.count("ObjectionRuled");
    this.act(arbiter.address);
    const holder = this.truth.datasets.get(o.datasetId)!.holder;
    for (const party of new Set([o.objector, holder])) if (party !== lower(arbiter.address)) this.act(party);
    if (!upheld) return;
    if (o.targetKind === "grant") {
      const g = this.truth.grants.get(o.target)!;
      if (g.state !== "active") return;
      g.state = "cancelled";
      this.count("GrantCancelled");
      this.act(g.grantee);
      if (holder !== g.grantee) this.act(holder);
    } else {
      const d = this.truth.datasets.get(o.target)!;
      if (d.retired) return;
      d.retired = true;
      this.count("DatasetCancelled");
      this.act(d.holder);
    }
  }

  async pauseAndUnpause(): Promise<void> {
    await (await this.ledger.connect(this.admin).pause()).wait();
    await (await this.ledger.connect(this.admin).unpause()).wait();
    this.count("Paused");
    this.count("Unpaused");
    this.act(this.admin.address, 2);
  }
}

/**
 * The standard scenario: two holders, two companies, a bank and a relayer; over 600 events of
 * every kind, with grants that end up pending, active, expired, exhausted, revoked and renounced.
 */
export async function runScenario(args: { ethers: HardhatEthers; ledger: ProvenanceLedger; usesPerGrant?: number }): Promise<Truth> {
  const { ethers, ledger } = args;
  const [admin, bureau, archive, company, rival, bank, relayer] = await ethers.getSigners();
  const s = new ScenarioBuilder(ethers, ledger, admin);
  s.deployed();
  const now = Number((await ethers.provider.getBlock("latest"))!.timestamp);
  const far = now + 10_000_000;

  const bureauSets = await s.registerBatch(bureau, 60);
  const archiveSets = await s.registerBatch(archive, 20);
  for (const id of bureauSets.slice(0, 10)) await s.registerVersion(bureau, id);

  const grants: { id: string; grantee: HardhatEthersSigner }[] = [];
  for (let i = 0; i < 30; i++) {
    const grantee = [company, rival, bank][i % 3];
    const id = await s.grant(bureau, bureauSets[10 + i], grantee.address, {
      rights: i % 2 ? Rights.USE | Rights.PROCESS | Rights.OPERATE_PRODUCT : Rights.USE | Rights.PROCESS,
      validFrom: 0,
      validUntil: far,
      quota: i % 5 === 0 ? 0n : 1_000n,
    });
    grants.push({ id, grantee });
  }
  for (let i = 0; i < 5; i++) grants.push({ id: await s.grantBySig(archive, relayer, archiveSets[i], bank.address, far), grantee: bank });
  const pending = await s.grant(bureau, bureauSets[45], bank.address, { rights: Rights.USE, validFrom: far - 1000, validUntil: far, quota: 10n });
  const shortLived = await s.grant(bureau, bureauSets[46], bank.address, { rights: Rights.USE, validFrom: 0, validUntil: now + 120, quota: 10n });
  const small = await s.grant(bureau, bureauSets[47], company.address, { rights: Rights.USE, validFrom: 0, validUntil: far, quota: 4n });
  await s.useBatch(company, [{ grantId: small, action: UsageAction.Use, units: 4n }]);

  const usesPerGrant = args.usesPerGrant ?? 12;
  for (const grantee of [company, rival, bank]) {
    const mine = grants.filter((g) => g.grantee === grantee);
    const entries = mine.flatMap((g, i) =>
      Array.from({ length: usesPerGrant }, (_, k) => ({
        grantId: g.id,
        action: (i + k) % 2 ? UsageAction.Use : s.truth.grants.get(g.id)!.rights & Rights.PROCESS ? UsageAction.Process : UsageAction.Use,
        units: BigInt(1 + (k % 3)),
      })),
    );
    await s.useBatch(grantee, entries);
  }

  // Derived products: the company derives from two bureau datasets under its grants, then licenses the bank.
  // Products licensed for operation come first: both their upstream grants carry OPERATE_PRODUCT.
  const companyGrants = grants
    .filter((g) => g.grantee === company)
    .map((g) => g.id)
    .sort((a, b) => (s.truth.grants.get(b)!.rights & Rights.OPERATE_PRODUCT) - (s.truth.grants.get(a)!.rights & Rights.OPERATE_PRODUCT));
  const products: string[] = [];
  for (let i = 0; i + 1 < companyGrants.length && products.length < 4; i += 2) {
    const [a, b] = [s.truth.grants.get(companyGrants[i])!, s.truth.grants.get(companyGrants[i + 1])!];
    products.push(
      await s.derive(company, [
        { datasetId: a.datasetId, grantId: a.id },
        { datasetId: b.datasetId, grantId: b.id },
      ]),
    );
  }
  const own = await s.derive(bureau, [{ datasetId: bureauSets[50], grantId: ZeroHash }]);
  const productGrant = await s.grant(company, products[0], bank.address, { rights: Rights.USE, validFrom: 0, validUntil: far, quota: 100n });
  await s.useBatch(bank, [{ grantId: productGrant, action: UsageAction.Use, units: 5n }]);
  const ownGrant = await s.grant(bureau, own, bank.address, { rights: Rights.PROCESS, validFrom: 0, validUntil: far, quota: 5n });
  await s.derive(bank, [{ datasetId: own, grantId: ownGrant }]);
  // A product of a product: the bank derives from the company's first product under the company's
  // grant and licenses its own product to the rival. Revoking an upstream grant below lapses both.
  const onProduct = await s.grant(company, products[0], bank.address, { rights: Rights.USE | Rights.PROCESS | Rights.OPERATE_PRODUCT, validFrom: 0, validUntil: far, quota: 100n });
  const bankProduct = await s.derive(bank, [{ datasetId: products[0], grantId: onProduct }]);
  const rivalGrant = await s.grant(bank, bankProduct, rival.address, { rights: Rights.USE, validFrom: 0, validUntil: far, quota: 10n });
  await s.useBatch(rival, [{ grantId: rivalGrant, action: UsageAction.Use, units: 1n }]);

  // The bureau's gateway: the relayer is its meter (the rival was, briefly); two epochs settle.
  await s.appointMeter(bureau, relayer.address);
  await s.appointMeter(bureau, rival.address);
  await s.appointMeter(bureau, rival.address, false);
  const served = grants.filter((g) => s.truth.grants.get(g.id)!.quota === 0n).slice(0, 2);
  await s.settle(
    relayer,
    bureau.address,
    1n,
    served.map((g) => ({ grantId: g.id, action: UsageAction.Use, units: 5n })),
  );
  await s.settle(bureau, bureau.address, 2n, [{ grantId: served[0].id, action: UsageAction.Use, units: 2n }]);

  // Public-data operation: the authority caps a dataset's fees and sets the bureau's ceiling; the
  // company pays per unit off the ledger (acknowledged), the rival per unit and per month in a token;
  // the bank's research grant is free; objections are upheld against a grant and a registration,
  // rejected, and left open.
  const [authority, arbiter] = (await ethers.getSigners()).slice(7, 9);
  await s.appointOverseers(authority, arbiter);
  await s.setFeeCap(authority, bureauSets[58], "CNY", 50n, 1_000n);
  await s.setRevenueCeiling(authority, bureau.address, 2026, "CNY", 1_000_000n);
  const perUnit = feeTerms({ currencyCode: currency("CNY"), unitPrice: 30n });
  const priced = await s.grantWithTerms(bureau, bureauSets[58], company.address, { rights: Rights.USE, validFrom: 0, validUntil: far, quota: 0n }, perUnit);
  await s.useBatch(company, [{ grantId: priced, action: UsageAction.Use, units: 3n }]);
  await s.pay(bureau, priced, perUnit, 60n);
  const token = await deployToken(ethers, ledger, [rival]);
  const monthly = feeTerms({ token: (await token.getAddress()).toLowerCase(), unitPrice: 10n ** 15n, periodFee: 5n * 10n ** 15n, period: 30n * 86_400n });
  const startsAt = Number((await ethers.provider.getBlock("latest"))!.timestamp) + 10;
  const subscription = await s.grantWithTerms(bureau, bureauSets[59], rival.address, { rights: Rights.USE, validFrom: startsAt, validUntil: far, quota: 0n }, monthly);
  await ethers.provider.send("evm_increaseTime", [20]);
  await s.useBatch(rival, [{ grantId: subscription, action: UsageAction.Use, units: 2n }]);
  await s.pay(rival, subscription, monthly, 4n * 10n ** 15n);
  await s.grantWithTerms(bureau, bureauSets[58], bank.address, { rights: Rights.USE, validFrom: 0, validUntil: far, quota: 0n }, feeTerms({ purposeClass: PurposeClass.PublicWelfare }));
  const onGrant = await s.fileObjection(rival, "grant", priced);
  await s.answerObjection(bureau, onGrant);
  await s.ruleOnObjection(arbiter, onGrant, true);
  const onArchive = await s.fileObjection(bank, "dataset", archiveSets[18]);
  await s.answerObjection(archive, onArchive);
  await s.ruleOnObjection(arbiter, onArchive, false);
  const onRegistration = await s.fileObjection(company, "dataset", bureauSets[48]);
  await s.answerObjection(bureau, onRegistration);
  await s.ruleOnObjection(arbiter, onRegistration, true);
  await s.fileObjection(relayer, "grant", productGrant);

  for (let i = 0; i < 4; i++) await s.transfer(bureau, bureauSets[52 + i], archive, true);
  await s.transfer(bureau, bureauSets[56], rival, false);
  await s.transfer(bureau, bureauSets[57], archive, false);
  await s.transfer(bureau, bureauSets[57], null, false);
  for (let i = 0; i < 3; i++) await s.retire(archive, archiveSets[15 + i]);
  // A dataset with a live grant on it retires: the grant is then "retired", not "active".
  await s.retire(archive, archiveSets[4]);
  for (const g of grants.slice(0, 4)) await s.revoke(bureau, g.id);
  await s.renounce(rival, grants.filter((g) => g.grantee === rival)[5].id);
  await s.renounce(bank, grants.filter((g) => g.grantee === bank)[5].id);
  await s.cancelRequests(archive);
  await s.pauseAndUnpause();
  await s.adminHandover(relayer, await ledger.defaultAdminDelay());

  // Let the short-lived grant expire, with a block to show it.
  await ethers.provider.send("evm_increaseTime", [300]);
  await ethers.provider.send("evm_mine", []);
  void pending;
  void shortLived;
  return s.truth;
}
