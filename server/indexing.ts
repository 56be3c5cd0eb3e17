/**
 * Where an index lives and how its indexer is tuned, from the configuration: shared by `npm start`
 * and the stand-alone indexer (`npm run index`, `npm run reindex`).
 */
import path from "node:path";

import type { Config } from "./config.js";
import type { IndexerOptions } from "./sync/indexer.js";

/** The index of `ledger` on `chainId`: DATA_DIR/<chainId>-<ledger>/index. */
export const indexDir = (dataDir: string, chainId: number, ledger: string) => path.join(dataDir, `${chainId}-${ledger.toLowerCase()}`, "index");

export const indexerOptions = (config: Config): Partial<IndexerOptions> => ({
  confirmations: config.confirmations,
  reorgWindow: config.reorgWindow,
  pollMs: config.pollMs,
  maxRange: config.logRangeMax,
});
