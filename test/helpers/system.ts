/**
 * A ledger on a test chain with an index and an API in front of it, all on loopback, for tests
 * that compare what the API answers with what the test sent.
 */
import type { Server } from "node:http";
import { Writable } from "node:stream";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import type { HardhatEthers } from "@nomicfoundation/hardhat-ethers/types";
import { network } from "hardhat";
import { pino } from "pino";

import { createApp, type ApiDeps } from "../../server/api/app.js";
import { listen } from "../../server/api/listen.js";
import { createMetrics } from "../../server/api/metrics.js";
import { createRpcClient } from "../../server/chain/rpc.js";
import { createLogger } from "../../server/common/logger.js";
import { chainViewOf, indexerFigures } from "../../server/indexing.js";
import { Store } from "../../server/store/store.js";
import { createIndexer, type Indexer, type IndexerOptions } from "../../server/sync/indexer.js";
import { Rights, UsageAction } from "../../core/ids.js";
import { deployLedger, issueGrant, registerDataset, sha256, type LedgerFixture } from "./fixtures.js";
import type { TestChain } from "./chain.js";

/** A logger whose warnings and errors are kept as their messages. */
export function capturingLogger() {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split("\n").filter(Boolean)) lines.push(JSON.parse(line).msg);
      done();
    },
  });
  return { logger: pino({ level: "warn", base: undefined }, sink), lines };
}

export const quietLogger = () => createLogger({ level: process.env.DPL_TEST_LOG ?? "silent", pretty: false });

export async function tempDir(label: string): Promise<string> {
  return mkdtemp(path.join(os.tmpdir(), `dpl-${label}-`));
}

export interface LedgerOnChain extends LedgerFixture {
  ethers: HardhatEthers;
  deployBlock: number;
  chainId: number;
  /** Closes the Hardhat connection (the chain stays up). */
  close(): Promise<void>;
}

/** Deploys a ledger on `chain` through a Hardhat connection over HTTP. */
export async function ledgerOn(chain: TestChain): Promise<LedgerOnChain> {
  const connection = await network.create({ network: "localhost", override: { url: chain.url } });
  const fixture = await deployLedger(connection.ethers);
  const receipt = await fixture.ledger.deploymentTransaction()!.wait();
  const { chainId } = await connection.ethers.provider.getNetwork();
  return { ...fixture, ethers: connection.ethers, deployBlock: receipt!.blockNumber, chainId: Number(chainId), close: () => connection.close() };
}

/** Closes each of `parts` that was opened, in the order given: for a suite's `after`. */
export async function closeAll(...parts: ({ close(): Promise<void> } | undefined)[]): Promise<void> {
  for (const part of parts) await part?.close();
}

/** Starts a chain with `start` and deploys a ledger on it (the chain is closed again if that fails). */
export async function freshLedger<C extends TestChain>(start: () => Promise<C>): Promise<{ chain: C; ledger: LedgerOnChain }> {
  const chain = await start();
  try {
    return { chain, ledger: await ledgerOn(chain) };
  } catch (error) {
    await chain.close();
    throw error;
  }
}

/** Runs `body` on a fresh chain and ledger; closes both however `body` ends. */
export async function withFreshLedger<C extends TestChain, T>(start: () => Promise<C>, body: (ledger: LedgerOnChain, chain: C) => Promise<T>): Promise<T> {
  const { chain, ledger } = await freshLedger(start);
  try {
    return await body(ledger, chain);
  } finally {
    await closeAll(ledger, chain);
  }
}

export interface IndexedApi {
  store: Store;
  indexer: Indexer;
  url: string;
  dir: string;
  get(pathAndQuery: string): Promise<{ status: number; body: any }>;
  close(): Promise<void>;
}

