/**
 * The client library against a real chain (anvil) and a real API: README's example run as a user
 * runs it, then each part on its own. Expected values come from the ledger's own views, the API read
 * without the library, and the rules written out here (a CSV's rows, a quota).
 */
import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { AbiCoder, type JsonRpcProvider, keccak256, Wallet } from "ethers";

import { ApiClient, ApiError, BundleError, buildRecordTree, createBundle, devAccount, jsonRpcProvider, LedgerClient, LedgerRefusedError, NotALedgerError, rootFromBundle } from "../../sdk/index.js";
import { type AnvilChain, startAnvil } from "../helpers/chain.js";
import { freshLedger, closeAll, type IndexedApi, indexAndServe, type LedgerOnChain, tempDir, waitForCursor } from "../helpers/system.js";

const run = promisify(execFile);
const sha256 = (bytes: Buffer | string) => "0x" + createHash("sha256").update(bytes).digest("hex");

describe("client library (sdk/)", function () {
  this.timeout(120_000);
  let chain: AnvilChain;
  let ledger: LedgerOnChain;
  let api: IndexedApi;
  let provider: JsonRpcProvider;
  const stop = new AbortController();
  let following: Promise<void> | undefined;
  // Accounts the Hardhat connection of the fixture does not send from, so that nonces never race.
  const holderKey = devAccount(6).privateKey;
  const granteeKey = devAccount(7).privateKey;

  before(async function () {
    ({ chain, ledger } = await freshLedger(startAnvil));
    api = await indexAndServe({ chain, ledger, options: { pollMs: 50 } });
    // The indexer follows the chain, as npm start runs it: the example waits for the API to catch up.
    following = api.indexer.run(stop.signal);
    provider = jsonRpcProvider(chain.url);
  });

  after(async function () {
    stop.abort();
    await following;
    provider?.destroy();
    await closeAll(api, ledger, chain);
  });

  it("README's example runs as written: anchor, grant, use, a refusal in words, a proof on chain, the API's account", async function () {
    const dir = await tempDir("sdk-example");
    const file = path.join(dir, "traffic.csv");
    const rows = ["sensor,vehicles", "S1,120", "S2,80", "S3,95", "S4,40"];
    await writeFile(file, rows.join("\n") + "\n");
    const env = { ...process.env, RPC_URL: chain.url, LEDGER_ADDRESS: ledger.address, API_URL: api.url, HOLDER_KEY: holderKey, GRANTEE_KEY: granteeKey };
    const { stdout } = await run(process.execPath, ["--import", "tsx", "sdk/example.ts", file], { env });
    const out = JSON.parse(stdout);

    const holder = new Wallet(holderKey).address;
    // The dataset id as the contract defines it: keccak256(abi.encode(holder, sha256 of the bytes)).
    const contentHash = sha256(rows.join("\n") + "\n");
    expect(out.datasetId).to.equal(keccak256(AbiCoder.defaultAbiCoder().encode(["address", "bytes32"], [holder, contentHash])));
    expect(out.records).to.equal(rows.length - 1, "a CSV's header row is not a record");
    const onChain = await ledger.ledger.grantOf(out.grantId);
    expect(onChain.used).to.equal(40n);
    expect(onChain.quota).to.equal(100n);
    expect(out.used).to.equal(onChain.used.toString());
    expect(out.status).to.equal("active");
    expect(out.uses).to.equal(1);
    expect(out.refusal).to.equal("UsageQuotaExceeded");
    expect(out.refusalSentence).to.equal(`the ledger refused: grant ${out.grantId.slice(0, 10)}… allows 100 units; 40 used; 70 requested`);
    expect(out.recordProved).to.equal(true);
  });

  it("ApiClient reads with the API's types, pages through a list, and turns API errors into ApiError with the stable code", async function () {
    await waitForCursor(api.store, await provider.getBlockNumber(), 20_000);
    const client = new ApiClient(api.url);
    const status = await client.status();
    expect(status.ledger).to.equal(ledger.address.toLowerCase());
    const raw = (await (await fetch(`${api.url}/v1/datasets?limit=500`)).json()) as { items: { id: string }[] };
    const all = [];
    for await (const d of client.all((cursor) => client.datasets({ limit: 1, cursor }))) all.push(d.id);
    expect(all).to.deep.equal(raw.items.map((d) => d.id));
    expect(all.length).to.be.greaterThan(0);
    const missing = "0x" + "ab".repeat(32);
    const error = await client.dataset(missing).catch((e: unknown) => e);
    // An id is a path segment, never a path: one that tries to climb reaches no other route.
    const climbing = await client.dataset("../status").catch((e: unknown) => e);
    expect(climbing).to.include({ status: 400, code: "invalid_input" });
    expect(error).to.be.instanceOf(ApiError);
    expect(error).to.include({ status: 404, code: "dataset_not_found", message: `no dataset ${missing} is anchored on this ledger` });
    const unreachable = await new ApiClient("http://127.0.0.1:9").status().catch((e: unknown) => e);
    expect(unreachable).to.have.property("code", "api_unreachable");
  });

  it("LedgerClient signs a grant request that anyone relays, answers canUse with the ledger's reason, and refuses a non-ledger address", async function () {
    const holderWallet = new Wallet(holderKey, provider);
    const holder = new LedgerClient(ledger.address, holderWallet);
    const tree = await buildRecordTree([sha256("a"), sha256("b")]);
    const { datasetId } = await holder.anchor({ contentHash: sha256("sdk-relay"), merkleRoot: tree.root, recordCount: 2 });
    const grantee = new Wallet(granteeKey, provider);
    const deadline = (await provider.getBlock("latest"))!.timestamp + 3600;
    const request = await holder.prepareGrantRequest(holderWallet.address, { datasetId, grantee: grantee.address, rights: ["use", "process"], purpose: "relayed", quota: 5n, deadline });
    const signed = await holder.signGrantRequest(holderWallet, request);
    // Relayed from the grantee's account: the grant is still the holder's.
    const { grantId } = await new LedgerClient(ledger.address, grantee).grantBySig(signed);
    const g = await ledger.ledger.grantOf(grantId);
    expect(g.grantee).to.equal(grantee.address);
    expect(g.rights).to.equal(3n);
    // The grant is the holder's though the grantee relayed it: the index's grantor, from GrantIssued.
    await waitForCursor(api.store, await provider.getBlockNumber(), 20_000);
    expect((await api.get(`/v1/grants/${grantId}`)).body.grant.grantor).to.equal(holderWallet.address.toLowerCase());

    const asGrantee = new LedgerClient(ledger.address, grantee);
    expect(await asGrantee.canUse(grantId, grantee.address, "process", 5n)).to.deep.equal({ allowed: true });
    const verdict = await asGrantee.canUse(grantId, grantee.address, "operate", 1n);
    expect(verdict.allowed).to.equal(false);
    if (verdict.allowed) return;
    const [, data] = await ledger.ledger.canUse(grantId, grantee.address, 3, 1n);
    expect(verdict.data).to.equal(data);
    expect(verdict.refusal?.errorName).to.equal("UsageActionNotAllowed");

    const refused = await asGrantee.use({ grantId, action: "use", units: 6n }).catch((e: unknown) => e);
    expect(refused).to.be.instanceOf(LedgerRefusedError);
    expect(refused).to.include({ code: "ledger_refused", errorName: "UsageQuotaExceeded" });

    const nowhere = new LedgerClient("0x" + "12".repeat(20), holderWallet);
    const error = await nowhere.confirm(holderWallet.sendTransaction({ to: nowhere.address, data: "0x" }) as never, "GrantIssued").catch((e: unknown) => e);
    expect(error).to.be.instanceOf(NotALedgerError);
    expect(error).to.include({ code: "no_contract", nothingThere: true });
  });

  it("an offline bundle ties a record's root to its block; a forged link is a BundleError naming it", async function () {
    const holder = new LedgerClient(ledger.address, new Wallet(holderKey, provider));
    const records = ["r0", "r1", "r2"].map((r) => sha256(r));
    const tree = await buildRecordTree(records);
    const { datasetId, receipt } = await holder.anchor({ contentHash: sha256("sdk-bundle"), merkleRoot: tree.root, recordCount: records.length });
    const bundle = await createBundle(provider, ledger.address, datasetId);
    expect(bundle.blockHash).to.equal(receipt.blockHash);
    expect(await rootFromBundle(bundle, receipt.blockHash, ledger.address, datasetId)).to.equal(tree.root);
    const forged = await rootFromBundle(bundle, "0x" + "00".repeat(32), ledger.address, datasetId).catch((e: unknown) => e);
    expect(forged).to.be.instanceOf(BundleError);
    expect(forged).to.include({ code: "bundle_invalid", message: "the bundle's block header does not hash to the trusted block hash" });
    // The ledger is the verifier's to name: the same bundle checked for another ledger proves nothing.
    const elsewhere = "0x" + "12".repeat(20);
    const otherLedger = await rootFromBundle(bundle, receipt.blockHash, elsewhere, datasetId).catch((e: unknown) => e);
    expect(otherLedger).to.be.instanceOf(BundleError);
    expect(otherLedger).to.include({ code: "bundle_invalid" });
    expect((otherLedger as Error).message).to.match(new RegExp(`^the receipt's log is not ledger ${elsewhere}'s registration of dataset ${datasetId}`));
    const unknown = await createBundle(provider, ledger.address, "0x" + "cd".repeat(32)).catch((e: unknown) => e);
    expect(unknown).to.include({ code: "not_registered" });
  });
});
