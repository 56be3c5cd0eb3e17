/**
 * The indexer and the API against two different nodes (Hardhat's EDR chain and anvil): for a
 * generated scenario of every kind of event, every API answer equals the truth the test computed
 * from what it sent.
 */
import { expect } from "chai";
import { getAddress as ethersAddress } from "ethers";

import { startAnvil, startHardhatChain, type TestChain } from "../helpers/chain.js";
import { runScenario, type Truth, type TruthDataset, type TruthGrant } from "../helpers/scenario.js";
import { PURPOSE_CLASS_NAMES } from "../../core/ids.js";
import { parsePeriod, yearOf } from "../../core/period.js";
import { ADMIN_DELAY, currency, oversightOf } from "../helpers/fixtures.js";
import { freshLedger, closeAll, allPages, indexAndServe, type IndexedApi, type LedgerOnChain } from "../helpers/system.js";

const ACTIONS = ["use", "process", "derive", "operate"];
const ZERO = "0x" + "00".repeat(32);

const STATUS_NAMES = ["none", "pending", "active", "expired", "exhausted", "revoked", "renounced", "retired", "lapsed", "cancelled"];

/** The first licence of `d` that no longer holds at `time`, by the rules, or undefined. */
function truthLapse(truth: Truth, d: TruthDataset, time: number): { grantId: string; reason: string } | undefined {
  for (const { grantId } of d.licences) {
    const l = truth.grants.get(grantId)!;
    if (l.state !== "active") return { grantId, reason: l.state };
    if (time > l.validUntil) return { grantId, reason: "expired" };
    if (truth.datasets.get(l.datasetId)!.retired) return { grantId, reason: "retired" };
  }
  return undefined;
}

function truthStatus(truth: Truth, g: TruthGrant, time: number): string {
  if (g.state !== "active") return g.state;
  if (time < g.validFrom) return "pending";
  if (time > g.validUntil) return "expired";
  const d = truth.datasets.get(g.datasetId)!;
  if (d.retired) return "retired";
  if (truthLapse(truth, d, time)) return "lapsed";
  if (g.quota !== 0n && g.used >= g.quota) return "exhausted";
  return "active";
}

