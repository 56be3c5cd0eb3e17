/**
 * Where an index lives and how its indexer is tuned, from the configuration: shared by `npm start`
 * and the stand-alone indexer (`npm run index`, `npm run reindex`).
 */
import { rm } from "node:fs/promises";
import path from "node:path";

import type { RpcClient } from "./chain/rpc.js";
import type { Logger } from "./common/logger.js";
import { ConfigError, type Config } from "./config.js";
import type { StoreIdentity } from "./store/records.js";
import { Store, type StoreOptions } from "./store/store.js";
import type { Indexer, IndexerOptions } from "./sync/indexer.js";
import type { ChainView } from "./api/app.js";

/** The index of `ledger` on `chainId`: DATA_DIR/<chainId>-<ledger>/index. */
export const indexDir = (dataDir: string, chainId: number, ledger: string) => path.join(dataDir, `${chainId}-${ledger.toLowerCase()}`, "index");

/** The node's chain id; with CHAIN_ID set, a node on any other chain is refused before anything is read. */
export async function chainIdOf(rpc: RpcClient, expected: number | undefined): Promise<number> {
  const chainId = Number(await rpc.request<string>("eth_chainId", []));
  if (expected !== undefined && chainId !== expected) throw new ConfigError(`CHAIN_ID is ${expected} but the node at RPC_URL is on chain ${chainId}; point RPC_URL at the right network`);
  return chainId;
}

/** How the index is opened: its block cache and how its table files are written. */
export const storeOptions = (config: Config): StoreOptions => ({ cacheMb: config.indexCacheMb, compression: config.indexCompression });

/**
 * Opens the index at `dir`; one an older dpl wrote is deleted and started afresh, with one log line:
 * the index is only ever what the chain says, and the indexer rebuilds it from there.
 */
export async function openIndex(dir: string, identity: Omit<StoreIdentity, "schema">, options: StoreOptions, logger: Logger): Promise<Store> {
  try {
    return await Store.open(dir, identity, options);
  } catch (error) {
    if ((error as { code?: string }).code !== "store_outdated") throw error;
    logger.warn({ msg: `${(error as Error).message}: rebuilding it from the chain` });
    await rm(dir, { recursive: true, force: true });
    return Store.open(dir, identity, options);
  }
}

export const indexerOptions = (config: Config): Partial<IndexerOptions> => ({
  confirmations: config.confirmations,
  reorgWindow: config.reorgWindow,
  pollMs: config.pollMs,
  maxRange: config.logRangeMax,
  bloomCheck: config.bloomCheck,
});

/**
 * Reads the whole index back once, behind the indexer and the API (opening reads only the journal):
 * damage it finds stops both, with the sentence naming `npm run reindex` (Store.reportDamage). One
 * log line either way. Resolves when done, stopped by `signal`, or damage was found.
 */
export async function verifyInBackground(store: Store, logger: Logger, signal: AbortSignal): Promise<void> {
  try {
    const { keys, seconds, complete } = await store.verify({ signal });
    if (complete) logger.info({ msg: `index verified: its ${keys} keys all read back whole (${seconds.toFixed(1)} s)`, keys });
  } catch (error) {
    logger.fatal({ msg: `${(error as Error).message}; the indexer and the API stop`, error: (error as Error).message });
  }
}

/**
 * What the API sees of the chain through a running indexer: its last look at the head, its last
 * error, why it stopped for good (`stalled`), and its applied ranges and rollbacks as they happen.
 */
export function chainViewOf(indexer: Indexer, stalled: () => string | undefined = () => undefined): ChainView {
  return {
    head: () => indexer.status().head,
    lastError: () => indexer.status().lastError,
    stalled,
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
  };
}

/** The indexer's figures for /metrics: the head it saw, the block indexed, events and reorganisations. */
export function indexerFigures(indexer: Indexer, store: Store) {
  return async () => {
    const status = indexer.status();
    const state = status.state ?? (await store.state());
    return { head: status.head?.number, indexed: state?.cursor.number, events: state?.events ?? 0, reorgs: state?.reorgs ?? 0 };
  };
}