/** Opens a fresh index of `ledger` in a temporary directory, with an API on a loopback port. */
export async function indexAndServe(args: {
  chain: TestChain;
  ledger: LedgerOnChain;
  options?: Partial<IndexerOptions>;
  finalityDepth?: number;
  dir?: string;
  /** API settings beyond the defaults: rate limit, trusted proxies, CORS origins. */
  api?: Partial<ApiDeps["config"]>;
}): Promise<IndexedApi> {
  const dir = args.dir ?? (await tempDir("index"));
  const store = await Store.open(dir, { chainId: args.ledger.chainId, ledger: args.ledger.address, deployBlock: args.ledger.deployBlock });
  const logger = quietLogger();
  const indexer = createIndexer({ common: { logger }, rpc: createRpcClient({ url: args.chain.url }), store, ledger: args.ledger.address, deployBlock: args.ledger.deployBlock, options: args.options });
  const metrics = createMetrics(indexerFigures(indexer, store));
  const { app } = createApp({
    store,
    chain: chainViewOf(indexer),
    config: { finalityDepth: args.finalityDepth ?? 64, confirmations: 0, corsOrigins: [], verifyMaxBytes: 1024 * 1024, ...args.api },
    logger,
    metrics,
  });
  const server: Server = await listen(app, { port: 0, host: "127.0.0.1" });
  const { port } = server.address() as { port: number };
  const url = `http://127.0.0.1:${port}`;
  return {
    store,
    indexer,
    url,
    dir,
    async get(pathAndQuery) {
      const response = await fetch(url + pathAndQuery);
      return { status: response.status, body: await response.json() };
    },
    async close() {
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
      if (!args.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}

/** Every item of a paginated list, following `next`. */
export async function allPages(api: IndexedApi, pathAndQuery: string, limit = 37): Promise<any[]> {
  const items: any[] = [];
  let cursor: string | null = null;
  do {
    const sep = pathAndQuery.includes("?") ? "&" : "?";
    const { status, body } = await api.get(`${pathAndQuery}${sep}limit=${limit}${cursor ? `&cursor=${cursor}` : ""}`);
    if (status !== 200) throw new Error(`${pathAndQuery}: HTTP ${status} ${JSON.stringify(body)}`);
    items.push(...body.items);
    cursor = body.next;
  } while (cursor);
  return items;
}

/** Every key and value of an index but its bookkeeping, as lines: for comparing two indexes. */
export async function dumpOf(store: Store): Promise<string[]> {
  const out: string[] = [];
  for await (const [key, value] of store.dump()) out.push(`${key}=${value}`);
  return out;
}

/**
 * Fills the chain with usage events: `grants` datasets, each with an unlimited USE grant to the
 * grantee, then `blocks` blocks of `perBlock` uses spread over those grants.
 */
export async function fillUsage(ledger: LedgerOnChain, args: { grants: number; blocks: number; perBlock: number; label: string }): Promise<void> {
  const { ledger: contract, holder, grantee } = ledger;
  const grants: string[] = [];
  for (let i = 0; i < args.grants; i++) {
    const d = await registerDataset(contract, holder, `${args.label} ${i}`);
    grants.push(await issueGrant(contract, holder, d.id, grantee.address, { rights: Rights.USE, quota: 0n, purpose: `${args.label} ${i}` }));
  }
  for (let block = 0; block < args.blocks; block++) {
    const entries = Array.from({ length: args.perBlock }, (_, i) => ({
      grantId: grants[i % args.grants],
      action: UsageAction.Use,
      units: BigInt(1 + (i % 4)),
      outputRef: sha256(`${args.label} ${block}/${i}`),
    }));
    await (await contract.connect(grantee).recordUsageBatch(entries)).wait();
  }
}

/** A fresh index of `ledger`, synced straight from the node at `url` (no faults): the reference. */
export async function referenceIndex(url: string, ledger: LedgerOnChain, label = "reference"): Promise<Store> {
  const store = await Store.open(await tempDir(label), { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock });
  await createIndexer({ common: { logger: quietLogger() }, rpc: createRpcClient({ url }), store, ledger: ledger.address, deployBlock: ledger.deployBlock }).syncOnce();
  return store;
}

/** A fresh index of `ledger` and its indexer, reading the node through `url` (a proxy, say); not started. */
export async function indexerThrough(url: string, ledger: LedgerOnChain, args: { label: string; timeoutMs?: number; options: Partial<IndexerOptions> }) {
  const store = await Store.open(await tempDir(args.label), { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock });
  const indexer = createIndexer({
    common: { logger: quietLogger() },
    rpc: createRpcClient({ url, timeoutMs: args.timeoutMs }),
    store,
    ledger: ledger.address,
    deployBlock: ledger.deployBlock,
    options: args.options,
  });
  return { store, indexer };
}

/** The first value `check` gives that is not undefined (a failing check counts as undefined), polled; fails after `ms`, naming `what`. */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, ms = 20_000): Promise<T> {
  const deadline = Date.now() + ms;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`not within ${ms / 1000} s: ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Waits until `store`'s cursor reaches `block`, or fails after `ms`. */
export async function waitForCursor(store: Store, block: number, ms: number): Promise<void> {
  const deadline = Date.now() + ms;
  while (((await store.state())?.cursor.number ?? -1) < block) {
    if (Date.now() > deadline) throw new Error(`the index did not reach block ${block} within ${ms / 1000} s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

export interface StartedProcess {
  /** The API's base URL, from the banner. */
  url: string;
  process: import("node:child_process").ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
  /** SIGKILLs the whole system, as a power cut would: dpl's process group and its embedded chain's. */
  kill(): Promise<void>;
  /** SIGKILLs dpl's process group only, leaving its embedded chain running. */
  killDpl(): Promise<void>;
  /** Ctrl-C: SIGINT to dpl, then waits for it to exit; resolves to its exit code. */
  interrupt(): Promise<number | null>;
}

/** The embedded chain the dpl running on `dataDir` recorded in its lock, if any. */
export async function lockedChain(dataDir: string): Promise<{ pid: number; url: string } | undefined> {
  const { readFile } = await import("node:fs/promises");
  return readFile(path.join(dataDir, "dpl.lock"), "utf8").then(
    (text) => JSON.parse(text).chain,
    () => undefined,
  );
}

export const isAlive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

const killGroup = (pid: number) => {
  try {
    process.kill(-pid, "SIGKILL");
  } catch {
    /* gone already */
  }
};

/** Runs `npm start`'s entry point with `env` to its end (one that refuses to start); its exit code and output. */
export async function runStartToExit(env: NodeJS.ProcessEnv, timeoutMs = 60_000): Promise<{ code: number | null; output: string }> {
  const { spawn } = await import("node:child_process");
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c));
  child.stderr!.on("data", (c: Buffer) => (output += c));
  const timer = setTimeout(() => killGroup(child.pid!), timeoutMs);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code, output };
}

