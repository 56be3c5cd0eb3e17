/**
 * A damaged index: a flipped byte in a table file, a truncated table file, a damaged block of the
 * write-ahead log (LevelDB's recovery silently skips it and applies later batches: the journal's gap
 * shows it), a truncated log (a clean prefix: the index is simply older), or a value that stops
 * parsing under a running server. Damage stops dpl with one sentence naming `npm run reindex`, and
 * that command rebuilds the index equal to a fresh one.
 */
import { execFile } from "node:child_process";
import { readdir, readFile, truncate, writeFile } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";
import { Level } from "level";

import { StoreError } from "../../core/errors.js";
import { indexDir } from "../../server/indexing.js";
import { readConfig } from "../../server/config.js";
import { Store } from "../../server/store/store.js";
import { startSystem } from "../../server/system.js";
import { startAnvil, startHardhatChain, type AnvilChain } from "../helpers/chain.js";
import { registerDataset } from "../helpers/fixtures.js";
import { freshLedger, closeAll, dumpOf, eventually, fillUsage, indexAndServe, withFreshLedger, quietLogger, referenceIndex, tempDir, type LedgerOnChain } from "../helpers/system.js";

const run = promisify(execFile);
const LEDGER = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

async function fileEndingWith(dir: string, suffix: string): Promise<string> {
  const name = (await readdir(dir)).find((f) => f.endsWith(suffix));
  if (!name) throw new Error(`no ${suffix} file in ${dir}`);
  return path.join(dir, name);
}

async function flipBytes(file: string, every: number): Promise<void> {
  const bytes = await readFile(file);
  for (let i = Math.floor(bytes.length / 2); i < bytes.length; i += every) bytes[i] ^= 0xff;
  await writeFile(file, bytes);
}

/** A store with `commits` small commits, all still in LevelDB's write-ahead log. */
async function storeWithCommits(commits: number): Promise<string> {
  const dir = await tempDir("damage");
  const store = await Store.open(dir, { chainId: 31337, ledger: LEDGER, deployBlock: 1 });
  for (let i = 1; i <= commits; i++) {
    const state = { cursor: { number: i, hash: "0x" + i.toString(16).padStart(64, "0") }, digest: "0x" + "ab".repeat(32), events: i, reorgs: 0 };
    await store.commit(store.writeSet(Number.MAX_SAFE_INTEGER), state, [{ number: i, mark: { hash: state.cursor.hash, digest: state.digest, events: i } }], 0);
  }
  await store.close();
  return dir;
}

const openIt = (dir: string) => Store.open(dir, { chainId: 31337, ledger: LEDGER, deployBlock: 1 });

