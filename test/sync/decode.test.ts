/**
 * The indexer's hand-written decoders agree with ethers' generic ABI decoding on every log of a
 * scenario with every kind of event, the ledger's and its oversight contract's.
 */
import { expect } from "chai";
import { Interface } from "ethers";

import ledgerAbi from "../../core/ledger-abi.json" with { type: "json" };
import { oversightAddressOf } from "../../core/ids.js";
import oversightAbi from "../../core/oversight-abi.json" with { type: "json" };
import { createRpcClient } from "../../server/chain/rpc.js";
import { decodeLedgerLog, EVENT_SIGNATURES, type RawLog } from "../../core/ledger-events.js";
import { startHardhatChain } from "../helpers/chain.js";
import { runScenario } from "../helpers/scenario.js";
import { withFreshLedger } from "../helpers/system.js";

describe("decodeLedgerLog", function () {
  it("decodes every ledger event exactly as ethers' Interface does", async function () {
    await withFreshLedger(startHardhatChain, async (ledger, chain) => {
      await runScenario({ ethers: ledger.ethers, ledger: ledger.ledger, usesPerGrant: 2 });
      const addresses = [ledger.address, oversightAddressOf(ledger.address)];
      const logs = await createRpcClient({ url: chain.url }).request<RawLog[]>("eth_getLogs", [{ address: addresses, fromBlock: "0x0", toBlock: "latest" }]);
      const iface = new Interface([...ledgerAbi, ...oversightAbi]);
      const kinds = new Set<string>();
      for (const log of logs) {
        const ours = decodeLedgerLog(log);
        const theirs = iface.parseLog(log)!;
        if (!ours) throw new Error(`${theirs.name} is not decoded by the indexer`);
        kinds.add(ours.kind);
        expect(ours.kind).to.equal(theirs.name);
        for (const input of theirs.fragment.inputs) {
          const expected = theirs.args[input.name];
          const got = (ours as Record<string, unknown>)[input.name];
          const norm = (v: unknown) => (typeof v === "string" ? v.toLowerCase() : typeof v === "bigint" ? v : typeof v === "number" ? BigInt(v) : v);
          expect(norm(got), `${ours.kind}.${input.name}`).to.equal(norm(expected));
        }
      }
      expect([...kinds].sort(), "the scenario emits every kind the indexer knows").to.deep.equal(Object.keys(EVENT_SIGNATURES).sort());
    });
  });
});
