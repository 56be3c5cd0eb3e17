/**
 * Where an index lives and how its indexer is tuned, from the configuration: shared by `npm start`
 * and the stand-alone indexer (`npm run index`, `npm run reindex`).
 */
import path from "node:path";

import type { RpcClient } from "./chain/rpc.js";
import { ConfigError, type Config } from "./config.js";
import type { IndexerOptions } from "./sync/indexer.js";

/** The index of `ledger` on `chainId`: DATA_DIR/<chainId>-<ledger>/index. */
export const indexDir = (dataDir: string, chainId: number, ledger: string) => path.join(dataDir, `${chainId}-${ledger.toLowerCase()}`, "index");

/** The node's chain id; with CHAIN_ID set, a node on any other chain is refused before anything is read. */
export async function chainIdOf(rpc: RpcClient, expected: number | undefined): Promise<number> {
  const chainId = Number(await rpc.request<string>("eth_chainId", []));
  if (expected !== undefined && chainId !== expected) throw new ConfigError(`CHAIN_ID is ${expected} but the node at RPC_URL is on chain ${chainId}; point RPC_URL at the right network`);
  return chainId;
}

export const indexerOptions = (config: Config): Partial<IndexerOptions> => ({
  confirmations: config.confirmations,
  reorgWindow: config.reorgWindow,
  pollMs: config.pollMs,
  maxRange: config.logRangeMax,
  bloomCheck: config.bloomCheck,
});
