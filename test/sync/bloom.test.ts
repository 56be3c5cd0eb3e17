/** The logs bloom check: it admits every block that has ledger logs, and rules out the others it can. */
import { expect } from "chai";
import { toBeHex } from "ethers";

import { bloomBits, bloomHas } from "../../server/chain/bloom.js";
import { createRpcClient } from "../../server/chain/rpc.js";
import { startHardhatChain } from "../helpers/chain.js";
import { runScenario } from "../helpers/scenario.js";
import { withFreshLedger } from "../helpers/system.js";

describe("logs bloom", function () {
  it("admits the ledger in every block that has its logs, and not in blocks with none", async function () {
    await withFreshLedger(startHardhatChain, async (ledger, chain) => {
      await runScenario({ ethers: ledger.ethers, ledger: ledger.ledger, usesPerGrant: 2 });
      const rpc = createRpcClient({ url: chain.url });
      const head = Number(await rpc.request<string>("eth_blockNumber", []));
      const bits = bloomBits(ledger.address);
      let withLogs = 0;
      let without = 0;
      for (let n = 0; n <= head; n++) {
        const block = await rpc.request<any>("eth_getBlockByNumber", [toBeHex(n), false]);
        const logs = await rpc.request<unknown[]>("eth_getLogs", [{ address: ledger.address, blockHash: block.hash }]);
        if (logs.length > 0) {
          expect(bloomHas(block.logsBloom, bits), `block ${n}`).to.equal(true);
          withLogs++;
        } else if (/^0x0+$/.test(block.logsBloom)) {
          expect(bloomHas(block.logsBloom, bits), `block ${n}`).to.equal(false);
          without++;
        }
      }
      expect(withLogs).to.be.greaterThan(10);
      expect(without).to.be.greaterThan(0);
    });
  });

  it("reads a bloom with exactly an address's three bits as that address's, and no other's", function () {
    const a = "0x5fbdb2315678afecb367f032d93f642f64180aa3";
    const bytes = new Uint8Array(256);
    for (const bit of bloomBits(a)) bytes[255 - (bit >> 3)] |= 1 << (bit & 7);
    const bloom = "0x" + Buffer.from(bytes).toString("hex");
    expect(bloomHas(bloom, bloomBits(a))).to.equal(true);
    expect(bloomHas(bloom, bloomBits("0x" + "11".repeat(20)))).to.equal(false);
    // A node that sends no usable bloom gets a second look rather than trust.
    expect(bloomHas("0x", bloomBits(a))).to.equal(true);
  });
});
