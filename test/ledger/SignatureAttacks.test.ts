/**
 * Attacks on signed grant requests. The contract's EIP-712 digest is checked against ethers'
 * TypedDataEncoder for 1,000 random requests (unicode purposes included); for 200 random valid
 * requests every forged variant of the signature fails; hostile ERC-1271 holders get nothing.
 * Every failure is also checked to leave the state as it was.
 */
import { expect } from "chai";
import { Signature, TypedDataEncoder, Wallet, type BytesLike } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { type GrantRequest, grantRequestDomain, GRANT_REQUEST_TYPES } from "../../core/grant-request.js";
import { grantId as computeGrantId, Rights } from "../../core/ids.js";
import { deployLedger, FOREVER, METADATA_URI, NO_PARENTS, registerDataset, sha256 } from "../helpers/fixtures.js";
import { testSeed } from "../helpers/seed.js";

const { ethers, networkHelpers } = await network.create();

const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
const hex = (bytes: Uint8Array) => ethers.hexlify(bytes);
const uint = (bits: number) => fc.bigInt({ min: 0n, max: 2n ** BigInt(bits) - 1n });

/** Every way to spoil a valid 65-byte signature that a relayer or attacker could try. */
function forgeries(signature: string): [string, BytesLike][] {
  const sig = Signature.from(signature);
  const rs = ethers.concat([sig.r, sig.s]);
  return [
    ["malleable twin (s -> n - s, v flipped)", ethers.concat([sig.r, ethers.toBeHex(SECP256K1_N - BigInt(sig.s), 32), ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)])],
    ["v of 0/1 instead of 27/28", ethers.concat([rs, ethers.toBeHex(sig.v - 27, 1)])],
    ["other v", ethers.concat([rs, ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)])],
    ["empty", "0x"],
    ["64-byte compact form", sig.compactSerialized],
    ["truncated", ethers.dataSlice(signature, 0, 64)],
    ["one byte longer", ethers.concat([signature, "0x00"])],
    ["garbage", ethers.randomBytes(65)],
    ["zero r and s", ethers.concat([ethers.ZeroHash, ethers.ZeroHash, "0x1b"])],
  ];
}

async function fixture() {
  const f = await deployLedger(ethers);
  const dataset = await registerDataset(f.ledger, f.holder, "signed");
  const { chainId } = await ethers.provider.getNetwork();
  return { ...f, dataset, chainId, domain: grantRequestDomain(chainId, f.address) };
}

