/**
 * Finding where a ledger starts, for indexing a deployment dpl did not make itself.
 */
import { InvalidInputError } from "../../core/errors.js";
import type { RpcClient } from "./rpc.js";

/**
 * The block in which `address` got its code, by bisection over eth_getCode: for a deployment that
 * Ignition reused or that LEDGER_ADDRESS names without START_BLOCK. Needs a node that keeps state
 * history (an archive node, or the first blocks of a young chain).
 */
export async function firstBlockWithCode(rpc: RpcClient, address: string): Promise<number> {
  const codeAt = (block: number) => rpc.request<string>("eth_getCode", [address, "0x" + block.toString(16)]);
  let high = Number(await rpc.request<string>("eth_blockNumber", []));
  if ((await codeAt(high)) === "0x") throw new InvalidInputError(`no contract is deployed at ${address} on this chain`, "ledger_not_found");
  let low = 0;
  while (low < high) {
    const mid = Math.floor((low + high) / 2);
    if ((await codeAt(mid)) === "0x") low = mid + 1;
    else high = mid;
  }
  return low;
}
