import { expect } from "chai";
import { ZeroHash } from "ethers";
import { network } from "hardhat";

import { GrantState, Rights, UsageAction } from "../../core/ids.js";
import { deployLedger, issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const WINDOW_START_OFFSET = 1_000n;
const WINDOW_LENGTH = 5_000n;

/** A grant of USE | PROCESS with a quota of 10 and a window that opens 1,000 s from now. */
async function usageFixture() {
  const f = await deployLedger(ethers);
  const dataset = await registerDataset(f.ledger, f.holder, "traffic");
  const now = BigInt(await networkHelpers.time.latest());
  const validFrom = now + WINDOW_START_OFFSET;
  const validUntil = validFrom + WINDOW_LENGTH;
  const grantId = await issueGrant(f.ledger, f.holder, dataset.id, f.grantee.address, {
    rights: Rights.USE | Rights.PROCESS,
    validFrom,
    validUntil,
    quota: 10n,
  });
  return { ...f, dataset, grantId, validFrom, validUntil };
}

/** The same, inside its window. */
async function openUsageFixture() {
  const f = await usageFixture();
  await networkHelpers.time.increaseTo(f.validFrom);
  return f;
}

describe("UsageMeter", function () {
  describe("recordUsage", function () {
    it("meters a use and emits every field", async function () {
      const { ledger, grantee, dataset, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      const output = sha256("forecast.csv");
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Process, 4n, output))
        .to.emit(ledger, "UsageRecorded")
        .withArgs(grantId, dataset.id, grantee.address, UsageAction.Process, 4n, output);
      expect((await ledger.grantOf(grantId)).used).to.equal(4n);
      expect(await ledger.remainingQuota(grantId)).to.equal(6n);
    });

    it("accepts a use that reaches the quota exactly, and refuses one unit more with the facts", async function () {
      const { ledger, grantee, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      await ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 9n, ZeroHash);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 2n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "UsageQuotaExceeded")
        .withArgs(grantId, 9n, 10n, 2n);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash)).to.emit(ledger, "UsageRecorded");
      expect((await ledger.grantOf(grantId)).used).to.equal(10n);
    });

    it("meters without limit when the quota is zero", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(openUsageFixture);
      const unlimited = await issueGrant(ledger, holder, dataset.id, grantee.address, { quota: 0n });
      await ledger.connect(grantee).recordUsage(unlimited, UsageAction.Use, 2n ** 64n - 1n, ZeroHash);
      await ledger.connect(grantee).recordUsage(unlimited, UsageAction.Use, 2n ** 64n - 1n, ZeroHash);
      expect((await ledger.grantOf(unlimited)).used).to.equal(2n * (2n ** 64n - 1n));
    });

    for (const [bound, offset, allowed] of [
      ["validFrom", -1n, false],
      ["validFrom", 0n, true],
      ["validFrom", 1n, true],
      ["validUntil", -1n, true],
      ["validUntil", 0n, true],
      ["validUntil", 1n, false],
    ] as const) {
      const name = `${bound}${offset === 0n ? "" : offset < 0n ? " - 1" : " + 1"}`;
      it(`${allowed ? "accepts" : "refuses"} a use at ${name} (the window is inclusive)`, async function () {
        const f = await networkHelpers.loadFixture(usageFixture);
        const at = f[bound] + offset;
        await networkHelpers.time.setNextBlockTimestamp(at);
        const tx = f.ledger.connect(f.grantee).recordUsage(f.grantId, UsageAction.Use, 1n, ZeroHash);
        if (allowed) await expect(tx).to.emit(f.ledger, "UsageRecorded");
        else await expect(tx).to.be.revertedWithCustomError(f.ledger, "UsageOutsideWindow").withArgs(f.grantId, f.validFrom, f.validUntil, at);
      });
    }

    it("refuses an action the grant's rights do not allow", async function () {
      const { ledger, grantee, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Operate, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "UsageActionNotAllowed")
        .withArgs(grantId, UsageAction.Operate, Rights.USE | Rights.PROCESS);
    });

    it("refuses a USE under a grant that carries only OPERATE_PRODUCT, and allows OPERATE", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(openUsageFixture);
      const operate = await issueGrant(ledger, holder, dataset.id, grantee.address, { rights: Rights.OPERATE_PRODUCT });
      await expect(ledger.connect(grantee).recordUsage(operate, UsageAction.Use, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "UsageActionNotAllowed")
        .withArgs(operate, UsageAction.Use, Rights.OPERATE_PRODUCT);
      await expect(ledger.connect(grantee).recordUsage(operate, UsageAction.Operate, 1n, ZeroHash)).to.emit(ledger, "UsageRecorded");
    });

    it("refuses DERIVE, zero units, unknown grants and anyone but the grantee", async function () {
      const { ledger, grantee, stranger, holder, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Derive, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "UsageActionReserved")
        .withArgs(UsageAction.Derive);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 0n, ZeroHash)).to.be.revertedWithCustomError(ledger, "UsageUnitsZero");
      const unknown = sha256("none");
      await expect(ledger.connect(grantee).recordUsage(unknown, UsageAction.Use, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "GrantNotFound")
        .withArgs(unknown);
      for (const account of [stranger, holder]) {
        await expect(ledger.connect(account).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash))
          .to.be.revertedWithCustomError(ledger, "GrantUnauthorizedAccount")
          .withArgs(grantId, account.address);
      }
    });

    it("refuses uses of a renounced grant", async function () {
      const { ledger, grantee, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      await ledger.connect(grantee).renounce(grantId);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "GrantNotActive")
        .withArgs(grantId, GrantState.Renounced);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const { ledger, admin, grantee, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      await ledger.connect(admin).pause();
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    });
  });

  describe("recordUsageBatch", function () {
    it("meters every entry with its own event", async function () {
      const { ledger, holder, grantee, dataset, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      const second = await issueGrant(ledger, holder, dataset.id, grantee.address, { rights: Rights.OPERATE_PRODUCT, purpose: "dashboard" });
      const entries = [
        { grantId, action: UsageAction.Use, units: 2n, outputRef: sha256("a") },
        { grantId: second, action: UsageAction.Operate, units: 5n, outputRef: ZeroHash },
        { grantId, action: UsageAction.Process, units: 3n, outputRef: sha256("b") },
      ];
      const tx = ledger.connect(grantee).recordUsageBatch(entries);
      for (const e of entries) {
        await expect(tx).to.emit(ledger, "UsageRecorded").withArgs(e.grantId, dataset.id, grantee.address, e.action, e.units, e.outputRef);
      }
      expect((await ledger.grantOf(grantId)).used).to.equal(5n);
      expect((await ledger.grantOf(second)).used).to.equal(5n);
    });

    it("reverts as a whole when one entry fails, and for DERIVE entries", async function () {
      const { ledger, grantee, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      const ok = { grantId, action: UsageAction.Use, units: 6n, outputRef: ZeroHash };
      await expect(ledger.connect(grantee).recordUsageBatch([ok, ok]))
        .to.be.revertedWithCustomError(ledger, "UsageQuotaExceeded")
        .withArgs(grantId, 6n, 10n, 6n);
      expect((await ledger.grantOf(grantId)).used).to.equal(0n);
      await expect(ledger.connect(grantee).recordUsageBatch([ok, { ...ok, action: UsageAction.Derive }]))
        .to.be.revertedWithCustomError(ledger, "UsageActionReserved")
        .withArgs(UsageAction.Derive);
    });

    it("reverts with LedgerBatchLength for an empty batch and for 257 entries", async function () {
      const { ledger, grantee, grantId } = await networkHelpers.loadFixture(openUsageFixture);
      await expect(ledger.connect(grantee).recordUsageBatch([])).to.be.revertedWithCustomError(ledger, "LedgerBatchLength").withArgs(0, 256);
      const entries = Array.from({ length: 257 }, () => ({ grantId, action: UsageAction.Use, units: 1n, outputRef: ZeroHash }));
      await expect(ledger.connect(grantee).recordUsageBatch(entries)).to.be.revertedWithCustomError(ledger, "LedgerBatchLength").withArgs(257, 256);
    });
  });
});