describe("a damaged index", function () {
  it("a damaged block of the write-ahead log: the journal's gap is found, and opening stops with the rebuild command", async function () {
    const dir = await storeWithCommits(600);
    await flipBytes(await fileEndingWith(dir, ".log"), 1_000_000);
    const error = await openIt(dir).catch((e) => e);
    expect(error).to.be.instanceOf(StoreError);
    expect(error.code).to.equal("store_corrupt");
    expect(error.message).to.match(/^the index at .* is damaged \(commits \d+ to \d+ are missing from its write-ahead log\); stop dpl and rebuild it from the chain with `npm run reindex`/);
  });

  it("a truncated write-ahead log leaves an older but whole index, which opens", async function () {
    const dir = await storeWithCommits(600);
    const log = await fileEndingWith(dir, ".log");
    const { length } = await readFile(log);
    await truncate(log, Math.floor(length * 0.6));
    const store = await openIt(dir);
    const state = (await store.state())!;
    expect(state.cursor.number).to.be.within(1, 599);
    expect(state.events).to.equal(state.cursor.number);
    await store.close();
  });

  /**
   * Opening reads only the identity and the journal, so it finds damage only where those keys lie (in
   * a store this small, the one table file); verify() reads everything back and finds the rest, which
   * then stops commits too.
   */
  async function expectFoundByVerify(dir: string): Promise<void> {
    const opened = await openIt(dir).catch((e) => e);
    if (opened instanceof StoreError) {
      expect(opened.code).to.equal("store_corrupt");
      expect(opened.message).to.match(/is damaged \(.+\); stop dpl and rebuild it from the chain with `npm run reindex`/);
      return;
    }
    const store = opened as Store;
    try {
      const error = await store.verify().catch((e) => e);
      expect(error).to.be.instanceOf(StoreError);
      expect(error.code).to.equal("store_corrupt");
      expect(error.message).to.match(/is damaged \(.+\); stop dpl and rebuild it from the chain with `npm run reindex`/);
      expect(store.damaged).to.equal(error);
      const state = { cursor: { number: 10_000, hash: "0x" + "01".repeat(32) }, digest: "0x" + "ab".repeat(32), events: 1, reorgs: 0 };
      expect(await store.commit(store.writeSet(Number.MAX_SAFE_INTEGER), state, [], 0).catch((e) => e)).to.equal(error);
    } finally {
      await store.close();
    }
  }

  for (const damage of ["flipped bytes", "truncation"] as const) {
    it(`a table file with ${damage}: opening or verification finds it, with the rebuild command`, async function () {
      const dir = await storeWithCommits(600);
      await (await openIt(dir)).close(); // reopening turns the log into a table file
      const table = await fileEndingWith(dir, ".ldb");
      if (damage === "truncation") await truncate(table, Math.floor((await readFile(table)).length / 2));
      else await flipBytes(table, 997);
      await expectFoundByVerify(dir);
    });
  }

  it("a stored value that no longer parses: verification finds it, with the rebuild command", async function () {
    const dir = await storeWithCommits(10);
    const raw = new Level<string, string>(dir, { valueEncoding: "utf8" });
    await raw.put("!datasets!0xdamaged", '{"id":"0xdamaged","holder":');
    await raw.close();
    await expectFoundByVerify(dir);
  });

  it("a whole index verifies: every key read back, none left out", async function () {
    const dir = await storeWithCommits(50);
    const store = await openIt(dir);
    let raw = 0;
    for await (const _ of store.db.keys()) raw++;
    const result = await store.verify();
    expect([result.keys, result.complete, store.damaged]).to.deep.equal([raw, true, undefined]);
    await store.close();
  });

  it("damage found by a read while serving: that answer and every later one is 503 store_corrupt, and /ready fails", async function () {
    await withFreshLedger(startHardhatChain, async (ledger, chain) => {
      const d = await registerDataset(ledger.ledger, ledger.holder, "served");
      const api = await indexAndServe({ chain, ledger });
      await api.indexer.syncOnce();
      const id = d.id.toLowerCase();
      // Read once whole (and that answer kept: API_CACHE_MB), through the list of datasets.
      expect((await api.get("/v1/datasets")).body.items.map((item: { id: string }) => item.id)).to.deep.equal([id]);
      // The dataset's stored value stops parsing under the running server.
      await api.store.db.put(`!datasets!${id}`, '{"id":', { valueEncoding: "utf8" });
      const broken = await api.get(`/v1/datasets/${id}`);
      expect(broken.status).to.equal(503);
      expect(broken.body.error.code).to.equal("store_corrupt");
      expect(broken.body.error.message).to.match(/is damaged .*; stop dpl and rebuild it from the chain with `npm run reindex`/);
      // Nothing more is served from the damaged index, not even what still reads well, nor an answer kept before.
      expect((await api.get("/v1/status")).body.error.code).to.equal("store_corrupt");
      expect((await api.get("/v1/datasets")).body.error.code).to.equal("store_corrupt");
      const ready = await fetch(`${api.url}/ready`);
      expect(ready.status).to.equal(503);
      expect(((await ready.json()) as any).error.code).to.equal("store_corrupt");
      await api.close();
    });
  });

  describe("npm run reindex", function () {
    let chain: AnvilChain;
    let ledger: LedgerOnChain;
    before(async function () {
      ({ chain, ledger } = await freshLedger(startAnvil));
      await fillUsage(ledger, { grants: 4, blocks: 30, perBlock: 40, label: "damage" });
    });
    after(() => closeAll(ledger, chain));

    it("the indexer refuses a damaged index in one sentence, and `npm run reindex` rebuilds it equal to a fresh index", async function () {
      const dataDir = await tempDir("reindex");
      const env = { ...process.env, RPC_URL: chain.url, LEDGER_ADDRESS: ledger.address, START_BLOCK: String(ledger.deployBlock), DATA_DIR: dataDir, LOG_LEVEL: "silent" };
      const indexer = (...flags: string[]) => run(process.execPath, ["--import", "tsx", "scripts/index.ts", "--once", ...flags], { env }).catch((e) => e);
      await indexer();
      const dir = indexDir(dataDir, ledger.chainId, ledger.address);
      const identity = { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock };
      await (await Store.open(dir, identity)).close(); // reopening turns the log into a table file
      await flipBytes(await fileEndingWith(dir, ".ldb"), 997);

      const refused = await indexer();
      expect(refused.code).to.equal(1);
      expect(refused.stderr.trim()).to.match(/^dpl: the index at .* is damaged \(.+\); stop dpl and rebuild it from the chain with `npm run reindex`/);
      expect(refused.stderr).to.not.match(/\n\s+at /);
      // `npm run verify-index` reads it back in the foreground and says the same; no node needed.
      const verifyIndex = () =>
        run(process.execPath, ["--import", "tsx", "scripts/verify-index.ts"], { env: { ...env, RPC_URL: "http://127.0.0.1:1" } }).then(
          (r) => ({ code: 0, ...r }),
          (e) => e,
        );
      const found = await verifyIndex();
      expect(found.code, found.stdout + found.stderr).to.equal(1);
      expect(found.stdout).to.match(/index: the index at .* is damaged \(.+\); stop dpl and rebuild it from the chain with `npm run reindex`/);

      // `npm run reindex` is `tsx scripts/index.ts --rebuild --once`.
      const rebuilt = await indexer("--rebuild");
      const summary = JSON.parse(rebuilt.stdout.trim().split("\n").at(-1));
      const fresh = await referenceIndex(chain.url, ledger, "reindex-fresh");
      expect(summary.digest).to.equal((await fresh.state())!.digest);
      const store = await Store.open(dir, identity);
      expect(await dumpOf(store)).to.deep.equal(await dumpOf(fresh));
      await store.close();
      await fresh.close();
      const whole = await verifyIndex();
      expect(whole.code).to.equal(0);
      expect(whole.stdout).to.match(/index: whole, \d+ keys read back in [\d.]+ s\n$/);
    });

    it("dpl opens a damaged index at once, reading only its journal, and the verification behind the API finds the damage: /ready and /v1 say so", async function () {
      const dataDir = await tempDir("verify-behind");
      const env = { ...process.env, RPC_URL: chain.url, LEDGER_ADDRESS: ledger.address, START_BLOCK: String(ledger.deployBlock), DATA_DIR: dataDir, LOG_LEVEL: "silent" };
      await run(process.execPath, ["--import", "tsx", "scripts/index.ts", "--once"], { env });
      const dir = indexDir(dataDir, ledger.chainId, ledger.address);
      // A value deep in the data that no longer parses: nothing opening reads.
      const raw = new Level<string, string>(dir, { valueEncoding: "utf8" });
      const [key] = await raw.keys({ gte: "!usageByDataset!", lt: "!usageByDataset!\xff", limit: 1 }).all();
      await raw.put(key, '{"grantId":');
      await raw.close();
      const system = await startSystem({ config: readConfig({ ...env, API_PORT: "0", GATEWAY_PORT: "0", POLL_MS: "50" } as Record<string, string>), logger: quietLogger() });
      try {
        const ready = await eventually(async () => {
          const r = await fetch(`${system.apiUrl}/ready`);
          return r.status === 503 ? ((await r.json()) as any) : undefined;
        }, "/ready to say the index is damaged");
        expect(ready.error.code).to.equal("store_corrupt");
        expect(ready.error.message).to.match(/is damaged \(.+\); stop dpl and rebuild it from the chain with `npm run reindex`/);
        const status = await fetch(`${system.apiUrl}/v1/status`);
        expect([status.status, ((await status.json()) as any).error.code]).to.deep.equal([503, "store_corrupt"]);
      } finally {
        await system.stop();
      }
    });
  });
});
