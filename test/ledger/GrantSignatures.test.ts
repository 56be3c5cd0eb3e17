import { expect } from "chai";
import { Signature, TypedDataEncoder } from "ethers";
import { network } from "hardhat";

import { type GrantRequest, grantRequestDomain, GRANT_REQUEST_TYPES } from "../../server/chain/grant-request.js";
import { grantId as computeGrantId, purposeHash, Rights } from "../../server/chain/ids.js";
import { deployLedger, FOREVER, registerDataset } from "../helpers/fixtures.js";

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
    grantee: f.grantee.address,
    rights: Rights.USE | Rights.PROCESS,
    purpose: "prévision du trafic 交通予測",
    validFrom: 0n,
    validUntil: FOREVER,
    quota: 250n,
    nonce: 0n,
    deadline: now + 3600n,
  };
  const signature = await f.holder.signTypedData(domain, GRANT_REQUEST_TYPES, request);
  return { ...f, dataset, domain, request, signature, chainId };
}

describe("GrantSignatures", function () {
  describe("grantBySig", function () {
    it("issues the signed grant for whoever relays it, and spends the holder's nonce", async function () {
      const { ledger, holder, grantee, stranger, dataset, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      const expected = computeGrantId({ ...request, grantor: holder.address });
      await expect(ledger.connect(stranger).grantBySig(request, signature))
        .to.emit(ledger, "GrantIssued")
        .withArgs(expected, dataset.id, grantee.address, holder.address, request.rights, purposeHash(request.purpose), request.purpose, 0n, FOREVER, 250n, 0n);
      expect(await ledger.nonces(holder.address)).to.equal(1n);
      expect((await ledger.grantOf(expected)).grantee).to.equal(grantee.address);
    });

    it("hashes the request exactly as ethers' TypedDataEncoder does", async function () {
      const { ledger, domain, request } = await networkHelpers.loadFixture(signatureFixture);
      expect(await ledger.hashGrantRequest(request)).to.equal(TypedDataEncoder.hash(domain, GRANT_REQUEST_TYPES, request));
    });

    it("rejects a replay with InvalidAccountNonce", async function () {
      const { ledger, holder, stranger, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      await ledger.connect(stranger).grantBySig(request, signature);
      await expect(ledger.connect(stranger).grantBySig(request, signature))
        .to.be.revertedWithCustomError(ledger, "InvalidAccountNonce")
        .withArgs(holder.address, 1n);
    });

    it("rejects a signature made for another chain id or another ledger", async function () {
      const { ledger, holder, stranger, domain, request } = await networkHelpers.loadFixture(signatureFixture);
      const otherChain = await holder.signTypedData({ ...domain, chainId: 1n }, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, otherChain))
        .to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid")
        .withArgs(holder.address);
      const twin = await deployLedger(ethers);
      const otherLedger = await holder.signTypedData({ ...domain, verifyingContract: twin.address }, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, otherLedger))
        .to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid")
        .withArgs(holder.address);
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
      await expect(ledger.connect(stranger).grantBySig(forged, signature))
        .to.be.revertedWithCustomError(ledger, "DatasetUnauthorizedAccount")
        .withArgs(request.datasetId, stranger.address);
    });

    it("rejects a request signed by someone else in the holder's name, or altered by the relayer", async function () {
      const { ledger, holder, stranger, domain, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      const impostor = await stranger.signTypedData(domain, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, impostor))
        .to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid")
        .withArgs(holder.address);
      for (const altered of [{ quota: 251n }, { grantee: stranger.address }, { purpose: "anything" }, { rights: 7 }, { validUntil: FOREVER - 1n }]) {
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
      await expect(ledger.connect(stranger).grantBySig(request, twin))
        .to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid")
        .withArgs(holder.address);
    });
  });

  describe("cancelGrantSignatures", function () {
    it("spends the nonce, so an outstanding signature can no longer be relayed", async function () {
      const { ledger, holder, stranger, request, signature } = await networkHelpers.loadFixture(signatureFixture);
      await expect(ledger.connect(holder).cancelGrantSignatures()).to.emit(ledger, "GrantSignaturesCancelled").withArgs(holder.address, 0n);
      await expect(ledger.connect(stranger).grantBySig(request, signature))
        .to.be.revertedWithCustomError(ledger, "InvalidAccountNonce")
        .withArgs(holder.address, 1n);
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
      const request: GrantRequest = {
        holder: walletAddress,
        datasetId,
        grantee: grantee.address,
        rights: Rights.USE,
        purpose: "audit",
        validFrom: 0n,
        validUntil: FOREVER,
        quota: 0n,
        nonce: 0n,
        deadline: FOREVER,
      };
      const byStranger = await stranger.signTypedData(domain, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, byStranger))
        .to.be.revertedWithCustomError(ledger, "GrantSignatureInvalid")
        .withArgs(walletAddress);
      const byOwner = await holder.signTypedData(domain, GRANT_REQUEST_TYPES, request);
      await expect(ledger.connect(stranger).grantBySig(request, byOwner))
        .to.emit(ledger, "GrantIssued")
        .withArgs(computeGrantId({ ...request, grantor: walletAddress }), datasetId, grantee.address, walletAddress, Rights.USE, purposeHash("audit"), "audit", 0n, FOREVER, 0n, 0n);
    });

    it("lets only its owner act through the wallet, and passes the ledger's errors through", async function () {
      const { ledger, address, holder, stranger } = await networkHelpers.loadFixture(signatureFixture);
      const wallet = await ethers.deployContract("ERC1271Wallet", [holder.address]);
      await expect(wallet.connect(stranger).execute(address, "0x"))
        .to.be.revertedWithCustomError(wallet, "ERC1271WalletUnauthorized")
        .withArgs(stranger.address);
      const zeroHash = ledger.interface.encodeFunctionData("register", [ethers.ZeroHash, ethers.ZeroHash, 0n, "", []]);
      await expect(wallet.connect(holder).execute(address, zeroHash)).to.be.revertedWithCustomError(ledger, "DatasetContentHashZero");
    });
  });
});
