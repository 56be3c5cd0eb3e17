/**
 * The three rights made sound: the product-operation licence follows the lineage, stays with the
 * licensee, and every status tells the truth. One describe per rule of SECURITY.md ("Rights"), each
 * written as the attack or the mistake it rules out. Signed-request nonces are in
 * GrantSignatures.test.ts; random lineages against a model in LedgerModel.property.test.ts.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";
import { ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { datasetId as computeId, GrantStatus, LicenceLapse, Rights, UsageAction } from "../../core/ids.js";
import type { ProvenanceLedger } from "../../types/ethers-contracts/index.js";
import { ADMIN_DELAY, deployLedger, FOREVER, issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const PO = Rights.USE | Rights.PROCESS | Rights.OPERATE_PRODUCT;

/** The revert data a transaction failed with (the custom error, encoded). */
async function revertData(tx: Promise<unknown>): Promise<string> {
  try {
    await tx;
  } catch (error) {
    let e: any = error;
    while (e) {
      if (typeof e.data === "string" && e.data.startsWith("0x")) return e.data;
      e = e.error ?? e.cause;
    }
    throw error;
  }
  throw new Error("the transaction did not revert");
}

const licencesOf = async (ledger: ProvenanceLedger, id: string) => (await ledger.licencesOf(id)).map((l) => [l.grantId, l.direct]);

/**
 * Bureau -> company (g1, PROCESS|OPERATE) -> product D -> bank (g2 on D) -> product E -> carol (g3 on
 * E, use and process). Windows shrink downstream, as the ledger requires.
 */
async function lineageFixture() {
  const f = await deployLedger(ethers);
  const [, bureau, company, bank, carol, dave] = f.signers;
  const now = BigInt(await networkHelpers.time.latest());
  const source = await registerDataset(f.ledger, bureau, "traffic counts");
  const g1 = await issueGrant(f.ledger, bureau, source.id, company.address, { rights: PO, validUntil: now + 100_000n, purpose: "congestion forecasting" });
  const D = await registerDataset(f.ledger, company, "forecast", [{ datasetId: source.id, grantId: g1 }]);
  const g2 = await issueGrant(f.ledger, company, D.id, bank.address, { rights: PO, validUntil: now + 50_000n, purpose: "credit risk" });
  const E = await registerDataset(f.ledger, bank, "risk scores", [{ datasetId: D.id, grantId: g2 }]);
  const g3 = await issueGrant(f.ledger, bank, E.id, carol.address, { rights: Rights.USE | Rights.PROCESS, validUntil: now + 40_000n, purpose: "lending" });
  return { ...f, bureau, company, bank, carol, dave, now, source, g1, D, g2, E, g3 };
}

