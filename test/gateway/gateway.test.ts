/**
 * The data gateway on a real chain and index: who may fetch, what a delivery proves, how it is
 * metered, and how it is settled. Expected values come from the file as written (split here by
 * hand), the ledger's own views and events, and the receipts the client was given.
 */
import { createHash, randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import type { BaseWallet, TypedDataDomain } from "ethers";

import { devAccount, Rights } from "../../core/ids.js";
import { gatewayDomain, receiptSigner, SIGN_IN_TYPES, type SignedReceipt, type SignIn } from "../../core/receipts.js";
import { GatewayClient, type GatewayError, verifyReceipt, verifyRecords } from "../../sdk/gateway.js";
import type { Gateway } from "../../server/gateway/gateway.js";
import { GatewayStore } from "../../server/gateway/store.js";
import { issueGrant } from "../helpers/fixtures.js";
import { CSV, LINES, ROWS, type ServedLedger, servedLedger } from "../helpers/gateway.js";
import { capturingLogger, type IndexedApi, type LedgerOnChain } from "../helpers/system.js";

const sha256 = (bytes: Buffer | string) => "0x" + createHash("sha256").update(bytes).digest("hex");

describe("the data gateway", function () {
  let served: ServedLedger;
  let ledger: LedgerOnChain;
  let api: IndexedApi;
  let gateway: Gateway;
  let datasetId: string;
  let anchoredRoot: string;
  let domain: TypedDataDomain;
  const log = capturingLogger();
  // Accounts 0-4 are the fixture's admin, holder, grantee, stranger and other.
  const granteeKey = devAccount(2);
  const strangerKey = devAccount(3);
  const otherKey = devAccount(4);
  const grants: Record<string, string> = {};

  const client = async (key: BaseWallet) => {
    const c = new GatewayClient(gateway.url);
    await c.signIn(key);
    return c;
  };
  const refusal = (promise: Promise<unknown>) =>
    promise.then(
      () => expect.fail("the gateway served it"),
      (e: GatewayError) => e,
    );

  before(async function () {
    served = await servedLedger(log.logger);
    ({ ledger, api, gateway, datasetId, anchoredRoot } = served);
    const { ledger: contract, holder } = ledger;
    grants.grantee = await issueGrant(contract, holder, datasetId, ledger.grantee.address, { rights: Rights.USE, quota: 0n });
    grants.race = await issueGrant(contract, holder, datasetId, ledger.other.address, { rights: Rights.USE, quota: 30n });
    grants.stranger = await issueGrant(contract, holder, datasetId, ledger.stranger.address, { rights: Rights.USE | Rights.PROCESS, quota: 0n });
    await api.indexer.syncOnce();
    domain = gatewayDomain(ledger.chainId, ledger.address);
  });

  after(() => served?.close());

  it("serves a range of records, each proven against the root the ledger anchored, under a receipt for exactly that answer", async function () {
    const c = await client(granteeKey);
    const { body, receipt } = await c.records(datasetId, { grant: grants.grantee, from: 10, to: 19 });
    const onChain = await ledger.ledger.datasetOf(datasetId);
    const answer = await verifyRecords(body, receipt, onChain.merkleRoot);
    expect(answer.records.map((r) => r.data)).to.deep.equal(LINES.slice(10, 20));
    expect(answer.header).to.equal("time,road,vehicles");
    expect(receipt!.receipt).to.include({ grantId: grants.grantee, grantee: ledger.grantee.address.toLowerCase(), action: 0, units: "10", responseHash: sha256(body) });
    expect(receiptSigner(domain, receipt!)).to.equal(ledger.holder.address.toLowerCase());
  });

  it("filters by a CSV column and pages, metering only what it sends; a filter that matches nothing costs nothing", async function () {
    const c = await client(granteeKey);
    const expected = LINES.map((line, i) => ({ line, i })).filter(({ line }) => line.split(",")[1] === "Harbour Ave");
    const first = await c.records(datasetId, { grant: grants.grantee, field: "road", equals: "Harbour Ave", limit: 20 });
    const page = await verifyRecords(first.body, first.receipt, anchoredRoot);
    expect(page.records.map((r) => r.index)).to.deep.equal(expected.slice(0, 20).map((e) => e.i));
    expect(page.next).to.equal(expected[20].i);
    expect(first.receipt!.receipt.units).to.equal("20");
    const rest = await c.records(datasetId, { grant: grants.grantee, field: "road", equals: "Harbour Ave", from: page.next! });
    expect((await verifyRecords(rest.body, rest.receipt, anchoredRoot)).records.map((r) => r.index)).to.deep.equal(expected.slice(20).map((e) => e.i));
    const none = await c.records(datasetId, { grant: grants.grantee, field: "road", equals: "Nowhere" });
    expect(none.receipt).to.equal(null);
  });

  it("answers malformed ranges, filters and parameters with 400 and one sentence", async function () {
    const c = await client(granteeKey);
    const cases: [Record<string, string | number>, RegExp][] = [
      [{ from: 5, to: 2 }, /from \(5\) must not be after to \(2\)/],
      [{ to: ROWS }, new RegExp(`the dataset has ${ROWS} records \\(0 to ${ROWS - 1}\\)`)],
      [{ from: -1 }, /from must be at least 0/],
      [{ from: "x" }, /from must be a whole number/],
      [{ limit: 0 }, /limit must be at least 1/],
      [{ field: "speed", equals: "1" }, /field speed is not a column of this dataset \(its columns: time,road,vehicles\)/],
      [{ field: "road" }, /equals is required with field/],
      [{ colour: "red" }, /unknown query parameter 'colour'/],
    ];
    for (const [q, message] of cases) {
      const e = await refusal(c.records(datasetId, { grant: grants.grantee, ...q } as never));
      expect(e.status, JSON.stringify(q)).to.equal(400);
      expect(e.message, JSON.stringify(q)).to.match(message);
    }
    const bad = await refusal(c.records(datasetId, { grant: "0x1234" }));
    expect([bad.status, bad.message]).to.deep.equal([400, "query parameter grant must be a 0x-prefixed 32-byte hex string"]);
  });

  describe("sign-in", function () {
    const signed = async (key: BaseWallet, overrides: Partial<SignIn> = {}, signingDomain = domain) => {
      const now = Math.floor(Date.now() / 1000);
      const signIn: SignIn = { grantee: key.address, gateway: gateway.signer, nonce: "0x" + randomBytes(32).toString("hex"), issuedAt: now, expiresAt: now + 600, ...overrides };
      return { signIn, signature: await key.signTypedData(signingDomain, SIGN_IN_TYPES, signIn) };
    };
    const post = async (body: unknown) => {
      const response = await fetch(`${gateway.url}/v1/sessions`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };

    it("refuses forged, replayed, expired, early, overlong, wrong-chain, wrong-ledger and wrong-gateway sign-ins with 401", async function () {
      const now = Math.floor(Date.now() / 1000);
      const good = await signed(granteeKey);
      expect((await post(good)).status).to.equal(201);
      const forged = await signed(strangerKey, { grantee: granteeKey.address });
      const cases: [unknown, string][] = [
        [good, "sign_in_replayed"],
        [forged, "bad_signature"],
        [await signed(granteeKey, { issuedAt: now - 700, expiresAt: now - 100 }), "sign_in_expired"],
        [await signed(granteeKey, { issuedAt: now + 600, expiresAt: now + 900 }), "sign_in_not_yet_valid"],
        [await signed(granteeKey, { expiresAt: now + 7200 }), "sign_in_too_long"],
        [await signed(granteeKey, {}, { ...domain, chainId: 1 }), "bad_signature"],
        [await signed(granteeKey, {}, { ...domain, verifyingContract: ledger.stranger.address }), "bad_signature"],
        [await signed(granteeKey, { gateway: ledger.stranger.address }), "wrong_gateway"],
        [{ ...good, signature: "0x" + "00".repeat(65) }, "bad_signature"],
      ];
      for (const [body, code] of cases) {
        const { status, body: answer } = await post(body);
        expect([status, answer.error.code], code).to.deep.equal([401, code]);
      }
      const malformed = await post({ signIn: { grantee: "me" }, signature: "0x" });
      expect(malformed.status).to.equal(400);
    });

    it("refuses a request without a token, with a token it did not issue, or with one that was altered", async function () {
      const url = `${gateway.url}/v1/datasets/${datasetId}/records?grant=${grants.grantee}`;
      const token = (await (await post(await signed(granteeKey))).body).token as string;
      const tampered = token.slice(0, -3) + (token.endsWith("AAA") ? "BBB" : "AAA");
      for (const [authorization, code] of [
        [undefined, "sign_in_required"],
        ["Bearer not-a-token", "bad_token"],
        [`Bearer ${tampered}`, "bad_token"],
      ] as const) {
        const response = await fetch(url, { headers: authorization ? { authorization } : {} });
        expect([response.status, ((await response.json()) as any).error.code]).to.deep.equal([401, code]);
      }
    });
  });

  it("refuses someone else's grant, and an action the grant lacks", async function () {
    const stranger = await client(strangerKey);
    const theirs = await refusal(stranger.records(datasetId, { grant: grants.grantee, to: 0 }));
    expect([theirs.status, theirs.code]).to.deep.equal([403, "not_your_grant"]);
    const grantee = await client(granteeKey);
    const process = await refusal(grantee.records(datasetId, { grant: grants.grantee, to: 0, action: "process" }));
    expect([process.status, process.code, process.message]).to.deep.equal([403, "action_not_allowed", `grant ${grants.grantee} does not allow process`]);
  });

  it("lets 100 concurrent requests race for the last units: exactly the quota is delivered, never more", async function () {
    const c = await client(otherKey);
    const results = await Promise.allSettled(Array.from({ length: 100 }, (_, i) => c.records(datasetId, { grant: grants.race, from: i % ROWS, to: i % ROWS })));
    const served = results.filter((r) => r.status === "fulfilled");
    const refused = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
    expect(served).to.have.length(30);
    expect(refused.map((r) => (r.reason as GatewayError).code)).to.deep.equal(Array(70).fill("quota_exceeded"));
    const units = served.reduce((n, r) => n + BigInt((r as PromiseFulfilledResult<{ receipt: SignedReceipt }>).value.receipt.receipt.units), 0n);
    expect(units).to.equal((await ledger.ledger.grantOf(grants.race)).quota);
  });

  it("settles its epoch on chain: each grant's delivered units are added once, and every receipt proves against the root the ledger recorded", async function () {
    const c = await client(strangerKey);
    const receipts: SignedReceipt[] = [];
    for (const [from, to] of [
      [0, 4],
      [5, 5],
      [40, 59],
    ]) {
      receipts.push((await c.records(datasetId, { grant: grants.stranger, from, to })).receipt!);
    }
    receipts.push((await c.records(datasetId, { grant: grants.stranger, from: 60, to: 62, action: "process" })).receipt!);
    const before = (await ledger.ledger.grantOf(grants.stranger)).used;
    await gateway.settleNow();
    const epoch = receipts[0].receipt.epoch;
    expect(await ledger.ledger.isEpochSettled(ledger.holder.address, epoch)).to.equal(true);
    expect((await ledger.ledger.grantOf(grants.stranger)).used - before).to.equal(receipts.reduce((n, r) => n + BigInt(r.receipt.units), 0n));
    const [event] = await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled(ledger.holder.address, epoch));
    for (const r of receipts) {
      const proof = await c.receipt(r.receipt.sequence);
      expect(proof.state).to.equal("delivered");
      const signer = await verifyReceipt(proof as never, { chainId: ledger.chainId, ledger: ledger.address, signers: [event.args.holder, event.args.meter], root: event.args.receiptsRoot });
      expect(signer).to.equal(ledger.holder.address.toLowerCase());
    }
    // Settling again sends nothing: the epoch is settled once.
    await gateway.settleNow();
    expect(await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled(ledger.holder.address, epoch))).to.have.length(1);
  });

  it("sends a settlement again after a restart that forgot it was sent, and the ledger still counts it once", async function () {
    const c = await client(strangerKey);
    const { receipt } = await c.records(datasetId, { grant: grants.stranger, from: 1, to: 3 });
    await gateway.settleNow();
    const epoch = receipt!.receipt.epoch;
    const used = (await ledger.ledger.grantOf(grants.stranger)).used;
    // As if the gateway had died between sending the transaction and recording it.
    await gateway.stop();
    const store = await GatewayStore.open(path.join(served.dataDir, "gateway", "store"));
    const state = (await store.epoch(epoch))!;
    await store.putEpoch({ ...state, status: "sealed", tx: undefined });
    await store.close();
    gateway = await served.restart();
    await gateway.settleNow();
    expect((await ledger.ledger.grantOf(grants.stranger)).used).to.equal(used);
    expect(await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled(ledger.holder.address, epoch))).to.have.length(1);
    const after = await new GatewayClient(gateway.url).about();
    expect(after.gateway).to.equal(ledger.holder.address.toLowerCase());
  });

  it("lets anyone check a receipt with the API: valid once settled and indexed, and why not otherwise", async function () {
    const c = await client(strangerKey);
    const { receipt } = await c.records(datasetId, { grant: grants.stranger, from: 7, to: 8 });
    const check = async (body: unknown, type = "application/json") => {
      const response = await fetch(`${api.url}/v1/receipts/verify`, { method: "POST", headers: { "content-type": type }, body: JSON.stringify(body) });
      return { status: response.status, body: (await response.json()) as any };
    };
    await gateway.settleNow();
    const proof = await c.receipt(receipt!.receipt.sequence);
    const before = await check(proof);
    expect([before.body.valid, before.body.reason]).to.deep.equal([
      false,
      `epoch ${receipt!.receipt.epoch} of ${ledger.holder.address.toLowerCase()} is not settled on this ledger (or not indexed yet)`,
    ]);
    await api.indexer.syncOnce();
    const ok = await check(proof);
    expect(ok.status).to.equal(200);
    expect(ok.body).to.include({ valid: true, signer: ledger.holder.address.toLowerCase(), reason: null });
    const [event] = await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled(ledger.holder.address, receipt!.receipt.epoch));
    expect([ok.body.root, ok.body.epoch.receiptsRoot, ok.body.epoch.evidence.txHash]).to.deep.equal([event.args.receiptsRoot, event.args.receiptsRoot, event.transactionHash]);
    const inflated = await check({ ...proof, receipt: { ...proof.receipt, units: "200" } });
    expect(inflated.body.valid).to.equal(false);
    expect(inflated.body.reason).to.match(/^the receipt is signed by 0x[0-9a-f]{40}, who neither holds the data nor settled the epoch$/);
    const moved = await check({ ...proof, position: proof.position! + 1 });
    expect(moved.body.reason).to.match(/^the receipt's proof leads to 0x[0-9a-f]{64}, not to the epoch's settled root /);
    const malformed = await check({ ...proof, signature: "0x12" });
    expect([malformed.status, malformed.body.error.message]).to.deep.equal([400, "body field signature must be a 65-byte signature in hex"]);
    expect((await check(proof, "text/plain")).status).to.equal(415);
  });

  it("gives a delivered answer again, free, by its receipt, and refuses a receipt that is not delivered", async function () {
    const c = await client(granteeKey);
    const first = await c.records(datasetId, { grant: grants.grantee, from: 20, to: 24, field: "road", equals: "Station St" });
    const again = await c.answer(first.receipt!.receipt.sequence);
    expect(again.equals(first.body)).to.equal(true);
    const file = await c.file(datasetId, { grant: grants.grantee });
    await file.response.arrayBuffer();
    expect(sha256(await c.answer(file.receipt!.receipt.sequence))).to.equal(file.receipt!.receipt.responseHash);
    const used = (await c.receipts()).items.length;
    expect(used).to.be.greaterThan(0);
    const theirs = await refusal(c.answer("999999"));
    expect([theirs.status, theirs.code]).to.deep.equal([404, "receipt_not_found"]);
  });

  it("serves a whole file as anchored, under a receipt that names its SHA-256 and its record count", async function () {
    const c = await client(granteeKey);
    const { response, receipt } = await c.file(datasetId, { grant: grants.grantee });
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.toString()).to.equal(CSV);
    const anchored = (await api.get(`/v1/datasets/${datasetId}`)).body.dataset;
    expect(anchored.contentHash).to.equal(sha256(bytes));
    expect(receipt!.receipt).to.include({ responseHash: anchored.contentHash, units: anchored.recordCount });
  });

  it("refuses a file that no longer matches its anchor, says so once in the log, and serves it again once restored", async function () {
    const c = await client(granteeKey);
    const file = path.join(served.servedDir, "traffic.csv");
    await writeFile(file, CSV.replace("Harbour Ave", "Harbor Ave"));
    for (let i = 0; i < 2; i++) {
      const e = await refusal(c.records(datasetId, { grant: grants.grantee, to: 0 }));
      expect([e.status, e.code]).to.deep.equal([409, "file_changed"]);
    }
    expect(log.lines.filter((l) => l.startsWith("traffic.csv no longer matches its anchor"))).to.have.length(1);
    await writeFile(file, CSV);
    await verifyRecords((await c.records(datasetId, { grant: grants.grantee, to: 0 })).body, null, anchoredRoot);
  });

  it("stops serving a grant once its revocation is indexed", async function () {
    const c = await client(granteeKey);
    await c.records(datasetId, { grant: grants.grantee, to: 0 });
    await (await ledger.ledger.connect(ledger.holder).revoke(grants.grantee)).wait();
    await api.indexer.syncOnce();
    const e = await refusal(c.records(datasetId, { grant: grants.grantee, to: 0 }));
    expect([e.status, e.code, e.message]).to.deep.equal([403, "grant_not_live", `grant ${grants.grantee} is revoked; nothing is served under it`]);
  });
});
