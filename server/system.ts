/**
 * The whole of dpl in one process: a chain (the embedded one, kept under DATA_DIR, or any node at
 * RPC_URL), the ledger (deployed once, unless LEDGER_ADDRESS names one), the indexer and the API.
 * Used by `npm start` and by end-to-end tests. One dpl per DATA_DIR, held by a lock from before the
 * first write to the last.
 */
import type { Server } from "node:http";
import { readFile, rm } from "node:fs/promises";

import { config as hardhatConfig } from "hardhat";

import { deployEmbedded, deployLedger } from "./chain/deploy.js";
import { readDeployment, recordDeployment } from "../core/deployment-record.js";
import { firstBlockWithCode } from "./chain/deploy-block.js";
import { nextSnapshotDelay, saveChainState, startEmbeddedChain, stateFileOf, type EmbeddedChain } from "./chain/embedded-chain.js";
import { createRpcClient, type RpcClient } from "./chain/rpc.js";
import { type DataLock, lockDataDir } from "./common/data-lock.js";
import { requirePortFree } from "./common/ports.js";
import type { Logger } from "./common/logger.js";
import type { Config } from "./config.js";
import { createApp } from "./api/app.js";
import { listen } from "./api/listen.js";
import { createMetrics } from "./api/metrics.js";
import { chainIdOf, chainViewOf, indexDir, indexerFigures, indexerOptions, openIndex, storeOptions, verifyInBackground } from "./indexing.js";
import { runDemo, type DemoResult } from "./demo.js";
import { type Gateway, startGateway } from "./gateway/gateway.js";
import { devAccount } from "../core/ids.js";
import { Store, TABLE_FILES_OPEN } from "./store/store.js";
import { createIndexer, type Indexer } from "./sync/indexer.js";

/** A snapshot of the embedded chain slower than this is worth a warning: the chain has outgrown it. */
const SLOW_SNAPSHOT_MS = 5_000;

export interface System {
  rpcUrl: string;
  apiUrl: string;
  /** The data gateway, when it runs (README, "The data gateway"). */
  gateway: Gateway | undefined;
  /** The embedded chain's state file; undefined on a network. */
  stateFile: string | undefined;
  /** Whether the embedded chain and its ledger came back from an earlier run; undefined on a network. */
  restored: boolean | undefined;
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
  // Before anything is written: one dpl per DATA_DIR, and the ports free.
  // A chain left running by a dpl that was killed holds blocks its last snapshot may lack: save them first.
  let slowSaid = false;
  const lock = await lockDataDir(config.dataDir, { onStaleChain: async (stale) => void (await saveChainState(stale.url, stateFileOf(config.dataDir))) });
  let chain: EmbeddedChain | undefined;
  let store: Store | undefined;
  try {
    if (!config.rpcUrl) await requirePortFree(config.chainHost, config.chainPort, "CHAIN_PORT");
    await requirePortFree(config.apiHost, config.apiPort, "API_PORT");
    if (config.gateway.enabled) await requirePortFree(config.gateway.host, config.gateway.port, "GATEWAY_PORT");
    if (!config.rpcUrl) {
      chain = await startEmbeddedChain({
        host: config.chainHost,
        port: config.chainPort,
        dataDir: config.dataDir,
        onSaveError: (error) => logger.warn({ msg: "the embedded chain could not be saved; the next snapshot tries again", error: error.message }),
        onSnapshot: (snapshot) => {
          // Said once, when the chain has grown past what the embedded default is for.
          if (slowSaid || snapshot.dumpMs + snapshot.writeMs < SLOW_SNAPSHOT_MS) return;
          slowSaid = true;
          const seconds = (snapshot.dumpMs + snapshot.writeMs) / 1000;
          logger.warn({
            msg: `the embedded chain has grown to ${Math.round(snapshot.bytes / 2 ** 20)} MiB and a snapshot takes ${seconds.toFixed(1)} s: a crash may now lose the last ${Math.round(nextSnapshotDelay(snapshot, 1000) / 1000 + seconds)} s of blocks. For a ledger this size, run a node that keeps its own data and set RPC_URL (README, "Keeping data")`,
            bytes: snapshot.bytes,
          });
        },
      });
      await lock.recordChain({ pid: chain.pid, url: chain.url });
    }
    return await startOn({ config, logger, say: args.say, lock, chain, opened: (s) => (store = s) });
  } catch (error) {
    await store?.close().catch(() => {});
    await chain?.close();
    await lock.release();
    throw error;
  }
}

