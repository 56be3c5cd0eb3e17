/**
 * The indexer on its own, against any node: `npm run index` follows the chain; `npm run reindex`
 * deletes the index and rebuilds it from the chain alone, then exits. Flags: `--once` (exit when
 * caught up), `--rebuild` (start from an empty index).
 *
 * Which ledger: LEDGER_ADDRESS (and START_BLOCK), or else the deployment `npm start` recorded in
 * DATA_DIR/deployment.json. Which node: RPC_URL, or else that deployment's.
 */
import { rm } from "node:fs/promises";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";

import { firstBlockWithCode } from "../server/chain/deploy-block.js";
import { readDeployment } from "../core/deployment-record.js";
import { redactUrl } from "../core/redact.js";
import { createRpcClient } from "../server/chain/rpc.js";
import { DplError, InvalidInputError, RetryableError } from "../core/errors.js";
import { createLogger } from "../server/common/logger.js";
import { readConfig } from "../server/config.js";
import { createIndexer } from "../server/sync/indexer.js";
import { chainIdOf, indexDir, indexerOptions, openIndex, storeOptions, verifyInBackground } from "../server/indexing.js";

async function main(): Promise<void> {
  const flags = new Set(process.argv.slice(2));
  for (const flag of flags) if (flag !== "--once" && flag !== "--rebuild") throw new InvalidInputError(`unknown flag ${flag}; use --once and/or --rebuild`);
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel });
  const recorded = await readDeployment(config.dataDir);
  const rpcUrl = config.rpcUrl ?? recorded?.rpcUrl;
  const ledger = config.ledgerAddress ?? recorded?.ledger?.toLowerCase();
  if (!rpcUrl || !ledger) throw new InvalidInputError(`set RPC_URL and LEDGER_ADDRESS, or run \`npm start\` first so that ${path.join(config.dataDir, "deployment.json")} exists`);
  const rpc = createRpcClient({ url: rpcUrl });
  const chainId = await chainIdOf(rpc, config.chainId);
  const deployBlock = config.startBlock ?? (recorded?.ledger?.toLowerCase() === ledger ? recorded.deployBlock : await firstBlockWithCode(rpc, ledger));
  const dir = indexDir(config.dataDir, chainId, ledger);
  if (flags.has("--rebuild")) await rm(dir, { recursive: true, force: true });
  const store = await openIndex(dir, { chainId, ledger, deployBlock }, storeOptions(config), logger);
  const indexer = createIndexer({ common: { logger }, rpc, store, ledger, deployBlock, options: indexerOptions(config) });
  try {
    if (flags.has("--once")) {
      // A batch run reads the whole index back before it adds to it: damage is refused, not built on.
      await store.verify();
      for (let backoff = 250; ; backoff = Math.min(backoff * 2, 10_000)) {
        try {
          const state = await indexer.syncOnce();
          const head = indexer.status().head!.number;
          if (state.cursor.number >= head - config.confirmations) {
            console.log(JSON.stringify({ indexed: state.cursor.number, events: state.events, digest: state.digest, reorgs: state.reorgs }));
            return;
          }
        } catch (error) {
          if (!(error instanceof RetryableError)) throw error;
          logger.warn({ msg: "retrying", error: error.message, backoffMs: backoff });
          await sleep(backoff);
        }
      }
    }
    const abort = new AbortController();
    process.once("SIGINT", () => abort.abort());
    process.once("SIGTERM", () => abort.abort());
    console.log(`Indexing ledger ${ledger} on chain ${chainId} from ${redactUrl(rpcUrl)} into ${dir}. Ctrl-C stops.`);
    const verified = verifyInBackground(store, logger, abort.signal);
    try {
      await indexer.run(abort.signal);
    } finally {
      abort.abort();
      await verified;
    }
  } finally {
    await store.close();
  }
}

try {
  await main();
} catch (error) {
  if (error instanceof DplError) {
    console.error(`dpl: ${error.message}`);
    process.exit(error instanceof InvalidInputError ? 2 : 1);
  }
  throw error;
}
