/**
 * The objection step: anyone files, the holder answers, an arbiter rules, and the ledger carries out
 * an upheld ruling. The oversight contract is the ledger's own, created by its constructor.
 */
import { expect } from "chai";
import { getCreateAddress } from "ethers";
import { network } from "hardhat";

import { GrantState, GrantStatus, LicenceLapse, ObjectionState, ObjectionTarget, Rights, UsageAction } from "../../core/ids.js";
import { currency, deployLedger, feeTerms, FOREVER, issueGrant, oversightOf, registerDataset, sha256, ZERO_HASH } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const ARBITER_ROLE = ethers.id("ARBITER_ROLE");
const ANSWER_PERIOD = 15n * 86_400n;
const EVIDENCE = sha256("photo of the survey sheet");

async function objectionFixture() {
  const f = await deployLedger(ethers);
  const oversight = await oversightOf(ethers, f.ledger);
  const arbiter = f.other;
  await f.ledger.connect(f.admin).grantRole(ARBITER_ROLE, arbiter.address);
  const dataset = await registerDataset(f.ledger, f.holder, "route study");
  const grantId = await issueGrant(f.ledger, f.holder, dataset.id, f.grantee.address, { rights: Rights.USE | Rights.PROCESS | Rights.OPERATE_PRODUCT, quota: 0n });
  return { ...f, oversight, arbiter, dataset, grantId };
}
type Fixture = Awaited<ReturnType<typeof objectionFixture>>;

/** Files an objection from the stranger and returns its number. */
async function file(f: Fixture, kind: ObjectionTarget, target: string): Promise<bigint> {
  const receipt = await (await f.oversight.connect(f.stranger).fileObjection(kind, target, "the survey was not ours to publish", EVIDENCE)).wait();
  return f.oversight.interface.parseLog(receipt!.logs[0])!.args.objectionId;
}

