/**
 * An RPC outage in the middle of a backfill: the node becomes unreachable for several seconds and
 * comes back. The indexer retries with backoff, skips nothing and applies nothing twice.
 */
import { expect } from "chai";

import { createRpcClient } from "../../server/chain/rpc.js";
import { Rights, UsageAction } from "../../server/chain/ids.js";
import { Store } from "../../server/store/store.js";
import { createIndexer, type AppliedRange } from "../../server/sync/indexer.js";
import { startAnvil } from "../helpers/chain.js";
import { issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";
import { startRpcProxy } from "../helpers/rpc-proxy.js";
import { ledgerOn, quietLogger, tempDir } from "../helpers/system.js";

const OUTAGE_MS = 3_000;

describe("RPC outage", function () {
  it(`resumes after the node is unreachable for ${OUTAGE_MS / 1000} s mid-backfill, with no gap and no duplicate`, async function () {
    const chain = await startAnvil();
    const ledger = await ledgerOn(chain);
    const proxy = await startRpcProxy(chain.url);
    const abort = new AbortController();
    try {
      const { ledger: contract, holder, grantee } = ledger;
      const d = await registerDataset(contract, holder, "outage");
      const grantId = await issueGrant(contract, holder, d.id, grantee.address, { rights: Rights.USE, quota: 0n });
      for (let block = 0; block < 40; block++) {
        const entries = Array.from({ length: 50 }, (_, i) => ({ grantId, action: UsageAction.Use, units: 1n, outputRef: sha256(`${block}/${i}`) }));
        await (await contract.connect(grantee).recordUsageBatch(entries)).wait();
      }
      const open = async (label: string) => Store.open(await tempDir(label), { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock });
      const reference = await open("outage-reference");
      await createIndexer({ common: { logger: quietLogger() }, rpc: createRpcClient({ url: chain.url }), store: reference, ledger: ledger.address, deployBlock: ledger.deployBlock }).syncOnce();
      const expected = (await reference.state())!;

      const store = await open("outage");
      const indexer = createIndexer({
        common: { logger: quietLogger() },
        rpc: createRpcClient({ url: proxy.url, timeoutMs: 1_000 }),
        store,
        ledger: ledger.address,
        deployBlock: ledger.deployBlock,
        options: { pollMs: 50, initialRange: 1, maxRange: 1 },
      });
      const running = indexer.run(abort.signal);
      const applied: AppliedRange[] = [];
      indexer.events.on("applied", (r: AppliedRange) => applied.push(r));
      while (applied.length < 5) await new Promise((r) => setTimeout(r, 10));
      await proxy.stop();
      const stoppedAt = (await store.state())!.cursor.number;
      await new Promise((r) => setTimeout(r, OUTAGE_MS));
      const duringOutage = indexer.status();
      expect(duringOutage.lastError).to.match(/cannot reach the node/);
      expect((await store.state())!.cursor.number).to.be.at.most(stoppedAt + 1);
      await proxy.start();
      const deadline = Date.now() + 60_000;
      while ((await store.state())!.cursor.number < expected.cursor.number) {
        if (Date.now() > deadline) throw new Error("the indexer did not catch up within 60 s of the node's return");
        await new Promise((r) => setTimeout(r, 50));
      }
      abort.abort();
      await running;

      expect(await store.state()).to.deep.equal(expected);
      // Ranges came back to back: each began right after the previous one ended.
      for (let i = 1; i < applied.length; i++) expect(applied[i].from).to.equal(applied[i - 1].to + 1);
      const dump = async (s: Store) => {
        const out: string[] = [];
        for await (const [k, v] of s.dump()) out.push(`${k}=${v}`);
        return out;
      };
      expect(await dump(store)).to.deep.equal(await dump(reference));
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
