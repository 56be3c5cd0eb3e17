import { expect } from "chai";
import { ZeroHash } from "ethers";
import { network } from "hardhat";

import { grantRequestDomain, GRANT_REQUEST_TYPES } from "../../core/grant-request.js";
import { Rights, UsageAction } from "../../core/ids.js";
import { ADMIN_DELAY, deployLedger, FOREVER, issueGrant, registerDataset, sha256, useRequest } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

async function pausedFixture() {
  const f = await deployLedger(ethers);
  const dataset = await registerDataset(f.ledger, f.holder, "traffic");
  const grantId = await issueGrant(f.ledger, f.holder, dataset.id, f.grantee.address, { rights: Rights.USE | Rights.PROCESS });
  await f.ledger.connect(f.holder).transferHolding(dataset.id, f.other.address);
  await f.ledger.connect(f.admin).pause();
  return { ...f, dataset, grantId };
}

describe("ProvenanceLedger", function () {
  describe("roles", function () {
    it("gives the deployer's chosen admin both roles, and nobody else", async function () {
      const { ledger, admin, holder } = await deployLedger(ethers);
      expect(await ledger.hasRole(await ledger.DEFAULT_ADMIN_ROLE(), admin.address)).to.equal(true);
      expect(await ledger.hasRole(await ledger.PAUSER_ROLE(), admin.address)).to.equal(true);
      expect(await ledger.hasRole(await ledger.PAUSER_ROLE(), holder.address)).to.equal(false);
      expect(await ledger.supportsInterface("0x7965db0b")).to.equal(true); // IAccessControl
      expect(await ledger.defaultAdmin()).to.equal(admin.address);
      expect(await ledger.defaultAdminDelay()).to.equal(ADMIN_DELAY);
    });

    it("pauses and unpauses with events, and reverts with ExpectedPause or EnforcedPause when repeated", async function () {
      const { ledger, admin } = await deployLedger(ethers);
      await expect(ledger.connect(admin).unpause()).to.be.revertedWithCustomError(ledger, "ExpectedPause");
      await expect(ledger.connect(admin).pause()).to.emit(ledger, "Paused").withArgs(admin.address);
      expect(await ledger.paused()).to.equal(true);
      await expect(ledger.connect(admin).pause()).to.be.revertedWithCustomError(ledger, "EnforcedPause");
      await expect(ledger.connect(admin).unpause()).to.emit(ledger, "Unpaused").withArgs(admin.address);
      expect(await ledger.paused()).to.equal(false);
    });

    it("refuses pause and unpause to an account without PAUSER_ROLE", async function () {
      const { ledger, admin, stranger } = await deployLedger(ethers);
      const role = await ledger.PAUSER_ROLE();
      await expect(ledger.connect(stranger).pause()).to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount").withArgs(stranger.address, role);
      await ledger.connect(admin).pause();
      await expect(ledger.connect(stranger).unpause()).to.be.revertedWithCustomError(ledger, "AccessControlUnauthorizedAccount").withArgs(stranger.address, role);
    });
  });

  describe("pause", function () {
    it("stops every write that gives or carries rights", async function () {
      const { ledger, holder, grantee, other, dataset, grantId, address } = await networkHelpers.loadFixture(pausedFixture);
      const request = useRequest(holder.address, dataset.id, grantee.address, "p");
      const signature = await holder.signTypedData(grantRequestDomain((await ethers.provider.getNetwork()).chainId, address), GRANT_REQUEST_TYPES, request);
      const attempts = [
        ledger.connect(other).grantBySig(request, signature),
        ledger.connect(holder).grant(dataset.id, grantee.address, 1, "p", 0n, FOREVER, 0n),
        ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash),
        ledger.connect(grantee).recordUsageBatch([{ grantId, action: UsageAction.Use, units: 1n, outputRef: ZeroHash }]),
        ledger.connect(holder).transferHolding(dataset.id, grantee.address),
        ledger.connect(other).acceptHolding(dataset.id),
        ledger.connect(grantee).register(sha256("derived"), ZeroHash, 0n, "", [{ datasetId: dataset.id, grantId }]),
      ];
      for (const attempt of attempts) await expect(attempt).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    });

    it("never stops plain anchoring, cancelling one's own requests, or what only takes rights away", async function () {
      const { ledger, holder, grantee, dataset, grantId } = await networkHelpers.loadFixture(pausedFixture);
      await expect(ledger.connect(holder).registerVersion(dataset.id, sha256("v2"), ZeroHash, 0n, "", [])).to.emit(ledger, "DatasetVersioned");
      await expect(ledger.connect(holder).registerBatch([{ contentHash: sha256("b"), merkleRoot: sha256("r"), recordCount: 1n, metadataURI: "", parents: [] }])).to.emit(ledger, "DatasetRegistered");
      await expect(ledger.connect(holder).cancelGrantRequest(1n)).to.emit(ledger, "GrantRequestCancelled");
      await expect(ledger.connect(holder).cancelAllGrantRequests()).to.emit(ledger, "GrantRequestsCancelled");
      await expect(ledger.connect(grantee).renounce(grantId)).to.emit(ledger, "GrantRenounced");
      await expect(ledger.connect(holder).retire(dataset.id)).to.emit(ledger, "DatasetRetired");
    });

    it("lets writes resume after unpause", async function () {
      const { ledger, admin, grantee, grantId } = await networkHelpers.loadFixture(pausedFixture);
      await expect(ledger.connect(admin).unpause()).to.emit(ledger, "Unpaused").withArgs(admin.address);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash)).to.emit(ledger, "UsageRecorded");
    });
  });

  describe("a registration-shaped log from another contract", function () {
    it("reads exactly as the ledger's own DatasetRegistered: only its emitter tells them apart (why verifiers must name the ledger)", async function () {
      const { ledger, address, holder } = await deployLedger(ethers);
      const victim = await registerDataset(ledger, holder, "victim");
      const forgedRoot = sha256("forged root");
      const forger = await ethers.deployContract("ForgedRegistration", [victim.id, holder.address, victim.contentHash, forgedRoot]);
      const receipt = await forger.deploymentTransaction()!.wait();
      const parsed = ledger.interface.parseLog(receipt!.logs[0])!;
      expect([parsed.name, parsed.args.datasetId, parsed.args.holder, parsed.args.merkleRoot]).to.deep.equal(["DatasetRegistered", victim.id, holder.address, forgedRoot]);
      expect(receipt!.logs[0].address).to.not.equal(address);
      // The ledger itself still says what it registered.
      expect(await ledger.merkleRootOf(victim.id)).to.equal(victim.merkleRoot);
    });
  });

  describe("a transaction sent to the wrong contract", function () {
    it("succeeds there without a single event: only the missing event tells a client it went wrong", async function () {
      const { ledger, holder } = await deployLedger(ethers);
      const silent = await ethers.deployContract("SilentContract");
      const misdirected = ledger.attach(await silent.getAddress()) as typeof ledger;
      const receipt = await (await misdirected.connect(holder).retire(sha256("anything"))).wait();
      expect([receipt!.status, receipt!.logs.length]).to.deep.equal([1, 0]);
    });
  });

  describe("RootPages", function () {
    it("reads back each word it wrote, and reverts with RootPagesWriteFailed when the page cannot be created", async function () {
      const harness = await ethers.deployContract("RootPagesHarness");
      const words = [sha256("a"), sha256("b"), sha256("c")];
      const tx = await harness.write(ethers.concat(words));
      const receipt = await tx.wait();
      const page = harness.interface.parseLog(receipt!.logs[0])!.args.page as string;
      for (let i = 0; i < words.length; i++) expect(await harness.read(page, i)).to.equal(words[i]);
      expect(await ethers.provider.getCode(page)).to.equal("0x00" + ethers.concat(words).slice(2));
      // 20,000 bytes of code cost 4,000,000 gas to deposit: with 1,500,000 the CREATE fails and returns
      // zero, and the 1/64 of gas it leaves behind is enough to revert with the error.
      const large = new Uint8Array(20_000).fill(1);
      await expect(harness.write(large, { gasLimit: 1_500_000 })).to.be.revertedWithCustomError(harness, "RootPagesWriteFailed");
    });
  });
});