describe("Oversight and rulings", function () {
  it("is created by the ledger at its first CREATE address, names it, and is named in LedgerDeployed", async function () {
    const f = await networkHelpers.loadFixture(objectionFixture);
    const address = await f.oversight.getAddress();
    expect(address).to.equal(getCreateAddress({ from: f.address, nonce: 1 }));
    expect(await f.oversight.ledger()).to.equal(f.address);
    const deployed = await f.ledger.queryFilter(f.ledger.filters.LedgerDeployed());
    expect(deployed.map((e) => e.args.oversight)).to.deep.equal([address]);
  });

  describe("fileObjection", function () {
    it("numbers objections from 1, records the target, and gives the holder fifteen days to answer", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      const tx = f.oversight.connect(f.stranger).fileObjection(ObjectionTarget.Dataset, f.dataset.id, "not theirs", EVIDENCE);
      await expect(tx).to.emit(f.oversight, "ObjectionFiled");
      const filedAt = BigInt(await networkHelpers.time.latest());
      await expect(tx)
        .to.emit(f.oversight, "ObjectionFiled")
        .withArgs(1n, f.dataset.id, f.stranger.address, ObjectionTarget.Dataset, "not theirs", EVIDENCE, filedAt + ANSWER_PERIOD);
      expect(await file(f, ObjectionTarget.Grant, f.grantId)).to.equal(2n);
      const due = BigInt(await networkHelpers.time.latest()) + ANSWER_PERIOD;
      expect([...(await f.oversight.objectionOf(2n))]).to.deep.equal([BigInt(ObjectionTarget.Grant), f.grantId, BigInt(ObjectionState.Open), due]);
      expect([...(await f.oversight.objectionOf(3n))]).to.deep.equal([0n, ZERO_HASH, BigInt(ObjectionState.None), 0n]);
    });

    it("refuses an unknown dataset or grant and an empty reason", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      for (const kind of [ObjectionTarget.Dataset, ObjectionTarget.Grant]) {
        await expect(f.oversight.fileObjection(kind, sha256("nothing"), "why", ZERO_HASH))
          .to.be.revertedWithCustomError(f.oversight, "ObjectionTargetUnknown")
          .withArgs(kind, sha256("nothing"));
      }
      // A grant id is no dataset id, and the other way round.
      await expect(f.oversight.fileObjection(ObjectionTarget.Dataset, f.grantId, "why", ZERO_HASH)).to.be.revertedWithCustomError(f.oversight, "ObjectionTargetUnknown");
      await expect(f.oversight.fileObjection(ObjectionTarget.Grant, f.dataset.id, "why", ZERO_HASH)).to.be.revertedWithCustomError(f.oversight, "ObjectionTargetUnknown");
      await expect(f.oversight.fileObjection(ObjectionTarget.Dataset, f.dataset.id, "", ZERO_HASH)).to.be.revertedWithCustomError(f.oversight, "ObjectionTextEmpty");
    });
  });

  describe("answerObjection", function () {
    it("lets the holder of the target's dataset answer, once", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      const id = await file(f, ObjectionTarget.Grant, f.grantId);
      for (const who of [f.grantee, f.stranger, f.arbiter]) {
        await expect(f.oversight.connect(who).answerObjection(id, "it is ours", ZERO_HASH))
          .to.be.revertedWithCustomError(f.oversight, "ObjectionUnauthorizedHolder")
          .withArgs(id, f.holder.address, who.address);
      }
      await expect(f.oversight.connect(f.holder).answerObjection(id, "", ZERO_HASH)).to.be.revertedWithCustomError(f.oversight, "ObjectionTextEmpty");
      await expect(f.oversight.connect(f.holder).answerObjection(id, "the bureau commissioned it", EVIDENCE))
        .to.emit(f.oversight, "ObjectionAnswered")
        .withArgs(id, f.grantId, f.holder.address, "the bureau commissioned it", EVIDENCE);
      expect((await f.oversight.objectionOf(id))[2]).to.equal(ObjectionState.Answered);
      await expect(f.oversight.connect(f.holder).answerObjection(id, "again", ZERO_HASH))
        .to.be.revertedWithCustomError(f.oversight, "ObjectionClosed")
        .withArgs(id, ObjectionState.Answered);
      await expect(f.oversight.connect(f.holder).answerObjection(99n, "x", ZERO_HASH))
        .to.be.revertedWithCustomError(f.oversight, "ObjectionNotFound")
        .withArgs(99n);
    });
  });

  describe("ruleOnObjection", function () {
    it("upheld against a grant: cancels it, so no use is taken and every grant resting on it lapses", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      // A product derived under the grant, and a grant on the product.
      const product = await registerDataset(f.ledger, f.grantee, "forecast", [{ datasetId: f.dataset.id, grantId: f.grantId }]);
      const downstream = await issueGrant(f.ledger, f.grantee, product.id, f.stranger.address, { rights: Rights.USE, quota: 0n });
      const id = await file(f, ObjectionTarget.Grant, f.grantId);
      await f.oversight.connect(f.holder).answerObjection(id, "it was lawful", ZERO_HASH);
      const tx = f.oversight.connect(f.arbiter).ruleOnObjection(id, true, "upheld: the purpose exceeds the catalogue's terms");
      await expect(tx).to.emit(f.oversight, "ObjectionRuled").withArgs(id, f.grantId, f.arbiter.address, true, "upheld: the purpose exceeds the catalogue's terms");
      await expect(tx).to.emit(f.ledger, "GrantCancelled").withArgs(f.grantId, f.dataset.id, id);
      expect((await f.oversight.objectionOf(id))[2]).to.equal(ObjectionState.Upheld);
      expect((await f.ledger.grantOf(f.grantId)).state).to.equal(GrantState.Cancelled);
      expect(await f.ledger.grantStatus(f.grantId)).to.equal(GrantStatus.Cancelled);
      await expect(f.ledger.connect(f.grantee).recordUsage(f.grantId, UsageAction.Use, 1n, ZERO_HASH))
        .to.be.revertedWithCustomError(f.ledger, "GrantNotActive")
        .withArgs(f.grantId, GrantState.Cancelled);
      expect(await f.ledger.grantStatus(downstream)).to.equal(GrantStatus.Lapsed);
      await expect(f.ledger.connect(f.stranger).recordUsage(downstream, UsageAction.Use, 1n, ZERO_HASH))
        .to.be.revertedWithCustomError(f.ledger, "ProductLicenceLapsed")
        .withArgs(product.id, f.grantId, LicenceLapse.Cancelled);
      await expect(f.ledger.connect(f.holder).revoke(f.grantId)).to.be.revertedWithCustomError(f.ledger, "GrantNotActive");
      await expect(f.oversight.connect(f.arbiter).ruleOnObjection(id, false, "again"))
        .to.be.revertedWithCustomError(f.oversight, "ObjectionClosed")
        .withArgs(id, ObjectionState.Upheld);
    });

    it("upheld against a registration: retires the dataset, so nothing is granted, used or derived on it", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      const id = await file(f, ObjectionTarget.Dataset, f.dataset.id);
      await f.oversight.connect(f.holder).answerObjection(id, "we hold it", ZERO_HASH);
      await expect(f.oversight.connect(f.arbiter).ruleOnObjection(id, true, "upheld"))
        .to.emit(f.ledger, "DatasetCancelled")
        .withArgs(f.dataset.id, id);
      expect((await f.ledger.datasetOf(f.dataset.id)).retired).to.equal(true);
      expect(await f.ledger.grantStatus(f.grantId)).to.equal(GrantStatus.Retired);
      await expect(issueGrant(f.ledger, f.holder, f.dataset.id, f.stranger.address)).to.be.revertedWithCustomError(f.ledger, "DatasetRetiredAlready");
      await expect(f.ledger.connect(f.holder).retire(f.dataset.id)).to.be.revertedWithCustomError(f.ledger, "DatasetRetiredAlready");
    });

    it("rejected: changes nothing; a target no longer in force is left as it is", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      const rejected = await file(f, ObjectionTarget.Grant, f.grantId);
      await f.oversight.connect(f.holder).answerObjection(rejected, "lawful", ZERO_HASH);
      const tx = f.oversight.connect(f.arbiter).ruleOnObjection(rejected, false, "rejected: the grant is within the catalogue");
      await expect(tx).to.emit(f.oversight, "ObjectionRuled").withArgs(rejected, f.grantId, f.arbiter.address, false, "rejected: the grant is within the catalogue");
      await expect(tx).not.to.emit(f.ledger, "GrantCancelled");
      expect(await f.ledger.grantStatus(f.grantId)).to.equal(GrantStatus.Active);
      expect((await f.oversight.objectionOf(rejected))[2]).to.equal(ObjectionState.Rejected);

      const late = await file(f, ObjectionTarget.Grant, f.grantId);
      await f.ledger.connect(f.holder).revoke(f.grantId);
      await f.oversight.connect(f.holder).answerObjection(late, "revoked it", ZERO_HASH);
      const upheld = f.oversight.connect(f.arbiter).ruleOnObjection(late, true, "upheld");
      await expect(upheld).to.emit(f.oversight, "ObjectionRuled");
      await expect(upheld).not.to.emit(f.ledger, "GrantCancelled");
      expect(await f.ledger.grantStatus(f.grantId)).to.equal(GrantStatus.Revoked);

      const onRetired = await file(f, ObjectionTarget.Dataset, f.dataset.id);
      await f.ledger.connect(f.holder).retire(f.dataset.id);
      await f.oversight.connect(f.holder).answerObjection(onRetired, "retired it", ZERO_HASH);
      const onDataset = f.oversight.connect(f.arbiter).ruleOnObjection(onRetired, true, "upheld");
      await expect(onDataset).to.emit(f.oversight, "ObjectionRuled");
      await expect(onDataset).not.to.emit(f.ledger, "DatasetCancelled");
    });

    it("waits for the holder's answer until the period ends, then rules without it; an arbiter alone, with a text", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      const id = await file(f, ObjectionTarget.Dataset, f.dataset.id);
      const due = (await f.oversight.objectionOf(id))[3];
      for (const who of [f.holder, f.admin, f.stranger]) {
        await expect(f.oversight.connect(who).ruleOnObjection(id, true, "upheld"))
          .to.be.revertedWithCustomError(f.oversight, "OversightUnauthorizedAccount")
          .withArgs(who.address, ARBITER_ROLE);
      }
      await expect(f.oversight.connect(f.arbiter).ruleOnObjection(id, true, "upheld"))
        .to.be.revertedWithCustomError(f.oversight, "ObjectionAwaitingAnswer")
        .withArgs(id, due);
      await networkHelpers.time.increaseTo(due + 1n);
      await expect(f.oversight.connect(f.arbiter).ruleOnObjection(id, true, "")).to.be.revertedWithCustomError(f.oversight, "ObjectionTextEmpty");
      await expect(f.oversight.connect(f.arbiter).ruleOnObjection(id, true, "upheld: no answer")).to.emit(f.ledger, "DatasetCancelled");
    });

    it("is carried out while the ledger is paused: it only takes rights away", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      const id = await file(f, ObjectionTarget.Grant, f.grantId);
      await f.oversight.connect(f.holder).answerObjection(id, "lawful", ZERO_HASH);
      await f.ledger.connect(f.admin).pause();
      await expect(f.oversight.connect(f.arbiter).ruleOnObjection(id, true, "upheld")).to.emit(f.ledger, "GrantCancelled");
    });

    it("stops a cancelled priced grant's period fees at the ruling", async function () {
      const f = await networkHelpers.loadFixture(objectionFixture);
      const terms = feeTerms({ currencyCode: currency("CNY"), periodFee: 100n, period: 86_400n });
      const start = BigInt(await networkHelpers.time.latest()) + 1n;
      const receipt = await (await f.ledger.connect(f.holder).grantWithTerms(f.dataset.id, f.grantee.address, Rights.USE, "subscription", start, FOREVER, 0n, terms)).wait();
      const priced = f.ledger.interface.parseLog(receipt!.logs[0])!.args.grantId;
      const id = await file(f, ObjectionTarget.Grant, priced);
      await f.oversight.connect(f.holder).answerObjection(id, "lawful", ZERO_HASH);
      await networkHelpers.time.increase(3n * 86_400n);
      await f.oversight.connect(f.arbiter).ruleOnObjection(id, true, "upheld");
      const owed = (await f.ledger.feesOf(priced, terms))[0];
      await networkHelpers.time.increase(30n * 86_400n);
      await networkHelpers.mine();
      expect((await f.ledger.feesOf(priced, terms))[0]).to.equal(owed);
      expect(owed).to.equal(400n);
    });
  });

  it("enforceRuling: the ledger takes it from its oversight contract alone", async function () {
    const f = await networkHelpers.loadFixture(objectionFixture);
    for (const who of [f.admin, f.holder, f.arbiter, f.stranger]) {
      await expect(f.ledger.connect(who).enforceRuling(ObjectionTarget.Grant, f.grantId, 1n))
        .to.be.revertedWithCustomError(f.ledger, "RulingUnauthorized")
        .withArgs(who.address);
    }
  });
});