/** The ledger this DATA_DIR's dpl uses: named, recorded by a previous start and still on the chain, or deployed now. */
async function ledgerOf(config: Config, rpc: RpcClient, rpcUrl: string, chainId: number, embedded: boolean): Promise<{ ledger: string; deployBlock: number; deployed: boolean }> {
  if (config.ledgerAddress) return { ledger: config.ledgerAddress, deployBlock: config.startBlock ?? (await firstBlockWithCode(rpc, config.ledgerAddress)), deployed: false };
  const recorded = await readDeployment(config.dataDir);
  if (recorded && recorded.chainId === chainId && (await rpc.request<string>("eth_getCode", [recorded.ledger, "latest"])) !== "0x") {
    return { ledger: recorded.ledger, deployBlock: recorded.deployBlock, deployed: false };
  }
  const deployment = embedded
    ? await deployEmbedded({ rpcUrl, artifactsDir: hardhatConfig.paths.artifacts, admin: config.ledgerAdmin, adminDelay: config.ledgerAdminDelay })
    : await deployLedger({ rpcUrl, deployerKey: config.deployerKey, admin: config.ledgerAdmin, adminDelay: config.ledgerAdminDelay });
  await recordDeployment(config.dataDir, deployment);
  return { ...deployment, deployed: true };
}

