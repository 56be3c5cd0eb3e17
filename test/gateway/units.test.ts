/**
 * What a delivery costs and how long a session lasts: a JSON Lines dataset metered in KiB (set in
 * GATEWAY_DIR/gateway.json) and filtered by a key, a token that expires on the gateway's clock, and
 * receipt numbers that never repeat across a kill.
 */
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { ZeroHash } from "ethers";

import { devAccount, Rights } from "../../core/ids.js";
import { fingerprint } from "../../core/manifest.js";
import { buildRecordTree } from "../../core/merkle.js";
import { gatewayDomain, SIGN_IN_TYPES, type SignIn } from "../../core/receipts.js";
import { GatewayClient, type GatewayError, verifyRecords } from "../../sdk/gateway.js";
import { Sessions, TOKEN_SECONDS } from "../../server/gateway/sessions.js";
import { GatewayStore } from "../../server/gateway/store.js";
import { issueGrant } from "../helpers/fixtures.js";
import { type ServedLedger, servedLedger } from "../helpers/gateway.js";
import { tempDir } from "../helpers/system.js";

const EVENTS = Array.from({ length: 40 }, (_, i) => JSON.stringify({ id: i, kind: i % 4 === 0 ? "closure" : "count", road: `R${i % 5}`, note: "x".repeat(100 + i * 10) }));

describe("gateway units and sessions", function () {
  let served: ServedLedger;

  before(async function () {
    served = await servedLedger();
  });

  after(() => served?.close());

  it("meters a JSON Lines dataset in KiB when gateway.json says so, and filters it by a key", async function () {
    const { ledger, servedDir } = served;
    const file = path.join(servedDir, "events.jsonl");
    await writeFile(file, EVENTS.join("\n") + "\n");
    await writeFile(path.join(servedDir, "gateway.json"), JSON.stringify({ units: { "events.jsonl": "kib" } }));
    const fp = await fingerprint(file, undefined);
    const root = (await buildRecordTree(fp.recordHashes)).root;
    await (await ledger.ledger.connect(ledger.holder).register(fp.sha256, root, fp.recordHashes.length, "", [])).wait();
    const id = (await ledger.ledger.computeDatasetId(ledger.holder.address, fp.sha256)).toLowerCase();
    const grant = await issueGrant(ledger.ledger, ledger.holder, id, ledger.grantee.address, { rights: Rights.USE, quota: 0n });
    await served.api.indexer.syncOnce();
    await served.gateway.refresh();
    const client = new GatewayClient(served.gateway.url);
    await client.signIn(devAccount(2));
    const { body, receipt } = await client.records(id, { grant, field: "kind", equals: "closure" });
    const answer = await verifyRecords(body, receipt, root);
    const expected = EVENTS.filter((e) => JSON.parse(e).kind === "closure");
    expect(answer.records.map((r) => r.data)).to.deep.equal(expected);
    const bytes = expected.reduce((n, e) => n + Buffer.byteLength(e), 0);
    expect(receipt!.receipt.units).to.equal(String(Math.ceil(bytes / 1024)));
    // The file whole: its size in KiB, rounded up.
    const whole = await client.file(id, { grant });
    await whole.response.arrayBuffer();
    expect(whole.receipt!.receipt.units).to.equal(String(Math.ceil((EVENTS.join("\n").length + 1) / 1024)));
  });

  it("refuses a client's sign-ins past GATEWAY_SIGN_INS a minute with 429 and one sentence", async function () {
    const limited = await servedLedger(undefined, { signInsPerMinute: 3 });
    try {
      const client = new GatewayClient(limited.gateway.url);
      for (let i = 0; i < 3; i++) await client.signIn(devAccount(2));
      const refused = await client.signIn(devAccount(2)).then(
        () => expect.fail("a fourth sign-in passed"),
        (e: GatewayError) => e,
      );
      expect([refused.status, refused.code, refused.message]).to.deep.equal([429, "rate_limited", "more than 3 sign-ins in 60 s from this client; wait and try again"]);
    } finally {
      await limited.close();
    }
  });

  it("numbers a receipt after the highest one written, whichever of two concurrent writes finished last before a kill", async function () {
    const dir = path.join(await tempDir("sequence"), "store");
    const receiptOf = (sequence: bigint) => ({
      receipt: {
        holder: devAccount(1).address,
        epoch: "1",
        sequence: sequence.toString(),
        grantId: ZeroHash,
        grantee: devAccount(2).address,
        action: 0,
        units: "1",
        session: ZeroHash,
        requestHash: ZeroHash,
        responseHash: ZeroHash,
        time: 0,
      },
      signature: "0x",
    });
    const first = await GatewayStore.open(dir);
    const [earlier, later] = [first.takeSequence(), first.takeSequence()];
    // The later reservation's write lands first, the earlier one's after it; then the process dies.
    await first.reserve(receiptOf(later), "/later");
    await first.reserve(receiptOf(earlier), "/earlier");
    await first.close();
    const reopened = await GatewayStore.open(dir);
    try {
      const next = reopened.takeSequence();
      expect([earlier, later, next]).to.deep.equal([0n, 1n, 2n]);
      expect([(await reopened.receipt(earlier))?.request, (await reopened.receipt(later))?.request]).to.deep.equal(["/earlier", "/later"]);
    } finally {
      await reopened.close();
    }
  });

  it("lets a token live at most 15 minutes on the gateway's clock, then asks for a new sign-in", async function () {
    let now = 1_800_000_000;
    const store = await GatewayStore.open(path.join(await tempDir("sessions"), "store"));
    const key = devAccount(2);
    const domain = gatewayDomain(31337, served.ledger.address);
    const gateway = devAccount(1).address.toLowerCase();
    const sessions = new Sessions(store, randomBytes(32), domain, gateway, () => now);
    try {
      const signIn: SignIn = { grantee: key.address, gateway, nonce: "0x" + randomBytes(32).toString("hex"), issuedAt: now, expiresAt: now + 3600 };
      const opened = await sessions.signIn({ signIn, signature: await key.signTypedData(domain, SIGN_IN_TYPES, signIn) });
      expect(opened.expiresAt).to.equal(now + TOKEN_SECONDS);
      expect(await sessions.verify(`Bearer ${opened.token}`)).to.deep.equal({ grantee: key.address.toLowerCase(), session: opened.session });
      now += TOKEN_SECONDS + 1;
      const expired = await sessions.verify(`Bearer ${opened.token}`).then(
        () => expect.fail("the token outlived its life"),
        (e: GatewayError) => e,
      );
      expect([expired.status, expired.code]).to.deep.equal([401, "token_expired"]);
    } finally {
      await store.close();
    }
  });
});