for (const [name, start] of [
  ["Hardhat's in-process chain", startHardhatChain],
  ["anvil", () => startAnvil()],
] as const) {
  describe(`indexer and API on ${name}`, function () {
    let chain: TestChain;
    let ledger: LedgerOnChain;
    let truth: Truth;
    let api: IndexedApi;
    let headTime: number;

    before(async function () {
      ({ chain, ledger } = await freshLedger(start));
      truth = await runScenario({ ethers: ledger.ethers, ledger: ledger.ledger });
      api = await indexAndServe({ chain, ledger, options: { initialRange: 7, maxRange: 40 } });
      await api.indexer.syncOnce();
      headTime = api.indexer.status().head!.timestamp;
    });

    after(() => closeAll(api, ledger, chain));

    it("indexes at least 500 events of every kind, up to the head", async function () {
      const total = [...truth.events.values()].reduce((a, b) => a + b, 0);
      expect(total).to.be.at.least(500);
      expect([...truth.events.keys()].sort()).to.deep.equal([
        "DatasetCancelled",
        "DatasetDerived",
        "DatasetLicensed",
        "DatasetRegistered",
        "DatasetRetired",
        "DatasetVersioned",
        "DefaultAdminDelayChangeCanceled",
        "DefaultAdminDelayChangeScheduled",
        "DefaultAdminTransferCanceled",
        "DefaultAdminTransferScheduled",
        "EpochSettled",
        "FeeCapSet",
        "FeesAcknowledged",
        "FeesPaid",
        "GrantCancelled",
        "GrantFeeTerms",
        "GrantIssued",
        "GrantRenounced",
        "GrantRequestCancelled",
        "GrantRequestsCancelled",
        "GrantRevoked",
        "HoldingTransferOffered",
        "HoldingTransferred",
        "LedgerDeployed",
        "MeterAppointed",
        "MeterDismissed",
        "ObjectionAnswered",
        "ObjectionFiled",
        "ObjectionRuled",
        "Paused",
        "RevenueCeilingSet",
        "RoleGranted",
        "RoleRevoked",
        "Unpaused",
        "UsageRecorded",
      ]);
      const { status, body } = await api.get("/v1/status");
      expect(status).to.equal(200);
      expect(body.events).to.equal(total);
      expect(body.indexed.number).to.equal(body.head);
      expect(body.lag).to.equal(0);
      expect(body.digest)
        .to.match(/^0x[0-9a-f]{64}$/)
        .and.not.equal(ZERO);
      expect(body.chainId).to.equal(ledger.chainId);
      expect(body.ledger).to.equal(ledger.address.toLowerCase());
      // The scenario handed the admin role to the relayer, which then scheduled a one-day delay.
      const relayer = (await ledger.ethers.getSigners())[6].address.toLowerCase();
      expect(await ledger.ledger.defaultAdmin()).to.equal(ethersAddress(relayer));
      const [pendingDelay, effectiveAfter] = await ledger.ledger.pendingDefaultAdminDelay();
      expect({ ...body.roles, pendingDelay: body.roles.pendingDelay && { delay: body.roles.pendingDelay.delay, effectiveAfter: body.roles.pendingDelay.effectiveAfter } }).to.deep.equal({
        admin: relayer,
        pausers: [ledger.admin.address.toLowerCase()],
        adminDelay: Number(await ledger.ledger.defaultAdminDelay()),
        pendingAdmin: null,
        pendingDelay: { delay: Number(pendingDelay), effectiveAfter: Number(effectiveAfter) },
      });
      expect(body.roles.adminDelay).to.equal(Number(ADMIN_DELAY));
    });

    it("answers every dataset as sent", async function () {
      for (const d of truth.datasets.values()) {
        const { status, body } = await api.get(`/v1/datasets/${d.id}`);
        expect(status, d.id).to.equal(200);
        const got = body.dataset;
        expect({
          holder: got.holder,
          registrant: got.registrant,
          contentHash: got.contentHash,
          merkleRoot: got.merkleRoot,
          recordCount: got.recordCount,
          metadataURI: got.metadataURI,
          status: got.status,
          lapse: got.lapse && { grantId: got.lapse.grantId, reason: got.lapse.reason },
          pendingHolder: got.pendingHolder,
          parents: got.parents.map((p: any) => ({ datasetId: p.datasetId, grantId: p.grantId ?? ZERO })),
          licences: got.licences.map((l: any) => ({ grantId: l.grantId, direct: l.direct })),
          versions: got.versions,
          transfers: got.transfers.length,
        }).to.deep.equal({
          holder: d.holder,
          registrant: d.registrant,
          contentHash: d.contentHash,
          merkleRoot: d.merkleRoot,
          recordCount: d.recordCount.toString(),
          metadataURI: d.metadataURI,
          status: d.retired ? "retired" : truthLapse(truth, d, headTime) ? "lapsed" : "active",
          lapse: truthLapse(truth, d, headTime) ?? null,
          pendingHolder: d.pendingHolder,
          parents: d.parents,
          licences: d.licences,
          versions: { previous: d.previous, next: d.next },
          transfers: d.transfers,
        });
        expect(got.registered.blockNumber).to.be.a("number");
        expect(got.registered.txHash).to.match(/^0x[0-9a-f]{64}$/);
      }
    });

    it("lists datasets by holder and in all, across pages", async function () {
      const all = await allPages(api, "/v1/datasets");
      expect(all.map((d) => d.id).sort()).to.deep.equal([...truth.datasets.keys()].sort());
      const holders = new Set([...truth.datasets.values()].map((d) => d.holder));
      for (const holder of holders) {
        const listed = await allPages(api, `/v1/datasets?holder=${holder}`);
        const expected = [...truth.datasets.values()].filter((d) => d.holder === holder).map((d) => d.id);
        expect(listed.map((d) => d.id).sort(), holder).to.deep.equal(expected.sort());
      }
    });

    it("verifies every anchored content hash, and 404s an unknown one", async function () {
      for (const d of truth.datasets.values()) {
        const { status, body } = await api.get(`/v1/verify/${d.contentHash}`);
        expect(status).to.equal(200);
        expect(body.anchors.map((a: any) => a.id)).to.deep.equal([d.id]);
      }
      const { status, body } = await api.get(`/v1/verify/0x${"ab".repeat(32)}`);
      expect(status).to.equal(404);
      expect(body.error.code).to.equal("not_anchored");
    });

    it("answers every grant with its use count, remaining quota and status at the head's time", async function () {
      const statuses = new Set<string>();
      for (const g of truth.grants.values()) {
        const { status, body } = await api.get(`/v1/grants/${g.id}`);
        expect(status).to.equal(200);
        const got = body.grant;
        const expectedStatus = truthStatus(truth, g, headTime);
        statuses.add(expectedStatus);
        // The contract's own view, at the block the index was read at, says the same.
        expect(STATUS_NAMES[Number(await ledger.ledger.grantStatus(g.id))], `contract status of ${g.id}`).to.equal(expectedStatus);
        expect({
          datasetId: got.datasetId,
          grantor: got.grantor,
          grantee: got.grantee,
          purpose: got.purpose,
          quota: got.quota,
          used: got.used,
          uses: got.uses,
          status: got.status,
          remaining: got.remaining,
        }).to.deep.equal({
          datasetId: g.datasetId,
          grantor: g.grantor,
          grantee: g.grantee,
          purpose: g.purpose,
          quota: g.quota.toString(),
          used: g.used.toString(),
          uses: g.uses,
          status: expectedStatus,
          remaining: g.quota === 0n ? null : (g.quota - g.used).toString(),
        });
      }
      expect([...statuses].sort()).to.deep.equal(["active", "cancelled", "exhausted", "expired", "lapsed", "pending", "renounced", "retired", "revoked"]);
      for (const datasetId of new Set([...truth.grants.values()].map((g) => g.datasetId))) {
        const listed = await allPages(api, `/v1/datasets/${datasetId}/grants`, 2);
        expect(listed.map((g) => g.id).sort()).to.deep.equal(
          [...truth.grants.values()]
            .filter((g) => g.datasetId === datasetId)
            .map((g) => g.id)
            .sort(),
        );
      }
    });

    it("lists the uses of every dataset and grant, newest first, also by grantee", async function () {
      const view = (u: any) => ({ grantId: u.grantId, grantee: u.grantee, action: u.action, units: u.units, outputRef: u.outputRef });
      const truthView = (u: (typeof truth.uses)[number]) => ({
        grantId: u.grantId,
        grantee: u.grantee,
        action: ACTIONS[u.action],
        units: u.units.toString(),
        outputRef: u.outputRef === ZERO ? null : u.outputRef,
      });
      for (const datasetId of new Set(truth.uses.map((u) => u.datasetId))) {
        const expected = truth.uses
          .filter((u) => u.datasetId === datasetId)
          .reverse()
          .map(truthView);
        expect((await allPages(api, `/v1/datasets/${datasetId}/usage`, 5)).map(view)).to.deep.equal(expected);
        const grantee = expected[0].grantee;
        expect((await allPages(api, `/v1/datasets/${datasetId}/usage?grantee=${grantee}`, 3)).map(view)).to.deep.equal(expected.filter((u) => u.grantee === grantee));
      }
      for (const g of truth.grants.values()) {
        const expected = truth.uses
          .filter((u) => u.grantId === g.id)
          .reverse()
          .map(truthView);
        expect((await allPages(api, `/v1/grants/${g.id}/usage`, 11)).map(view)).to.deep.equal(expected);
      }
    });

    it("draws lineage both ways", async function () {
      for (const d of [...truth.datasets.values()].filter((x) => x.parents.length > 0)) {
        const { body } = await api.get(`/v1/datasets/${d.id}/lineage?direction=ancestors&depth=1`);
        expect(body.edges.map((e: any) => [e.parent, e.grantId ?? ZERO]).sort()).to.deep.equal(d.parents.map((p) => [p.datasetId, p.grantId]).sort());
        for (const p of d.parents) {
          const down = await api.get(`/v1/datasets/${p.datasetId}/lineage?direction=descendants`);
          expect(down.body.nodes.map((n: any) => n.id)).to.include(d.id);
        }
      }
    });

    /** The terms a truth grant was issued with, as the ledger takes them. */
    const termsOf = (g: TruthGrant) => ({
      purposeClass: PURPOSE_CLASS_NAMES.indexOf(g.fees!.purposeClass as never),
      token: g.fees!.token ?? ethersAddress("0x" + "00".repeat(20)),
      currencyCode: g.fees!.currencyCode ? currency(g.fees!.currencyCode) : "0x000000",
      unitPrice: g.fees!.unitPrice,
      periodFee: g.fees!.periodFee,
      period: BigInt(g.fees!.period),
    });

    it("answers every priced grant's terms, and what it owes and paid as the ledger's feesOf says at the same block", async function () {
      const priced = [...truth.grants.values()].filter((g) => g.fees);
      expect(priced.map((g) => g.fees!.purposeClass).sort()).to.deep.equal(["commercial", "commercial", "public-welfare"]);
      for (const g of priced) {
        const { body } = await api.get(`/v1/grants/${g.id}`);
        const [owed, paid] = await ledger.ledger.feesOf(g.id, termsOf(g));
        expect(body.grant.fees).to.deep.equal({ ...g.fees, unitPrice: g.fees!.unitPrice.toString(), periodFee: g.fees!.periodFee.toString() });
        expect({ owed: body.grant.owed, paid: body.grant.paid }, g.id).to.deep.equal({ owed: owed.toString(), paid: paid.toString() });
        expect(paid).to.equal(g.paid);
        const payments = await allPages(api, `/v1/grants/${g.id}/payments`, 1);
        expect(payments.reduce((sum, p) => sum + BigInt(p.amount), 0n)).to.equal(g.paid);
      }
      const cancelled = [...truth.grants.values()].filter((g) => g.state === "cancelled");
      expect(cancelled.length).to.equal(1);
      for (const g of cancelled) expect((await api.get(`/v1/grants/${g.id}`)).body.grant.cancelledBy).to.equal(truth.objections.find((o) => o.target === g.id && o.state === "upheld")!.id);
      for (const [datasetId, cap] of truth.caps) {
        const { body } = await api.get(`/v1/datasets/${datasetId}/fee-cap`);
        expect({ code: body.cap.currencyCode, max: body.cap.maxUnitPrice, daily: body.cap.maxDailyFee }).to.deep.equal({
          code: cap.currencyCode,
          max: cap.maxUnitPrice.toString(),
          daily: cap.maxDailyFee.toString(),
        });
        expect([...(await (await oversightOf(ledger.ethers, ledger.ledger)).feeCapOf(datasetId))].slice(2)).to.deep.equal([cap.maxUnitPrice, cap.maxDailyFee]);
      }
    });

    it("lists every objection as filed, answered and ruled, and by target", async function () {
      const all = await allPages(api, "/v1/objections", 2);
      expect(all.map((o) => o.id)).to.deep.equal(truth.objections.map((o) => o.id).reverse());
      for (const o of truth.objections) {
        const { status, body } = await api.get(`/v1/objections/${o.id}`);
        expect(status).to.equal(200);
        const got = body.objection;
        expect({
          targetKind: got.targetKind,
          target: got.target,
          datasetId: got.datasetId,
          objector: got.objector,
          reason: got.reason,
          state: got.state,
          answer: got.answer?.text ?? null,
          ruling: got.ruling && { arbiter: got.ruling.arbiter, upheld: got.ruling.upheld, text: got.ruling.text },
        }).to.deep.equal({ targetKind: o.targetKind, target: o.target, datasetId: o.datasetId, objector: o.objector, reason: o.reason, state: o.state, answer: o.answer, ruling: o.ruling });
        const byTarget = await allPages(api, `/v1/objections?target=${o.target}`);
        expect(byTarget.map((x) => x.id)).to.include(o.id);
      }
      const cancelledSets = [...truth.datasets.values()].filter((d) => truth.objections.some((o) => o.target === d.id && o.state === "upheld"));
      for (const d of cancelledSets) expect((await api.get(`/v1/datasets/${d.id}`)).body.dataset.cancelledBy).to.be.a("string");
      // PROV: the objection is an activity that used its target; an upheld one invalidated it.
      for (const o of truth.objections.filter((x) => x.targetKind === "dataset")) {
        const prov = (await api.get(`/v1/datasets/${o.target}/prov`)).body;
        const activity = prov.activity[`dpl:objection-${o.id}`];
        expect(activity["dpl:state"]).to.equal(o.state);
        expect(Object.values(prov.used).some((u: any) => u["prov:activity"] === `dpl:objection-${o.id}` && u["prov:entity"] === `ds:${o.target}`)).to.equal(true);
        if (o.state === "upheld") expect(prov.activity[`dpl:retire-${o.target}`]["dpl:objection"]).to.equal(`dpl:objection-${o.id}`);
      }
      expect((await api.get("/v1/objections/999")).status).to.equal(404);
      expect((await api.get("/v1/objections/0")).status).to.equal(400);
    });

    it("gives each grantee a statement of the year: units from the chain's own UsageRecorded logs, what is owed from the ledger's feesOf", async function () {
      const year = yearOf(headTime);
      const period = parsePeriod(String(year));
      const priced = [...truth.grants.values()].filter((g) => g.fees);
      const usageLogs = await ledger.ledger.queryFilter(ledger.ledger.filters.UsageRecorded());
      const times = new Map<number, number>();
      for (const log of usageLogs) if (!times.has(log.blockNumber)) times.set(log.blockNumber, (await log.getBlock()).timestamp);
      for (const grantee of new Set(priced.map((g) => g.grantee))) {
        const { status, body } = await api.get(`/v1/accounts/${grantee}/statements/${year}`);
        expect(status).to.equal(200);
        const mine = priced.filter((g) => g.grantee === grantee);
        expect(body.lines.map((l: any) => l.grantId).sort()).to.deep.equal(mine.map((g) => g.id).sort());
        for (const g of mine) {
          const line = body.lines.find((l: any) => l.grantId === g.id);
          const units = usageLogs
            .filter((l) => l.args.grantId.toLowerCase() === g.id && times.get(l.blockNumber)! >= period.from && times.get(l.blockNumber)! <= period.to)
            .reduce((sum, l) => sum + l.args.units, 0n);
          const [owed, paid] = await ledger.ledger.feesOf(g.id, termsOf(g));
          expect({ units: line.units, owedToDate: line.owedToDate, paidToDate: line.paidToDate, outstanding: line.outstanding }, g.id).to.deep.equal({
            units: units.toString(),
            owedToDate: owed.toString(),
            paidToDate: paid.toString(),
            outstanding: (owed > paid ? owed - paid : 0n).toString(),
          });
        }
      }
      const bad = await api.get(`/v1/accounts/${priced[0].grantee}/statements/2026-13`);
      expect(bad.status).to.equal(400);
      expect(bad.body.error.message).to.equal('path parameter period must be a year (2026), a month (2026-11) or a day (2026-11-29) of the calendar in UTC+8, not "2026-13"');
    });

    it("lists everything each account did or received", async function () {
      for (const [account, count] of truth.activity) {
        const items = await allPages(api, `/v1/accounts/${account}/activity`, 50);
        expect(items.length, account).to.equal(count);
        const blocks = items.map((a) => a.evidence.blockNumber);
        expect(blocks).to.deep.equal([...blocks].sort((a, b) => b - a));
      }
    });
  });
}
