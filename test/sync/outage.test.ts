/**
 * An RPC outage in the middle of a backfill: the node becomes unreachable for several seconds and
 * comes back. The indexer retries with backoff, skips nothing and applies nothing twice.
 */
import { expect } from "chai";

import type { AppliedRange } from "../../server/sync/indexer.js";
import { startAnvil } from "../helpers/chain.js";
import { startRpcProxy } from "../helpers/rpc-proxy.js";
import { dumpOf, fillUsage, indexerThrough, withFreshLedger, referenceIndex, waitForCursor } from "../helpers/system.js";

const OUTAGE_MS = 3_000;

describe("RPC outage", function () {
  it(`resumes after the node is unreachable for ${OUTAGE_MS / 1000} s mid-backfill, with no gap and no duplicate`, async function () {
    await withFreshLedger(startAnvil, async (ledger, chain) => {
      const proxy = await startRpcProxy(chain.url);
      const abort = new AbortController();
      try {
        await fillUsage(ledger, { grants: 1, blocks: 40, perBlock: 50, label: "outage" });
        const reference = await referenceIndex(chain.url, ledger);
        const expected = (await reference.state())!;

        const { store, indexer } = await indexerThrough(proxy.url, ledger, { label: "outage", timeoutMs: 1_000, options: { pollMs: 50, initialRange: 1, maxRange: 1 } });
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
        await waitForCursor(store, expected.cursor.number, 60_000);
        abort.abort();
        await running;

        expect(await store.state()).to.deep.equal(expected);
        // Ranges came back to back: each began right after the previous one ended.
        for (let i = 1; i < applied.length; i++) expect(applied[i].from).to.equal(applied[i - 1].to + 1);
        expect(await dumpOf(store)).to.deep.equal(await dumpOf(reference));
        await store.close();
        await reference.close();
      } finally {
        abort.abort();
        await proxy.close();
      }
    });
  });
});
