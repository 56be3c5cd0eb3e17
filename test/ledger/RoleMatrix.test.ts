/**
 * Who may call what: every state-changing function of the ledger, called by each of five actors,
 * against a table of expected outcomes. One test per cell, generated from the table.
 *
 * The state each cell starts from: the holder holds dataset D (and D2, offered to the grantee); the
 * grantee holds grant G on D (all rights) and grant P on D, priced in a test token, with 4 units
 * used; every actor has the token and allowed the ledger to spend it; the admin deployed the ledger
 * (default admin, behind a three-day handover delay, and pauser) and holds the authority and arbiter
 * roles; the
 * relayer and the stranger hold nothing. The relayer is the account that carries the holder's
 * signed grant request, and the holder's meter where a row appoints it; for anything else it is one
 * more stranger.
 */
import { expect } from "chai";
import { Interface } from "ethers";
import { network } from "hardhat";

import ledgerAbi from "../../core/ledger-abi.json" with { type: "json" };
import { grantRequestDomain, GRANT_REQUEST_TYPES, type GrantRequest } from "../../core/grant-request.js";
import { ObjectionTarget, Rights, UsageAction } from "../../core/ids.js";
import oversightAbi from "../../core/oversight-abi.json" with { type: "json" };
import { ADMIN_DELAY, currency, deployLedger, deployToken, feeTerms, FOREVER, issueGrant, METADATA_URI, NO_PARENTS, oversightOf, registerDataset, sha256, ZERO_HASH } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const ACTORS = ["holder", "grantee", "stranger", "relayer", "admin"] as const;
type Actor = (typeof ACTORS)[number];
type Outcome = { ok: string } | { error: string };

const ok = (event: string): Outcome => ({ ok: event });
const error = (name: string): Outcome => ({ error: name });
/** The same outcome for every actor but the named ones. */
const only = (allowed: Actor[], event: string, otherwise: string): Record<Actor, Outcome> =>
  Object.fromEntries(ACTORS.map((a) => [a, allowed.includes(a) ? ok(event) : error(otherwise)])) as Record<Actor, Outcome>;
const everyone = (event: string) => only([...ACTORS], event, "");

async function matrixFixture() {
  const f = await deployLedger(ethers);
  const relayer = f.other;
  const d = await registerDataset(f.ledger, f.holder, "D");
  const d2 = await registerDataset(f.ledger, f.holder, "D2");
  await f.ledger.connect(f.holder).transferHolding(d2.id, f.grantee.address);
  const g = await issueGrant(f.ledger, f.holder, d.id, f.grantee.address, { rights: Rights.USE | Rights.PROCESS | Rights.OPERATE_PRODUCT, quota: 1_000n });
  const { chainId } = await ethers.provider.getNetwork();
  const request: GrantRequest = {
    holder: f.holder.address,
    datasetId: d.id,
    transfers: 0n,
    grantee: f.stranger.address,
    rights: Rights.USE,
    purpose: "signed",
    validFrom: 0n,
    validUntil: FOREVER,
    quota: 5n,
    counter: 0n,
    nonce: 0n,
    deadline: FOREVER,
  };
  const signature = await f.holder.signTypedData(grantRequestDomain(chainId, f.address), GRANT_REQUEST_TYPES, request);
  const signers: Record<Actor, typeof f.holder> = { holder: f.holder, grantee: f.grantee, stranger: f.stranger, relayer, admin: f.admin };
  const oversight = await oversightOf(ethers, f.ledger);
  await f.ledger.connect(f.admin).grantRole(ethers.id("AUTHORITY_ROLE"), f.admin.address);
  await f.ledger.connect(f.admin).grantRole(ethers.id("ARBITER_ROLE"), f.admin.address);
  const token = await deployToken(ethers, f.ledger, Object.values(signers));
  const terms = feeTerms({ token: await token.getAddress(), unitPrice: 10n });
  const priced = await (await f.ledger.connect(f.holder).grantWithTerms(d.id, f.grantee.address, Rights.USE, "priced", 0n, FOREVER, 0n, terms)).wait();
  const p = f.ledger.interface.parseLog(priced!.logs[0])!.args.grantId as string;
  await f.ledger.connect(f.grantee).recordUsage(p, UsageAction.Use, 4n, ZERO_HASH);
  return { ...f, signers, d: d.id, d2: d2.id, g, p, terms, token: await token.getAddress(), oversight, request, signature };
}
type Fixture = Awaited<ReturnType<typeof matrixFixture>>;

