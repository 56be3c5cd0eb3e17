/**
 * Front-running, with automining off: an attacker watches the mempool and sends a copy of a pending
 * transaction with a higher tip, so that the block carries the copy first. It gains nothing the
 * rules forbid: an anchor is the registrant's own (a copy is the attacker's own anchor, no claim on
 * the victim's), a copied grant reverts, a copied relay issues exactly the grant the holder signed.
 * The one inherent race: a grantee who sees a pending revoke can still spend what its quota allows.
 */
import { expect } from "chai";
import { parseUnits, type ContractTransactionResponse } from "ethers";
import { network } from "hardhat";

import { grantRequestDomain, GRANT_REQUEST_TYPES, type GrantRequest } from "../../core/grant-request.js";
import { grantId as computeGrantId, Rights, UsageAction } from "../../core/ids.js";
import { deployLedger, FOREVER, issueGrant, METADATA_URI, NO_PARENTS, registerDataset, sha256, ZERO_HASH } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const victimFee = { maxFeePerGas: parseUnits("20", "gwei"), maxPriorityFeePerGas: parseUnits("1", "gwei"), gasLimit: 500_000 };
const attackerFee = { maxFeePerGas: parseUnits("200", "gwei"), maxPriorityFeePerGas: parseUnits("100", "gwei"), gasLimit: 500_000 };

/** Mines one block holding everything pending, and returns each transaction's receipt (or its revert). */
async function mineTogether(...sent: ContractTransactionResponse[]) {
  await ethers.provider.send("evm_mine", []);
  return Promise.all(sent.map((tx) => ethers.provider.getTransactionReceipt(tx.hash)));
}

async function fixture() {
  const f = await deployLedger(ethers);
  const attacker = f.signers[6];
  return { ...f, attacker };
}

