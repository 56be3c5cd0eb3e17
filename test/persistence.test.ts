/**
 * What the embedded default keeps: a restart (Ctrl-C or a SIGKILL of the whole system) brings back
 * every dataset, grant and use, with the index in step with the chain; a second dpl on the same
 * DATA_DIR, a busy port and `npm run reset` on a running dpl are refused with one sentence, touching
 * nothing. Expected values come from the chain itself (its blocks, its logs, a fresh index of it).
 */
import { execFile } from "node:child_process";
import { copyFile, readdir, readFile, stat, writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

import { expect } from "chai";
import { Contract, JsonRpcProvider, Wallet } from "ethers";

import ledgerAbi from "../core/ledger-abi.json" with { type: "json" };
import { nextSnapshotDelay, stateFileOf } from "../server/chain/embedded-chain.js";
import { DplError } from "../core/errors.js";
import { readConfig } from "../server/config.js";
import { startSystem, type System } from "../server/system.js";
import { sha256 } from "./helpers/fixtures.js";
import { capturingLogger, isAlive, lockedChain, quietLogger, referenceIndex, runStartToExit, startProcess, type StartedProcess, tempDir, type LedgerOnChain } from "./helpers/system.js";

const MNEMONIC = "test test test test test test test test test test test junk";

const rpc = async <T = any>(url: string, method: string, params: unknown[] = []): Promise<T> => {
  const body = (await (await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }) })).json()) as any;
  if (body.error) throw new Error(body.error.message);
  return body.result;
};

/** Anchors `count` datasets on the ledger at `ledger` through the node at `url`, one block each; their ids. */
async function anchor(url: string, ledger: string, label: string, count: number): Promise<string[]> {
  const provider = new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
  const holder = Wallet.fromPhrase(MNEMONIC).connect(provider);
  const contract = new Contract(ledger, ledgerAbi, holder);
  const ids: string[] = [];
  try {
    for (let i = 0; i < count; i++) {
      const receipt = await (await contract.register(sha256(`${label} ${i} ${Math.random()}`), sha256(`${label} root ${i}`), 1n, "", [])).wait();
      ids.push(contract.interface.parseLog(receipt!.logs[0])!.args.datasetId.toLowerCase());
    }
  } finally {
    provider.destroy();
  }
  return ids;
}

/** The datasets the chain itself holds: every DatasetRegistered log of the ledger, by id. */
async function datasetsOnChain(url: string, ledger: string): Promise<string[]> {
  const contract = new Contract(ledger, ledgerAbi);
  const topic = contract.interface.getEvent("DatasetRegistered")!.topicHash;
  const logs = await rpc<any[]>(url, "eth_getLogs", [{ address: ledger, fromBlock: "0x0", toBlock: "latest", topics: [topic] }]);
  return logs.map((l) => contract.interface.parseLog(l)!.args.datasetId.toLowerCase()).sort();
}

/** Every dataset id the API lists, following its pages. */
async function datasetsInApi(apiUrl: string): Promise<string[]> {
  const ids: string[] = [];
  for (let cursor: string | null = ""; cursor !== null; ) {
    const page: any = await (await fetch(`${apiUrl}/v1/datasets?limit=100${cursor ? `&cursor=${cursor}` : ""}`)).json();
    ids.push(...page.items.map((d: any) => d.id));
    cursor = page.next;
  }
  return ids.sort();
}