const PAUSER_ROLE = ethers.id("PAUSER_ROLE");
const ADMIN_ROLE = ZERO_HASH;
const fresh = (label: string) => [sha256(`fresh ${label}`), sha256(`fresh root ${label}`), 3n, METADATA_URI] as const;

const CAP = { token: "0x0000000000000000000000000000000000000000", currencyCode: currency("CNY"), maxUnitPrice: 5n, maxDailyFee: 100n };

/** Rows on the oversight contract name it; the rest are the ledger's. */
const MATRIX: {
  fn: string;
  on?: "oversight";
  call: (f: Fixture, actor: Actor) => Promise<unknown>;
  expected: Record<Actor, Outcome>;
  setup?: (f: Fixture) => Promise<unknown>;
}[] = [
  { fn: "register (own data)", call: (f, a) => f.ledger.register(...fresh(a), NO_PARENTS), expected: everyone("DatasetRegistered") },
  {
    fn: "registerBatch (own data)",
    call: (f, a) => f.ledger.registerBatch([{ contentHash: fresh(a)[0], merkleRoot: fresh(a)[1], recordCount: 3n, metadataURI: METADATA_URI, parents: NO_PARENTS }]),
    expected: everyone("DatasetRegistered"),
  },
  {
    fn: "register deriving from D under G",
    call: (f, a) => f.ledger.register(...fresh(a), [{ datasetId: f.d, grantId: f.g }]),
    expected: only(["grantee"], "DatasetRegistered", "GrantUnauthorizedAccount"),
  },
  { fn: "registerVersion of D", call: (f, a) => f.ledger.registerVersion(f.d, ...fresh(a), NO_PARENTS), expected: only(["holder"], "DatasetRegistered", "DatasetUnauthorizedAccount") },
  { fn: "transferHolding of D", call: (f) => f.ledger.transferHolding(f.d, f.signers.stranger.address), expected: only(["holder"], "HoldingTransferOffered", "DatasetUnauthorizedAccount") },
  { fn: "acceptHolding of D2", call: (f) => f.ledger.acceptHolding(f.d2), expected: only(["grantee"], "HoldingTransferred", "HoldingInvalidReceiver") },
  { fn: "retire D", call: (f) => f.ledger.retire(f.d), expected: only(["holder"], "DatasetRetired", "DatasetUnauthorizedAccount") },
  { fn: "grant on D", call: (f) => f.ledger.grant(f.d, f.signers.stranger.address, Rights.USE, "matrix", 0n, FOREVER, 1n), expected: only(["holder"], "GrantIssued", "DatasetUnauthorizedAccount") },
  { fn: "grantBySig (holder's signed request)", call: (f) => f.ledger.grantBySig(f.request, f.signature), expected: everyone("GrantIssued") },
  { fn: "cancelGrantRequest (own nonce)", call: (f) => f.ledger.cancelGrantRequest(7n), expected: everyone("GrantRequestCancelled") },
  { fn: "cancelAllGrantRequests (own requests)", call: (f) => f.ledger.cancelAllGrantRequests(), expected: everyone("GrantRequestsCancelled") },
  { fn: "revoke G", call: (f) => f.ledger.revoke(f.g), expected: only(["holder"], "GrantRevoked", "DatasetUnauthorizedAccount") },
  { fn: "renounce G", call: (f) => f.ledger.renounce(f.g), expected: only(["grantee"], "GrantRenounced", "GrantUnauthorizedAccount") },
  { fn: "recordUsage under G", call: (f) => f.ledger.recordUsage(f.g, UsageAction.Use, 1n, ZERO_HASH), expected: only(["grantee"], "UsageRecorded", "GrantUnauthorizedAccount") },
  {
    fn: "recordUsageBatch under G",
    call: (f) => f.ledger.recordUsageBatch([{ grantId: f.g, action: UsageAction.Process, units: 2n, outputRef: ZERO_HASH }]),
    expected: only(["grantee"], "UsageRecorded", "GrantUnauthorizedAccount"),
  },
  { fn: "appointMeter (own meter)", call: (f) => f.ledger.appointMeter(f.signers.relayer.address), expected: everyone("MeterAppointed") },
  { fn: "dismissMeter (own meter)", call: (f) => f.ledger.dismissMeter(f.signers.relayer.address), expected: everyone("MeterDismissed") },
  {
    fn: "settleUsage of the holder's epoch (the relayer is its meter)",
    setup: (f) => f.ledger.connect(f.holder).appointMeter(f.signers.relayer.address),
    call: (f) => f.ledger.settleUsage(f.holder.address, 1n, sha256("receipts"), 1, [{ grantId: f.g, action: UsageAction.Use, units: 1n }]),
    expected: only(["holder", "relayer"], "EpochSettled", "SettlementUnauthorized"),
  },
  {
    fn: "grantWithTerms on D",
    call: (f) => f.ledger.grantWithTerms(f.d, f.signers.stranger.address, Rights.USE, "matrix", 0n, FOREVER, 1n, feeTerms({ currencyCode: currency("CNY"), unitPrice: 2n })),
    expected: only(["holder"], "GrantFeeTerms", "DatasetUnauthorizedAccount"),
  },
  { fn: "payFees on P (anyone may pay)", call: (f) => f.ledger.payFees(f.p, f.terms, f.token, 40n), expected: everyone("FeesPaid") },
  { fn: "acknowledgeFees on P", call: (f) => f.ledger.acknowledgeFees(f.p, f.terms, 40n, ZERO_HASH), expected: only(["holder"], "FeesAcknowledged", "DatasetUnauthorizedAccount") },
  { fn: "enforceRuling (the oversight contract's alone)", call: (f) => f.ledger.enforceRuling(ObjectionTarget.Grant, f.g, 1n), expected: only([], "", "RulingUnauthorized") },
  { fn: "setFeeCap on D", on: "oversight", call: (f) => f.oversight.setFeeCap(f.d, CAP), expected: only(["admin"], "FeeCapSet", "OversightUnauthorizedAccount") },
  {
    fn: "setRevenueCeiling of the holder",
    on: "oversight",
    call: (f) => f.oversight.setRevenueCeiling(f.holder.address, 2026, CAP.token, CAP.currencyCode, 1_000n),
    expected: only(["admin"], "RevenueCeilingSet", "OversightUnauthorizedAccount"),
  },
  { fn: "fileObjection on D", on: "oversight", call: (f) => f.oversight.fileObjection(ObjectionTarget.Dataset, f.d, "matrix", ZERO_HASH), expected: everyone("ObjectionFiled") },
  {
    fn: "answerObjection on D",
    on: "oversight",
    setup: (f) => f.oversight.connect(f.signers.stranger).fileObjection(ObjectionTarget.Dataset, f.d, "matrix", ZERO_HASH),
    call: (f) => f.oversight.answerObjection(1n, "answer", ZERO_HASH),
    expected: only(["holder"], "ObjectionAnswered", "ObjectionUnauthorizedHolder"),
  },
  {
    fn: "ruleOnObjection on D",
    on: "oversight",
    setup: async (f) => {
      await f.oversight.connect(f.signers.stranger).fileObjection(ObjectionTarget.Dataset, f.d, "matrix", ZERO_HASH);
      await f.oversight.connect(f.holder).answerObjection(1n, "answer", ZERO_HASH);
    },
    call: (f) => f.oversight.ruleOnObjection(1n, false, "rejected"),
    expected: only(["admin"], "ObjectionRuled", "OversightUnauthorizedAccount"),
  },
  { fn: "pause", call: (f) => f.ledger.pause(), expected: only(["admin"], "Paused", "AccessControlUnauthorizedAccount") },
  { fn: "unpause", setup: (f) => f.ledger.connect(f.admin).pause(), call: (f) => f.ledger.unpause(), expected: only(["admin"], "Unpaused", "AccessControlUnauthorizedAccount") },
  { fn: "grantRole PAUSER_ROLE", call: (f) => f.ledger.grantRole(PAUSER_ROLE, f.signers.stranger.address), expected: only(["admin"], "RoleGranted", "AccessControlUnauthorizedAccount") },
  { fn: "revokeRole PAUSER_ROLE of the admin", call: (f) => f.ledger.revokeRole(PAUSER_ROLE, f.admin.address), expected: only(["admin"], "RoleRevoked", "AccessControlUnauthorizedAccount") },
  {
    fn: "grantRole DEFAULT_ADMIN_ROLE (never: only the two-step handover)",
    call: (f) => f.ledger.grantRole(ADMIN_ROLE, f.signers.stranger.address),
    expected: only([], "", "AccessControlEnforcedDefaultAdminRules"),
  },
  {
    fn: "beginDefaultAdminTransfer to the grantee",
    call: (f) => f.ledger.beginDefaultAdminTransfer(f.grantee.address),
    expected: only(["admin"], "DefaultAdminTransferScheduled", "AccessControlUnauthorizedAccount"),
  },
  {
    fn: "cancelDefaultAdminTransfer",
    setup: (f) => f.ledger.connect(f.admin).beginDefaultAdminTransfer(f.grantee.address),
    call: (f) => f.ledger.cancelDefaultAdminTransfer(),
    expected: only(["admin"], "DefaultAdminTransferCanceled", "AccessControlUnauthorizedAccount"),
  },
  {
    fn: "acceptDefaultAdminTransfer after the delay",
    setup: async (f) => {
      await f.ledger.connect(f.admin).beginDefaultAdminTransfer(f.grantee.address);
      await networkHelpers.time.increase(ADMIN_DELAY + 1n);
    },
    call: (f) => f.ledger.acceptDefaultAdminTransfer(),
    expected: only(["grantee"], "RoleGranted", "AccessControlInvalidDefaultAdmin"),
  },
  {
    fn: "changeDefaultAdminDelay",
    call: (f) => f.ledger.changeDefaultAdminDelay(86_400n),
    expected: only(["admin"], "DefaultAdminDelayChangeScheduled", "AccessControlUnauthorizedAccount"),
  },
  {
    fn: "rollbackDefaultAdminDelay",
    setup: (f) => f.ledger.connect(f.admin).changeDefaultAdminDelay(86_400n),
    call: (f) => f.ledger.rollbackDefaultAdminDelay(),
    expected: only(["admin"], "DefaultAdminDelayChangeCanceled", "AccessControlUnauthorizedAccount"),
  },
];

