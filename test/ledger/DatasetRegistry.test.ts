import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { datasetId as computeId, recordLeaf, Rights, UsageAction } from "../../core/ids.js";
import { deployLedger, issueGrant, METADATA_URI, NO_PARENTS, registerDataset, sha256 } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

async function ledgerFixture() {
  return deployLedger(ethers);
}

describe("DatasetRegistry", function () {
  describe("register", function () {
    it("anchors a dataset under the id the TypeScript side computes, and emits every field", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const contentHash = sha256("city traffic counts");
      const merkleRoot = sha256("root");
      const expectedId = computeId(holder.address, contentHash);
      await expect(ledger.connect(holder).register(contentHash, merkleRoot, 42n, METADATA_URI, NO_PARENTS))
        .to.emit(ledger, "DatasetRegistered")
        .withArgs(expectedId, holder.address, contentHash, merkleRoot, 42n, METADATA_URI);
      expect(await ledger.computeDatasetId(holder.address, contentHash)).to.equal(expectedId);
      expect(await ledger.isAnchored(holder.address, contentHash)).to.equal(true);
      expect(await ledger.holderOf(expectedId)).to.equal(holder.address);
      expect(await ledger.merkleRootOf(expectedId)).to.equal(merkleRoot);
      const info = await ledger.datasetOf(expectedId);
      expect([info.holder, info.pendingHolder, info.transfers, info.merkleRoot, info.retired, info.licensed, info.superseded]).to.deep.equal([
        holder.address,
        ZeroAddress,
        0n,
        merkleRoot,
        false,
        false,
        false,
      ]);
    });

    it("returns the dataset id to a caller that simulates the call", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const contentHash = sha256("x");
      const id = await ledger.connect(holder).register.staticCall(contentHash, ZeroHash, 0n, "", NO_PARENTS);
      expect(id).to.equal(computeId(holder.address, contentHash));
    });

    it("keeps no root slot for a dataset anchored without records", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const contentHash = sha256("empty");
      await ledger.connect(holder).register(contentHash, ZeroHash, 0n, "", NO_PARENTS);
      expect(await ledger.merkleRootOf(computeId(holder.address, contentHash))).to.equal(ZeroHash);
    });

    it("gives another holder of the same content an anchor of its own", async function () {
      const { ledger, holder, other } = await networkHelpers.loadFixture(ledgerFixture);
      const first = await registerDataset(ledger, holder, "shared");
      const second = await registerDataset(ledger, other, "shared");
      expect(second.id).to.not.equal(first.id);
      expect(await ledger.holderOf(first.id)).to.equal(holder.address);
      expect(await ledger.holderOf(second.id)).to.equal(other.address);
      expect(await ledger.isAnchored(other.address, first.contentHash)).to.equal(true);
    });

    it("reverts with DatasetAlreadyRegistered when the same holder anchors the same content again", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const { id, contentHash } = await registerDataset(ledger, holder, "twice");
      await expect(ledger.connect(holder).register(contentHash, ZeroHash, 0n, "", NO_PARENTS))
        .to.be.revertedWithCustomError(ledger, "DatasetAlreadyRegistered")
        .withArgs(id);
    });

    it("reverts with DatasetContentHashZero for a zero content hash", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(ledger.connect(holder).register(ZeroHash, ZeroHash, 0n, "", NO_PARENTS)).to.be.revertedWithCustomError(ledger, "DatasetContentHashZero");
    });

    it("anchors a dataset while the ledger is paused", async function () {
      const { ledger, admin, holder } = await networkHelpers.loadFixture(ledgerFixture);
      await ledger.connect(admin).pause();
      const { id } = await registerDataset(ledger, holder, "during pause");
      expect(await ledger.holderOf(id)).to.equal(holder.address);
    });
  });

  describe("register with parents", function () {
    it("links a parent the registrant holds, with a zero grant id and no licence", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const contentHash = sha256("child");
      const childId = computeId(holder.address, contentHash);
      await expect(ledger.connect(holder).register(contentHash, ZeroHash, 1n, "", [{ datasetId: parent.id, grantId: ZeroHash }]))
        .to.emit(ledger, "DatasetDerived")
        .withArgs(childId, parent.id, ZeroHash);
      expect((await ledger.datasetOf(childId)).licensed).to.equal(false);
      expect(await ledger.licencesOf(childId)).to.deep.equal([]);
    });

    it("derives under a PROCESS grant, metering one DERIVE unit with the child as output", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const grantId = await issueGrant(ledger, holder, parent.id, grantee.address, { rights: Rights.PROCESS, quota: 5n });
      const contentHash = sha256("derived");
      const childId = computeId(grantee.address, contentHash);
      const tx = ledger.connect(grantee).register(contentHash, ZeroHash, 1n, "", [{ datasetId: parent.id, grantId }]);
      await expect(tx).to.emit(ledger, "DatasetDerived").withArgs(childId, parent.id, grantId);
      await expect(tx).to.emit(ledger, "UsageRecorded").withArgs(grantId, parent.id, grantee.address, UsageAction.Derive, 1n, childId);
      await expect(tx).to.emit(ledger, "DatasetLicensed").withArgs(childId, grantId, true);
      expect((await ledger.grantOf(grantId)).used).to.equal(1n);
      expect((await ledger.datasetOf(childId)).licensed).to.equal(true);
      expect((await ledger.licencesOf(childId)).map((l) => [l.grantId, l.direct])).to.deep.equal([[grantId, true]]);
    });

    it("reverts with DatasetUnauthorizedAccount when a parent is neither held nor covered by a grant", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      await expect(ledger.connect(grantee).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount")
        .withArgs(parent.id, grantee.address);
    });

    it("reverts with UsageActionNotAllowed when the grant lacks the processing right", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const grantId = await issueGrant(ledger, holder, parent.id, grantee.address, { rights: Rights.USE | Rights.OPERATE_PRODUCT });
      await expect(ledger.connect(grantee).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId }]))
        .to.be.revertedWithCustomError(ledger, "UsageActionNotAllowed")
        .withArgs(grantId, UsageAction.Derive, Rights.USE | Rights.OPERATE_PRODUCT);
    });

    it("reverts with DatasetParentGrantMismatch when the grant covers another dataset", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const elsewhere = await registerDataset(ledger, holder, "elsewhere");
      const grantId = await issueGrant(ledger, holder, elsewhere.id, grantee.address);
      await expect(ledger.connect(grantee).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId }]))
        .to.be.revertedWithCustomError(ledger, "DatasetParentGrantMismatch")
        .withArgs(parent.id, grantId, elsewhere.id);
    });

    it("reverts with GrantUnauthorizedAccount when the grant is someone else's", async function () {
      const { ledger, holder, grantee, stranger } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const grantId = await issueGrant(ledger, holder, parent.id, grantee.address);
      await expect(ledger.connect(stranger).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId }]))
        .to.be.revertedWithCustomError(ledger, "GrantUnauthorizedAccount")
        .withArgs(grantId, stranger.address);
    });

    it("reverts with GrantNotFound for an unknown grant", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const unknown = sha256("no grant");
      await expect(ledger.connect(grantee).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId: unknown }]))
        .to.be.revertedWithCustomError(ledger, "GrantNotFound")
        .withArgs(unknown);
    });

    it("reverts with DatasetNotFound for an unknown parent", async function () {
      const { ledger, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const unknown = sha256("no dataset");
      await expect(ledger.connect(grantee).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: unknown, grantId: sha256("g") }]))
        .to.be.revertedWithCustomError(ledger, "DatasetNotFound")
        .withArgs(unknown);
    });

    it("reverts with DatasetParentDuplicate when a parent is named twice", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const link = { datasetId: parent.id, grantId: ZeroHash };
      await expect(ledger.connect(holder).register(sha256("c"), ZeroHash, 1n, "", [link, link]))
        .to.be.revertedWithCustomError(ledger, "DatasetParentDuplicate")
        .withArgs(parent.id);
    });

    it("accepts 16 parents and reverts with DatasetTooManyParents at 17", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const parents = [];
      for (let i = 0; i < 17; i++) parents.push({ datasetId: (await registerDataset(ledger, holder, `p${i}`)).id, grantId: ZeroHash });
      await expect(ledger.connect(holder).register(sha256("c16"), ZeroHash, 1n, "", parents.slice(0, 16))).to.not.revert(ethers);
      await expect(ledger.connect(holder).register(sha256("c17"), ZeroHash, 1n, "", parents))
        .to.be.revertedWithCustomError(ledger, "DatasetTooManyParents")
        .withArgs(17, 16);
    });

    it("reverts with DatasetRetiredAlready when deriving from a retired parent, held or granted", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const grantId = await issueGrant(ledger, holder, parent.id, grantee.address);
      await ledger.connect(holder).retire(parent.id);
      await expect(ledger.connect(holder).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "DatasetRetiredAlready")
        .withArgs(parent.id);
      await expect(ledger.connect(grantee).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId }]))
        .to.be.revertedWithCustomError(ledger, "DatasetRetiredAlready")
        .withArgs(parent.id);
    });

    it("reverts with UsageQuotaExceeded when the grant has no DERIVE unit left", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      const grantId = await issueGrant(ledger, holder, parent.id, grantee.address, { quota: 1n });
      await ledger.connect(grantee).register(sha256("c1"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId }]);
      await expect(ledger.connect(grantee).register(sha256("c2"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId }]))
        .to.be.revertedWithCustomError(ledger, "UsageQuotaExceeded")
        .withArgs(grantId, 1n, 1n, 1n);
    });

    it("reverts with EnforcedPause while paused, since deriving spends grants", async function () {
      const { ledger, admin, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const parent = await registerDataset(ledger, holder, "parent");
      await ledger.connect(admin).pause();
      await expect(ledger.connect(holder).register(sha256("c"), ZeroHash, 1n, "", [{ datasetId: parent.id, grantId: ZeroHash }])).to.be.revertedWithCustomError(ledger, "EnforcedPause");
    });
  });

  describe("registerVersion", function () {
    it("links the new version to the previous one and marks the previous superseded", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const v1 = await registerDataset(ledger, holder, "v1");
      const contentHash = sha256("v2");
      const v2 = computeId(holder.address, contentHash);
      const tx = ledger.connect(holder).registerVersion(v1.id, contentHash, sha256("root v2"), 3n, METADATA_URI, NO_PARENTS);
      await expect(tx).to.emit(ledger, "DatasetVersioned").withArgs(v2, v1.id, holder.address);
      await expect(tx).to.emit(ledger, "DatasetRegistered").withArgs(v2, holder.address, contentHash, sha256("root v2"), 3n, METADATA_URI);
      expect((await ledger.datasetOf(v1.id)).superseded).to.equal(true);
      expect((await ledger.datasetOf(v2)).superseded).to.equal(false);
      expect(await ledger.merkleRootOf(v2)).to.equal(sha256("root v2"));
    });

    it("reverts with DatasetSuperseded for a second next version", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const v1 = await registerDataset(ledger, holder, "v1");
      await ledger.connect(holder).registerVersion(v1.id, sha256("v2"), ZeroHash, 0n, "", NO_PARENTS);
      await expect(ledger.connect(holder).registerVersion(v1.id, sha256("v2b"), ZeroHash, 0n, "", NO_PARENTS))
        .to.be.revertedWithCustomError(ledger, "DatasetSuperseded")
        .withArgs(v1.id);
    });

    it("reverts with DatasetUnauthorizedAccount for a non-holder and DatasetNotFound for an unknown id", async function () {
      const { ledger, holder, stranger } = await networkHelpers.loadFixture(ledgerFixture);
      const v1 = await registerDataset(ledger, holder, "v1");
      await expect(ledger.connect(stranger).registerVersion(v1.id, sha256("v2"), ZeroHash, 0n, "", NO_PARENTS))
        .to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount")
        .withArgs(v1.id, stranger.address);
      const unknown = sha256("unknown");
      await expect(ledger.connect(holder).registerVersion(unknown, sha256("v2"), ZeroHash, 0n, "", NO_PARENTS))
        .to.be.revertedWithCustomError(ledger, "DatasetNotFound")
        .withArgs(unknown);
    });
  });

  describe("registerBatch", function () {
    it("anchors every entry with its own event, and keeps each root readable and provable", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const trees = Array.from({ length: 5 }, (_, d) =>
        StandardMerkleTree.of(
          Array.from({ length: 4 + d }, (_, i) => [BigInt(i), sha256(`dataset ${d} record ${i}`)]),
          ["uint256", "bytes32"],
        ),
      );
      const registrations = trees.map((tree, d) => ({
        contentHash: sha256(`batch ${d}`),
        merkleRoot: tree.root,
        recordCount: BigInt(4 + d),
        metadataURI: `${METADATA_URI}/${d}`,
        parents: NO_PARENTS,
      }));
      const ids = registrations.map((r) => computeId(holder.address, r.contentHash));
      expect(await ledger.connect(holder).registerBatch.staticCall(registrations)).to.deep.equal(ids);
      const tx = ledger.connect(holder).registerBatch(registrations);
      for (let d = 0; d < registrations.length; d++) {
        await expect(tx)
          .to.emit(ledger, "DatasetRegistered")
          .withArgs(ids[d], holder.address, registrations[d].contentHash, trees[d].root, BigInt(4 + d), `${METADATA_URI}/${d}`);
      }
      for (let d = 0; d < trees.length; d++) {
        expect(await ledger.merkleRootOf(ids[d])).to.equal(trees[d].root);
        const [i, [index, recordHash]] = [...trees[d].entries()][2];
        expect(await ledger.verifyRecord(ids[d], index as bigint, recordHash as string, trees[d].getProof(i))).to.equal(true);
      }
    });

    it("reverts with LedgerBatchLength for an empty batch and for 257 entries", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      await expect(ledger.connect(holder).registerBatch([])).to.be.revertedWithCustomError(ledger, "LedgerBatchLength").withArgs(0, 256);
      const entries = Array.from({ length: 257 }, (_, i) => ({
        contentHash: sha256(`b${i}`),
        merkleRoot: ZeroHash,
        recordCount: 0n,
        metadataURI: "",
        parents: NO_PARENTS,
      }));
      await expect(ledger.connect(holder).registerBatch(entries)).to.be.revertedWithCustomError(ledger, "LedgerBatchLength").withArgs(257, 256);
    });

    it("reverts as a whole when one entry fails", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const entry = (label: string) => ({ contentHash: sha256(label), merkleRoot: ZeroHash, recordCount: 0n, metadataURI: "", parents: NO_PARENTS });
      await expect(ledger.connect(holder).registerBatch([entry("a"), entry("b"), entry("a")]))
        .to.be.revertedWithCustomError(ledger, "DatasetAlreadyRegistered")
        .withArgs(computeId(holder.address, sha256("a")));
      expect(await ledger.isAnchored(holder.address, sha256("b"))).to.equal(false);
    });
  });

  describe("transferHolding and acceptHolding", function () {
    it("moves the holding in two steps, and the new holder controls grants", async function () {
      const { ledger, holder, grantee, other } = await networkHelpers.loadFixture(ledgerFixture);
      const { id } = await registerDataset(ledger, holder, "held");
      const grantId = await issueGrant(ledger, holder, id, grantee.address);
      await expect(ledger.connect(holder).transferHolding(id, other.address)).to.emit(ledger, "HoldingTransferOffered").withArgs(id, holder.address, other.address);
      expect((await ledger.datasetOf(id)).pendingHolder).to.equal(other.address);
      expect(await ledger.holderOf(id)).to.equal(holder.address);
      await expect(ledger.connect(other).acceptHolding(id)).to.emit(ledger, "HoldingTransferred").withArgs(id, holder.address, other.address);
      expect(await ledger.holderOf(id)).to.equal(other.address);
      expect((await ledger.datasetOf(id)).pendingHolder).to.equal(ZeroAddress);
      await expect(ledger.connect(holder).revoke(grantId)).to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount").withArgs(id, holder.address);
      await expect(ledger.connect(other).revoke(grantId)).to.emit(ledger, "GrantRevoked").withArgs(grantId, id, other.address);
    });

    it("withdraws an offer when offered to the zero address", async function () {
      const { ledger, holder, other } = await networkHelpers.loadFixture(ledgerFixture);
      const { id } = await registerDataset(ledger, holder, "held");
      await ledger.connect(holder).transferHolding(id, other.address);
      await expect(ledger.connect(holder).transferHolding(id, ZeroAddress)).to.emit(ledger, "HoldingTransferOffered").withArgs(id, holder.address, ZeroAddress);
      await expect(ledger.connect(other).acceptHolding(id)).to.be.revertedWithCustomError(ledger, "HoldingInvalidReceiver").withArgs(id, other.address);
    });

    it("reverts for a non-holder, an offer to oneself, and an accept by anyone but the receiver", async function () {
      const { ledger, holder, other, stranger } = await networkHelpers.loadFixture(ledgerFixture);
      const { id } = await registerDataset(ledger, holder, "held");
      await expect(ledger.connect(stranger).transferHolding(id, stranger.address)).to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount").withArgs(id, stranger.address);
      await expect(ledger.connect(holder).transferHolding(id, holder.address)).to.be.revertedWithCustomError(ledger, "HoldingInvalidReceiver").withArgs(id, holder.address);
      await ledger.connect(holder).transferHolding(id, other.address);
      await expect(ledger.connect(stranger).acceptHolding(id)).to.be.revertedWithCustomError(ledger, "HoldingInvalidReceiver").withArgs(id, stranger.address);
    });
  });

  describe("retire", function () {
    it("retires a dataset: no grants, uses or derivations from then on", async function () {
      const { ledger, holder, grantee } = await networkHelpers.loadFixture(ledgerFixture);
      const { id } = await registerDataset(ledger, holder, "old");
      const grantId = await issueGrant(ledger, holder, id, grantee.address);
      await expect(ledger.connect(holder).retire(id)).to.emit(ledger, "DatasetRetired").withArgs(id, holder.address);
      expect((await ledger.datasetOf(id)).retired).to.equal(true);
      await expect(ledger.connect(holder).grant(id, grantee.address, Rights.USE, "p", 0n, 2n ** 40n - 1n, 0n))
        .to.be.revertedWithCustomError(ledger, "DatasetRetiredAlready")
        .withArgs(id);
      await expect(ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "DatasetRetiredAlready")
        .withArgs(id);
    });

    it("reverts for a non-holder and for a second retirement", async function () {
      const { ledger, holder, stranger } = await networkHelpers.loadFixture(ledgerFixture);
      const { id } = await registerDataset(ledger, holder, "old");
      await expect(ledger.connect(stranger).retire(id)).to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount").withArgs(id, stranger.address);
      await ledger.connect(holder).retire(id);
      await expect(ledger.connect(holder).retire(id)).to.be.revertedWithCustomError(ledger, "DatasetRetiredAlready").withArgs(id);
    });
  });

  describe("views", function () {
    it("datasetOf reverts with DatasetNotFound; holderOf, isAnchored and verifyRecord answer zero or false", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const unknown = sha256("nothing");
      await expect(ledger.datasetOf(unknown)).to.be.revertedWithCustomError(ledger, "DatasetNotFound").withArgs(unknown);
      expect(await ledger.holderOf(unknown)).to.equal(ZeroAddress);
      expect(await ledger.isAnchored(holder.address, unknown)).to.equal(false);
      expect(await ledger.verifyRecord(unknown, 0n, ZeroHash, [])).to.equal(false);
    });

    it("recordLeaf equals the StandardMerkleTree leaf, and verifyRecord accepts its proofs and nothing else", async function () {
      const { ledger, holder } = await networkHelpers.loadFixture(ledgerFixture);
      const values = Array.from({ length: 11 }, (_, i) => [BigInt(i), sha256(`row ${i}`)] as [bigint, string]);
      const tree = StandardMerkleTree.of(values, ["uint256", "bytes32"]);
      const contentHash = sha256("rows");
      await ledger.connect(holder).register(contentHash, tree.root, 11n, "", NO_PARENTS);
      const id = computeId(holder.address, contentHash);
      for (const [i, [index, recordHash]] of tree.entries()) {
        const leaf = await ledger.recordLeaf(index, recordHash);
        expect(leaf)
          .to.equal(tree.leafHash([index, recordHash]))
          .and.to.equal(recordLeaf(index, recordHash));
        expect(await ledger.verifyRecord(id, index, recordHash, tree.getProof(i))).to.equal(true);
      }
      expect(await ledger.verifyRecord(id, 3n, sha256("tampered row"), tree.getProof(3))).to.equal(false);
      expect(await ledger.verifyRecord(id, 4n, values[3][1], tree.getProof(3))).to.equal(false);
    });
  });
});
