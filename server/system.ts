/**
 * The whole of dpl in one process: a chain (the embedded one, or any node at RPC_URL), the ledger
 * (deployed with Ignition unless LEDGER_ADDRESS names one), the indexer and the API. Used by
 * `npm start` and by end-to-end tests.
 */
import type { Server } from "node:http";
import { readFile, rm } from "node:fs/promises";

import { config as hardhatConfig } from "hardhat";

import { deployLedger, recordDeployment } from "./chain/deploy.js";
import { firstBlockWithCode } from "./chain/deploy-block.js";
import { startEmbeddedChain, type EmbeddedChain } from "./chain/embedded-chain.js";
import { createRpcClient } from "./chain/rpc.js";
import type { Logger } from "./common/logger.js";
import type { Config } from "./config.js";
import { createApp } from "./api/app.js";
import { createMetrics } from "./api/metrics.js";
import { chainIdOf, indexDir, indexerOptions } from "./indexing.js";
import { runDemo, type DemoResult } from "./demo.js";
import { Store, TABLE_FILES_OPEN } from "./store/store.js";
import { createIndexer, type Indexer } from "./sync/indexer.js";

export interface System {
  rpcUrl: string;
  apiUrl: string;
  chainId: number;
  ledger: string;
  deployBlock: number;
  embedded: boolean;
  /** What the demo created, when it ran. */
  demo: DemoResult | undefined;
  indexer: Indexer;
  store: Store;
  stop(): Promise<void>;
}

/** The soft limit on open files (Linux's /proc/self/limits), or undefined where it cannot be read. */
async function openFileLimit(): Promise<number | undefined> {
  const limits = await readFile("/proc/self/limits", "utf8").catch(() => "");
  const match = /^Max open files\s+(\d+)/m.exec(limits);
  return match ? Number(match[1]) : undefined;
}

export async function startSystem(args: { config: Config; logger: Logger; say?: (line: string) => void }): Promise<System> {
  const { config, logger } = args;
  let chain: EmbeddedChain | undefined;
  const rpcUrl = config.rpcUrl ?? (chain = await startEmbeddedChain({ host: config.chainHost, port: config.chainPort })).url;
  const rpc = createRpcClient({ url: rpcUrl });
  const chainId = await chainIdOf(rpc, config.chainId);

  let ledger: string;
  let deployBlock: number;
  if (config.ledgerAddress) {
    ledger = config.ledgerAddress;
    deployBlock = config.startBlock ?? (await firstBlockWithCode(rpc, ledger));
  } else {
    const deployment = await deployLedger({ rpcUrl, ignitionDir: hardhatConfig.paths.ignition, embedded: chain !== undefined, deployerKey: config.deployerKey, admin: config.ledgerAdmin, adminDelay: config.ledgerAdminDelay });
    await recordDeployment(config.dataDir, deployment);
    ({ ledger, deployBlock } = deployment);
  }
  ledger = ledger.toLowerCase();

  const dir = indexDir(config.dataDir, chainId, ledger);
  // The embedded chain starts empty each time, so an index of an earlier run describes another chain.
  if (chain) await rm(dir, { recursive: true, force: true });
  const store = await Store.open(dir, { chainId, ledger, deployBlock });
  const indexer = createIndexer({
    common: { logger },
    rpc,
    store,
    ledger,
    deployBlock,
    options: indexerOptions(config),
  });

  const metrics = createMetrics(async () => {
    const status = indexer.status();
    const state = status.state ?? (await store.state());
    return { head: status.head?.number, indexed: state?.cursor.number, events: state?.events ?? 0, reorgs: state?.reorgs ?? 0 };
  });
  let stalled: string | undefined;
  const { app } = createApp({
    store,
    chain: {
      head: () => indexer.status().head,
      lastError: () => indexer.status().lastError,
      stalled: () => stalled,
      subscribe(listener) {
        const applied = (data: unknown) => listener("applied", data);
        const reorg = (data: unknown) => listener("reorg", data);
        indexer.events.on("applied", applied);
        indexer.events.on("reorg", reorg);
        return () => {
          indexer.events.off("applied", applied);
          indexer.events.off("reorg", reorg);
        };
      },
    },
    config,
    logger,
    metrics,
  });

  const abort = new AbortController();
  // An indexer that stops for good (a damaged index, a reorganisation deeper than it can undo) takes
  // nothing else down: the API keeps serving the index as it was, and /ready and /v1/status say why.
  const running = indexer.run(abort.signal).catch((error) => {
    const reason = error instanceof Error ? error.message : String(error);
    const at = indexer.status().state?.cursor.number;
    stalled = `the indexer stopped${at === undefined ? "" : ` at block ${at}`}: ${reason}`;
    logger.fatal({ msg: "indexer stopped; the API keeps serving the index as it was", error: reason, indexed: at });
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.apiPort, config.apiHost, () => {
      s.off("error", reject);
      // Every socket is a file descriptor: past the cap, Node closes new connections at once, so the
      // index and the node's connection always have theirs.
      s.maxConnections = config.apiMaxConnections;
      // After listening, a failed accept (EMFILE when descriptors run out) is an error event: logged, never fatal.
      s.on("error", (error) => logger.error({ msg: "the API server could not accept a connection", error: error.message }));
      resolve(s);
    });
    s.once("error", reject);
  });
  const address = server.address() as { address: string; port: number };
  const limit = await openFileLimit();
  if (limit !== undefined && limit < config.apiMaxConnections + TABLE_FILES_OPEN + 100) {
    logger.warn({ msg: `the process may open ${limit} files, fewer than API_MAX_CONNECTIONS (${config.apiMaxConnections}) + the index's ${TABLE_FILES_OPEN} + 100 need: raise ulimit -n or lower API_MAX_CONNECTIONS`, limit });
  }
  // The demo only ever runs on the embedded chain, which starts empty each time.
  const demo = chain && config.demo ? await runDemo({ rpcUrl, ledger, dataDir: config.dataDir, say: args.say ?? (() => {}) }) : undefined;

  return {
    rpcUrl,
    apiUrl: `http://${address.address}:${address.port}`,
    chainId,
    ledger,
    deployBlock,
    embedded: chain !== undefined,
    demo,
    indexer,
    store,
    async stop() {
      abort.abort();
      await running;
      // Close live event streams too, or close() would wait for the browsers holding them.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
      await chain?.close();
    },
  };
}