describe("Licences: the product-operation right", function () {
  describe("1. a licence cannot be laundered", function () {
    it("a product of a PROCESS-only grant stays unlicensable through a held child, and lapses with the grant", async function () {
      const { ledger, bureau, company, bank, source } = await networkHelpers.loadFixture(lineageFixture);
      const processOnly = await issueGrant(ledger, bureau, source.id, company.address, { rights: Rights.PROCESS, purpose: "research" });
      const D = await registerDataset(ledger, company, "research output", [{ datasetId: source.id, grantId: processOnly }]);
      await expect(ledger.connect(company).grant(D.id, bank.address, PO, "resale", 0n, FOREVER, 0n))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceNotOperable")
        .withArgs(D.id, processOnly, Rights.PROCESS);

      // The laundering attempt: a child of D that the company holds, naming D with grant id zero.
      const E = await registerDataset(ledger, company, "laundered", [{ datasetId: D.id, grantId: ZeroHash }]);
      expect(await licencesOf(ledger, E.id)).to.deep.equal([[processOnly, true]]);
      await expect(ledger.connect(company).grant(E.id, bank.address, PO, "resale", 0n, FOREVER, 0n))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceNotOperable")
        .withArgs(E.id, processOnly, Rights.PROCESS);

      await ledger.connect(bureau).revoke(processOnly);
      await expect(ledger.connect(company).register(sha256("again"), ZeroHash, 0n, "", [{ datasetId: E.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(E.id, processOnly, LicenceLapse.Revoked);
    });

    it("inside one registerBatch, an entry that names an earlier one inherits its licence", async function () {
      const { ledger, bureau, company, bank, source } = await networkHelpers.loadFixture(lineageFixture);
      const processOnly = await issueGrant(ledger, bureau, source.id, company.address, { rights: Rights.PROCESS, purpose: "research" });
      const first = sha256("batch product");
      const firstId = computeId(company.address, first);
      const entry = (contentHash: string, parents: { datasetId: string; grantId: string }[]) => ({ contentHash, merkleRoot: ZeroHash, recordCount: 0n, metadataURI: "", parents });
      const second = sha256("batch laundered");
      const tx = ledger.connect(company).registerBatch([entry(first, [{ datasetId: source.id, grantId: processOnly }]), entry(second, [{ datasetId: firstId, grantId: ZeroHash }])]);
      const secondId = computeId(company.address, second);
      await expect(tx).to.emit(ledger, "DatasetLicensed").withArgs(secondId, processOnly, true);
      await expect(ledger.connect(company).grant(secondId, bank.address, Rights.USE, "resale", 0n, FOREVER, 0n))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceNotOperable")
        .withArgs(secondId, processOnly, Rights.PROCESS);
    });
  });

  describe("2. a lapse reaches every descendant at once", function () {
    it("revoking the first grant stops carol's use, the bank's grants on E and every derivation from E", async function () {
      const { ledger, bureau, bank, carol, dave, g1, g2, g3, E } = await networkHelpers.loadFixture(lineageFixture);
      expect(await licencesOf(ledger, E.id)).to.deep.equal([
        [g2, true],
        [g1, false],
      ]);
      await expect(ledger.connect(carol).recordUsage(g3, UsageAction.Use, 1n, ZeroHash)).to.emit(ledger, "UsageRecorded");

      await ledger.connect(bureau).revoke(g1);
      const lapsed = [E.id, g1, LicenceLapse.Revoked] as const;
      await expect(ledger.connect(carol).recordUsage(g3, UsageAction.Use, 1n, ZeroHash))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(...lapsed);
      await expect(ledger.connect(bank).grant(E.id, dave.address, Rights.USE, "more", 0n, 1n << 30n, 0n))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(...lapsed);
      await expect(ledger.connect(bank).register(sha256("from E"), ZeroHash, 0n, "", [{ datasetId: E.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(...lapsed);
      await expect(ledger.connect(carol).register(sha256("carol's"), ZeroHash, 0n, "", [{ datasetId: E.id, grantId: g3 }]))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(...lapsed);
      expect([await ledger.grantStatus(g1), await ledger.grantStatus(g2), await ledger.grantStatus(g3)]).to.deep.equal([
        BigInt(GrantStatus.Revoked),
        BigInt(GrantStatus.Lapsed),
        BigInt(GrantStatus.Lapsed),
      ]);
    });

    const causes: { name: string; act: (f: Awaited<ReturnType<typeof lineageFixture>>) => Promise<unknown>; licence: "g1" | "g2"; reason: LicenceLapse }[] = [
      { name: "the company renounces g1", act: (f) => f.ledger.connect(f.company).renounce(f.g1), licence: "g1", reason: LicenceLapse.Renounced },
      { name: "the bank renounces g2", act: (f) => f.ledger.connect(f.bank).renounce(f.g2), licence: "g2", reason: LicenceLapse.Renounced },
      { name: "the company revokes g2", act: (f) => f.ledger.connect(f.company).revoke(f.g2), licence: "g2", reason: LicenceLapse.Revoked },
      { name: "the bureau retires its dataset", act: (f) => f.ledger.connect(f.bureau).retire(f.source.id), licence: "g1", reason: LicenceLapse.DatasetRetired },
      { name: "the company retires D", act: (f) => f.ledger.connect(f.company).retire(f.D.id), licence: "g2", reason: LicenceLapse.DatasetRetired },
    ];
    for (const cause of causes) {
      it(`${cause.name}: carol's use of E is refused, naming ${cause.licence}`, async function () {
        const f = await networkHelpers.loadFixture(lineageFixture);
        await cause.act(f);
        await expect(f.ledger.connect(f.carol).recordUsage(f.g3, UsageAction.Use, 1n, ZeroHash))
          .to.be.revertedWithCustomError(f.ledger, "ProductLicenceLapsed")
          .withArgs(f.E.id, f[cause.licence], cause.reason);
        expect(await f.ledger.grantStatus(f.g3)).to.equal(BigInt(GrantStatus.Lapsed));
      });
    }

    it("an upstream grant that expires lapses the products that rest on it", async function () {
      const { ledger, company, bank, now, g1, g2, D, E } = await networkHelpers.loadFixture(lineageFixture);
      await networkHelpers.time.increaseTo(now + 100_001n);
      await expect(ledger.connect(company).register(sha256("late"), ZeroHash, 0n, "", [{ datasetId: D.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(D.id, g1, LicenceLapse.Expired);
      await expect(ledger.connect(bank).register(sha256("late E"), ZeroHash, 0n, "", [{ datasetId: E.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(E.id, g2, LicenceLapse.Expired);
    });
  });

  describe("3. a new version carries the licence of the previous one", function () {
    it("a version registered without parents rests on the same grants and lapses with them", async function () {
      const { ledger, bureau, company, dave, g1, D } = await networkHelpers.loadFixture(lineageFixture);
      const content = sha256("forecast v2");
      const v2 = computeId(company.address, content);
      const tx = ledger.connect(company).registerVersion(D.id, content, ZeroHash, 0n, "", []);
      await expect(tx).to.emit(ledger, "DatasetVersioned").withArgs(v2, D.id, company.address);
      await expect(tx).to.emit(ledger, "DatasetLicensed").withArgs(v2, g1, true);
      expect(await licencesOf(ledger, v2)).to.deep.equal([[g1, true]]);
      await ledger.connect(bureau).revoke(g1);
      await expect(ledger.connect(company).grant(v2, dave.address, Rights.USE, "v2", 0n, 1n << 30n, 0n))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(v2, g1, LicenceLapse.Revoked);
    });

    it("a version of a product whose licence lapsed is refused", async function () {
      const { ledger, bureau, company, g1, D } = await networkHelpers.loadFixture(lineageFixture);
      await ledger.connect(bureau).revoke(g1);
      await expect(ledger.connect(company).registerVersion(D.id, sha256("v2"), ZeroHash, 0n, "", []))
        .to.be.revertedWithCustomError(ledger, "ProductLicenceLapsed")
        .withArgs(D.id, g1, LicenceLapse.Revoked);
    });
  });

  describe("4. the operate right stays with the licensee", function () {
    it("after the holding of D moves to dave, dave can neither grant on D, derive from it nor version it", async function () {
      const { ledger, company, bank, dave, g1, g2, D } = await networkHelpers.loadFixture(lineageFixture);
      await ledger.connect(company).transferHolding(D.id, dave.address);
      await ledger.connect(dave).acceptHolding(D.id);
      const mismatch = [D.id, g1, company.address, dave.address] as const;
      await expect(ledger.connect(dave).grant(D.id, dave.address, PO, "any purpose", 0n, 1n << 30n, 0n))
        .to.be.revertedWithCustomError(ledger, "ProductLicenseeMismatch")
        .withArgs(...mismatch);
      await expect(ledger.connect(dave).register(sha256("dave's"), ZeroHash, 0n, "", [{ datasetId: D.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "ProductLicenseeMismatch")
        .withArgs(...mismatch);
      await expect(ledger.connect(dave).registerVersion(D.id, sha256("dave's v2"), ZeroHash, 0n, "", []))
        .to.be.revertedWithCustomError(ledger, "ProductLicenseeMismatch")
        .withArgs(...mismatch);
      // What the licensee granted before the transfer stands, and the new holder may revoke it.
      await expect(ledger.connect(bank).recordUsage(g2, UsageAction.Use, 1n, ZeroHash)).to.emit(ledger, "UsageRecorded");
      await expect(ledger.connect(dave).revoke(g2)).to.emit(ledger, "GrantRevoked").withArgs(g2, D.id, dave.address);
    });

    it("a grant on a product may not outlast any licence it rests on", async function () {
      const { ledger, company, bank, now, g1, D } = await networkHelpers.loadFixture(lineageFixture);
      await expect(ledger.connect(company).grant(D.id, bank.address, Rights.USE, "long", 0n, now + 100_001n, 0n))
        .to.be.revertedWithCustomError(ledger, "GrantWindowBeyondLicence")
        .withArgs(g1, now + 100_000n, now + 100_001n);
      await expect(ledger.connect(company).grant(D.id, bank.address, Rights.USE, "exact", 0n, now + 100_000n, 0n)).to.emit(ledger, "GrantIssued");
    });
  });

  describe("5. statuses tell the truth", function () {
    it("canUse returns exactly the refusal the use reverts with, and grantStatus agrees", async function () {
      const f = await networkHelpers.loadFixture(lineageFixture);
      const { ledger, bureau, carol, g1, g3, E } = f;
      expect(await ledger.canUse(g3, carol.address, UsageAction.Use, 1n)).to.deep.equal([true, "0x"]);
      await ledger.connect(bureau).revoke(g1);
      const [allowed, refusal] = await ledger.canUse(g3, carol.address, UsageAction.Use, 1n);
      expect(allowed).to.equal(false);
      expect(refusal).to.equal(ledger.interface.encodeErrorResult("ProductLicenceLapsed", [E.id, g1, LicenceLapse.Revoked]));
      expect(await revertData(ledger.connect(carol).recordUsage(g3, UsageAction.Use, 1n, ZeroHash))).to.equal(refusal);
      // Other refusals come out of the same function: the wrong account, the wrong right, zero units.
      for (const [who, action, units] of [
        [f.dave, UsageAction.Use, 1n],
        [carol, UsageAction.Operate, 1n],
        [carol, UsageAction.Use, 0n],
      ] as [HardhatEthersSigner, UsageAction, bigint][]) {
        const [, why] = await ledger.canUse(g3, who.address, action, units);
        expect(await revertData(ledger.connect(who).recordUsage(g3, action, units, ZeroHash))).to.equal(why);
      }
    });

    it("a grant on a retired dataset is Retired, not Active, and canUse says why", async function () {
      const { ledger, bureau, carol, source } = await networkHelpers.loadFixture(lineageFixture);
      const plain = await issueGrant(ledger, bureau, source.id, carol.address, { rights: Rights.USE });
      expect(await ledger.grantStatus(plain)).to.equal(BigInt(GrantStatus.Active));
      await ledger.connect(bureau).retire(source.id);
      expect(await ledger.grantStatus(plain)).to.equal(BigInt(GrantStatus.Retired));
      const [allowed, refusal] = await ledger.canUse(plain, carol.address, UsageAction.Use, 1n);
      expect([allowed, refusal]).to.deep.equal([false, ledger.interface.encodeErrorResult("DatasetRetiredAlready", [source.id])]);
    });

    it("canUse says EnforcedPause while the ledger is paused", async function () {
      const { ledger, admin, carol, g3 } = await networkHelpers.loadFixture(lineageFixture);
      await ledger.connect(admin).pause();
      expect(await ledger.canUse(g3, carol.address, UsageAction.Use, 1n)).to.deep.equal([false, ledger.interface.encodeErrorResult("EnforcedPause", [])]);
    });
  });

  describe("licence bounds", function () {
    it("a dataset may rest on 32 upstream grants, and one more is refused with DatasetTooManyLicences", async function () {
      const { ledger, bureau, company } = await networkHelpers.loadFixture(lineageFixture);
      // 16 held parents, each a product of two grants: 32 licences. A version of that dataset that
      // also names a product of a 33rd grant is one too many.
      const products: string[] = [];
      for (let i = 0; i < 16; i++) {
        const a = await registerDataset(ledger, bureau, `a${i}`);
        const b = await registerDataset(ledger, bureau, `b${i}`);
        const ga = await issueGrant(ledger, bureau, a.id, company.address, { rights: PO, purpose: `a${i}` });
        const gb = await issueGrant(ledger, bureau, b.id, company.address, { rights: PO, purpose: `b${i}` });
        products.push(
          (
            await registerDataset(ledger, company, `p${i}`, [
              { datasetId: a.id, grantId: ga },
              { datasetId: b.id, grantId: gb },
            ])
          ).id,
        );
      }
      const held = products.map((datasetId) => ({ datasetId, grantId: ZeroHash }));
      const content = sha256("thirty-two");
      await ledger.connect(company).register(content, ZeroHash, 0n, "", held);
      expect((await ledger.licencesOf(computeId(company.address, content))).length).to.equal(32);

      const extra = await registerDataset(ledger, bureau, "extra");
      const gx = await issueGrant(ledger, bureau, extra.id, company.address, { rights: PO, purpose: "extra" });
      const thirtyThird = await registerDataset(ledger, company, "p-extra", [{ datasetId: extra.id, grantId: gx }]);
      const tooMany = sha256("thirty-three");
      await expect(ledger.connect(company).registerVersion(computeId(company.address, content), tooMany, ZeroHash, 0n, "", [{ datasetId: thirtyThird.id, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "DatasetTooManyLicences")
        .withArgs(computeId(company.address, tooMany), 32);
    });

    it("a grant reached by two paths is one licence, direct when either path makes it so", async function () {
      const { ledger, company, bank, now, g1, g2, D, E } = await networkHelpers.loadFixture(lineageFixture);
      // The company takes a grant on the bank's E and derives from E under it and from its own D:
      // g1 reaches the child through E (indirect) and through D (direct), g2 through E only.
      const gE = await issueGrant(ledger, bank, E.id, company.address, { rights: PO, validUntil: now + 40_000n, purpose: "back to the company" });
      const child = await registerDataset(ledger, company, "diamond", [
        { datasetId: E.id, grantId: gE },
        { datasetId: D.id, grantId: ZeroHash },
      ]);
      expect(await licencesOf(ledger, child.id)).to.deep.equal([
        [gE, true],
        [g2, false],
        [g1, true],
      ]);
    });
  });

  describe("7. small holes", function () {
    it("a dataset may not name itself as its parent", async function () {
      const { ledger, company } = await networkHelpers.loadFixture(lineageFixture);
      const content = sha256("ouroboros");
      const self = computeId(company.address, content);
      await expect(ledger.connect(company).register(content, ZeroHash, 0n, "", [{ datasetId: self, grantId: ZeroHash }]))
        .to.be.revertedWithCustomError(ledger, "DatasetParentIsSelf")
        .withArgs(self);
    });

    it("verifyRecord builds the leaf itself: an inner node, the root, or a dataset without a root prove nothing", async function () {
      const { ledger, bureau } = await networkHelpers.loadFixture(lineageFixture);
      const values = Array.from({ length: 4 }, (_, i) => [BigInt(i), sha256(`row ${i}`)] as [bigint, string]);
      const tree = StandardMerkleTree.of(values, ["uint256", "bytes32"]);
      const content = sha256("four rows");
      await ledger.connect(bureau).register(content, tree.root, 4n, "", []);
      const id = computeId(bureau.address, content);
      const [index, recordHash] = values[0];
      expect(await ledger.verifyRecord(id, index, recordHash, tree.getProof(0))).to.equal(true);
      // An inner node (the parent of two leaves) with its sibling, as a forged "record".
      const proof = tree.getProof(0);
      const inner = [tree.leafHash(values[0]), proof[0]]
        .sort()
        .map((h) => h.slice(2))
        .join("");
      const innerNode = ethers.keccak256("0x" + inner);
      for (const i of [0n, 1n, 2n]) expect(await ledger.verifyRecord(id, i, innerNode, [proof[1]])).to.equal(false);
      expect(await ledger.verifyRecord(id, 0n, tree.root, [])).to.equal(false);
      const noRoot = sha256("rootless");
      await ledger.connect(bureau).register(noRoot, ZeroHash, 0n, "", []);
      expect(await ledger.verifyRecord(computeId(bureau.address, noRoot), 0n, ZeroHash, [])).to.equal(false);
    });
  });

  describe("8. governance", function () {
    it("refuses a zero admin at deployment", async function () {
      const factory = await ethers.getContractFactory("ProvenanceLedger");
      await expect(factory.deploy(ADMIN_DELAY, ZeroAddress)).to.be.revertedWithCustomError(factory, "AccessControlInvalidDefaultAdmin").withArgs(ZeroAddress);
    });

    it("hands the admin role over in two steps, after the delay, and never by grantRole", async function () {
      const { ledger, admin, dave } = await networkHelpers.loadFixture(lineageFixture);
      const ADMIN = await ledger.DEFAULT_ADMIN_ROLE();
      await expect(ledger.connect(admin).grantRole(ADMIN, dave.address)).to.be.revertedWithCustomError(ledger, "AccessControlEnforcedDefaultAdminRules");
      await expect(ledger.connect(admin).beginDefaultAdminTransfer(dave.address)).to.emit(ledger, "DefaultAdminTransferScheduled");
      const [, schedule] = await ledger.pendingDefaultAdmin();
      await expect(ledger.connect(dave).acceptDefaultAdminTransfer()).to.be.revertedWithCustomError(ledger, "AccessControlEnforcedDefaultAdminDelay").withArgs(schedule);
      await networkHelpers.time.increaseTo(schedule + 1n);
      await expect(ledger.connect(dave).acceptDefaultAdminTransfer()).to.emit(ledger, "RoleGranted").withArgs(ADMIN, dave.address, dave.address);
      expect(await ledger.defaultAdmin()).to.equal(dave.address);
      expect(await ledger.hasRole(ADMIN, admin.address)).to.equal(false);
    });

    it("revoke, renounce and retire work while paused: they only take rights away", async function () {
      const { ledger, admin, bureau, company, g1, g2, source } = await networkHelpers.loadFixture(lineageFixture);
      await ledger.connect(admin).pause();
      await expect(ledger.connect(company).revoke(g2)).to.emit(ledger, "GrantRevoked");
      await expect(ledger.connect(company).renounce(g1)).to.emit(ledger, "GrantRenounced");
      await expect(ledger.connect(bureau).retire(source.id)).to.emit(ledger, "DatasetRetired");
    });
  });
});
