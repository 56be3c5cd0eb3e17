/**
 * dpl, the command line of the data provenance ledger. One file per group of commands in
 * cli/commands; this file only wires them and turns every failure into one sentence and an exit
 * code (README documents the codes).
 */
import { Command, CommanderError } from "commander";

import { registerAnchor } from "./commands/anchor.js";
import { registerAudit } from "./commands/audit.js";
import { registerFees } from "./commands/fees.js";
import { registerGateway } from "./commands/gateway.js";
import { registerProve } from "./commands/prove.js";
import { registerRights } from "./commands/rights.js";
import { registerVerify } from "./commands/verify.js";
import { createContext, LEDGER_INTERFACE, type Context, type GlobalOptions } from "./lib/context.js";
import { describe, EXIT } from "./lib/errors.js";
import { redactIn } from "../core/redact.js";

const program = new Command("dpl")
  .description("dpl, the data provenance ledger: anchor datasets, grant and meter their use, verify provenance, trace usage")
  .option("--rpc-url <url>", "JSON-RPC endpoint of the node (RPC_URL; default: the one npm start recorded)")
  .option("--ledger <address>", "the ledger's address (LEDGER_ADDRESS; default: the one npm start recorded)")
  .option("--api-url <url>", "the dpl API (API_URL; default http://127.0.0.1:8080)")
  .option("--gateway-url <url>", "the holder's data gateway, for dpl fetch (GATEWAY_URL; default: the one npm start recorded)")
  .option("--data-dir <dir>", "where npm start recorded its deployment (DATA_DIR; default ./data)")
  .option("--account <n>", "development account to sign with on a local chain (default 0)")
  .option("--keystore <file>", "encrypted JSON keystore to sign with (DPL_KEYSTORE; password: DPL_KEYSTORE_PASSWORD or a prompt)")
  .option("--json", "print machine-readable JSON")
  .exitOverride()
  .configureOutput({ outputError: (text, write) => write(text.replace(/^error: /, "dpl: ")) });

let context: Promise<Context> | undefined;
const getContext = () => (context ??= createContext(program.opts<GlobalOptions>()));

registerAnchor(program, getContext);
registerVerify(program, getContext);
registerProve(program, getContext);
registerRights(program, getContext);
registerAudit(program, getContext);
registerGateway(program, getContext);
registerFees(program, getContext);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else {
    const failure = describe(LEDGER_INTERFACE, error);
    // A node URL may carry a provider's key: never print it, whatever message it ended up in.
    const ctx = await context?.catch(() => undefined);
    console.error(`dpl: ${ctx ? redactIn(failure.message, ctx.rpcUrl) : failure.message}`);
    process.exitCode = failure.exitCode;
  }
} finally {
  const ctx = await context?.catch(() => undefined);
  ctx?.provider.destroy();
}
