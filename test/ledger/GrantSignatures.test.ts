import { expect } from "chai";
import { Signature, TypedDataEncoder } from "ethers";
import { network } from "hardhat";

import { type GrantRequest, grantRequestDomain, GRANT_REQUEST_TYPE, GRANT_REQUEST_TYPES } from "../../core/grant-request.js";
import { grantId as computeGrantId, purposeHash, Rights } from "../../core/ids.js";
import { deployLedger, FOREVER, registerDataset, useRequest } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

async function signatureFixture() {
  const f = await deployLedger(ethers);
  const dataset = await registerDataset(f.ledger, f.holder, "weather");
  const { chainId } = await ethers.provider.getNetwork();
  const domain = grantRequestDomain(chainId, f.address);
  const now = BigInt(await networkHelpers.time.latest());
  const request: GrantRequest = {
    holder: f.holder.address,
    datasetId: dataset.id,
    transfers: 0n,
    grantee: f.grantee.address,
    rights: Rights.USE | Rights.PROCESS,
    purpose: "prévision du trafic 交通予測",
    validFrom: 0n,
    validUntil: FOREVER,
    quota: 250n,
    counter: 0n,
    nonce: 0n,
    deadline: now + 3600n,
  };
  const signature = await f.holder.signTypedData(domain, GRANT_REQUEST_TYPES, request);
  /** The same request with other terms, signed by the holder. */
  const signed = async (changes: Partial<GrantRequest>) => {
    const r = { ...request, ...changes };
    return { request: r, signature: await f.holder.signTypedData(domain, GRANT_REQUEST_TYPES, r) };
  };
  return { ...f, dataset, domain, request, signature, signed, chainId };
}

