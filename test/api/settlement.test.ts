/**
 * Settled epochs through the index and the API: what the ledger says of each (its events and its
 * views at the same block) is what the API serves.
 */
import { expect } from "chai";

import { Rights, UsageAction } from "../../core/ids.js";
import { startHardhatChain } from "../helpers/chain.js";
import { issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";
import { allPages, closeAll, freshLedger, type IndexedApi, indexAndServe, type LedgerOnChain } from "../helpers/system.js";
import type { TestChain } from "../helpers/chain.js";

describe("settled epochs in the API", function () {
  let chain: TestChain;
  let ledger: LedgerOnChain;
  let api: IndexedApi;
  let grants: { capped: string; open: string; dataset: string };
  const roots = [sha256("epoch 1 receipts"), sha256("epoch 2 receipts")];

  before(async function () {
    ({ chain, ledger } = await freshLedger(startHardhatChain));
    const { ledger: contract, holder, grantee, stranger, other: meter } = ledger;
    const dataset = (await registerDataset(contract, holder, "served")).id;
    grants = {
      dataset,
      capped: await issueGrant(contract, holder, dataset, grantee.address, { rights: Rights.USE | Rights.PROCESS, quota: 100n }),
      open: await issueGrant(contract, holder, dataset, stranger.address, { rights: Rights.USE, quota: 0n }),
    };
    await (await contract.connect(holder).appointMeter(meter.address)).wait();
    await (await contract.connect(holder).appointMeter(stranger.address)).wait();
    await (await contract.connect(holder).dismissMeter(stranger.address)).wait();
    await (
      await contract.connect(meter).settleUsage(holder.address, 1n, roots[0], 30, [
        { grantId: grants.capped, action: UsageAction.Use, units: 7n },
        { grantId: grants.open, action: UsageAction.Use, units: 20n },
      ])
    ).wait();
    // A use the grantee reported itself, between the two epochs.
    await (await contract.connect(grantee).recordUsage(grants.capped, UsageAction.Process, 1n, sha256("own"))).wait();
    await (await contract.connect(holder).settleUsage(holder.address, 2n, roots[1], 4, [{ grantId: grants.capped, action: UsageAction.Process, units: 3n }])).wait();
    api = await indexAndServe({ chain, ledger });
    await api.indexer.syncOnce();
  });

  after(() => closeAll(api, ledger, chain));

  it("lists the meters a holder appointed and has not dismissed", async function () {
    const { status, body } = await api.get(`/v1/accounts/${ledger.holder.address}/meters`);
    expect(status).to.equal(200);
    expect(body.meters.map((m: any) => m.meter)).to.deep.equal([ledger.other.address.toLowerCase()]);
    expect(await ledger.ledger.isMeter(ledger.holder.address, ledger.other.address)).to.equal(true);
    expect(await ledger.ledger.isMeter(ledger.holder.address, ledger.stranger.address)).to.equal(false);
  });

  it("serves each settled epoch as the ledger emitted it, highest number first", async function () {
    const epochs = await allPages(api, `/v1/accounts/${ledger.holder.address}/epochs`, 1);
    expect(epochs.map((e) => e.epoch)).to.deep.equal(["2", "1"]);
    const logs = await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled());
    for (const log of logs) {
      const [holder, epoch, meter, receiptsRoot, receiptCount, entryCount, units] = log.args;
      expect(await ledger.ledger.isEpochSettled(holder, epoch)).to.equal(true);
      const { status, body } = await api.get(`/v1/accounts/${holder}/epochs/${epoch}`);
      expect(status).to.equal(200);
      expect(body.epoch).to.include({
        holder: holder.toLowerCase(),
        epoch: epoch.toString(),
        meter: meter.toLowerCase(),
        receiptsRoot,
        receiptCount: Number(receiptCount),
        entryCount: Number(entryCount),
        units: units.toString(),
      });
      expect(body.epoch.evidence.txHash).to.equal(log.transactionHash);
    }
  });

  it("lists an epoch's uses with their settlement, counts them in the grant's use, and keeps self-reported uses apart", async function () {
    const uses = await allPages(api, `/v1/accounts/${ledger.holder.address}/epochs/1/usage`);
    expect(uses.map((u) => [u.grantId, u.units, u.outputRef, u.settlement])).to.deep.equal([
      [grants.capped, "7", roots[0], { holder: ledger.holder.address.toLowerCase(), epoch: "1" }],
      [grants.open, "20", roots[0], { holder: ledger.holder.address.toLowerCase(), epoch: "1" }],
    ]);
    const ofGrant = await allPages(api, `/v1/grants/${grants.capped}/usage`);
    expect(ofGrant.map((u) => u.settlement?.epoch ?? null)).to.deep.equal(["2", null, "1"]);
    for (const id of [grants.capped, grants.open]) {
      const { body } = await api.get(`/v1/grants/${id}`);
      expect(body.grant.used).to.equal((await ledger.ledger.grantOf(id)).used.toString());
    }
  });

  it("shows the settlement in the holder's and the meter's activity", async function () {
    const holder = await allPages(api, `/v1/accounts/${ledger.holder.address}/activity`);
    expect(holder.filter((a) => a.kind === "epoch-settled").map((a) => [a.epoch, a.units, a.counterparty])).to.deep.equal([
      ["2", "3", ledger.holder.address.toLowerCase()],
      ["1", "27", ledger.other.address.toLowerCase()],
    ]);
    expect(holder.filter((a) => a.kind.startsWith("meter-")).map((a) => a.kind)).to.deep.equal(["meter-dismissed", "meter-appointed", "meter-appointed"]);
    const meter = await allPages(api, `/v1/accounts/${ledger.other.address}/activity`);
    expect(meter.map((a) => [a.kind, a.epoch ?? null])).to.deep.equal([
      ["settled-epoch", "1"],
      ["appointed-meter", null],
    ]);
  });

  it("answers an unsettled epoch with 404 and a malformed one with 400, in one sentence", async function () {
    const missing = await api.get(`/v1/accounts/${ledger.holder.address}/epochs/3`);
    expect(missing.status).to.equal(404);
    expect(missing.body.error.message).to.match(/^epoch 3 of 0x[0-9a-f]{40} is not settled/);
    expect((await api.get(`/v1/accounts/${ledger.holder.address}/epochs/3/usage`)).status).to.equal(404);
    for (const bad of ["-1", "1.5", "abc", "18446744073709551616", "01"]) {
      const { status, body } = await api.get(`/v1/accounts/${ledger.holder.address}/epochs/${bad}`);
      expect(status, bad).to.equal(400);
      expect(body.error.message, bad).to.equal("path parameter epoch must be a whole number from 0 to 18446744073709551615");
    }
  });
});