/**
 * `npm start`'s entry point (scripts/start.ts) as a process of its own with `env`, under `ulimit -n
 * fds` when given; resolves once its banner names the API, rejects if it exits first.
 */
export async function startProcess(env: NodeJS.ProcessEnv, args: { fds?: number; timeoutMs?: number } = {}): Promise<StartedProcess> {
  const { spawn } = await import("node:child_process");
  const command = `${args.fds ? `ulimit -n ${args.fds} && ` : ""}exec "${process.execPath}" --import tsx scripts/start.ts`;
  // A process group of its own, as a terminal's foreground job is.
  const child = spawn("bash", ["-c", command], { env, stdio: ["ignore", "pipe", "pipe"], detached: true });
  let output = "";
  child.stdout!.on("data", (c: Buffer) => (output += c));
  child.stderr!.on("data", (c: Buffer) => (output += c));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const waitExit = () => new Promise<number | null>((resolve) => (exited() ? resolve(child.exitCode) : child.once("exit", (code) => resolve(code))));
  const killDpl = async () => {
    if (exited()) return;
    const done = waitExit();
    killGroup(child.pid!);
    await done;
  };
  const kill = async () => {
    const chain = env.DATA_DIR ? await lockedChain(env.DATA_DIR) : undefined;
    if (chain) killGroup(chain.pid);
    await killDpl();
  };
  const interrupt = async () => {
    if (exited()) return child.exitCode;
    const done = waitExit();
    child.kill("SIGINT");
    return done;
  };
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`scripts/start.ts did not start: ${output}`)), args.timeoutMs ?? 60_000);
    const onExit = (code: number | null) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`scripts/start.ts exited (${code}): ${output}`));
    };
    const poll = setInterval(() => {
      const match = /API\s+(http:\/\/[\d.:]+)\/v1\/status/.exec(output);
      if (!match) return;
      clearInterval(poll);
      clearTimeout(timer);
      child.off("exit", onExit);
      resolve(match[1]);
    }, 20);
    child.once("exit", onExit);
  });
  return { url, process: child, output: () => output, kill, killDpl, interrupt };
}
