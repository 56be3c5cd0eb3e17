import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { GrantState, GrantStatus, grantId as computeGrantId, purposeHash, Rights, UsageAction } from "../../core/ids.js";
import { deployLedger, FOREVER, issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

async function grantFixture() {
  const f = await deployLedger(ethers);
  const dataset = await registerDataset(f.ledger, f.holder, "traffic");
  return { ...f, dataset };
}

describe("GrantRegistry", function () {
  describe("grant", function () {
    it("issues a grant under the id the TypeScript side computes, and emits every term", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const now = BigInt(await networkHelpers.time.latest());
      const terms = {
        grantor: holder.address,
        datasetId: dataset.id,
        grantee: grantee.address,
        rights: Rights.USE | Rights.PROCESS,
        purpose: "congestion forecasting for the city",
        validFrom: now + 10n,
        validUntil: now + 1000n,
        quota: 500n,
      };
      const expected = computeGrantId(terms);
      await expect(ledger.connect(holder).grant(dataset.id, grantee.address, terms.rights, terms.purpose, terms.validFrom, terms.validUntil, terms.quota))
        .to.emit(ledger, "GrantIssued")
        .withArgs(expected, dataset.id, grantee.address, holder.address, terms.rights, purposeHash(terms.purpose), terms.purpose, terms.validFrom, terms.validUntil, 500n, 0n);
      const g = await ledger.grantOf(expected);
      expect([g.grantee, g.datasetId, g.validFrom, g.validUntil, g.rights, g.state, g.quota, g.used]).to.deep.equal([
        grantee.address,
        dataset.id,
        terms.validFrom,
        terms.validUntil,
        BigInt(terms.rights),
        BigInt(GrantState.Active),
        500n,
        0n,
      ]);
      expect(await ledger.remainingQuota(expected)).to.equal(500n);
    });

    it("bumps the id of an identical second grant, so both stand", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const terms = { grantor: holder.address, datasetId: dataset.id, grantee: grantee.address, rights: 7, purpose: "same", validFrom: 0n, validUntil: FOREVER, quota: 100n };
      const first = await issueGrant(ledger, holder, dataset.id, grantee.address, terms);
      const tx = ledger.connect(holder).grant(dataset.id, grantee.address, 7, "same", 0n, FOREVER, 100n);
      const second = computeGrantId(terms, 1n);
      await expect(tx).to.emit(ledger, "GrantIssued").withArgs(second, dataset.id, grantee.address, holder.address, 7, purposeHash("same"), "same", 0n, FOREVER, 100n, 1n);
      expect(first).to.equal(computeGrantId(terms, 0n));
      expect((await ledger.grantOf(second)).state).to.equal(GrantState.Active);
    });

    it("reverts with DatasetUnauthorizedAccount for a non-holder and DatasetNotFound for an unknown dataset", async function () {
      const { ledger, grantee, stranger, dataset } = await networkHelpers.loadFixture(grantFixture);
      await expect(ledger.connect(stranger).grant(dataset.id, grantee.address, 1, "p", 0n, FOREVER, 0n))
        .to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount")
        .withArgs(dataset.id, stranger.address);
      const unknown = sha256("none");
      await expect(ledger.connect(stranger).grant(unknown, grantee.address, 1, "p", 0n, FOREVER, 0n))
        .to.be.revertedWithCustomError(ledger, "DatasetNotFound")
        .withArgs(unknown);
    });

    it("reverts with GrantGranteeZero, GrantRightsInvalid and GrantPurposeEmpty for bad terms", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      await expect(ledger.connect(holder).grant(dataset.id, ZeroAddress, 1, "p", 0n, FOREVER, 0n)).to.be.revertedWithCustomError(ledger, "GrantGranteeZero");
      for (const rights of [0, 8, 15, 255]) {
        await expect(ledger.connect(holder).grant(dataset.id, grantee.address, rights, "p", 0n, FOREVER, 0n))
          .to.be.revertedWithCustomError(ledger, "GrantRightsInvalid")
          .withArgs(rights);
      }
      await expect(ledger.connect(holder).grant(dataset.id, grantee.address, 1, "", 0n, FOREVER, 0n)).to.be.revertedWithCustomError(ledger, "GrantPurposeEmpty");
    });

    it("reverts with GrantWindowInvalid for a reversed window and for one already over", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const now = BigInt(await networkHelpers.time.latest());
      await expect(ledger.connect(holder).grant(dataset.id, grantee.address, 1, "p", now + 100n, now + 99n, 0n))
        .to.be.revertedWithCustomError(ledger, "GrantWindowInvalid")
        .withArgs(now + 100n, now + 99n, now + 1n);
      await expect(ledger.connect(holder).grant(dataset.id, grantee.address, 1, "p", 0n, now, 0n))
        .to.be.revertedWithCustomError(ledger, "GrantWindowInvalid")
        .withArgs(0n, now, now + 1n);
    });

    it("reverts with EnforcedPause while paused", async function () {
      const { ledger, admin, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      await ledger.connect(admin).pause();
      await expect(ledger.connect(holder).grant(dataset.id, grantee.address, 1, "p", 0n, FOREVER, 0n)).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    });
  });

  describe("revoke", function () {
    it("revokes at once: the next use is refused", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const grantId = await issueGrant(ledger, holder, dataset.id, grantee.address);
      await expect(ledger.connect(holder).revoke(grantId)).to.emit(ledger, "GrantRevoked").withArgs(grantId, dataset.id, holder.address);
      expect((await ledger.grantOf(grantId)).state).to.equal(GrantState.Revoked);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "GrantNotActive")
        .withArgs(grantId, GrantState.Revoked);
    });

    it("reverts with GrantNotFound, DatasetUnauthorizedAccount and GrantNotActive", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const unknown = sha256("none");
      await expect(ledger.connect(holder).revoke(unknown)).to.be.revertedWithCustomError(ledger, "GrantNotFound").withArgs(unknown);
      const grantId = await issueGrant(ledger, holder, dataset.id, grantee.address);
      await expect(ledger.connect(grantee).revoke(grantId)).to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount").withArgs(dataset.id, grantee.address);
      await ledger.connect(holder).revoke(grantId);
      await expect(ledger.connect(holder).revoke(grantId)).to.be.revertedWithCustomError(ledger, "GrantNotActive").withArgs(grantId, GrantState.Revoked);
    });
  });

  describe("renounce", function () {
    it("lets the grantee give up its grant", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const grantId = await issueGrant(ledger, holder, dataset.id, grantee.address);
      await expect(ledger.connect(grantee).renounce(grantId)).to.emit(ledger, "GrantRenounced").withArgs(grantId, dataset.id, grantee.address);
      expect(await ledger.grantStatus(grantId)).to.equal(GrantStatus.Renounced);
      await expect(ledger.connect(grantee).renounce(grantId)).to.be.revertedWithCustomError(ledger, "GrantNotActive").withArgs(grantId, GrantState.Renounced);
    });

    it("reverts with GrantUnauthorizedAccount for anyone but the grantee, the holder included", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const grantId = await issueGrant(ledger, holder, dataset.id, grantee.address);
      await expect(ledger.connect(holder).renounce(grantId)).to.be.revertedWithCustomError(ledger, "GrantUnauthorizedAccount").withArgs(grantId, holder.address);
    });
  });

  describe("grantStatus, grantOf and remainingQuota", function () {
    it("walks a grant through pending, active, exhausted and expired", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const now = BigInt(await networkHelpers.time.latest());
      const grantId = await issueGrant(ledger, holder, dataset.id, grantee.address, { validFrom: now + 100n, validUntil: now + 200n, quota: 3n });
      expect(await ledger.grantStatus(grantId)).to.equal(GrantStatus.Pending);
      await networkHelpers.time.increaseTo(now + 100n);
      expect(await ledger.grantStatus(grantId)).to.equal(GrantStatus.Active);
      await ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 3n, ZeroHash);
      expect(await ledger.grantStatus(grantId)).to.equal(GrantStatus.Exhausted);
      expect(await ledger.remainingQuota(grantId)).to.equal(0n);
      await networkHelpers.time.increaseTo(now + 201n);
      expect(await ledger.grantStatus(grantId)).to.equal(GrantStatus.Expired);
    });

    it("reports revoked, unknown and unlimited grants", async function () {
      const { ledger, holder, grantee, dataset } = await networkHelpers.loadFixture(grantFixture);
      const unlimited = await issueGrant(ledger, holder, dataset.id, grantee.address, { quota: 0n });
      expect(await ledger.remainingQuota(unlimited)).to.equal(2n ** 80n - 1n);
      expect(await ledger.grantStatus(unlimited)).to.equal(GrantStatus.Active);
      await ledger.connect(holder).revoke(unlimited);
      expect(await ledger.grantStatus(unlimited)).to.equal(GrantStatus.Revoked);
      const unknown = sha256("none");
      expect(await ledger.grantStatus(unknown)).to.equal(GrantStatus.None);
      await expect(ledger.grantOf(unknown)).to.be.revertedWithCustomError(ledger, "GrantNotFound").withArgs(unknown);
      await expect(ledger.remainingQuota(unknown)).to.be.revertedWithCustomError(ledger, "GrantNotFound").withArgs(unknown);
    });
  });
});
