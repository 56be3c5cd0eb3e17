/**
 * Purpose classes, fee terms, the authority's caps and fee payments. What a grant owes is checked
 * against a model written from the rules in IGrantFees' notes, counting period starts one by one
 * rather than by the ledger's division.
 */
import { expect } from "chai";
import { network } from "hardhat";

import { PurposeClass, Rights, UsageAction } from "../../core/ids.js";
import { owedByRules } from "../helpers/fee-model.js";
import { currency, deployLedger, deployToken, type FeeTermsInput, feeTerms, FOREVER, oversightOf, registerDataset, sha256, ZERO_HASH } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const AUTHORITY_ROLE = ethers.id("AUTHORITY_ROLE");
const DAY = 86_400n;
const CNY = currency("CNY");
const USD = currency("USD");

async function feesFixture() {
  const f = await deployLedger(ethers);
  const oversight = await oversightOf(ethers, f.ledger);
  const authority = f.other;
  await f.ledger.connect(f.admin).grantRole(AUTHORITY_ROLE, authority.address);
  const dataset = await registerDataset(f.ledger, f.holder, "bus arrivals");
  const token = await deployToken(ethers, f.ledger, [f.grantee, f.stranger]);
  return { ...f, oversight, authority, dataset, token, tokenAddress: await token.getAddress() };
}
type Fixture = Awaited<ReturnType<typeof feesFixture>>;

/** Issues a grant with `terms` from the holder to the grantee; returns its id and window start. */
async function priced(f: Fixture, terms: FeeTermsInput, options: { validFrom?: bigint; validUntil?: bigint; quota?: bigint } = {}) {
  const tx = await f.ledger
    .connect(f.holder)
    .grantWithTerms(f.dataset.id, f.grantee.address, Rights.USE, "forecasting", options.validFrom ?? 0n, options.validUntil ?? FOREVER, options.quota ?? 0n, terms);
  const receipt = await tx.wait();
  const issued = receipt!.logs.map((l) => f.ledger.interface.parseLog(l)).find((l) => l?.name === "GrantIssued")!;
  return issued.args.grantId as string;
}

const now = async () => BigInt(await networkHelpers.time.latest());

