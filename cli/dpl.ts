/**
 * dpl, the command line of the data provenance ledger. One file per group of commands in
 * cli/commands; this file only wires them, chooses the language (--lang, else LANG), and turns
 * every failure into one sentence and an exit code (README documents the codes).
 */
import { Command, CommanderError, Help, Option } from "commander";

import { registerAnchor } from "./commands/anchor.js";
import { registerAudit } from "./commands/audit.js";
import { registerFees } from "./commands/fees.js";
import { registerGateway } from "./commands/gateway.js";
import { registerProve } from "./commands/prove.js";
import { registerRights } from "./commands/rights.js";
import { registerVerify } from "./commands/verify.js";
import { createContext, LEDGER_INTERFACE, type Context, type GlobalOptions } from "./lib/context.js";
import { describe, EXIT } from "./lib/errors.js";
import { cliLocale, commanderMessage, helpTitle, optionDescription, t, useCliLocale } from "./lib/language.js";
import { redactIn } from "../core/redact.js";

// Before any command is registered: their help texts are written in this language.
useCliLocale(cliLocale(process.argv, process.env));

const program = new Command("dpl")
  .description(t("cli.program"))
  .option("--rpc-url <url>", t("cli.opt.rpcUrl"))
  .option("--ledger <address>", t("cli.opt.ledger"))
  .option("--api-url <url>", t("cli.opt.apiUrl"))
  .option("--gateway-url <url>", t("cli.opt.gatewayUrl"))
  .option("--data-dir <dir>", t("cli.opt.dataDir"))
  .option("--account <n>", t("cli.opt.account"))
  .option("--keystore <file>", t("cli.opt.keystore"))
  .option("--json", t("cli.opt.json"))
  .addOption(new Option("--lang <language>", t("cli.opt.lang")).choices(["en", "zh"]))
  .exitOverride()
  .configureHelp({ styleTitle: helpTitle, optionDescription: (option) => optionDescription(option, (o) => Help.prototype.optionDescription.call(new Help(), o)) })
  .configureOutput({ outputError: (text, write) => write(commanderMessage(text)) });

let context: Promise<Context> | undefined;
const getContext = () => (context ??= createContext(program.opts<GlobalOptions>()));

registerAnchor(program, getContext);
registerVerify(program, getContext);
registerProve(program, getContext);
registerRights(program, getContext);
registerAudit(program, getContext);
registerGateway(program, getContext);
registerFees(program, getContext);

// Every command's -h and help command say so in this language too.
const localiseHelp = (command: Command): void => {
  command.helpOption("-h, --help", t("cli.opt.help"));
  if (command.commands.length > 0) command.helpCommand("help [command]", t("cli.opt.helpCommand"));
  command.commands.forEach(localiseHelp);
};
localiseHelp(program);

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
