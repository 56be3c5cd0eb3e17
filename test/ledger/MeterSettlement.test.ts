import { expect } from "chai";
import { network } from "hardhat";

import { Rights, UsageAction } from "../../core/ids.js";
import { deployLedger, issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const ROOT = sha256("receipts of epoch 7");

/** Two grants on the holder's dataset (quota 10 for USE | PROCESS, unlimited USE), and a meter it appointed. */
async function settlementFixture() {
  const f = await deployLedger(ethers);
  const meter = f.other;
  const dataset = await registerDataset(f.ledger, f.holder, "traffic");
  const capped = await issueGrant(f.ledger, f.holder, dataset.id, f.grantee.address, { rights: Rights.USE | Rights.PROCESS, quota: 10n });
  const open = await issueGrant(f.ledger, f.holder, dataset.id, f.stranger.address, { rights: Rights.USE, quota: 0n });
  await f.ledger.connect(f.holder).appointMeter(meter.address);
  return { ...f, meter, dataset, capped, open };
}

const entry = (grantId: string, units: bigint, action = UsageAction.Use) => ({ grantId, action, units });

describe("MeterSettlement", function () {
  describe("appointMeter and dismissMeter", function () {
    it("lets a holder appoint and dismiss a meter, each with its event; the holder is always its own meter", async function () {
      const { ledger, holder, meter, stranger } = await networkHelpers.loadFixture(settlementFixture);
      expect(await ledger.isMeter(holder.address, meter.address)).to.equal(true);
      expect(await ledger.isMeter(holder.address, holder.address)).to.equal(true);
      expect(await ledger.isMeter(holder.address, stranger.address)).to.equal(false);
      await expect(ledger.connect(holder).dismissMeter(meter.address)).to.emit(ledger, "MeterDismissed").withArgs(holder.address, meter.address);
      expect(await ledger.isMeter(holder.address, meter.address)).to.equal(false);
      await expect(ledger.connect(holder).appointMeter(meter.address)).to.emit(ledger, "MeterAppointed").withArgs(holder.address, meter.address);
    });

    it("refuses the zero address as a meter", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(settlementFixture);
      await expect(ledger.connect(holder).appointMeter(ethers.ZeroAddress)).to.be.revertedWithCustomError(ledger, "MeterZero");
    });
  });

  describe("settleUsage", function () {
    it("adds each entry to its grant, emits the epoch and then one use an entry carrying the root", async function () {
      const { ledger, holder, grantee, stranger, meter, dataset, capped, open } = await networkHelpers.loadFixture(settlementFixture);
      const tx = ledger.connect(meter).settleUsage(holder.address, 7n, ROOT, 12, [entry(capped, 3n), entry(capped, 2n, UsageAction.Process), entry(open, 40n)]);
      await expect(tx).to.emit(ledger, "EpochSettled").withArgs(holder.address, 7n, meter.address, ROOT, 12, 3, 45n);
      await expect(tx).to.emit(ledger, "UsageRecorded").withArgs(capped, dataset.id, grantee.address, UsageAction.Process, 2n, ROOT);
      await expect(tx).to.emit(ledger, "UsageRecorded").withArgs(open, dataset.id, stranger.address, UsageAction.Use, 40n, ROOT);
      const receipt = await (await tx).wait();
      const names = receipt!.logs.map((log) => ledger.interface.parseLog(log)!.name);
      expect(names).to.deep.equal(["EpochSettled", "UsageRecorded", "UsageRecorded", "UsageRecorded"]);
      expect((await ledger.grantOf(capped)).used).to.equal(5n);
      expect((await ledger.grantOf(open)).used).to.equal(40n);
      expect(await ledger.isEpochSettled(holder.address, 7n)).to.equal(true);
      expect(await ledger.isEpochSettled(holder.address, 6n)).to.equal(false);
      expect(await ledger.isEpochSettled(meter.address, 7n)).to.equal(false);
    });

    it("refuses the same epoch twice, and settles epochs in any order, across slot boundaries", async function () {
      const { ledger, holder, capped } = await networkHelpers.loadFixture(settlementFixture);
      for (const epoch of [300n, 255n, 256n, 0n, 2n ** 64n - 1n]) await ledger.connect(holder).settleUsage(holder.address, epoch, ROOT, 1, [entry(capped, 1n)]);
      await expect(ledger.connect(holder).settleUsage(holder.address, 256n, ROOT, 1, [entry(capped, 1n)]))
        .to.be.revertedWithCustomError(ledger, "SettlementEpochSettled")
        .withArgs(holder.address, 256n);
      for (const epoch of [1n, 254n, 257n, 2n ** 64n - 2n]) expect(await ledger.isEpochSettled(holder.address, epoch), `epoch ${epoch}`).to.equal(false);
      expect((await ledger.grantOf(capped)).used).to.equal(5n);
    });

    it("is all or nothing: one entry over its quota reverts the epoch, which then settles once corrected", async function () {
      const { ledger, holder, meter, capped, open } = await networkHelpers.loadFixture(settlementFixture);
      // 6 + 5 exceeds the quota of 10 only on the second entry of the same grant: totals are what count.
      await expect(ledger.connect(meter).settleUsage(holder.address, 1n, ROOT, 3, [entry(open, 9n), entry(capped, 6n), entry(capped, 5n)]))
        .to.be.revertedWithCustomError(ledger, "UsageQuotaExceeded")
        .withArgs(capped, 6n, 10n, 5n);
      expect((await ledger.grantOf(open)).used).to.equal(0n);
      expect(await ledger.isEpochSettled(holder.address, 1n)).to.equal(false);
      await ledger.connect(meter).settleUsage(holder.address, 1n, ROOT, 3, [entry(open, 9n), entry(capped, 6n), entry(capped, 4n)]);
      expect((await ledger.grantOf(capped)).used).to.equal(10n);
    });

    it("charges deliveries made before a grant was revoked or expired", async function () {
      const { ledger, holder, capped } = await networkHelpers.loadFixture(settlementFixture);
      await ledger.connect(holder).revoke(capped);
      await ledger.connect(holder).settleUsage(holder.address, 1n, ROOT, 1, [entry(capped, 2n)]);
      expect((await ledger.grantOf(capped)).used).to.equal(2n);
    });

    it("refuses a caller that is neither the holder nor its meter, and a dismissed meter", async function () {
      const { ledger, holder, meter, stranger, capped } = await networkHelpers.loadFixture(settlementFixture);
      await expect(ledger.connect(stranger).settleUsage(holder.address, 1n, ROOT, 1, [entry(capped, 1n)]))
        .to.be.revertedWithCustomError(ledger, "SettlementUnauthorized")
        .withArgs(holder.address, stranger.address);
      // A meter of another holder is not a meter of this one.
      await ledger.connect(stranger).appointMeter(meter.address);
      await ledger.connect(holder).dismissMeter(meter.address);
      await expect(ledger.connect(meter).settleUsage(holder.address, 1n, ROOT, 1, [entry(capped, 1n)]))
        .to.be.revertedWithCustomError(ledger, "SettlementUnauthorized")
        .withArgs(holder.address, meter.address);
    });

    it("refuses a grant on a dataset the holder does not hold, an unknown grant, a right the grant lacks, DERIVE and zero units", async function () {
      const { ledger, holder, stranger, grantee, capped, open } = await networkHelpers.loadFixture(settlementFixture);
      const theirs = await registerDataset(ledger, stranger, "someone else's");
      const foreign = await issueGrant(ledger, stranger, theirs.id, grantee.address, {});
      const unknown = sha256("no such grant");
      const cases: [ReturnType<typeof entry>, string, unknown[]][] = [
        [entry(foreign, 1n), "SettlementNotHolder", [foreign, theirs.id, holder.address]],
        [entry(unknown, 1n), "GrantNotFound", [unknown]],
        [entry(open, 1n, UsageAction.Process), "UsageActionNotAllowed", [open, UsageAction.Process, Rights.USE]],
        [entry(capped, 1n, UsageAction.Derive), "UsageActionReserved", [UsageAction.Derive]],
        [entry(capped, 0n), "UsageUnitsZero", []],
      ];
      for (const [bad, error, args] of cases) {
        await expect(ledger.connect(holder).settleUsage(holder.address, 1n, ROOT, 2, [entry(capped, 1n), bad]), error)
          .to.be.revertedWithCustomError(ledger, error)
          .withArgs(...args);
      }
      expect((await ledger.grantOf(capped)).used).to.equal(0n);
    });

    it("refuses an empty epoch, more than 256 entries, and a zero root or receipt count", async function () {
      const { ledger, holder, capped } = await networkHelpers.loadFixture(settlementFixture);
      await expect(ledger.connect(holder).settleUsage(holder.address, 1n, ROOT, 1, []))
        .to.be.revertedWithCustomError(ledger, "LedgerBatchLength")
        .withArgs(0, 256);
      const many = Array.from({ length: 257 }, () => entry(capped, 1n));
      await expect(ledger.connect(holder).settleUsage(holder.address, 1n, ROOT, 1, many))
        .to.be.revertedWithCustomError(ledger, "LedgerBatchLength")
        .withArgs(257, 256);
      await expect(ledger.connect(holder).settleUsage(holder.address, 1n, ethers.ZeroHash, 1, [entry(capped, 1n)])).to.be.revertedWithCustomError(ledger, "SettlementReceiptsEmpty");
      await expect(ledger.connect(holder).settleUsage(holder.address, 1n, ROOT, 0, [entry(capped, 1n)])).to.be.revertedWithCustomError(ledger, "SettlementReceiptsEmpty");
    });

    it("stops while the ledger is paused", async function () {
      const { ledger, admin, holder, capped } = await networkHelpers.loadFixture(settlementFixture);
      await ledger.connect(admin).pause();
      await expect(ledger.connect(holder).settleUsage(holder.address, 1n, ROOT, 1, [entry(capped, 1n)])).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    });

    it("settles a grant whose dataset changed hands for its new holder only", async function () {
      const { ledger, holder, stranger, dataset, capped } = await networkHelpers.loadFixture(settlementFixture);
      await ledger.connect(holder).transferHolding(dataset.id, stranger.address);
      await ledger.connect(stranger).acceptHolding(dataset.id);
      await expect(ledger.connect(holder).settleUsage(holder.address, 1n, ROOT, 1, [entry(capped, 1n)]))
        .to.be.revertedWithCustomError(ledger, "SettlementNotHolder")
        .withArgs(capped, dataset.id, holder.address);
      await ledger.connect(stranger).settleUsage(stranger.address, 1n, ROOT, 1, [entry(capped, 1n)]);
      expect((await ledger.grantOf(capped)).used).to.equal(1n);
    });
  });
});