describe("signature attacks", function () {
  it("hashes 1,000 random requests, unicode purposes included, exactly as ethers' TypedDataEncoder", async function () {
    const { ledger, domain } = await networkHelpers.loadFixture(fixture);
    const request = fc.record({
      holder: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.getAddress(hex(b))),
      datasetId: fc.uint8Array({ minLength: 32, maxLength: 32 }).map(hex),
      transfers: uint(64),
      grantee: fc.uint8Array({ minLength: 20, maxLength: 20 }).map((b) => ethers.getAddress(hex(b))),
      rights: fc.integer({ min: 0, max: 255 }),
      purpose: fc.oneof(fc.string({ unit: "grapheme", maxLength: 64 }), fc.string({ unit: "binary", maxLength: 64 }), fc.constant("")),
      validFrom: uint(40),
      validUntil: uint(40),
      quota: uint(80),
      counter: uint(64),
      nonce: uint(256),
      deadline: uint(256),
    });
    let checked = 0;
    await fc.assert(
      fc.asyncProperty(request, async (r: GrantRequest) => {
        expect(await ledger.hashGrantRequest(r)).to.equal(TypedDataEncoder.hash(domain, GRANT_REQUEST_TYPES, r));
        checked++;
      }),
      { numRuns: 1000, seed: testSeed(1271) },
    );
    expect(checked).to.equal(1000);
  });

  it("accepts each of 200 random valid signed requests, and none of its 9 forgeries, a replay, another chain's or another ledger's signature", async function () {
    const { ledger, holder, stranger, dataset, domain } = await networkHelpers.loadFixture(fixture);
    const twin = await deployLedger(ethers);
    const now = BigInt(await networkHelpers.time.latest());
    const terms = fc.record({
      grantee: fc
        .uint8Array({ minLength: 20, maxLength: 20 })
        .map((b) => ethers.getAddress(hex(b)))
        .filter((a) => a !== ethers.ZeroAddress),
      rights: fc.integer({ min: 1, max: 7 }),
      purpose: fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
      validUntil: fc.bigInt({ min: now + 10_000n, max: FOREVER }),
      quota: uint(80),
      nonce: uint(256),
    });
    let rejected = 0;
    const usedNonces = new Set<bigint>();
    await fc.assert(
      fc.asyncProperty(terms, async (t) => {
        // Nonces are the holder's to pick; a repeat would rightly be refused as used.
        fc.pre(!usedNonces.has(t.nonce));
        usedNonces.add(t.nonce);
        const request: GrantRequest = { holder: holder.address, datasetId: dataset.id, transfers: 0n, validFrom: 0n, counter: 0n, deadline: now + 86_400n, ...t };
        const signature = await holder.signTypedData(domain, GRANT_REQUEST_TYPES, request);
        const attempts: [string, BytesLike][] = [
          ...forgeries(signature),
          ["another chain id", await holder.signTypedData({ ...domain, chainId: 1n }, GRANT_REQUEST_TYPES, request)],
          ["another deployment", await holder.signTypedData({ ...domain, verifyingContract: twin.address }, GRANT_REQUEST_TYPES, request)],
          ["another signer", await stranger.signTypedData(domain, GRANT_REQUEST_TYPES, request)],
        ];
        for (const [what, bad] of attempts) {
          await expect(ledger.connect(stranger).grantBySig(request, bad), what).to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid");
          rejected++;
        }
        // Nothing moved: the nonce is unspent, so the genuine signature still works, once.
        expect(await ledger.isGrantNonceUsed(holder.address, request.nonce)).to.equal(false);
        await ledger.connect(stranger).grantBySig(request, signature);
        expect(await ledger.isGrantNonceUsed(holder.address, request.nonce)).to.equal(true);
        const id = computeGrantId({ ...request, grantor: holder.address });
        expect((await ledger.grantOf(id)).grantee).to.equal(request.grantee);
        await expect(ledger.connect(stranger).grantBySig(request, signature)).to.be.revertedWithCustomError(ledger, "GrantRequestNonceUsed").withArgs(holder.address, request.nonce);
      }),
      { numRuns: 200, seed: testSeed(1271) },
    );
    expect(rejected).to.equal(200 * 12);
  });

  describe("hostile ERC-1271 holders", function () {
    async function hostileFixture() {
      const f = await fixture();
      const deploy = async (mode: number) => {
        const wallet = await ethers.deployContract("HostileERC1271Wallet", [mode]);
        const data = f.ledger.interface.encodeFunctionData("register", [sha256(`hostile ${mode}`), sha256(`root ${mode}`), 1n, METADATA_URI, NO_PARENTS]);
        const receipt = await (await wallet.execute(f.address, data)).wait();
        const log = receipt!.logs.map((l) => f.ledger.interface.parseLog(l)).find((e) => e?.name === "DatasetRegistered")!;
        return { wallet, address: await wallet.getAddress(), datasetId: log.args.datasetId as string };
      };
      return { ...f, alwaysValid: await deploy(0), reverts: await deploy(1), shortReturn: await deploy(2), burnsGas: await deploy(3) };
    }

    const requestFor = (holder: string, datasetId: string, grantee: string, deadline: bigint): GrantRequest => ({
      holder,
      datasetId,
      transfers: 0n,
      grantee,
      rights: Rights.USE,
      purpose: "hostile",
      validFrom: 0n,
      validUntil: FOREVER,
      quota: 10n,
      counter: 0n,
      nonce: 0n,
      deadline,
    });

    it("a wallet that approves everything cannot sign for a dataset it does not hold", async function () {
      const { ledger, dataset, stranger, alwaysValid } = await networkHelpers.loadFixture(hostileFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      await expect(ledger.connect(stranger).grantBySig(requestFor(alwaysValid.address, dataset.id, stranger.address, deadline), "0x"))
        .to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount")
        .withArgs(dataset.id, alwaysValid.address);
      expect(await ledger.isGrantNonceUsed(alwaysValid.address, 0n)).to.equal(false);
      // On its own dataset its approval is its own policy, as ERC-1271 means it to be.
      await expect(ledger.connect(stranger).grantBySig(requestFor(alwaysValid.address, alwaysValid.datasetId, stranger.address, deadline), "0x")).to.emit(ledger, "GrantIssued");
    });

    it("a wallet that reverts, returns short data or burns all gas approves nothing, and nothing changes", async function () {
      const { ledger, stranger, reverts, shortReturn, burnsGas } = await networkHelpers.loadFixture(hostileFixture);
      const deadline = BigInt(await networkHelpers.time.latest()) + 3600n;
      const signature = await Wallet.createRandom().signingKey.sign(ethers.ZeroHash).serialized;
      for (const hostile of [reverts, shortReturn, burnsGas]) {
        const request = requestFor(hostile.address, hostile.datasetId, stranger.address, deadline);
        await expect(ledger.connect(stranger).grantBySig(request, signature, { gasLimit: 2_000_000 }))
          .to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid")
          .withArgs(hostile.address);
        expect(await ledger.isGrantNonceUsed(hostile.address, 0n)).to.equal(false);
        const id = computeGrantId({ ...request, grantor: hostile.address });
        await expect(ledger.grantOf(id)).to.be.revertedWithCustomError(ledger, "GrantNotFound");
      }
      // The hostile wallet refuses anything but isValidSignature.
      await expect(stranger.sendTransaction({ to: reverts.address, data: "0x12345678" })).to.be.revertedWithCustomError(reverts.wallet, "HostileWalletRefused");
    });
  });
});
