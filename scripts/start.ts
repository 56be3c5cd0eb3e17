/**
 * `npm start`: brings dpl up. Without RPC_URL it starts the embedded local chain on loopback and
 * deploys the ledger there; with RPC_URL it deploys to (or reuses the deployment on) that node.
 * It prints where everything is and runs until Ctrl-C.
 */
import { config as hardhatConfig } from "hardhat";

import { type EmbeddedChain, startEmbeddedChain } from "../server/chain/embedded-chain.js";
import { deployLedger, recordDeployment } from "../server/chain/deploy.js";
import { ConfigError, readConfig } from "../server/config.js";

async function main(): Promise<void> {
  const config = readConfig();
  let chain: EmbeddedChain | undefined;
  const rpcUrl = config.rpcUrl ?? (chain = await startEmbeddedChain({ host: config.chainHost, port: config.chainPort })).url;
  const deployment = config.ledgerAddress
    ? undefined
    : await deployLedger({ rpcUrl, ignitionDir: hardhatConfig.paths.ignition, embedded: chain !== undefined });
  const ledger = config.ledgerAddress ?? deployment!.ledger;
  if (deployment) await recordDeployment(config.dataDir, deployment);

  console.log(`Chain  ${rpcUrl}${chain ? " (embedded)" : ""}`);
  console.log(`Ledger ${ledger}${deployment ? ` (chain ${deployment.chainId}, block ${deployment.deployBlock})` : ""}`);
  console.log("Ready. Press Ctrl-C to stop.");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await chain?.close();
  console.log("Stopped.");
}

try {
  await main();
} catch (error) {
  if (error instanceof ConfigError) {
    console.error(`dpl: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
