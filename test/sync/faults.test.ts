/**
 * A fault-injecting JSON-RPC proxy between the indexer and the node answers a third of requests with
 * 429s, 5xx, timeouts, truncated bodies, every "range too large" form, duplicated and out-of-order
 * logs, and empty logs for ranges that have some (caught by the blocks' blooms). The sync still
 * finishes with the reference digest, and a rate limit never splits a range.
 */
import { expect } from "chai";

import { startAnvil } from "../helpers/chain.js";
import { startRpcProxy } from "../helpers/rpc-proxy.js";
import { dumpOf, fillUsage, indexerThrough, withFreshLedger, referenceIndex, waitForCursor } from "../helpers/system.js";

/** Usage events on the chain (DPL_FAULT_EVENTS; `npm run test:faults` uses 10,000). */
const EVENTS = Number(process.env.DPL_FAULT_EVENTS ?? 2_000);

describe("a faulty node", function () {
  it("cannot make the indexer lose, duplicate or misorder an event", async function () {
    // A campaign's length is set by its size (`npm run test:faults` runs the large ones), not by mocha's default.
    this.timeout(0);
    await withFreshLedger(startAnvil, async (ledger, chain) => {
      const proxy = await startRpcProxy(chain.url, { every: 3, timeoutMs: 700 });
      const abort = new AbortController();
      try {
        await fillUsage(ledger, { grants: 4, blocks: Math.ceil(EVENTS / 50), perBlock: 50, label: "faults" });
        const reference = await referenceIndex(chain.url, ledger);
        const expected = (await reference.state())!;

        const { store, indexer } = await indexerThrough(proxy.url, ledger, { label: "faults", timeoutMs: 300, options: { pollMs: 10, initialRange: 4, maxRange: 8 } });
        const running = indexer.run(abort.signal);
        await waitForCursor(store, expected.cursor.number, 600_000);
        abort.abort();
        await running;

        expect(await store.state()).to.deep.equal(expected);
        expect(await dumpOf(store)).to.deep.equal(await dumpOf(reference));
        // A rate limit, a 5xx or a timeout is retried on the same range: the next request is the same range.
        const ranges = proxy.logRanges;
        for (let i = 0; i + 1 < ranges.length; i++) {
          if (["http429", "http500", "http503", "timeout", "truncated"].includes(ranges[i].fault ?? "")) {
            expect(ranges[i + 1].from, `after ${ranges[i].fault}`).to.equal(ranges[i].from);
            expect(ranges[i + 1].to, `after ${ranges[i].fault}`).to.equal(ranges[i].to);
          }
        }
        const kinds = [...proxy.faults.keys()].sort();
        expect(kinds).to.deep.equal(["duplicateLogs", "emptyLogs", "http413", "http429", "http500", "http503", "range32005", "range32602", "rangeRetryWith", "shuffleLogs", "timeout", "truncated"]);
        expect(proxy.emptied, "emptied answers that had logs").to.be.greaterThan(0);
        console.log(
          `      ${[...proxy.faults.values()].reduce((a, b) => a + b, 0)} faults in ${proxy.forwarded + [...proxy.faults.values()].reduce((a, b) => a + b, 0)} requests (${[...proxy.faults].map(([k, n]) => `${k} ${n}`).join(", ")}; ${proxy.emptied} emptied answers had logs); ${expected.events} events, digest equal`,
        );

        // The control: without the bloom check, the same emptied answers lose events for good.
        const blind = await startRpcProxy(chain.url, { every: 3, timeoutMs: 700, kinds: ["emptyLogs"] });
        const unchecked = await indexerThrough(blind.url, ledger, { label: "blind", timeoutMs: 300, options: { pollMs: 10, initialRange: 4, maxRange: 8, bloomCheck: false } });
        // It either misses events silently or trips over a use whose grant it never saw.
        const stopped = await (async () => {
          while ((await unchecked.indexer.syncOnce()).cursor.number < expected.cursor.number);
        })().catch((e: Error) => e);
        expect(blind.emptied).to.be.greaterThan(0);
        if (stopped) expect(stopped.message).to.match(/index inconsistent with the chain/);
        else expect((await unchecked.store.state())!.events).to.be.lessThan(expected.events);
        await unchecked.store.close();
        await blind.close();
        await store.close();
        await reference.close();
      } finally {
        abort.abort();
        await proxy.close();
      }
    });
  });
});
