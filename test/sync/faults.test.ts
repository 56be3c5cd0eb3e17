/**
 * A fault-injecting JSON-RPC proxy between the indexer and the node answers a third of requests with
 * 429s, 5xx, timeouts, truncated bodies, every "range too large" form, duplicated and out-of-order
 * logs. The sync still finishes with the reference digest, and a rate limit never splits a range.
 */
import { expect } from "chai";

import { createRpcClient } from "../../server/chain/rpc.js";
import { Rights, UsageAction } from "../../server/chain/ids.js";
import { Store } from "../../server/store/store.js";
import { createIndexer } from "../../server/sync/indexer.js";
import { startAnvil } from "../helpers/chain.js";
import { issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";
import { startRpcProxy } from "../helpers/rpc-proxy.js";
import { ledgerOn, quietLogger, tempDir } from "../helpers/system.js";

describe("a faulty node", function () {
  it("cannot make the indexer lose, duplicate or misorder an event", async function () {
    const chain = await startAnvil();
    const ledger = await ledgerOn(chain);
    const proxy = await startRpcProxy(chain.url, { every: 3, timeoutMs: 700 });
    const abort = new AbortController();
    try {
      const { ledger: contract, holder, grantee } = ledger;
      const grants: string[] = [];
      for (let i = 0; i < 4; i++) grants.push(await issueGrant(contract, holder, (await registerDataset(contract, holder, `faults ${i}`)).id, grantee.address, { rights: Rights.USE, quota: 0n, purpose: `f${i}` }));
      for (let block = 0; block < 40; block++) {
        const entries = Array.from({ length: 50 }, (_, i) => ({ grantId: grants[i % 4], action: UsageAction.Use, units: 1n, outputRef: sha256(`${block}/${i}`) }));
        await (await contract.connect(grantee).recordUsageBatch(entries)).wait();
      }
      const open = async (label: string) => Store.open(await tempDir(label), { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock });
      const reference = await open("faults-reference");
      await createIndexer({ common: { logger: quietLogger() }, rpc: createRpcClient({ url: chain.url }), store: reference, ledger: ledger.address, deployBlock: ledger.deployBlock }).syncOnce();
      const expected = (await reference.state())!;

      const store = await open("faults");
      const indexer = createIndexer({
        common: { logger: quietLogger() },
        rpc: createRpcClient({ url: proxy.url, timeoutMs: 300 }),
        store,
        ledger: ledger.address,
        deployBlock: ledger.deployBlock,
        options: { pollMs: 10, initialRange: 4, maxRange: 8 },
      });
      const running = indexer.run(abort.signal);
      const deadline = Date.now() + 120_000;
      while (((await store.state())?.cursor.number ?? -1) < expected.cursor.number) {
        if (Date.now() > deadline) throw new Error("the indexer did not finish within 120 s");
        await new Promise((r) => setTimeout(r, 50));
      }
      abort.abort();
      await running;

      expect(await store.state()).to.deep.equal(expected);
      const dump = async (s: Store) => {
        const out: string[] = [];
        for await (const [k, v] of s.dump()) out.push(`${k}=${v}`);
        return out;
      };
      expect(await dump(store)).to.deep.equal(await dump(reference));
      // A rate limit, a 5xx or a timeout is retried on the same range: the next request is the same range.
      const ranges = proxy.logRanges;
      for (let i = 0; i + 1 < ranges.length; i++) {
        if (["http429", "http500", "http503", "timeout", "truncated"].includes(ranges[i].fault ?? "")) {
          expect(ranges[i + 1].from, `after ${ranges[i].fault}`).to.equal(ranges[i].from);
          expect(ranges[i + 1].to, `after ${ranges[i].fault}`).to.equal(ranges[i].to);
        }
      }
      const kinds = [...proxy.faults.keys()].sort();
      expect(kinds).to.deep.equal(["duplicateLogs", "http413", "http429", "http500", "http503", "range32005", "range32602", "rangeRetryWith", "shuffleLogs", "timeout", "truncated"]);
      console.log(`      ${[...proxy.faults.values()].reduce((a, b) => a + b, 0)} faults (${[...proxy.faults].map(([k, n]) => `${k} ${n}`).join(", ")}); ${expected.events} events, digest equal`);
      await store.close();
      await reference.close();
    } finally {
      abort.abort();
      await proxy.close();
      await ledger.closeConnection();
      await chain.close();
    }
  });
});