describe("GrantSignatures", function () {
  describe("grantBySig", function () {
    it("issues the signed grant for whoever relays it, and spends the holder's nonce", async function () {
      const { ledger, holder, grantee, stranger, dataset, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      const expected = computeGrantId({ ...request, grantor: holder.address });
      await expect(ledger.connect(stranger).grantBySig(request, signature))
        .to.emit(ledger, "GrantIssued")
        .withArgs(expected, dataset.id, grantee.address, holder.address, request.rights, purposeHash(request.purpose), request.purpose, 0n, FOREVER, 250n, 0n);
      expect(await ledger.isGrantNonceUsed(holder.address, 0n)).to.equal(true);
      expect(await ledger.isGrantNonceUsed(holder.address, 1n)).to.equal(false);
      expect((await ledger.grantOf(expected)).grantee).to.equal(grantee.address);
    });

    it("hashes the request exactly as ethers' TypedDataEncoder does", async function () {
      const { ledger, domain, request } = await networkHelpers.loadFixture(signatureFixture);
      expect(await ledger.hashGrantRequest(request)).to.equal(TypedDataEncoder.hash(domain, GRANT_REQUEST_TYPES, request));
      // The fields read from the one spelling encode back to it.
      expect(TypedDataEncoder.from(GRANT_REQUEST_TYPES).encodeType("GrantRequest")).to.equal(GRANT_REQUEST_TYPE);
    });

    it("rejects a replay with GrantRequestNonceUsed", async function () {
      const { ledger, holder, stranger, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      await ledger.connect(stranger).grantBySig(request, signature);
      await expect(ledger.connect(stranger).grantBySig(request, signature)).to.be.revertedWithCustomError(ledger, "GrantRequestNonceUsed").withArgs(holder.address, 0n);
    });

    it("rejects a signature made for another chain id or another ledger", async function () {
      const { ledger, holder, stranger, domain, request } = await networkHelpers.loadFixture(signatureFixture);
      const otherChain = await holder.signTypedData({ ...domain, chainId: 1n }, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, otherChain)).to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid").withArgs(holder.address);
      const twin = await deployLedger(ethers);
      const otherLedger = await holder.signTypedData({ ...domain, verifyingContract: twin.address }, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, otherLedger)).to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid").withArgs(holder.address);
    });

    it("accepts a relay at the deadline and rejects one a second later with GrantSignatureExpired", async function () {
      const { ledger, stranger, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      await networkHelpers.time.setNextBlockTimestamp(request.deadline + 1n);
      await expect(ledger.connect(stranger).grantBySig(request, signature))
        .to.be.revertedWithCustomError(ledger, "GrantSignatureExpired")
        .withArgs(request.deadline, request.deadline + 1n);
    });

    it("accepts a relay in the block whose timestamp equals the deadline", async function () {
      const { ledger, stranger, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      await networkHelpers.time.setNextBlockTimestamp(request.deadline);
      await expect(ledger.connect(stranger).grantBySig(request, signature)).to.emit(ledger, "GrantIssued");
    });

    it("rejects a request whose signer does not hold the dataset", async function () {
      const { ledger, stranger, domain, request } = await networkHelpers.loadFixture(signatureFixture);
      const forged = { ...request, holder: stranger.address };
      const signature = await stranger.signTypedData(domain, GRANT_REQUEST_TYPES, forged);
      await expect(ledger.connect(stranger).grantBySig(forged, signature)).to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount").withArgs(request.datasetId, stranger.address);
    });

    it("rejects a request signed by someone else in the holder's name, or altered by the relayer", async function () {
      const { ledger, holder, stranger, domain, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      const impostor = await stranger.signTypedData(domain, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, impostor)).to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid").withArgs(holder.address);
      for (const altered of [{ quota: 251n }, { grantee: stranger.address }, { purpose: "anything" }, { rights: 7 }, { validUntil: FOREVER - 1n }, { nonce: 1n }]) {
        await expect(ledger.connect(stranger).grantBySig({ ...request, ...altered }, signature))
          .to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid")
          .withArgs(holder.address);
      }
    });

    it("rejects the malleable twin (s -> n - s) of a valid signature", async function () {
      const { ledger, holder, stranger, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      const sig = Signature.from(signature);
      const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
      const twin = ethers.concat([sig.r, ethers.toBeHex(n - BigInt(sig.s), 32), ethers.toBeHex(sig.v === 27 ? 28 : 27, 1)]);
      await expect(ledger.connect(stranger).grantBySig(request, twin)).to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid").withArgs(holder.address);
    });
  });

  describe("outstanding requests", function () {
    it("relays many outstanding requests of one holder in any order, nonces far apart or in one word", async function () {
      const { ledger, holder, stranger, signed } = await networkHelpers.loadFixture(signatureFixture);
      const nonces = [7n, 2n ** 200n + 3n, 1n, 300n, 0n];
      const requests = await Promise.all(nonces.map((nonce, i) => signed({ nonce, purpose: `request ${i}` })));
      for (const i of [3, 0, 4, 1, 2]) {
        await expect(ledger.connect(stranger).grantBySig(requests[i].request, requests[i].signature)).to.emit(ledger, "GrantIssued");
      }
      for (const nonce of nonces) expect(await ledger.isGrantNonceUsed(holder.address, nonce)).to.equal(true);
      expect(await ledger.isGrantNonceUsed(holder.address, 2n)).to.equal(false);
    });

    it("lets later requests through when an earlier one can no longer be issued", async function () {
      const { ledger, stranger, signed } = await networkHelpers.loadFixture(signatureFixture);
      const now = BigInt(await networkHelpers.time.latest());
      const stale = await signed({ nonce: 1n, validUntil: now + 5n });
      const later = await signed({ nonce: 2n });
      await networkHelpers.time.increaseTo(now + 10n);
      await expect(ledger.connect(stranger).grantBySig(stale.request, stale.signature)).to.be.revertedWithCustomError(ledger, "GrantWindowInvalid");
      await expect(ledger.connect(stranger).grantBySig(later.request, later.signature)).to.emit(ledger, "GrantIssued");
    });

    it("cancelGrantRequest kills one request and leaves the others relayable", async function () {
      const { ledger, holder, stranger, signed } = await networkHelpers.loadFixture(signatureFixture);
      const [a, b] = [await signed({ nonce: 10n }), await signed({ nonce: 11n })];
      await expect(ledger.connect(holder).cancelGrantRequest(10n)).to.emit(ledger, "GrantRequestCancelled").withArgs(holder.address, 10n);
      await expect(ledger.connect(stranger).grantBySig(a.request, a.signature)).to.be.revertedWithCustomError(ledger, "GrantRequestNonceUsed").withArgs(holder.address, 10n);
      await expect(ledger.connect(stranger).grantBySig(b.request, b.signature)).to.emit(ledger, "GrantIssued");
      await expect(ledger.connect(holder).cancelGrantRequest(11n)).to.be.revertedWithCustomError(ledger, "GrantRequestNonceUsed").withArgs(holder.address, 11n);
    });

    it("cancelAllGrantRequests kills every outstanding request, including one signed for any later counter", async function () {
      const { ledger, holder, stranger, signed } = await networkHelpers.loadFixture(signatureFixture);
      const outstanding = [await signed({ nonce: 1n }), await signed({ nonce: 2n })];
      // Signed in advance for what a counting counter would become next: never relayable.
      const presigned = [1n, 2n].map((counter) => signed({ nonce: 3n, counter }));
      const tx = await ledger.connect(holder).cancelAllGrantRequests();
      const counter = await ledger.grantRequestCounter(holder.address);
      await expect(tx).to.emit(ledger, "GrantRequestsCancelled").withArgs(holder.address, counter);
      expect(counter).to.not.equal(0n).and.to.not.equal(1n);
      for (const { request, signature } of [...outstanding, ...(await Promise.all(presigned))]) {
        await expect(ledger.connect(stranger).grantBySig(request, signature)).to.be.revertedWithCustomError(ledger, "GrantRequestCounterStale").withArgs(holder.address, request.counter, counter);
      }
      const fresh = await signed({ nonce: 1n, counter });
      await expect(ledger.connect(stranger).grantBySig(fresh.request, fresh.signature)).to.emit(ledger, "GrantIssued");
    });

    it("a request dies when the dataset's holding moves, even if the holding comes back", async function () {
      const { ledger, holder, other, stranger, dataset, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      await ledger.connect(holder).transferHolding(dataset.id, other.address);
      await ledger.connect(other).acceptHolding(dataset.id);
      await ledger.connect(other).transferHolding(dataset.id, holder.address);
      await ledger.connect(holder).acceptHolding(dataset.id);
      expect(await ledger.holderOf(dataset.id)).to.equal(holder.address);
      expect((await ledger.datasetOf(dataset.id)).transfers).to.equal(2n);
      await expect(ledger.connect(stranger).grantBySig(request, signature)).to.be.revertedWithCustomError(ledger, "GrantRequestHoldingMoved").withArgs(dataset.id, 0n, 2n);
    });

    it("cancelling works while the ledger is paused", async function () {
      const { ledger, admin, holder } = await networkHelpers.loadFixture(signatureFixture);
      await ledger.connect(admin).pause();
      await expect(ledger.connect(holder).cancelGrantRequest(5n)).to.emit(ledger, "GrantRequestCancelled");
      await expect(ledger.connect(holder).cancelAllGrantRequests()).to.emit(ledger, "GrantRequestsCancelled");
    });
  });

  describe("ERC-1271 holders", function () {
    it("issues a grant signed for a contract holder by its owner, and rejects anyone else's signature", async function () {
      const { ledger, address, holder, grantee, stranger, domain } = await networkHelpers.loadFixture(signatureFixture);
      const wallet = await ethers.deployContract("ERC1271Wallet", [holder.address]);
      const walletAddress = await wallet.getAddress();
      const contentHash = ethers.id("institutional dataset");
      await wallet.connect(holder).execute(address, ledger.interface.encodeFunctionData("register", [contentHash, ethers.ZeroHash, 0n, "", []]));
      const datasetId = await ledger.computeDatasetId(walletAddress, contentHash);
      expect(await ledger.holderOf(datasetId)).to.equal(walletAddress);
      const request = useRequest(walletAddress, datasetId, grantee.address, "audit");
      const byStranger = await stranger.signTypedData(domain, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, byStranger)).to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid").withArgs(walletAddress);
      const byOwner = await holder.signTypedData(domain, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, byOwner))
        .to.emit(ledger, "GrantIssued")
        .withArgs(computeGrantId({ ...request, grantor: walletAddress }), datasetId, grantee.address, walletAddress, Rights.USE, purposeHash("audit"), "audit", 0n, FOREVER, 0n, 0n);
    });

    it("lets only its owner act through the wallet, and passes the ledger's errors through", async function () {
      const { ledger, address, holder, stranger } = await networkHelpers.loadFixture(signatureFixture);
      const wallet = await ethers.deployContract("ERC1271Wallet", [holder.address]);
      await expect(wallet.connect(stranger).execute(address, "0x")).to.be.revertedWithCustomError(wallet, "ERC1271WalletUnauthorized").withArgs(stranger.address);
      const zeroHash = ledger.interface.encodeFunctionData("register", [ethers.ZeroHash, ethers.ZeroHash, 0n, "", []]);
      await expect(wallet.connect(holder).execute(address, zeroHash)).to.be.revertedWithCustomError(ledger, "DatasetContentHashZero");
    });
  });
});
