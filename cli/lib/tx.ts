/**
 * Sending a ledger transaction from the CLI: wait for it to be mined, then decode what it created
 * from its events.
 */
import type { ContractTransactionResponse, LogDescription, TransactionReceipt } from "ethers";

import { LEDGER_INTERFACE, type Context } from "./context.js";

export interface Mined {
  receipt: TransactionReceipt;
  events: LogDescription[];
}

export async function mined(ctx: Context, sent: Promise<ContractTransactionResponse>): Promise<Mined> {
  const tx = await sent;
  ctx.say(`sent ${tx.hash}; waiting for it to be mined…`);
  const receipt = (await tx.wait())!;
  const events = receipt.logs
    .filter((l) => l.address.toLowerCase() === ctx.ledgerAddress.toLowerCase())
    .map((l) => LEDGER_INTERFACE.parseLog(l))
    .filter((e): e is LogDescription => e !== null);
  return { receipt, events };
}

export const eventNamed = (m: Mined, name: string) => m.events.find((e) => e.name === name);