async function startOn(args: { config: Config; logger: Logger; say?: (line: string) => void; lock: DataLock; chain: EmbeddedChain | undefined; opened: (store: Store) => void }): Promise<System> {
  const { config, logger, lock, chain } = args;
  const rpcUrl = config.rpcUrl ?? chain!.url;
  const rpc = createRpcClient({ url: rpcUrl });
  const chainId = await chainIdOf(rpc, config.chainId);
  const found = await ledgerOf(config, rpc, rpcUrl, chainId, chain !== undefined);
  const { deployBlock, deployed } = found;
  // Kept at once: the deployment record must never name a ledger the chain's file lacks.
  if (chain && deployed) await chain.save();
  const ledger = found.ledger.toLowerCase();

  const dir = indexDir(config.dataDir, chainId, ledger);
  // A ledger deployed just now on the embedded chain makes any index under its address another chain's.
  if (chain && deployed) await rm(dir, { recursive: true, force: true });
  let store = await openIndex(dir, { chainId, ledger, deployBlock }, storeOptions(config), logger);
  args.opened(store);
  if (chain && !deployed) {
    store = await reconcileWithChain({ store, rpc, logger, dir, identity: { chainId, ledger, deployBlock } });
    args.opened(store);
  }
  const indexer = createIndexer({
    common: { logger },
    rpc,
    store,
    ledger,
    deployBlock,
    options: indexerOptions(config),
  });

  const metrics = createMetrics(indexerFigures(indexer, store));
  let stalled: string | undefined;
  const { app } = createApp({
    store,
    chain: chainViewOf(indexer, () => stalled),
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
    logger.fatal({ msg: `${stalled}; the API keeps serving the index as it was`, indexed: at });
  });
  // Past the cap, Node closes new connections at once, so the index and the node's connection always have their descriptors.
  const verified = verifyInBackground(store, logger, abort.signal);
  const server: Server = await listen(app, { port: config.apiPort, host: config.apiHost, maxConnections: config.apiMaxConnections, logger });
  const address = server.address() as { address: string; port: number };
  const limit = await openFileLimit();
  if (limit !== undefined && limit < config.apiMaxConnections + TABLE_FILES_OPEN + 100) {
    logger.warn({
      msg: `the process may open ${limit} files, fewer than API_MAX_CONNECTIONS (${config.apiMaxConnections}) + the index's ${TABLE_FILES_OPEN} + 100 need: raise ulimit -n or lower API_MAX_CONNECTIONS`,
      limit,
    });
  }
  const apiUrl = `http://${address.address}:${address.port}`;
  // The embedded chain's gateway signs as the demo's data bureau (development account 1).
  const gatewayKey = config.gateway.key ?? (chain ? devAccount(1).privateKey : undefined);
  const gateway =
    config.gateway.enabled && gatewayKey
      ? await startGateway({ config: { ...config.gateway, key: gatewayKey }, dataDir: config.dataDir, index: store, rpcUrl, chainId, ledger, headTime: () => indexer.status().head?.timestamp, logger })
      : undefined;
  // The demo runs once, on the embedded chain, when its ledger is new; its bank fetches through the
  // gateway. It appoints the authority and the arbiter as the ledger's admin (development account
  // #0), so it does not run when LEDGER_ADMIN names another admin.
  const demoAdmin = !config.ledgerAdmin || config.ledgerAdmin.toLowerCase() === devAccount(0).address.toLowerCase();
  if (chain && deployed && config.demo && !demoAdmin) args.say?.("demo: skipped: it appoints the authority and the arbiter as development account #0, and LEDGER_ADMIN names another admin");
  const demo =
    chain && deployed && config.demo && demoAdmin
      ? await runDemo({ rpcUrl, ledger, dataDir: config.dataDir, artifactsDir: hardhatConfig.paths.artifacts, servedDir: config.gateway.dir, gateway, say: args.say ?? (() => {}) })
      : undefined;
  if (demo) await chain!.save();
  // The CLI finds the API and the gateway where this dpl listens, whatever their ports were.
  if (!config.ledgerAddress) await recordDeployment(config.dataDir, { ...(await readDeployment(config.dataDir))!, rpcUrl, apiUrl, gatewayUrl: gateway?.url });

  return {
    rpcUrl,
    apiUrl,
    gateway,
    stateFile: chain?.stateFile,
    restored: chain ? !deployed : undefined,
    chainId,
    ledger,
    deployBlock,
    embedded: chain !== undefined,
    demo,
    indexer,
    store,
    async stop() {
      await gateway?.stop();
      abort.abort();
      await running;
      await verified;
      // Close live event streams too, or close() would wait for the browsers holding them.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
      await chain?.close();
      await lock.release();
    },
  };
}

/**
 * After a crash the embedded chain may have kept less than the index had applied (anvil writes its
 * state every second): the index is then rolled back to the newest block the chain still has, or,
 * when none of the blocks it remembers is left, rebuilt from the chain. One log line either way.
 */
async function reconcileWithChain(args: { store: Store; rpc: RpcClient; logger: Logger; dir: string; identity: { chainId: number; ledger: string; deployBlock: number } }): Promise<Store> {
  const { store, rpc, logger } = args;
  const state = await store.state();
  if (!state) return store;
  const hashAt = async (n: number) => (await rpc.request<{ hash: string } | null>("eth_getBlockByNumber", ["0x" + n.toString(16), false]))?.hash;
  if ((await hashAt(state.cursor.number)) === state.cursor.hash) return store;
  for (const { number, mark } of await store.marks()) {
    if (number <= state.cursor.number && (await hashAt(number)) === mark.hash) {
      await store.rollbackTo(number);
      logger.warn({
        msg: `the chain kept blocks up to ${number} of the ${state.cursor.number} the index had: the index is rolled back to block ${number} and catches up from there`,
        from: state.cursor.number,
        to: number,
      });
      return store;
    }
  }
  await store.close();
  await rm(args.dir, { recursive: true, force: true });
  logger.warn({ msg: `the chain kept none of the blocks the index remembers (it had reached block ${state.cursor.number}): the index is rebuilt from the chain`, from: state.cursor.number });
  return Store.open(args.dir, args.identity, args.store.options);
}
