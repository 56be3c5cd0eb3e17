/**
 * Sending a ledger transaction from the CLI: the client library's `confirm` waits for it to be
 * mined and decodes what it created from its events; this says so to the user as it goes.
 */
import type { ContractTransactionResponse } from "ethers";

import { LedgerClient, type Mined, NotALedgerError } from "../../sdk/index.js";
import type { Context } from "./context.js";
import { CliError, EXIT } from "./errors.js";
import { t } from "./language.js";

/**
 * Waits for `sent` and decodes the ledger's events. A transaction to an address that is not the
 * ledger succeeds without doing anything, so the event `expected` must be there: without it the
 * command fails, saying whether nothing lives at the address (exit 3) or something else does (exit 4).
 */
export async function mined(ctx: Context, sent: Promise<ContractTransactionResponse>, expected: string): Promise<Mined> {
  const client = new LedgerClient(ctx.ledgerAddress, ctx.provider, { onSent: (hash) => ctx.say(t("cli.tx.sent", { hash })) });
  try {
    return await client.confirm(sent, expected);
  } catch (error) {
    if (!(error instanceof NotALedgerError)) throw error;
    if (error.nothingThere) {
      throw new CliError(t("cli.tx.noContract", { address: ctx.ledgerAddress, source: ctx.ledgerSource, tx: error.txHash }), EXIT.network);
    }
    throw new CliError(t("cli.tx.notLedger", { address: ctx.ledgerAddress, source: ctx.ledgerSource, tx: error.txHash, event: expected }), EXIT.refused);
  }
}

export const eventNamed = (m: Mined, name: string) => m.events.find((e) => e.name === name);