describe("front-running (automining off)", function () {
  beforeEach(async function () {
    await networkHelpers.loadFixture(fixture);
    await ethers.provider.send("evm_setAutomine", [false]);
  });
  afterEach(async function () {
    await ethers.provider.send("evm_setAutomine", [true]);
  });

  it("a copied registration, mined first, is the attacker's own anchor: the victim's is still the victim's", async function () {
    const { ledger, holder, attacker } = await networkHelpers.loadFixture(fixture);
    const contentHash = sha256("the bureau's new dataset");
    const victim = await ledger.connect(holder).register(contentHash, sha256("root"), 10n, METADATA_URI, NO_PARENTS, victimFee);
    const copy = await ledger.connect(attacker).register(contentHash, sha256("root"), 10n, METADATA_URI, NO_PARENTS, attackerFee);
    const [v, c] = await mineTogether(victim, copy);
    expect(c!.status).to.equal(1);
    expect(v!.status).to.equal(1);
    expect(c!.index, "the copy is first in the block").to.be.lessThan(v!.index);
    const victimId = await ledger.computeDatasetId(holder.address, contentHash);
    const copyId = await ledger.computeDatasetId(attacker.address, contentHash);
    expect(victimId).to.not.equal(copyId);
    expect(await ledger.holderOf(victimId)).to.equal(holder.address);
    expect(await ledger.holderOf(copyId)).to.equal(attacker.address);
    // The copy gives no power over the victim's dataset.
    await ethers.provider.send("evm_setAutomine", [true]);
    await expect(ledger.connect(attacker).grant(victimId, attacker.address, Rights.USE, "stolen", 0n, FOREVER, 0n)).to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount");
    await expect(ledger.connect(attacker).transferHolding(victimId, attacker.address)).to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount");
  });

  it("a copied grant reverts: only the holder can grant", async function () {
    const { ledger, holder, grantee, attacker } = await networkHelpers.loadFixture(fixture);
    await ethers.provider.send("evm_setAutomine", [true]);
    const d = await registerDataset(ledger, holder, "granted");
    await ethers.provider.send("evm_setAutomine", [false]);
    const args = [d.id, grantee.address, Rights.USE, "forecasting", 0n, FOREVER, 10n] as const;
    const victim = await ledger.connect(holder).grant(...args, victimFee);
    const copy = await ledger.connect(attacker).grant(...args, attackerFee);
    const [v, c] = await mineTogether(victim, copy);
    expect(c!.index).to.be.lessThan(v!.index);
    expect(c!.status, "the attacker's copy").to.equal(0);
    expect(v!.status, "the holder's grant").to.equal(1);
  });

  it("a copied relay of a signed grant issues exactly the grant the holder signed; the original relay then finds the nonce spent", async function () {
    const { ledger, holder, grantee, stranger: relayer, attacker, address } = await networkHelpers.loadFixture(fixture);
    await ethers.provider.send("evm_setAutomine", [true]);
    const d = await registerDataset(ledger, holder, "signed");
    await ethers.provider.send("evm_setAutomine", [false]);
    const request: GrantRequest = {
      holder: holder.address,
      datasetId: d.id,
      transfers: 0n,
      grantee: grantee.address,
      rights: Rights.USE,
      purpose: "signed",
      validFrom: 0n,
      validUntil: FOREVER,
      quota: 10n,
      counter: 0n,
      nonce: 0n,
      deadline: FOREVER,
    };
    const signature = await holder.signTypedData(grantRequestDomain((await ethers.provider.getNetwork()).chainId, address), GRANT_REQUEST_TYPES, request);
    const relay = await ledger.connect(relayer).grantBySig(request, signature, victimFee);
    const copy = await ledger.connect(attacker).grantBySig(request, signature, attackerFee);
    // The attacker may also try to redirect the grant to itself: the signature does not cover that.
    const redirected = await ledger.connect(attacker).grantBySig({ ...request, grantee: attacker.address }, signature, { ...attackerFee, nonce: (await attacker.getNonce()) + 1 });
    const [r, c, x] = await mineTogether(relay, copy, redirected);
    expect(c!.status).to.equal(1);
    expect(r!.status).to.equal(0);
    expect(x!.status).to.equal(0);
    const id = computeGrantId({ ...request, grantor: holder.address });
    const g = await ledger.grantOf(id);
    expect([g.grantee, g.quota, g.rights]).to.deep.equal([grantee.address, 10n, BigInt(Rights.USE)]);
    expect(await ledger.isGrantNonceUsed(holder.address, 0n)).to.equal(true);
  });

  it("a grantee who sees a pending revoke can spend at most its remaining quota first (inherent), and nothing after", async function () {
    const { ledger, holder, grantee } = await networkHelpers.loadFixture(fixture);
    await ethers.provider.send("evm_setAutomine", [true]);
    const d = await registerDataset(ledger, holder, "revoked");
    const g = await issueGrant(ledger, holder, d.id, grantee.address, { rights: Rights.USE, quota: 100n });
    await (await ledger.connect(grantee).recordUsage(g, UsageAction.Use, 30n, ZERO_HASH)).wait();
    await ethers.provider.send("evm_setAutomine", [false]);
    const revoke = await ledger.connect(holder).revoke(g, victimFee);
    const rush = await ledger.connect(grantee).recordUsage(g, UsageAction.Use, 70n, ZERO_HASH, attackerFee);
    const greedy = await ledger.connect(grantee).recordUsage(g, UsageAction.Use, 1n, ZERO_HASH, { ...attackerFee, nonce: (await grantee.getNonce()) + 1 });
    const [rv, ru, gr] = await mineTogether(revoke, rush, greedy);
    expect(ru!.status, "the rush within quota").to.equal(1);
    expect(gr!.status, "a use beyond the quota").to.equal(0);
    expect(rv!.status, "the revoke").to.equal(1);
    const after = await ledger.grantOf(g);
    expect(after.used).to.equal(100n);
    await ethers.provider.send("evm_setAutomine", [true]);
    await expect(ledger.connect(grantee).recordUsage(g, UsageAction.Use, 1n, ZERO_HASH)).to.be.revertedWithCustomError(ledger, "GrantNotActive");
  });
});
