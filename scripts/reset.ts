/**
 * `npm run reset`: starts the embedded default over. Deletes what `npm start` keeps under DATA_DIR for
 * its embedded chain: the chain's state, the deployment record, the chain's indexes, the demo's
 * files and the gateway's receipts and epochs (settled on that chain). The files the gateway serves
 * (GATEWAY_DIR) are the holder's and stay. Refuses while a dpl runs on DATA_DIR (its lock), and
 * touches nothing of a network's.
 */
import { readdir, rm } from "node:fs/promises";
import path from "node:path";

import { chainDir } from "../server/chain/embedded-chain.js";
import { readDeployment } from "../core/deployment-record.js";
import { lockDataDir } from "../server/common/data-lock.js";
import { DplError } from "../core/errors.js";
import { readConfig } from "../server/config.js";

const EMBEDDED_CHAIN_ID = 31337;

try {
  const config = readConfig();
  const lock = await lockDataDir(config.dataDir);
  try {
    const recorded = await readDeployment(config.dataDir);
    if (recorded && recorded.chainId !== EMBEDDED_CHAIN_ID) {
      throw new DplError("not_embedded", `${config.dataDir} holds a deployment on chain ${recorded.chainId}, not the embedded chain: nothing was deleted (remove it yourself if you mean to)`);
    }
    const removed: string[] = [];
    const remove = async (target: string) => {
      await rm(target, { recursive: true, force: true });
      removed.push(path.relative(process.cwd(), target) || target);
    };
    await remove(chainDir(config.dataDir));
    await remove(path.join(config.dataDir, "deployment.json"));
    await remove(path.join(config.dataDir, "demo"));
    await remove(path.join(config.dataDir, "gateway"));
    for (const entry of await readdir(config.dataDir).catch(() => [] as string[])) {
      if (entry.startsWith(`${EMBEDDED_CHAIN_ID}-`)) await remove(path.join(config.dataDir, entry));
    }
    console.log(`reset: the embedded chain, its ledger, its index and the gateway's receipts are gone (${removed.join(", ")}); npm start begins anew`);
  } finally {
    await lock.release();
  }
} catch (error) {
  if (!(error instanceof DplError)) throw error;
  console.error(`dpl: ${error.message}`);
  process.exit(2);
}
