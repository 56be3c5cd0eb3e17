/**
 * Sending a ledger transaction from the CLI: wait for it to be mined, then decode what it created
 * from its events.
 */
import type { ContractTransactionResponse, LogDescription, TransactionReceipt } from "ethers";

import { LEDGER_INTERFACE, type Context } from "./context.js";
import { CliError, EXIT } from "./errors.js";

export interface Mined {
  receipt: TransactionReceipt;
  events: LogDescription[];
}

/**
 * Waits for `sent` and decodes the ledger's events. A transaction to an address that is not the
 * ledger succeeds without doing anything, so the event `expected` must be there: without it the
 * command fails, saying whether nothing lives at the address (exit 3) or something else does (exit 4).
 */
export async function mined(ctx: Context, sent: Promise<ContractTransactionResponse>, expected: string): Promise<Mined> {
  const tx = await sent;
  ctx.say(`sent ${tx.hash}; waiting for it to be mined…`);
  const receipt = (await tx.wait())!;
  const events = receipt.logs
    .filter((l) => l.address.toLowerCase() === ctx.ledgerAddress.toLowerCase())
    .map((l) => LEDGER_INTERFACE.parseLog(l))
    .filter((e): e is LogDescription => e !== null);
  if (!events.some((e) => e.name === expected)) {
    const code = await ctx.provider.getCode(ctx.ledgerAddress);
    if (code === "0x")
      throw new CliError(
        `no contract lives at ${ctx.ledgerAddress} (from ${ctx.ledgerSource}) on this node: transaction ${tx.hash} did nothing. Check --ledger or LEDGER_ADDRESS, and the network`,
        EXIT.network,
      );
    throw new CliError(`${ctx.ledgerAddress} (from ${ctx.ledgerSource}) is not a dpl ledger: transaction ${tx.hash} was mined but emitted no ${expected}`, EXIT.refused);
  }
  return { receipt, events };
}

export const eventNamed = (m: Mined, name: string) => m.events.find((e) => e.name === name);
