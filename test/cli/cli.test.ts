/**
 * The dpl command line end to end, as a user runs it (bin/dpl.js in a child process), against a
 * running local system (chain, indexer, API) started by the test: results, error sentences and
 * exit codes, and interoperability of its hashes and proofs.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { mkdir, readFile, stat, writeFile } from "node:fs/promises";
import path from "node:path";

import { StandardMerkleTree } from "@openzeppelin/merkle-tree";
import { expect } from "chai";

import { fingerprint } from "../../core/manifest.js";
import { buildRecordTree } from "../../core/merkle.js";
import { readConfig } from "../../server/config.js";
import { startSystem, type System } from "../../server/system.js";
import { type Run, runDpl } from "../helpers/cli.js";
import { quietLogger, tempDir } from "../helpers/system.js";

const HOLDER = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"; // development account 0
const GRANTEE = "0x70997970C51812dc3A010C7d01b50e0d17dc79C8"; // development account 1

describe("dpl CLI", function () {
  let system: System;
  let dir: string;
  let env: NodeJS.ProcessEnv;

  const dpl = (...args: string[]): Promise<Run> => runDpl(env, args);
  const json = async (...args: string[]) => {
    const r = await dpl("--json", ...args);
    if (r.code !== 0) throw new Error(`dpl ${args.join(" ")} failed (${r.code}): ${r.stderr}`);
    return JSON.parse(r.stdout);
  };
  /** Waits until the index has every block the node has now (asked of the node, not of the API's view of it). */
  const synced = async () => {
    const reply: any = await (
      await fetch(system.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' })
    ).json();
    const head = Number(reply.result);
    for (;;) {
      const status: any = await (await fetch(`${system.apiUrl}/v1/status`)).json();
      if (status.indexed?.number >= head) return;
      await new Promise((r) => setTimeout(r, 30));
    }
  };

  before(async function () {
    system = await startSystem({ config: readConfig({ CHAIN_PORT: "0", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("cli-system"), POLL_MS: "30", DEMO: "0" }), logger: quietLogger() });
    dir = await tempDir("cli");
    env = { ...process.env, RPC_URL: system.rpcUrl, LEDGER_ADDRESS: system.ledger, API_URL: system.apiUrl, DATA_DIR: path.join(dir, "no-deployment") };
    const rows = ["sensor,hour,vehicles", ...Array.from({ length: 300 }, (_, i) => `S${i % 7},${i % 24},${(i * 37) % 500}`), 'S9,1,"a ""quoted"" row\nspanning two lines"'];
    await writeFile(path.join(dir, "traffic.csv"), rows.join("\n") + "\n");
  });

  after(async function () {
    await system?.stop();
  });

  describe("anchor and verify", function () {
    it("anchors a CSV with one record per row, and its content hash is sha256sum's", async function () {
      const file = path.join(dir, "traffic.csv");
      const out = await json("anchor", file, "--meta", '{"title":"Traffic counts","license":"CC-BY-4.0"}');
      // The header row is not a record: 300 rows and one quoted row spanning two lines.
      expect(out.records).to.equal(301);
      expect(out.contentHash).to.equal("0x" + execFileSync("sha256sum", [file], { encoding: "utf8" }).split(" ")[0]);
      const manifest = JSON.parse(await readFile(`${file}.dpl.json`, "utf8"));
      expect(manifest).to.include({ datasetId: out.datasetId, contentHash: out.contentHash, merkleRoot: out.merkleRoot, tx: out.tx });
      expect(manifest.records).to.deep.equal({ scheme: "csv", count: 301 });
      expect(manifest.metadataURI).to.match(/^data:application\/json;base64,/);
    });

    it("sends no transaction when the same holder anchored the same content", async function () {
      const again = await json("anchor", path.join(dir, "traffic.csv"));
      expect(again.alreadyAnchored).to.equal(true);
    });

    it("verifies through the API and through the chain alone, exit 0; an unanchored file exits 1", async function () {
      await synced();
      const file = path.join(dir, "traffic.csv");
      for (const source of [[], ["--chain"]]) {
        const r = await dpl("verify", file, ...source);
        expect(r.code, r.stderr).to.equal(0);
        expect(r.stdout).to.match(new RegExp(`anchored by ${HOLDER.toLowerCase()} at .* in block \\d+, tx 0x[0-9a-f]{64}`));
      }
      await writeFile(path.join(dir, "other.txt"), "never anchored\n");
      const none = await dpl("verify", path.join(dir, "other.txt"));
      expect(none.code).to.equal(1);
      expect(none.stdout).to.match(/not anchored/);
      const pending = await dpl("verify", file, "--confirmations", "1000");
      expect(pending.code).to.equal(1);
      expect(pending.stdout).to.match(/PENDING/);
    });

    it("anchors a directory through a canonical manifest that does not depend on file order", async function () {
      const files: [string, string][] = [
        ["b.txt", "bee\n"],
        ["a/z.csv", "z,1\n"],
        ["a/é.txt", "accent\n"],
        ["c", ""],
      ];
      const one = path.join(dir, "tree-one");
      const two = path.join(dir, "tree-two");
      for (const [root, order] of [
        [one, files],
        [two, [...files].reverse()],
      ] as const) {
        for (const [name, body] of order) {
          await mkdir(path.dirname(path.join(root, name)), { recursive: true });
          await writeFile(path.join(root, name), body);
        }
      }
      const first = await json("anchor", one);
      const secondHash = JSON.parse((await dpl("--json", "verify", two)).stdout).contentHash;
      expect(secondHash).to.equal(first.contentHash);
      expect(first.records).to.equal(4);
      const manifest = JSON.parse(await readFile(`${one}.dpl.json`, "utf8"));
      expect(manifest.entries.map((e: any) => e.path)).to.deep.equal(["a/z.csv", "a/é.txt", "b.txt", "c"]);
    });

    it("--private anchors a salted commitment: nothing on chain matches the file or its records", async function () {
      const file = path.join(dir, "secret.csv");
      await writeFile(file, "patient,value\n1,42\n2,43\n");
      const plain = await fingerprint(file, undefined);
      const plainRoot = (await buildRecordTree(plain.recordHashes)).root;
      const out = await json("anchor", file, "--private");
      await synced();
      const onChain: any = await (await fetch(`${system.apiUrl}/v1/datasets/${out.datasetId}`)).json();
      expect(onChain.dataset.contentHash).to.not.equal(plain.sha256);
      expect(onChain.dataset.merkleRoot).to.not.equal(plainRoot);
      expect(onChain.dataset.recordCount).to.equal("0");
      expect(onChain.dataset.metadataURI).to.equal("");
      const manifest = JSON.parse(await readFile(`${file}.dpl.json`, "utf8"));
      expect(manifest.salt).to.match(/^0x[0-9a-f]{64}$/);
      expect((await dpl("verify", file)).code).to.equal(0);
      expect((await dpl("verify", plain.sha256)).code).to.equal(1);
      expect((await json("anchor", file, "--private")).alreadyAnchored).to.equal(true);
      const proof = path.join(dir, "secret-proof.json");
      expect((await dpl("prove", file, "--record", "1", "--out", proof)).code).to.equal(0);
      expect((await dpl("verify-proof", proof)).code).to.equal(0);
      expect((await stat(`${file}.dpl.json`)).mode & 0o777, "a manifest holding a salt is its owner's alone").to.equal(0o600);
    });

    it("--private refuses a salt planted in the manifest, and sends nothing", async function () {
      const file = path.join(dir, "planted.csv");
      await writeFile(file, "patient,value\n7,99\n");
      const plain = await fingerprint(file, undefined);
      const heldCount = async () => {
        await synced();
        return ((await (await fetch(`${system.apiUrl}/v1/datasets?holder=${HOLDER.toLowerCase()}&limit=500`)).json()) as any).items.length;
      };
      const before = await heldCount();
      for (const salt of ["", "0x", "0x" + "00".repeat(32), "0x" + "ab".repeat(32), "0x" + "0123456789abcdef".repeat(4), 42]) {
        await writeFile(`${file}.dpl.json`, JSON.stringify({ salt }));
        const r = await dpl("anchor", file, "--private");
        expect(r.code, String(salt)).to.equal(2);
        expect(r.stderr).to.include(`${file}.dpl.json holds the salt ${JSON.stringify(salt)}, which is not 32 random bytes`);
      }
      // Nothing was anchored: neither the plain hash (what sha256sum prints) nor anything else of this holder's.
      expect((await dpl("verify", plain.sha256)).code).to.equal(1);
      expect(await heldCount()).to.equal(before);
      // A manifest without a salt: a new one is drawn.
      await writeFile(`${file}.dpl.json`, JSON.stringify({}));
      const ok = await json("anchor", file, "--private");
      expect(JSON.parse(await readFile(`${file}.dpl.json`, "utf8")).salt).to.match(/^0x[0-9a-f]{64}$/);
      expect(ok.contentHash).to.not.equal(plain.sha256);
    });
  });

  describe("prove and verify-proof", function () {
    it("writes proofs that the contract and @openzeppelin/merkle-tree both accept, and rejects a tampered one", async function () {
      const file = path.join(dir, "traffic.csv");
      const manifest = JSON.parse(await readFile(`${file}.dpl.json`, "utf8"));
      for (const index of [0, 1, 150, 300]) {
        const out = path.join(dir, `proof-${index}.json`);
        const r = await dpl("prove", file, "--record", String(index), "--out", out);
        expect(r.code, r.stderr).to.equal(0);
        const proof = JSON.parse(await readFile(out, "utf8"));
        expect(proof.merkleRoot).to.equal(manifest.merkleRoot);
        expect(StandardMerkleTree.verify(manifest.merkleRoot, ["uint256", "bytes32"], [index, proof.record.hash], proof.proof)).to.equal(true);
        expect((await dpl("verify-proof", out)).code).to.equal(0);
        expect((await dpl("verify-proof", out, "--root", manifest.merkleRoot)).code).to.equal(0);
      }
      const proof = JSON.parse(await readFile(path.join(dir, "proof-150.json"), "utf8"));
      proof.record.hash = "0x" + "ab".repeat(32);
      await writeFile(path.join(dir, "tampered.json"), JSON.stringify(proof));
      const bad = await dpl("verify-proof", path.join(dir, "tampered.json"));
      expect(bad.code).to.equal(1);
      expect(bad.stdout).to.match(/NOT valid/);
      expect((await dpl("prove", file, "--record", "301")).code).to.equal(2);
      // Record 0 is the first row after the header; the last is the quoted row that spans two lines.
      const rows = (await readFile(file, "utf8")).split("\n");
      const sha = (text: string) => "0x" + createHash("sha256").update(text).digest("hex");
      expect(JSON.parse(await readFile(path.join(dir, "proof-0.json"), "utf8")).record.hash).to.equal(sha(rows[1]));
      expect(JSON.parse(await readFile(path.join(dir, "proof-300.json"), "utf8")).record.hash).to.equal(sha(rows.slice(-3, -1).join("\n")));
      // A CSV without a header: every row a record, the first one included.
      const noHeader = await fingerprint(file, "csv-no-header");
      expect([noHeader.recordHashes.length, noHeader.recordHashes[0]]).to.deep.equal([302, sha(rows[0])]);
    });
  });

  describe("portable proofs (--bundle)", function () {
    it("verifies offline with nothing but the trusted block hash, through the receipts trie", async function () {
      const file = path.join(dir, "traffic.csv");
      const manifest = JSON.parse(await readFile(`${file}.dpl.json`, "utf8"));
      const out = path.join(dir, "bundle.json");
      const made = await dpl("prove", file, "--record", "7", "--bundle", "--out", out);
      expect(made.code, made.stderr).to.equal(0);
      const proof = JSON.parse(await readFile(out, "utf8"));
      const { JsonRpcProvider } = await import("ethers");
      const provider = new JsonRpcProvider(system.rpcUrl);
      const trusted = (await provider.getBlock(manifest.block))!.hash!;
      provider.destroy();
      expect(proof.bundle.blockHash).to.equal(trusted);
      const saved = env;
      env = { ...saved, RPC_URL: "http://127.0.0.1:1", API_URL: "http://127.0.0.1:1" }; // no node, no API
      try {
        const ok = await dpl("verify-proof", out, "--offline", "--block-hash", trusted);
        expect(ok.code, ok.stderr).to.equal(0);
        expect(ok.stdout).to.match(/valid: record 7 .* \(offline, through its receipts trie\)/);
        const wrongBlock = await dpl("verify-proof", out, "--offline", "--block-hash", "0x" + "12".repeat(32));
        expect(wrongBlock.code).to.equal(1);
        expect(wrongBlock.stderr).to.match(/does not hash to the trusted block hash/);
        const tampered = { ...proof, bundle: { ...proof.bundle, receipt: proof.bundle.receipt.slice(0, -2) + (proof.bundle.receipt.endsWith("00") ? "01" : "00") } };
        await writeFile(path.join(dir, "tampered-bundle.json"), JSON.stringify(tampered));
        const forged = await dpl("verify-proof", path.join(dir, "tampered-bundle.json"), "--offline", "--block-hash", trusted);
        expect(forged.code).to.equal(1);
        expect(forged.stderr).to.match(/not in the block's receipts trie/);
        const noBundle = await dpl("verify-proof", path.join(dir, "proof-150.json"), "--offline", "--block-hash", trusted);
        expect(noBundle.code).to.equal(2);
      } finally {
        env = saved;
      }
    });
  });

  describe("a forged bundle", function () {
    it("is refused offline: the verifier trusts only the ledger it names, whatever ledger the proof carries", async function () {
      // The victim: traffic.csv, anchored by account 0. The attacker anchors nothing on the ledger; it
      // deploys a contract whose constructor emits a DatasetRegistered-shaped log naming the victim's
      // dataset id and the root of a forged file, and bundles a proof of a forged record against it.
      const victim = JSON.parse(await readFile(path.join(dir, "traffic.csv.dpl.json"), "utf8"));
      const forgedFile = path.join(dir, "forged.csv");
      await writeFile(forgedFile, "sensor,hour,vehicles\nS1,1,999999\nS2,2,999999\n");
      const fp = await fingerprint(forgedFile, "csv");
      const tree = await buildRecordTree(fp.recordHashes);
      const { ContractFactory, HDNodeWallet, JsonRpcProvider, Mnemonic } = await import("ethers");
      const artifact = JSON.parse(await readFile("artifacts/contracts/mocks/ForgedRegistration.sol/ForgedRegistration.json", "utf8"));
      const provider = new JsonRpcProvider(system.rpcUrl, undefined, { cacheTimeout: -1 });
      const attacker = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/9").connect(provider);
      const forger = await new ContractFactory(artifact.abi, artifact.bytecode, attacker).deploy(victim.datasetId, HOLDER, victim.contentHash, tree.root);
      const deployed = await forger.deploymentTransaction()!.wait();
      const forgerAddress = (await forger.getAddress()).toLowerCase();
      const trustedBlock = (await provider.getBlock(deployed!.blockNumber))!.hash!;
      provider.destroy();
      await writeFile(
        `${forgedFile}.dpl.json`,
        JSON.stringify({ ...victim, name: "forged.csv", ledger: forgerAddress, sha256: fp.sha256, merkleRoot: tree.root, records: { scheme: "csv", count: 2 } }),
      );
      const forgedProof = path.join(dir, "forged-proof.json");
      const saved = env;
      env = { ...saved, LEDGER_ADDRESS: forgerAddress }; // dpl prove --bundle against the forger
      const made = await dpl("prove", forgedFile, "--record", "0", "--bundle", "--out", forgedProof);
      env = saved;
      expect(made.code, made.stderr).to.equal(0);
      expect(JSON.parse(await readFile(forgedProof, "utf8")).bundle.blockHash).to.equal(trustedBlock);

      const offline = { RPC_URL: "http://127.0.0.1:1", API_URL: "http://127.0.0.1:1" }; // no node, no API
      try {
        // The ledger trusted from LEDGER_ADDRESS: the proof names another, refused.
        env = { ...saved, ...offline };
        const refused = await dpl("verify-proof", forgedProof, "--offline", "--block-hash", trustedBlock);
        expect(refused.code).to.equal(1);
        expect(refused.stderr).to.equal(`dpl: ${forgedProof} is a proof on ledger ${forgerAddress}, not on the ledger you trust, ${system.ledger} (from LEDGER_ADDRESS): refused\n`);
        // The proof rewritten to name the real ledger: the receipt's log is still the forger's.
        const relabelled = path.join(dir, "forged-relabelled.json");
        await writeFile(relabelled, JSON.stringify({ ...JSON.parse(await readFile(forgedProof, "utf8")), ledger: system.ledger }));
        const relabelledRefused = await dpl("verify-proof", relabelled, "--offline", "--block-hash", trustedBlock);
        expect(relabelledRefused.code).to.equal(1);
        expect(relabelledRefused.stderr).to.include(`is not ledger ${system.ledger}'s registration of dataset ${victim.datasetId} (it was emitted by ${forgerAddress})`);
        // Trusted from --ledger, and from a deployment record: the same refusals, saying where the trust came from.
        const byFlag = await dpl("--ledger", system.ledger, "verify-proof", forgedProof, "--offline", "--block-hash", trustedBlock);
        expect([byFlag.code, byFlag.stderr]).to.deep.equal([1, `dpl: ${forgedProof} is a proof on ledger ${forgerAddress}, not on the ledger you trust, ${system.ledger} (from --ledger): refused\n`]);
        const recordDir = path.join(dir, "trusted-record");
        await mkdir(recordDir, { recursive: true });
        await writeFile(path.join(recordDir, "deployment.json"), JSON.stringify({ chainId: 31337, rpcUrl: offline.RPC_URL, ledger: system.ledger, deployBlock: 1 }));
        env = { ...saved, ...offline, LEDGER_ADDRESS: "", DATA_DIR: recordDir };
        const byRecord = await dpl("verify-proof", forgedProof, "--offline", "--block-hash", trustedBlock);
        expect(byRecord.code).to.equal(1);
        expect(byRecord.stderr).to.include(`not on the ledger you trust, ${system.ledger} (from the deployment record ${path.join(recordDir, "deployment.json")}): refused`);
        // No ledger to trust at all: nothing is checked against the proof's own word.
        env = { ...saved, ...offline, LEDGER_ADDRESS: "", DATA_DIR: path.join(dir, "nowhere") };
        const none = await dpl("verify-proof", forgedProof, "--offline", "--block-hash", trustedBlock);
        expect(none.code).to.equal(2);
        expect(none.stderr).to.match(/^dpl: no ledger address: pass --ledger or set LEDGER_ADDRESS/);
      } finally {
        env = saved;
      }
    });
  });

  describe("rights", function () {
    let datasetId: string;
    let grantId: string;
    let productId: string;

    before(async function () {
      datasetId = JSON.parse(await readFile(path.join(dir, "traffic.csv.dpl.json"), "utf8")).datasetId;
    });

    it("grants, records uses, and refuses a use over the quota with the facts in one sentence", async function () {
      const granted = await json("grant", datasetId, GRANTEE, "--rights", "use,process,operate", "--purpose", "congestion forecasting", "--until", "2099-12-31", "--quota", "10");
      grantId = granted.grantId;
      expect(granted).to.include({ datasetId, grantee: GRANTEE, rights: "use, process, operate-product", purpose: "congestion forecasting" });
      const used = await json("--account", "1", "use", grantId, "--units", "9", "--output", path.join(dir, "other.txt"));
      expect(used.used).to.equal("9");
      const over = await dpl("--account", "1", "use", grantId, "--units", "2");
      expect(over.code).to.equal(4);
      expect(over.stderr).to.match(/dpl: the ledger refused: grant 0x[0-9a-f]{8}… allows 10 units; 9 used; 2 requested/);
      const stranger = await dpl("--account", "3", "use", grantId);
      expect(stranger.code).to.equal(4);
      expect(stranger.stderr).to.match(/is not the grantee of grant/);
    });

    it("derives a product under the grant, and draws the lineage", async function () {
      const product = path.join(dir, "forecast.jsonl");
      await writeFile(product, '{"road":"A1","jam":0.7}\n{"road":"B2","jam":0.1}\n');
      const derived = await json("--account", "1", "anchor", product, "--parent", datasetId);
      productId = derived.datasetId;
      await synced();
      const lineage = await dpl("lineage", derived.datasetId);
      expect(lineage.code).to.equal(0);
      expect(lineage.stdout).to.include(`ancestors:\n└─ ${datasetId}`);
      expect(lineage.stdout).to.match(/under grant 0x/);
      const trace = await dpl("trace", datasetId);
      expect(trace.stdout).to.match(/derive\s+1/);
    });

    it("licenses the product within its licence, says whether a use would pass, and traces the lapse when the upstream grant is revoked", async function () {
      // Without --until, a grant on a product ends with its licence (the upstream grant ends 2099-12-31).
      const onProduct = await json("--account", "1", "grant", productId, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "--rights", "use", "--purpose", "resale");
      expect(Number(onProduct.validUntil)).to.equal(Date.parse("2099-12-31") / 1000);
      const tooLong = await dpl("--account", "1", "grant", productId, "0x90F79bf6EB2c4f870365E785982E1f101E93b906", "--rights", "use", "--purpose", "resale", "--until", "2100-01-01");
      expect(tooLong.code).to.equal(4);
      expect(tooLong.stderr).to.match(/would outlast the licence 0x[0-9a-f]{8}… it rests on, which ends 2099-12-31T00:00:00Z/);
      const yes = await dpl("--account", "3", "can-use", onProduct.grantId);
      expect([yes.code, yes.stdout]).to.deep.equal([0, `yes: 0x90F79bf6EB2c4f870365E785982E1f101E93b906 may record use of 1 unit(s) under grant ${onProduct.grantId} now\n`]);
      expect((await dpl("revoke", grantId)).code).to.equal(0);
      const no = await dpl("--account", "3", "can-use", onProduct.grantId);
      expect(no.code).to.equal(1);
      expect(no.stdout).to.match(/^no: dataset 0x[0-9a-f]{8}… rests on grant 0x[0-9a-f]{8}…, which was revoked: nothing may be granted, used or derived on it any more/);
      const refused = await dpl("--account", "3", "use", onProduct.grantId);
      expect([
        refused.code,
        refused.stderr
          .split("\n")
          .find((l) => l.startsWith("dpl: "))!
          .replace("dpl: the ledger refused: ", "no: "),
      ]).to.deep.equal([4, no.stdout.trim()]);
      await synced();
      const trace = await dpl("trace", productId);
      expect(trace.stdout).to.match(new RegExp(`LAPSED: upstream grant ${grantId.slice(0, 10)}… was revoked in block \\d+`));
      expect(trace.stdout).to.match(/lapsed: upstream grant 0x[0-9a-f]{8}… was revoked/);
    });

    it("cancels one signed request, or all of them, and a relay then says why it failed", async function () {
      const [a, b, c] = ["a", "b", "c"].map((x) => path.join(dir, `request-${x}.json`));
      for (const [file, nonce] of [
        [a, "41"],
        [b, "42"],
      ]) {
        expect((await dpl("grant", datasetId, GRANTEE, "--rights", "use", "--purpose", `request ${nonce}`, "--sign", file, "--nonce", nonce)).code).to.equal(0);
      }
      const cancelled = await dpl("cancel-request", a);
      expect(cancelled.stdout).to.match(/^cancelled the grant request with nonce 41; tx 0x/m);
      expect((await dpl("--account", "5", "relay", a)).stderr).to.match(/already spent nonce 41: this request was relayed or cancelled/);
      expect((await dpl("--account", "5", "relay", b)).code).to.equal(0);
      expect((await dpl("grant", datasetId, GRANTEE, "--rights", "use", "--purpose", "request c", "--sign", c)).code).to.equal(0);
      expect((await dpl("cancel-request", "--all")).stdout).to.match(/^cancelled every grant request you signed so far/m);
      expect((await dpl("--account", "5", "relay", c)).stderr).to.match(/cancelled all its grant requests after this one was signed/);
      const neither = await dpl("cancel-request");
      expect([neither.code, neither.stderr]).to.deep.equal([2, "dpl: name one request (its file or nonce), or pass --all\n"]);
    });

    it("signs a grant request that another account relays, and revokes it", async function () {
      const signed = path.join(dir, "signed.json");
      const r = await dpl("grant", datasetId, GRANTEE, "--rights", "use", "--purpose", "audit", "--sign", signed);
      expect(r.code, r.stderr).to.equal(0);
      const relayed = await json("--account", "5", "relay", signed);
      expect(relayed.grantor).to.equal(HOLDER);
      expect((await dpl("--account", "5", "relay", signed)).stderr).to.match(/already spent nonce \d+: this request was relayed or cancelled/);
      expect((await dpl("revoke", relayed.grantId)).code).to.equal(0);
      const again = await dpl("revoke", relayed.grantId);
      expect(again.code).to.equal(4);
      expect(again.stderr).to.match(/is revoked/);
    });

    it("links a next version, and lets a grantee renounce", async function () {
      const v2 = path.join(dir, "traffic-v2.csv");
      await writeFile(v2, "sensor,hour,vehicles\nS1,1,5\n");
      const next = await json("anchor", v2, "--version-of", datasetId);
      await synced();
      const d: any = await (await fetch(`${system.apiUrl}/v1/datasets/${datasetId}`)).json();
      expect(d.dataset.versions.next).to.equal(next.datasetId);
      const again = await dpl("anchor", path.join(dir, "traffic.csv"), "--version-of", next.datasetId, "--manifest", path.join(dir, "v3.json"));
      expect(again.code).to.equal(0); // same content already anchored: nothing sent
      const g = await json("grant", datasetId, GRANTEE, "--rights", "use", "--purpose", "to be renounced");
      const r = await dpl("--account", "1", "renounce", g.grantId);
      expect(r.code, r.stderr).to.equal(0);
      expect(r.stdout).to.match(/renounced grant/);
    });

    it("signs with DPL_PRIVATE_KEY, and says so when the ledger address is wrong for this network", async function () {
      const saved = env;
      env = { ...saved, DPL_PRIVATE_KEY: "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d" }; // development account 1
      try {
        const file = path.join(dir, "by-env-key.txt");
        await writeFile(file, "env key\n");
        const out = await json("anchor", file);
        expect(out.datasetId).to.equal((await import("../../core/ids.js")).datasetId(GRANTEE, out.contentHash).toLowerCase());
        env = { ...env, LEDGER_ADDRESS: "0x" + "42".repeat(20) };
        const wrong = await dpl("verify-proof", path.join(dir, "proof-150.json"));
        expect(wrong.code).to.equal(3);
        expect(wrong.stderr).to.match(/no ledger answered at the ledger address on this node/);
      } finally {
        env = saved;
      }
    });

    it("shows control characters and bidirectional overrides in chain text escaped, never acting on the terminal", async function () {
      const purpose = "audit\u001b[8m hidden\u202ereversed\ttab";
      const g = await json("grant", datasetId, GRANTEE, "--rights", "use", "--purpose", purpose);
      expect(g.purpose).to.equal(purpose); // --json carries the text as it is, JSON-escaped
      const printed = await dpl("grant", datasetId, GRANTEE, "--rights", "use", "--purpose", purpose);
      expect(printed.stdout).to.include('purpose "audit\\x1b[8m hidden\\u202ereversed\\ttab"');
      await synced();
      const trace = await dpl("trace", datasetId, "--limit", "500");
      expect(trace.stdout).to.include("audit\\x1b[8m hidden\\u202ereversed\\ttab");
      // biome-ignore lint/suspicious/noControlCharactersInRegex: the escape character is what must not get through.
      expect(trace.stdout).to.not.match(/[\u001b\u202e]/);
      // Granted without --until: the ledger's open-ended window, said in words rather than as the year 36812.
      const row = trace.stdout.split("\n").find((l) => l.startsWith(g.grantId.slice(0, 10)))!;
      expect(row).to.match(/\sno end$/);
      expect(trace.stdout).to.not.include("36812");
      // A table cut short says so, and how to see more.
      const cut = await dpl("trace", datasetId, "--limit", "1");
      expect(cut.stdout.split("\n").filter((l) => l.startsWith("… showing the newest 1 "))).to.deep.equal([
        "… showing the newest 1 grants; there are more (--limit shows up to 500; the API's lists page through all of them)",
        "… showing the newest 1 uses; there are more (--limit shows up to 500; the API's lists page through all of them)",
      ]);
      expect((await dpl("trace", datasetId, "--limit", "500")).stdout).to.not.include("… showing the newest");
    });

    it("says so when a transaction went to an address that is not the ledger, instead of reporting success", async function () {
      const { ContractFactory, HDNodeWallet, JsonRpcProvider, Mnemonic } = await import("ethers");
      const artifact = JSON.parse(await readFile("artifacts/contracts/mocks/SilentContract.sol/SilentContract.json", "utf8"));
      const provider = new JsonRpcProvider(system.rpcUrl, undefined, { cacheTimeout: -1 });
      const deployer = HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), "m/44'/60'/0'/0/8").connect(provider);
      const silent = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy();
      await silent.waitForDeployment();
      const silentAddress = await silent.getAddress();
      provider.destroy();
      const nobody = "0x" + "77".repeat(20);
      const someId = "0x" + "12".repeat(32);
      for (const [command, args] of [
        ["retire", [someId]],
        ["revoke", [someId]],
        ["renounce", [someId]],
        ["accept", [someId]],
      ] as const) {
        const empty = await dpl("--ledger", nobody, command, ...args);
        expect([empty.code, empty.stderr.split("\n").find((l) => l.startsWith("dpl: "))], command).to.deep.equal([
          3,
          `dpl: no contract lives at ${nobody} (from --ledger) on this node: transaction ${/0x[0-9a-f]{64}/.exec(empty.stderr)?.[0]} did nothing. Check --ledger or LEDGER_ADDRESS, and the network`,
        ]);
        const other = await dpl("--ledger", silentAddress, command, ...args);
        expect(other.code, command).to.equal(4);
        expect(other.stderr).to.match(new RegExp(`dpl: ${silentAddress} \\(from --ledger\\) is not a dpl ledger: transaction 0x[0-9a-f]{64} was mined but emitted no \\w+`));
      }
    });

    it("transfers, accepts and retires a dataset", async function () {
      const file = path.join(dir, "held.txt");
      await writeFile(file, "to be transferred\n");
      const { datasetId: id } = await json("anchor", file);
      expect((await dpl("transfer", id, GRANTEE)).code).to.equal(0);
      expect((await dpl("--account", "2", "accept", id)).stderr).to.match(/cannot take the holding/);
      expect((await dpl("--account", "1", "accept", id)).code).to.equal(0);
      expect((await dpl("retire", id)).stderr).to.match(/does not hold dataset/);
      expect((await dpl("--account", "1", "retire", id)).code).to.equal(0);
    });

    it("traces an account's activity and prints PROV-JSON", async function () {
      await synced();
      const activity = await dpl("trace", GRANTEE);
      expect(activity.code).to.equal(0);
      expect(activity.stdout)
        .to.match(/grant-received/)
        .and.match(/used/);
      const prov = JSON.parse((await dpl("trace", datasetId, "--prov")).stdout);
      expect(prov.prefix).to.have.property("dpl");
      expect(Object.keys(prov.used).length).to.be.greaterThan(0);
      const status = await json("status");
      expect(status.ledger).to.equal(system.ledger);
      const text = (await dpl("status")).stdout;
      expect(text).to.include(`admin ${HOLDER.toLowerCase()} (handover delay 3 days); pausers: ${HOLDER.toLowerCase()}`);
    });
  });

  describe("keys", function () {
    it("signs with an encrypted JSON keystore, and refuses a wrong password in one sentence", async function () {
      const { Wallet, JsonRpcProvider, encryptKeystoreJson } = await import("ethers");
      const wallet = Wallet.createRandom();
      const keystore = path.join(dir, "key.json");
      await writeFile(keystore, await encryptKeystoreJson({ address: wallet.address, privateKey: wallet.privateKey }, "correct horse", { scrypt: { N: 1 << 10 } }));
      const provider = new JsonRpcProvider(system.rpcUrl);
      const funder = Wallet.fromPhrase("test test test test test test test test test test test junk").connect(provider);
      await (await funder.sendTransaction({ to: wallet.address, value: 10n ** 18n })).wait();
      provider.destroy();
      const file = path.join(dir, "keystore-owned.txt");
      await writeFile(file, "signed with a keystore\n");
      const saved = env;
      env = { ...saved, DPL_KEYSTORE_PASSWORD: "correct horse" };
      try {
        const out = await json("--keystore", keystore, "anchor", file);
        expect(out.datasetId).to.equal((await import("../../core/ids.js")).datasetId(wallet.address, out.contentHash).toLowerCase());
        env = { ...saved, DPL_KEYSTORE_PASSWORD: "wrong" };
        const refused = await dpl("--keystore", keystore, "anchor", file);
        expect(refused.code).to.equal(2);
        expect(refused.stderr).to.match(/cannot unlock the keystore .*key.json: wrong password or not a keystore/);
      } finally {
        env = saved;
      }
    });
  });

  describe("errors: one sentence, a documented exit code, never a stack trace", function () {
    const cases: [string[], number, RegExp][] = [
      [["anchor", "/no/such/file.csv"], 2, /no such file or directory: \/no\/such\/file.csv/],
      [["verify", "/no/such/file"], 2, /no such file or directory, and not a 0x-prefixed 32-byte hash/],
      [["revoke", "0x1234"], 2, /the grant must be a 0x-prefixed 32-byte hex id, not "0x1234"/],
      [["grant", "0x" + "ab".repeat(32), "0xnope", "--rights", "use", "--purpose", "p"], 2, /the grantee must be a 0x-prefixed 20-byte hex address/],
      [["grant", "0x" + "ab".repeat(32), GRANTEE, "--rights", "read", "--purpose", "p"], 2, /--rights takes use, process and operate/],
      [["grant", "0x" + "ab".repeat(32), GRANTEE, "--rights", "use", "--purpose", "p"], 4, /does not hold dataset|no dataset/],
      [["use", "0x" + "ab".repeat(32), "--action", "derive"], 2, /--action must be use, process or operate/],
      [["anchor", ".", "--records", "words"], 2, /--records applies to files|--records must be/],
      [["nonsense"], 2, /unknown command 'nonsense'/],
      // The ledger refuses a use of 0 units (UsageUnitsZero): the CLI says the range the ledger takes.
      [["use", "0x" + "ab".repeat(32), "--units", "-3"], 2, /--units must be a whole number from 1 to 18446744073709551615, not "-3"/],
      [["use", "0x" + "ab".repeat(32), "--units", "0"], 2, /--units must be a whole number from 1 to/],
      [["can-use", "0x" + "ab".repeat(32), "--units", "0"], 2, /--units must be a whole number from 1 to/],
      // An id nothing is known by is wrong input (2), not a negative verification (1).
      [["lineage", "0x" + "cd".repeat(32)], 2, new RegExp(`no dataset 0x${"cd".repeat(32)} is anchored on this ledger`)],
      [["trace", "0x" + "cd".repeat(32)], 2, new RegExp(`no dataset 0x${"cd".repeat(32)} is anchored on this ledger`)],
    ];
    for (const [args, code, message] of cases) {
      it(`exit ${code} for dpl ${args.join(" ").slice(0, 60)}`, async function () {
        const r = await dpl(...args);
        expect(r.code, r.stdout + r.stderr).to.equal(code);
        expect(r.stderr).to.match(message);
        expect(r.stderr).to.not.match(/\n\s+at /);
      });
    }

    it("exit 3 when the node or the API cannot be reached", async function () {
      const saved = env;
      env = { ...saved, RPC_URL: "http://127.0.0.1:1", API_URL: "http://127.0.0.1:1" };
      try {
        const api = await dpl("status");
        expect(api.code).to.equal(3);
        expect(api.stderr).to.match(/cannot reach the dpl API at http:\/\/127.0.0.1:1/);
        const node = await dpl("verify", path.join(dir, "traffic.csv"), "--chain");
        expect(node.code).to.equal(3);
        expect(node.stderr).to.match(/cannot reach the node/);
      } finally {
        env = saved;
      }
    });
  });
});