describe("GrantFees", function () {
  describe("grantWithTerms", function () {
    it("issues the grant as grant does, then emits its fee terms field by field", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const terms = feeTerms({ currencyCode: CNY, unitPrice: 3n, periodFee: 500n, period: 30n * DAY });
      const start = (await now()) + 1n;
      const tx = f.ledger.connect(f.holder).grantWithTerms(f.dataset.id, f.grantee.address, Rights.USE, "forecasting", start, FOREVER, 50n, terms);
      await expect(tx).to.emit(f.ledger, "GrantIssued");
      const receipt = await (await tx).wait();
      const logs = receipt!.logs.map((l) => f.ledger.interface.parseLog(l)!);
      expect(logs.map((l) => l.name)).to.deep.equal(["GrantIssued", "GrantFeeTerms"]);
      const grantId = logs[0].args.grantId;
      expect([...logs[1].args]).to.deep.equal([grantId, BigInt(PurposeClass.Commercial), ethers.ZeroAddress, CNY, 3n, 500n, 30n * DAY]);
      const stored = await f.ledger.grantOf(grantId);
      expect([stored.grantee, stored.datasetId, stored.rights, stored.quota, stored.used]).to.deep.equal([f.grantee.address, f.dataset.id, BigInt(Rights.USE), 50n, 0n]);
      expect(await f.ledger.feesOf(grantId, terms)).to.deep.equal([500n, 0n]);
    });

    it("issues free grants for public governance and public welfare, and refuses any fee on them", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      for (const purposeClass of [PurposeClass.PublicGovernance, PurposeClass.PublicWelfare]) {
        const grantId = await priced(f, feeTerms({ purposeClass }));
        expect(await f.ledger.feesOf(grantId, feeTerms({ purposeClass }))).to.deep.equal([0n, 0n]);
        for (const fee of [{ unitPrice: 1n }, { periodFee: 1n, period: DAY }]) {
          await expect(priced(f, feeTerms({ purposeClass, currencyCode: CNY, ...fee }), { validFrom: FOREVER - 1n }))
            .to.be.revertedWithCustomError(f.ledger, "FeeOnFreePurpose")
            .withArgs(purposeClass);
        }
      }
    });

    it("refuses terms without a purpose class, with no or two currencies, a currency on free terms, and a period without its fee", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      await expect(priced(f, feeTerms({ purposeClass: PurposeClass.Unclassified }))).to.be.revertedWithCustomError(f.ledger, "FeePurposeUnclassified");
      for (const bad of [{ unitPrice: 1n }, { unitPrice: 1n, currencyCode: CNY, token: f.tokenAddress }, { currencyCode: CNY }, { token: f.tokenAddress }]) {
        await expect(priced(f, feeTerms(bad))).to.be.revertedWithCustomError(f.ledger, "FeeCurrencyInvalid");
      }
      for (const bad of [
        { unitPrice: 1n, currencyCode: CNY, period: DAY },
        { currencyCode: CNY, periodFee: 1n },
      ]) {
        await expect(priced(f, feeTerms(bad))).to.be.revertedWithCustomError(f.ledger, "FeePeriodInvalid");
      }
    });

    it("checks the grant before its terms, as grant does, and is stopped by the pause", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const bad = feeTerms({ purposeClass: PurposeClass.PublicWelfare, unitPrice: 1n });
      await expect(f.ledger.connect(f.stranger).grantWithTerms(f.dataset.id, f.grantee.address, Rights.USE, "x", 0n, FOREVER, 0n, bad)).to.be.revertedWithCustomError(
        f.ledger,
        "DatasetUnauthorizedAccount",
      );
      await f.ledger.connect(f.admin).pause();
      await expect(priced(f, feeTerms())).to.be.revertedWithCustomError(f.ledger, "EnforcedPause");
    });
  });

  describe("caps", function () {
    it("holds a priced grant to the cap in its currency, per unit and per day of period, from when it is set", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const before = feeTerms({ currencyCode: CNY, unitPrice: 9n });
      const early = await priced(f, before);
      const cap = { token: ethers.ZeroAddress, currencyCode: CNY, maxUnitPrice: 5n, maxDailyFee: 100n };
      await expect(f.oversight.connect(f.authority).setFeeCap(f.dataset.id, cap)).to.emit(f.oversight, "FeeCapSet").withArgs(f.dataset.id, f.authority.address, ethers.ZeroAddress, CNY, 5n, 100n);
      expect([...(await f.oversight.feeCapOf(f.dataset.id))]).to.deep.equal([ethers.ZeroAddress, CNY, 5n, 100n]);

      const later = { validFrom: FOREVER - 1n };
      await priced(f, feeTerms({ currencyCode: CNY, unitPrice: 5n, periodFee: 700n, period: 7n * DAY }), later);
      await expect(priced(f, feeTerms({ currencyCode: CNY, unitPrice: 6n })))
        .to.be.revertedWithCustomError(f.ledger, "FeeUnitPriceAboveCap")
        .withArgs(f.dataset.id, 6n, 5n);
      await expect(priced(f, feeTerms({ currencyCode: CNY, periodFee: 701n, period: 7n * DAY }), later))
        .to.be.revertedWithCustomError(f.ledger, "FeePeriodFeeAboveCap")
        .withArgs(f.dataset.id, 701n, 7n * DAY, 100n);
      await expect(priced(f, feeTerms({ currencyCode: USD, unitPrice: 1n })))
        .to.be.revertedWithCustomError(f.ledger, "FeeCurrencyNotCapped")
        .withArgs(f.dataset.id, ethers.ZeroAddress, CNY);
      // Free terms need no cap; a grant issued before the cap keeps its terms.
      await priced(f, feeTerms({ purposeClass: PurposeClass.PublicWelfare }));
      expect((await f.ledger.feesOf(early, before))[0]).to.equal(0n);

      await f.oversight.connect(f.authority).setFeeCap(f.dataset.id, { token: ethers.ZeroAddress, currencyCode: "0x000000", maxUnitPrice: 0n, maxDailyFee: 0n });
      await priced(f, feeTerms({ currencyCode: USD, unitPrice: 1_000n }));
    });

    it("is set by the authority alone, on a known dataset, in at most one currency", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const cap = { token: ethers.ZeroAddress, currencyCode: CNY, maxUnitPrice: 5n, maxDailyFee: 100n };
      for (const who of [f.holder, f.admin, f.stranger]) {
        await expect(f.oversight.connect(who).setFeeCap(f.dataset.id, cap)).to.be.revertedWithCustomError(f.oversight, "OversightUnauthorizedAccount").withArgs(who.address, AUTHORITY_ROLE);
      }
      await expect(f.oversight.connect(f.authority).setFeeCap(sha256("nothing"), cap)).to.be.revertedWithCustomError(f.oversight, "OversightDatasetUnknown");
      await expect(f.oversight.connect(f.authority).setFeeCap(f.dataset.id, { ...cap, token: f.tokenAddress })).to.be.revertedWithCustomError(f.oversight, "OversightCurrencyInvalid");
    });

    it("records an operator's yearly revenue ceiling, set by the authority in exactly one currency", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      await expect(f.oversight.connect(f.authority).setRevenueCeiling(f.holder.address, 2026, ethers.ZeroAddress, CNY, 1_000_000n))
        .to.emit(f.oversight, "RevenueCeilingSet")
        .withArgs(f.holder.address, 2026, f.authority.address, ethers.ZeroAddress, CNY, 1_000_000n);
      await expect(f.oversight.connect(f.holder).setRevenueCeiling(f.holder.address, 2026, ethers.ZeroAddress, CNY, 1n)).to.be.revertedWithCustomError(f.oversight, "OversightUnauthorizedAccount");
      for (const [token, code] of [
        [ethers.ZeroAddress, "0x000000"],
        [f.tokenAddress, CNY],
      ]) {
        await expect(f.oversight.connect(f.authority).setRevenueCeiling(f.holder.address, 2026, token, code, 1n)).to.be.revertedWithCustomError(f.oversight, "OversightCurrencyInvalid");
      }
    });
  });

  describe("what a grant owes", function () {
    it("follows the rules' sum as units are used, settled by a gateway and periods start, and stops at the window's end", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const start = (await now()) + 100n;
      const validUntil = start + 10n * DAY - 1n;
      const terms = feeTerms({ token: f.tokenAddress, unitPrice: 7n, periodFee: 1_000n, period: 3n * DAY });
      const grantId = await priced(f, terms, { validFrom: start, validUntil });
      const model = async () => owedByRules({ used: (await f.ledger.grantOf(grantId)).used, terms, validFrom: start, validUntil, now: await now() });
      expect((await f.ledger.feesOf(grantId, terms))[0]).to.equal(0n);
      await networkHelpers.time.increaseTo(start);
      await f.ledger.connect(f.grantee).recordUsage(grantId, UsageAction.Use, 4n, ZERO_HASH);
      expect((await f.ledger.feesOf(grantId, terms))[0]).to.equal(await model());
      await f.ledger.connect(f.holder).settleUsage(f.holder.address, 1n, sha256("receipts"), 9, [{ grantId, action: UsageAction.Use, units: 9n }]);
      expect((await f.ledger.feesOf(grantId, terms))[0]).to.equal(await model());
      for (const step of [3n * DAY - 2n, 1n, 1n, 4n * DAY, 30n * DAY]) {
        await networkHelpers.time.increase(step);
        await networkHelpers.mine();
        expect((await f.ledger.feesOf(grantId, terms))[0], `after ${step} s`).to.equal(await model());
      }
      // Ten days from the start: periods start on days 0, 3, 6 and 9.
      expect((await f.ledger.feesOf(grantId, terms))[0]).to.equal(13n * 7n + 4n * 1_000n);
    });

    it("stops the period fees when the grant is revoked, and refuses terms other than its own", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const terms = feeTerms({ currencyCode: CNY, periodFee: 10n, period: DAY });
      await expect(priced(f, terms, { validFrom: await now() }))
        .to.be.revertedWithCustomError(f.ledger, "FeePeriodStartPast")
        .withArgs(await now(), (await now()) + 1n);
      const start = (await now()) + 1n;
      const grantId = await priced(f, terms, { validFrom: start });
      await networkHelpers.time.increase(2n * DAY);
      await f.ledger.connect(f.holder).revoke(grantId);
      const endedAt = await now();
      await networkHelpers.time.increase(5n * DAY);
      await networkHelpers.mine();
      const expected = owedByRules({ used: 0n, terms, validFrom: start, validUntil: FOREVER, endedAt, now: await now() });
      expect(await f.ledger.feesOf(grantId, terms)).to.deep.equal([expected, 0n]);
      expect(expected).to.equal(30n);
      await expect(f.ledger.feesOf(grantId, { ...terms, periodFee: 1n }))
        .to.be.revertedWithCustomError(f.ledger, "FeeTermsMismatch")
        .withArgs(grantId);
      const plain = await (await f.ledger.connect(f.holder).grant(f.dataset.id, f.grantee.address, Rights.USE, "plain", 0n, FOREVER, 0n)).wait();
      const plainId = f.ledger.interface.parseLog(plain!.logs[0])!.args.grantId;
      await expect(f.ledger.feesOf(plainId, feeTerms())).to.be.revertedWithCustomError(f.ledger, "FeeTermsMismatch");
    });
  });

  describe("payFees and acknowledgeFees", function () {
    it("moves what is due from the payer to the dataset's current holder, and counts it once", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const terms = feeTerms({ token: f.tokenAddress, unitPrice: 25n });
      // The test token keeps two decimals, as fen are of a yuan: 25 base units are 0.25 of it.
      expect(await f.token.decimals()).to.equal(2n);
      const grantId = await priced(f, terms);
      await f.ledger.connect(f.grantee).recordUsage(grantId, UsageAction.Use, 4n, ZERO_HASH);
      const [grantee0, holder0] = [await f.token.balanceOf(f.grantee.address), await f.token.balanceOf(f.holder.address)];
      await expect(f.ledger.connect(f.grantee).payFees(grantId, terms, f.tokenAddress, 60n))
        .to.emit(f.ledger, "FeesPaid")
        .withArgs(grantId, f.grantee.address, f.holder.address, f.tokenAddress, 60n, 60n);
      await expect(f.ledger.connect(f.grantee).payFees(grantId, terms, f.tokenAddress, 41n))
        .to.be.revertedWithCustomError(f.ledger, "FeePaymentAmountInvalid")
        .withArgs(grantId, 41n, 40n);
      await expect(f.ledger.connect(f.grantee).payFees(grantId, terms, f.tokenAddress, 0n)).to.be.revertedWithCustomError(f.ledger, "FeePaymentAmountInvalid");
      // The holding moves: the rest is paid to the new holder, by someone else.
      await f.ledger.connect(f.holder).transferHolding(f.dataset.id, f.other.address);
      await f.ledger.connect(f.other).acceptHolding(f.dataset.id);
      await expect(f.ledger.connect(f.stranger).payFees(grantId, terms, f.tokenAddress, 40n))
        .to.emit(f.ledger, "FeesPaid")
        .withArgs(grantId, f.stranger.address, f.other.address, f.tokenAddress, 40n, 100n);
      expect(await f.token.balanceOf(f.grantee.address)).to.equal(grantee0 - 60n);
      expect(await f.token.balanceOf(f.holder.address)).to.equal(holder0 + 60n);
      expect(await f.token.balanceOf(f.other.address)).to.equal(40n);
      expect(await f.ledger.feesOf(grantId, terms)).to.deep.equal([100n, 100n]);
      await expect(f.ledger.connect(f.grantee).payFees(grantId, terms, f.tokenAddress, 1n))
        .to.be.revertedWithCustomError(f.ledger, "FeePaymentAmountInvalid")
        .withArgs(grantId, 1n, 0n);
    });

    it("refuses the wrong token, other terms, off-chain terms, a payer without allowance, and the pause", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const terms = feeTerms({ token: f.tokenAddress, unitPrice: 25n });
      const grantId = await priced(f, terms);
      await f.ledger.connect(f.grantee).recordUsage(grantId, UsageAction.Use, 4n, ZERO_HASH);
      const other = await deployToken(ethers, f.ledger, [f.grantee]);
      await expect(f.ledger.connect(f.grantee).payFees(grantId, terms, await other.getAddress(), 10n))
        .to.be.revertedWithCustomError(f.ledger, "FeePaymentWrongToken")
        .withArgs(grantId, f.tokenAddress, await other.getAddress());
      await expect(f.ledger.connect(f.grantee).payFees(grantId, { ...terms, unitPrice: 1n }, f.tokenAddress, 1n)).to.be.revertedWithCustomError(f.ledger, "FeeTermsMismatch");
      await expect(f.ledger.connect(f.holder).payFees(grantId, terms, f.tokenAddress, 10n)).to.be.revertedWithCustomError(f.token, "ERC20InsufficientAllowance");
      const offChain = feeTerms({ currencyCode: CNY, unitPrice: 25n });
      const offChainId = await priced(f, offChain);
      await f.ledger.connect(f.grantee).recordUsage(offChainId, UsageAction.Use, 1n, ZERO_HASH);
      await expect(f.ledger.connect(f.grantee).payFees(offChainId, offChain, f.tokenAddress, 25n))
        .to.be.revertedWithCustomError(f.ledger, "FeesPayableOffChain")
        .withArgs(offChainId);
      await f.ledger.connect(f.admin).pause();
      await expect(f.ledger.connect(f.grantee).payFees(grantId, terms, f.tokenAddress, 10n)).to.be.revertedWithCustomError(f.ledger, "EnforcedPause");
      expect(await f.ledger.feesOf(grantId, terms)).to.deep.equal([100n, 0n]);
    });

    it("lets the holder alone acknowledge a payment made off the ledger, up to what is due", async function () {
      const f = await networkHelpers.loadFixture(feesFixture);
      const terms = feeTerms({ currencyCode: CNY, unitPrice: 300n });
      const grantId = await priced(f, terms);
      await f.ledger.connect(f.grantee).recordUsage(grantId, UsageAction.Use, 2n, ZERO_HASH);
      const ref = sha256("bank transfer 2026-11-30 #4471");
      await expect(f.ledger.connect(f.grantee).acknowledgeFees(grantId, terms, 600n, ref)).to.be.revertedWithCustomError(f.ledger, "DatasetUnauthorizedAccount");
      await expect(f.ledger.connect(f.holder).acknowledgeFees(grantId, terms, 601n, ref)).to.be.revertedWithCustomError(f.ledger, "FeePaymentAmountInvalid");
      await expect(f.ledger.connect(f.holder).acknowledgeFees(grantId, terms, 600n, ref))
        .to.emit(f.ledger, "FeesAcknowledged")
        .withArgs(grantId, f.holder.address, 600n, 600n, ref);
      expect(await f.ledger.feesOf(grantId, terms)).to.deep.equal([600n, 600n]);
    });
  });

  describe("a token that misbehaves", function () {
    /** A grant priced at 10 a unit in a HostileToken the grantee holds and has approved, with 5 units used: 50 owed. */
    async function hostileFixture() {
      const f = await networkHelpers.loadFixture(feesFixture);
      const token = await ethers.deployContract("HostileToken", ["Hostile", "HST"]);
      const tokenAddress = await token.getAddress();
      await token.mint(f.grantee.address, 1_000n);
      await token.connect(f.grantee).approve(f.address, 1_000n);
      const terms = feeTerms({ token: tokenAddress, unitPrice: 10n });
      const grantId = await priced(f, terms);
      await f.ledger.connect(f.grantee).recordUsage(grantId, UsageAction.Use, 5n, ZERO_HASH);
      return { ...f, hostile: token, hostileAddress: tokenAddress, terms, grantId };
    }

    it("a token calling back into payFees during the transfer finds nothing more due: the grant is paid once, the holder once", async function () {
      const f = await hostileFixture();
      await f.hostile.armReentry(f.address, f.grantId, f.terms, 1n);
      const receipt = await (await f.ledger.connect(f.grantee).payFees(f.grantId, f.terms, f.hostileAddress, 50n)).wait();
      expect(await f.ledger.feesOf(f.grantId, f.terms)).to.deep.equal([50n, 50n]);
      expect(await f.hostile.balanceOf(f.holder.address)).to.equal(50n);
      expect(await f.hostile.balanceOf(f.grantee.address)).to.equal(950n);
      expect(receipt!.logs.map((l) => f.ledger.interface.parseLog(l)?.name).filter((name) => name === "FeesPaid")).to.have.length(1);
      // The call back was made, and the ledger refused it: the payment was counted before the transfer.
      expect(await f.hostile.reentriesSucceeded()).to.equal(0n);
      const refusal = f.ledger.interface.parseError(await f.hostile.reentryError())!;
      expect([refusal.name, ...refusal.args]).to.deep.equal(["FeePaymentAmountInvalid", f.grantId, 1n, 0n]);
    });

    it("a call back that pays what is still due is a second payment, counted as such: never more than owed in all", async function () {
      const f = await hostileFixture();
      await f.hostile.mint(f.hostileAddress, 20n);
      await f.hostile.armReentry(f.address, f.grantId, f.terms, 20n);
      // The grantee pays 30 of the 50; inside the transfer the token pays the other 20 itself.
      const receipt = await (await f.ledger.connect(f.grantee).payFees(f.grantId, f.terms, f.hostileAddress, 30n)).wait();
      expect(await f.hostile.reentriesSucceeded()).to.equal(1n);
      const paid = receipt!.logs.map((l) => f.ledger.interface.parseLog(l)).filter((l) => l?.name === "FeesPaid");
      // The outer payment was counted first (paid in all 30), the call back's after it (50).
      expect(paid.map((l) => [l!.args.payer, l!.args.amount, l!.args.paidTotal])).to.deep.equal([
        [f.grantee.address, 30n, 30n],
        [f.hostileAddress, 20n, 50n],
      ]);
      expect(await f.ledger.feesOf(f.grantId, f.terms)).to.deep.equal([50n, 50n]);
      expect(await f.hostile.balanceOf(f.holder.address)).to.equal(50n);
    });

    it("a token whose transfer returns false is refused by SafeERC20, and nothing of the payment is counted", async function () {
      const f = await hostileFixture();
      await f.hostile.setMode(1); // ReturnFalse
      await expect(f.ledger.connect(f.grantee).payFees(f.grantId, f.terms, f.hostileAddress, 50n))
        .to.be.revertedWithCustomError(f.ledger, "SafeERC20FailedOperation")
        .withArgs(f.hostileAddress);
      expect(await f.ledger.feesOf(f.grantId, f.terms)).to.deep.equal([50n, 0n]);
      expect(await f.hostile.balanceOf(f.holder.address)).to.equal(0n);
      // Honest again, the same payment goes through.
      await f.hostile.setMode(0);
      await f.ledger.connect(f.grantee).payFees(f.grantId, f.terms, f.hostileAddress, 50n);
      expect(await f.ledger.feesOf(f.grantId, f.terms)).to.deep.equal([50n, 50n]);
    });
  });
});