/** The API's status once its index has reached the chain's head. */
async function synced(apiUrl: string, chainUrl: string, ms = 30_000): Promise<any> {
  const deadline = Date.now() + ms;
  for (;;) {
    const head = Number(await rpc(chainUrl, "eth_blockNumber"));
    const status: any = await (await fetch(`${apiUrl}/v1/status`)).json();
    if (status.indexed.number >= head) return status;
    if (Date.now() > deadline) throw new Error(`the index did not reach block ${head}: ${JSON.stringify(status)}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The digest a fresh index of the chain at `chainUrl` reaches: the independent expectation. */
async function referenceDigest(chainUrl: string, system: { chainId: number; ledger: string; deployBlock: number }): Promise<string> {
  const reference = await referenceIndex(chainUrl, { chainId: system.chainId, address: system.ledger, deployBlock: system.deployBlock } as LedgerOnChain);
  try {
    return (await reference.state())!.digest;
  } finally {
    await reference.close();
  }
}

const baseEnv = (dataDir: string, extra: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  DATA_DIR: dataDir,
  CHAIN_PORT: "0",
  API_PORT: "0",
  GATEWAY_PORT: "0",
  POLL_MS: "50",
  LOG_LEVEL: "warn",
  DEMO: "0",
  ...extra,
});

describe("persistence of the embedded default", function () {
  this.timeout(180_000);

  it("spaces snapshots so that they take at most a tenth of the time: a second apart, or nine times the last one", function () {
    expect(nextSnapshotDelay(undefined, 1000)).to.equal(1000);
    expect(nextSnapshotDelay({ dumpMs: 40, writeMs: 10 }, 1000)).to.equal(1000);
    // 2 s of snapshot, then 18 s without: 2 / (2 + 18) is a tenth.
    expect(nextSnapshotDelay({ dumpMs: 1500, writeMs: 500 }, 1000)).to.equal(18_000);
  });

  it("Ctrl-C and npm start again: the same chain, datasets, grants and uses, the same digest; the demo does not run twice", async function () {
    const dataDir = await tempDir("persist-restart");
    const first = await startProcess(baseEnv(dataDir, { DEMO: "1" }), { timeoutMs: 120_000 });
    let second: StartedProcess | undefined;
    try {
      expect(first.output()).to.match(/new, kept in .*state\.json; `npm run reset` starts over/);
      // The embedded chain's deployment leaves no Ignition journal in the project tree: all it keeps is under DATA_DIR.
      expect(await readdir("ignition/deployments").catch(() => [])).to.not.include("chain-31337");
      const chainUrl = (await lockedChain(dataDir))!.url;
      const before = await synced(first.url, chainUrl);
      const head = await rpc(chainUrl, "eth_getBlockByNumber", ["latest", false]);
      const datasets = await datasetsInApi(first.url);
      expect(datasets).to.deep.equal(await datasetsOnChain(chainUrl, before.ledger));
      expect(datasets.length).to.be.greaterThan(3);
      const grants = (await (await fetch(`${first.url}/v1/datasets/${datasets[0]}/grants`)).json()) as any;
      const firstChain = (await lockedChain(dataDir))!.pid;
      expect(await first.interrupt()).to.equal(0);
      expect(isAlive(firstChain)).to.equal(false);
      await stat(path.join(dataDir, "dpl.lock")).then(
        () => expect.fail("the lock outlived a clean stop"),
        () => {},
      );

      second = await startProcess(baseEnv(dataDir, { DEMO: "1" }), { timeoutMs: 120_000 });
      expect(second.output()).to.match(/restored from .*state\.json; `npm run reset` starts over/);
      expect(second.output()).to.not.include("refused as it should be");
      const secondChain = (await lockedChain(dataDir))!.url;
      expect(await rpc(secondChain, "eth_getBlockByNumber", [head.number, false])).to.deep.include({ hash: head.hash });
      expect(Number(await rpc(secondChain, "eth_blockNumber"))).to.equal(Number(head.number));
      const after = await synced(second.url, secondChain);
      expect([after.ledger, after.digest, after.events, after.indexed.number]).to.deep.equal([before.ledger, before.digest, before.events, before.indexed.number]);
      expect(await datasetsInApi(second.url)).to.deep.equal(datasets);
      expect(await (await fetch(`${second.url}/v1/datasets/${datasets[0]}/grants`)).json()).to.deep.equal(grants);
      // What is anchored after a restart lands on the same chain and index.
      const [added] = await anchor(secondChain, after.ledger, "after restart", 1);
      await synced(second.url, secondChain);
      expect(await datasetsInApi(second.url)).to.include(added);
    } finally {
      await first.kill();
      await second?.kill();
    }
  });

  it("a SIGKILL of the whole system right after writes: the restart brings chain and index back in step", async function () {
    const dataDir = await tempDir("persist-kill");
    const first = await startProcess(baseEnv(dataDir));
    let second: StartedProcess | undefined;
    try {
      const chainUrl = (await lockedChain(dataDir))!.url;
      const { ledger } = await synced(first.url, chainUrl);
      await anchor(chainUrl, ledger, "before the kill", 12);
      // The index has every block the chain mined; the chain's last snapshot may be up to a second older.
      const indexed = (await synced(first.url, chainUrl)).indexed.number;
      await first.kill();

      second = await startProcess(baseEnv(dataDir));
      const secondChain = (await lockedChain(dataDir))!.url;
      const kept = Number(await rpc(secondChain, "eth_blockNumber"));
      expect(kept).to.be.at.most(indexed);
      const status = await synced(second.url, secondChain);
      expect(status.digest).to.equal(await referenceDigest(secondChain, { chainId: status.chainId, ledger, deployBlock: (await readDeployment(dataDir)).deployBlock }));
      expect(await datasetsInApi(second.url)).to.deep.equal(await datasetsOnChain(secondChain, ledger));
      // An index ahead of the chain is brought back with one line saying so.
      const said = second
        .output()
        .split("\n")
        .filter((l) => /the index is (rolled back|rebuilt)/.test(l));
      expect(said).to.have.length(kept < indexed ? 1 : 0);
    } finally {
      await first.kill();
      await second?.kill();
    }
  });

  it("an index ahead of the chain is rolled back to the newest block both have, with one log line, and equals a fresh index", async function () {
    const dataDir = await tempDir("persist-rollback");
    const config = readConfig(baseEnv(dataDir) as Record<string, string>);
    const { kept, keptHead } = await runOnce(config, async (system) => ({
      kept: await anchor(system.rpcUrl, system.ledger, "kept", 2),
      keptHead: Number(await rpc(system.rpcUrl, "eth_blockNumber")),
    }));
    await copyFile(stateFileOf(dataDir), stateFileOf(dataDir) + ".earlier");
    await runOnce(config, async (system) => anchor(system.rpcUrl, system.ledger, "lost", 3));
    // As after a crash: the chain comes back older than the index.
    await copyFile(stateFileOf(dataDir) + ".earlier", stateFileOf(dataDir));
    const { logger, lines } = capturingLogger();
    await runOnce(
      config,
      async (system) => {
        expect(lines).to.deep.equal([`the chain kept blocks up to ${keptHead} of the ${keptHead + 3} the index had: the index is rolled back to block ${keptHead} and catches up from there`]);
        const status = await synced(system.apiUrl, system.rpcUrl);
        expect(status.digest).to.equal(await referenceDigest(system.rpcUrl, system));
        expect(await datasetsInApi(system.apiUrl)).to.deep.equal([...kept].sort());
      },
      logger,
    );
  });

  it("an index whose remembered blocks are all gone from the chain is rebuilt from it, with one log line", async function () {
    const dataDir = await tempDir("persist-rebuild");
    const config = readConfig(baseEnv(dataDir, { REORG_WINDOW: "1" }) as Record<string, string>);
    const kept = await runOnce(config, async (system) => anchor(system.rpcUrl, system.ledger, "kept", 1));
    await copyFile(stateFileOf(dataDir), stateFileOf(dataDir) + ".earlier");
    await runOnce(config, async (system) => anchor(system.rpcUrl, system.ledger, "lost", 6));
    await copyFile(stateFileOf(dataDir) + ".earlier", stateFileOf(dataDir));
    const { logger, lines } = capturingLogger();
    await runOnce(
      config,
      async (system) => {
        expect(lines).to.have.length(1);
        expect(lines[0]).to.match(/^the chain kept none of the blocks the index remembers \(it had reached block \d+\): the index is rebuilt from the chain$/);
        const status = await synced(system.apiUrl, system.rpcUrl);
        expect(status.digest).to.equal(await referenceDigest(system.rpcUrl, system));
        expect(await datasetsInApi(system.apiUrl)).to.deep.equal(kept);
      },
      logger,
    );
  });

  it("a second start on the same DATA_DIR is refused with one sentence, touching nothing; the CLI finds the first one's API", async function () {
    const dataDir = await tempDir("persist-second");
    const first = await startProcess(baseEnv(dataDir));
    try {
      const chainUrl = (await lockedChain(dataDir))!.url;
      await synced(first.url, chainUrl);
      const files = async () => Promise.all(["deployment.json", "dpl.lock", "chain/state.json"].map((f) => readFile(path.join(dataDir, f), "utf8")));
      const before = await files();
      const index = await readdir(dataDir);

      const refused = await runStartToExit(baseEnv(dataDir, { API_PORT: new URL(first.url).port }));
      expect(refused.code).to.equal(2);
      expect(refused.output.trim().split("\n")).to.have.length(1);
      expect(refused.output).to.match(new RegExp(`^dpl: ${dataDir} is in use by another dpl \\(pid ${first.process.pid}, since [0-9T:.-]+Z\\): stop it, or set DATA_DIR to another directory\\n$`));
      const inProcess = await startSystem({ config: readConfig(baseEnv(dataDir) as Record<string, string>), logger: quietLogger() }).catch((e) => e);
      expect(inProcess).to.be.instanceOf(DplError);
      expect(inProcess.code).to.equal("data_dir_locked");
      expect(await files()).to.deep.equal(before);
      expect(await readdir(dataDir)).to.deep.equal(index);
      expect((await fetch(`${first.url}/ready`)).status).to.equal(200);

      // The CLI, told only DATA_DIR, reads where the API listens from the deployment record.
      const cli = await new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, ["bin/dpl.js", "--json", "status"], { env: withoutEndpoints({ ...process.env, DATA_DIR: dataDir }) }, (error, stdout, stderr) =>
          resolve({ code: error ? ((error as any).code ?? 1) : 0, stdout, stderr }),
        ),
      );
      expect(cli.stderr).to.equal("");
      expect(JSON.parse(cli.stdout).ledger).to.equal(JSON.parse(before[0]).ledger.toLowerCase());
    } finally {
      await first.kill();
    }
  });

  for (const setting of ["CHAIN_PORT", "API_PORT", "GATEWAY_PORT"]) {
    it(`a busy ${setting} is one sentence naming it and exit 2, before anything is written`, async function () {
      const holder = net.createServer();
      await new Promise<void>((resolve) => holder.listen(0, "127.0.0.1", resolve));
      const port = String((holder.address() as net.AddressInfo).port);
      const dataDir = await tempDir("persist-port");
      try {
        const result = await runStartToExit(baseEnv(dataDir, { [setting]: port }));
        expect(result.code).to.equal(2);
        expect(result.output).to.equal(`dpl: ${setting} ${port} is already in use on 127.0.0.1: stop what holds it, or set ${setting} to a free port\n`);
        expect(await readdir(dataDir)).to.deep.equal([]);
      } finally {
        holder.close();
      }
    });
  }

  it("a dpl killed alone leaves its chain running: the next start saves what that chain holds, then stops it", async function () {
    const dataDir = await tempDir("persist-orphan");
    const first = await startProcess(baseEnv(dataDir));
    let second: StartedProcess | undefined;
    try {
      const orphan = (await lockedChain(dataDir))!;
      const { ledger } = await synced(first.url, orphan.url);
      await first.killDpl();
      expect(isAlive(orphan.pid)).to.equal(true);
      // Anchored after dpl died: only the orphaned chain's memory holds it.
      const [late] = await anchor(orphan.url, ledger, "late", 1);
      second = await startProcess(baseEnv(dataDir));
      expect(isAlive(orphan.pid)).to.equal(false);
      const chainUrl = (await lockedChain(dataDir))!.url;
      await synced(second.url, chainUrl);
      expect(await datasetsOnChain(chainUrl, ledger)).to.deep.equal([late]);
      expect(await datasetsInApi(second.url)).to.deep.equal([late]);
    } finally {
      await first.kill();
      await second?.kill();
    }
  });

  it("npm run reset refuses while dpl runs, then starts the embedded chain over; dpl verify then says the chain was reset", async function () {
    const dataDir = await tempDir("persist-reset");
    const run = (args: string[]) =>
      new Promise<{ code: number; stdout: string; stderr: string }>((resolve) =>
        execFile(process.execPath, args, { env: withoutEndpoints(baseEnv(dataDir)) }, (error, stdout, stderr) => resolve({ code: error ? ((error as any).code ?? 1) : 0, stdout, stderr })),
      );
    const reset = () => run(["--import", "tsx", "scripts/reset.ts"]);
    const file = path.join(await tempDir("persist-reset-file"), "kept.csv");
    await writeFile(file, "a,b\n1,2\n");
    const first = await startProcess(baseEnv(dataDir));
    let second: StartedProcess | undefined;
    try {
      const chainUrl = (await lockedChain(dataDir))!.url;
      await synced(first.url, chainUrl);
      const anchored = await run(["bin/dpl.js", "anchor", file]);
      expect(anchored.code, anchored.stderr).to.equal(0);
      await synced(first.url, chainUrl);
      expect((await run(["bin/dpl.js", "verify", file])).code).to.equal(0);
      const refused = await reset();
      expect([refused.code, refused.stdout]).to.deep.equal([2, ""]);
      expect(refused.stderr).to.match(/^dpl: .* is in use by another dpl \(pid \d+, since .*\): stop it, or set DATA_DIR to another directory\n$/);
      expect((await stat(stateFileOf(dataDir))).size).to.be.greaterThan(0);
      expect(await first.interrupt()).to.equal(0);

      const done = await reset();
      expect(done.code).to.equal(0);
      expect(done.stdout).to.match(/^reset: the embedded chain, its ledger, its index and the gateway's receipts are gone \(.*gateway.*\); npm start begins anew\n$/);
      second = await startProcess(baseEnv(dataDir));
      expect(second.output()).to.match(/new, kept in /);
      const newChain = (await lockedChain(dataDir))!.url;
      const status = await synced(second.url, newChain);
      expect(await datasetsInApi(second.url)).to.deep.equal([]);
      expect(await datasetsOnChain(newChain, status.ledger)).to.deep.equal([]);
      // The new ledger has the old one's address (same deployer, same nonce): the manifest's transaction tells them apart.
      const manifest = JSON.parse(await readFile(file + ".dpl.json", "utf8"));
      expect(manifest.ledger.toLowerCase()).to.equal(status.ledger);
      const verified = await run(["bin/dpl.js", "verify", file]);
      expect(verified.code).to.equal(1);
      expect(verified.stdout).to.include(
        `its manifest records an anchor on ledger ${manifest.ledger} of chain 31337 (tx ${manifest.tx}, block ${manifest.block}), and this chain has no such transaction: the chain was reset (npm run reset starts one anew)`,
      );
    } finally {
      await first.kill();
      await second?.kill();
    }
  });
});

/** Starts dpl on `config`, runs `body` once its index has caught up, stops it; what `body` returned. */
async function runOnce<T>(config: ReturnType<typeof readConfig>, body: (system: System) => Promise<T>, logger = quietLogger()): Promise<T> {
  const system = await startSystem({ config, logger });
  try {
    await synced(system.apiUrl, system.rpcUrl);
    const result = await body(system);
    await synced(system.apiUrl, system.rpcUrl);
    return result;
  } finally {
    await system.stop();
  }
}

/** `env` for dpl to find its endpoints in the deployment record, and to speak English whatever this machine's locale. */
function withoutEndpoints(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const { API_URL: _api, RPC_URL: _rpc, LEDGER_ADDRESS: _ledger, ...rest } = env;
  return { ...rest, LC_ALL: "C.UTF-8" };
}

async function readDeployment(dataDir: string): Promise<{ deployBlock: number }> {
  return JSON.parse(await readFile(path.join(dataDir, "deployment.json"), "utf8"));
}