describe("role matrix", function () {
  for (const row of MATRIX) {
    describe(row.fn, function () {
      for (const actor of ACTORS) {
        const outcome = row.expected[actor];
        it(`${actor}: ${"ok" in outcome ? `succeeds (${outcome.ok})` : `reverts with ${outcome.error}`}`, async function () {
          const f = await networkHelpers.loadFixture(matrixFixture);
          await row.setup?.(f);
          const ledger = f.ledger.connect(f.signers[actor]);
          const oversight = f.oversight.connect(f.signers[actor]);
          const attempt = row.call({ ...f, ledger, oversight }, actor) as Promise<never>;
          const emitter = row.on === "oversight" ? oversight : ledger;
          if ("ok" in outcome) await expect(attempt).to.emit(emitter, outcome.ok);
          else await expect(attempt).to.be.revertedWithCustomError(emitter, outcome.error);
        });
      }
    });
  }

  it("renounceRole: anyone may renounce their own role, and no one another's", async function () {
    const f = await networkHelpers.loadFixture(matrixFixture);
    for (const actor of ACTORS) {
      const ledger = f.ledger.connect(f.signers[actor]);
      await expect(ledger.renounceRole(PAUSER_ROLE, f.admin.address === f.signers[actor].address ? f.holder.address : f.admin.address)).to.be.revertedWithCustomError(
        ledger,
        "AccessControlBadConfirmation",
      );
      await expect(ledger.renounceRole(PAUSER_ROLE, f.signers[actor].address)).not.to.revert(ethers);
    }
    expect(await f.ledger.hasRole(PAUSER_ROLE, f.admin.address)).to.equal(false);
  });

  it("covers every state-changing function of the ledger's and the oversight contract's ABIs", function () {
    const abiFunctions: string[] = [];
    for (const abi of [ledgerAbi, oversightAbi]) new Interface(abi).forEachFunction((fn) => fn.constant || abiFunctions.push(fn.name));
    const covered = new Set([...MATRIX.map((r) => r.fn.split(" ")[0]), "renounceRole"]);
    expect(abiFunctions.filter((name) => !covered.has(name))).to.deep.equal([]);
  });
});
