/**
 * `npm start`: brings the whole of dpl up (chain, ledger, indexer, API), prints where everything
 * is, and runs until Ctrl-C. Settings: README's Configuration table (server/config.ts).
 */
import path from "node:path";

import { DplError } from "../core/errors.js";
import { createLogger } from "../server/common/logger.js";
import { redactUrl } from "../core/redact.js";
import { readConfig } from "../server/config.js";
import { startSystem } from "../server/system.js";

async function main(): Promise<void> {
  const config = readConfig();
  const logger = createLogger({ level: config.logLevel });
  const system = await startSystem({ config, logger, say: (line) => console.log(line) });
  console.log(`Chain    ${redactUrl(system.rpcUrl)}${system.embedded ? " (embedded)" : ""} (chain id ${system.chainId})`);
  if (system.stateFile) {
    console.log(`         ${system.restored ? "restored from" : "new, kept in"} ${path.relative(process.cwd(), system.stateFile) || system.stateFile}; \`npm run reset\` starts over`);
  }
  console.log(`Ledger   ${system.ledger} (from block ${system.deployBlock})`);
  console.log(`Explorer ${system.apiUrl}/`);
  console.log(`API      ${system.apiUrl}/v1/status   docs ${system.apiUrl}/docs`);
  console.log(
    system.gateway
      ? `Gateway  ${system.gateway.url}/   serving ${system.gateway.holder}'s data, signing as ${system.gateway.signer}`
      : "Gateway  off (set GATEWAY_KEY to a key of the holder's or of its meter)",
  );
  console.log("Ready. Press Ctrl-C to stop.");
  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  await system.stop();
  console.log("Stopped.");
}

try {
  await main();
} catch (error) {
  if (error instanceof DplError) {
    console.error(`dpl: ${error.message}`);
    process.exit(2);
  }
  throw error;
}
