/**
 * The whole of dpl in one process: a chain (the embedded one, or any node at RPC_URL), the ledger
 * (deployed with Ignition unless LEDGER_ADDRESS names one), the indexer and the API. Used by
 * `npm start` and by end-to-end tests.
 */
import type { Server } from "node:http";
import { rm } from "node:fs/promises";

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
import { Store } from "./store/store.js";
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
  const { app } = createApp({
    store,
    chain: {
      head: () => indexer.status().head,
      lastError: () => indexer.status().lastError,
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
  const running = indexer.run(abort.signal).catch((error) => {
    logger.fatal({ msg: "indexer stopped", error: error instanceof Error ? error.message : String(error) });
    throw error;
  });
  const server: Server = await new Promise((resolve, reject) => {
    const s = app.listen(config.apiPort, config.apiHost, () => resolve(s));
    s.once("error", reject);
  });
  const address = server.address() as { address: string; port: number };
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
      await running.catch(() => {});
      // Close live event streams too, or close() would wait for the browsers holding them.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      await store.close();
      await chain?.close();
    },
  };
}
