/**
 * `npm run bench:indexer`: backfill throughput of the indexer on a local node (anvil, its own
 * process) for over 50,000 events, next to two references measured in the same run over the same
 * block ranges:
 *   - ceiling: raw eth_getLogs, fetched and JSON-parsed, nothing decoded or written;
 *   - naive:   ethers' provider.getLogs + Interface.parseLog + one LevelDB put per event.
 * Then live lag: from a transaction's receipt to its event being committed (queryable), following
 * the chain with the default poll interval.
 * Writes bench/results/indexer.json and the indexer table of bench/README.md.
 */
import { once } from "node:events";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Interface, JsonRpcProvider } from "ethers";
import { Level } from "level";

import { createRpcClient } from "../server/chain/rpc.js";
import { Rights, UsageAction } from "../core/ids.js";
import { Store } from "../server/store/store.js";
import { createIndexer, type AppliedRange } from "../server/sync/indexer.js";
import { startAnvil } from "../test/helpers/chain.js";
import { issueGrant, registerDataset, sha256 } from "../test/helpers/fixtures.js";
import { ledgerOn, quietLogger, tempDir } from "../test/helpers/system.js";
import { replaceSection } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const BLOCKS = Number(process.env.BENCH_BLOCKS ?? 200);
const PER_BLOCK = 256;
const RANGE = 20;
const LIVE_SAMPLES = Number(process.env.BENCH_LIVE_SAMPLES ?? 60);

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const chain = await startAnvil(["--prune-history"]);
  const ledger = await ledgerOn(chain);
  try {
    const { ledger: contract, holder, grantee } = ledger;
    console.log(`generating ${BLOCKS * PER_BLOCK} usage events in ${BLOCKS} blocks on anvil…`);
    const grants: string[] = [];
    for (let i = 0; i < 16; i++) {
      const d = await registerDataset(contract, holder, `bench ${i}`);
      grants.push(await issueGrant(contract, holder, d.id, grantee.address, { rights: Rights.USE, quota: 0n, purpose: `bench ${i}` }));
    }
    const start = ledger.deployBlock;
    for (let b = 0; b < BLOCKS; b++) {
      const entries = Array.from({ length: PER_BLOCK }, (_, i) => ({ grantId: grants[i % 16], action: UsageAction.Use, units: 1n, outputRef: sha256(`${b}/${i}`) }));
      await (await contract.connect(grantee).recordUsageBatch(entries, { gasLimit: 15_000_000 })).wait();
    }
    const head = await ledger.ethers.provider.getBlockNumber();
    const ranges: [number, number][] = [];
    for (let from = start; from <= head; from += RANGE) ranges.push([from, Math.min(from + RANGE - 1, head)]);
    const hex = (n: number) => "0x" + n.toString(16);

    // Ceiling: raw eth_getLogs, fetch and parse only.
    let t = performance.now();
    let ceilingEvents = 0;
    for (const [from, to] of ranges) {
      const response = await fetch(chain.url, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "eth_getLogs", params: [{ address: ledger.address, fromBlock: hex(from), toBlock: hex(to) }] }),
      });
      ceilingEvents += (JSON.parse(await response.text()).result as unknown[]).length;
    }
    const ceilingSec = (performance.now() - t) / 1000;

    // Naive: ethers getLogs + Interface.parseLog + one put per event.
    const naiveDir = await tempDir("naive");
    const naiveDb = new Level<string, unknown>(naiveDir, { valueEncoding: "json" });
    await naiveDb.open();
    const provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true, batchMaxCount: 1 });
    const iface = new Interface(contract.interface.fragments);
    t = performance.now();
    let naiveEvents = 0;
    for (const [from, to] of ranges) {
      for (const log of await provider.getLogs({ address: ledger.address, fromBlock: from, toBlock: to })) {
        const parsed = iface.parseLog(log);
        if (!parsed) continue;
        await naiveDb.put(`${log.blockNumber}:${log.index}`, { name: parsed.name, args: parsed.args.toArray().map(String) });
        naiveEvents++;
      }
    }
    const naiveSec = (performance.now() - t) / 1000;
    provider.destroy();
    await naiveDb.close();
    await rm(naiveDir, { recursive: true, force: true });

    // dpl's indexer, on the same ranges: as configured by default (every block's logs bloom checked
    // against the logs returned, which reads every header), and without that check.
    const timeDpl = async (bloomCheck: boolean) => {
      const dir = await tempDir("bench-index");
      const store = await Store.open(dir, { chainId: ledger.chainId, ledger: ledger.address, deployBlock: start });
      const indexer = createIndexer({
        common: { logger: quietLogger() },
        rpc: createRpcClient({ url: chain.url }),
        store,
        ledger: ledger.address,
        deployBlock: start,
        options: { initialRange: RANGE, maxRange: RANGE, bloomCheck },
      });
      const began = performance.now();
      const state = await indexer.syncOnce();
      return { store, dir, state, seconds: (performance.now() - began) / 1000 };
    };
    const unchecked = await timeDpl(false);
    await unchecked.store.close();
    await rm(unchecked.dir, { recursive: true, force: true });
    const { store, dir, state, seconds: dplSec } = await timeDpl(true);
    if (state.digest !== unchecked.state.digest) throw new Error("the two runs disagree on the digest");
    const events = state.events;

    // Live lag: one transaction at a time, the indexer following with its default poll interval.
    const abort = new AbortController();
    const live = createIndexer({ common: { logger: quietLogger() }, rpc: createRpcClient({ url: chain.url }), store, ledger: ledger.address, deployBlock: start });
    const running = live.run(abort.signal);
    const lags: number[] = [];
    for (let i = 0; i < LIVE_SAMPLES; i++) {
      await new Promise((r) => setTimeout(r, Math.random() * 200));
      const receipt = await (await contract.connect(grantee).recordUsage(grants[i % 16], UsageAction.Use, 1n, sha256(`live ${i}`))).wait();
      const mined = performance.now();
      for (;;) {
        const [range] = (await once(live.events, "applied")) as [AppliedRange];
        if (range.to >= receipt!.blockNumber) break;
      }
      lags.push(performance.now() - mined);
    }
    abort.abort();
    await running;
    await store.close();
    await rm(dir, { recursive: true, force: true });
    lags.sort((a, b) => a - b);

    const result = {
      backfill: {
        events,
        eventsPerSec: Math.round(events / dplSec),
        ceilingEventsPerSec: Math.round(ceilingEvents / ceilingSec),
        naiveEventsPerSec: Math.round(naiveEvents / naiveSec),
        withoutBloomCheckEventsPerSec: Math.round(unchecked.state.events / unchecked.seconds),
      },
      liveLagMs: { p50: Math.round(percentile(lags, 50)), p99: Math.round(percentile(lags, 99)) },
    };
    await mkdir(path.join(here, "results"), { recursive: true });
    await writeFile(path.join(here, "results/indexer.json"), JSON.stringify(result, null, 2) + "\n");
    const b = result.backfill;
    const table = [
      `Node: anvil (separate process), ${events.toLocaleString("en")} events in ${BLOCKS} blocks, ranges of ${RANGE} blocks for all three.`,
      "",
      "| pipeline | events/s | vs naive | vs ceiling |",
      "| --- | ---: | ---: | ---: |",
      `| ceiling: raw eth_getLogs, fetch + JSON parse | ${b.ceilingEventsPerSec.toLocaleString("en")} | ${(b.ceilingEventsPerSec / b.naiveEventsPerSec).toFixed(1)}x | 100% |`,
      `| naive: ethers getLogs + parseLog + one put per event | ${b.naiveEventsPerSec.toLocaleString("en")} | 1.0x | ${((100 * b.naiveEventsPerSec) / b.ceilingEventsPerSec).toFixed(0)}% |`,
      `| **dpl indexer** (decode, index, digest, undo log in the reorg window, one batch per range; every block's bloom checked) | **${b.eventsPerSec.toLocaleString("en")}** | **${(b.eventsPerSec / b.naiveEventsPerSec).toFixed(1)}x** | **${((100 * b.eventsPerSec) / b.ceilingEventsPerSec).toFixed(0)}%** |`,
      `| dpl indexer with BLOOM_CHECK=0 | ${b.withoutBloomCheckEventsPerSec.toLocaleString("en")} | ${(b.withoutBloomCheckEventsPerSec / b.naiveEventsPerSec).toFixed(1)}x | ${((100 * b.withoutBloomCheckEventsPerSec) / b.ceilingEventsPerSec).toFixed(0)}% |`,
      "",
      `Live lag (receipt to committed, ${LIVE_SAMPLES} transactions, POLL_MS 250): p50 ${result.liveLagMs.p50} ms, p99 ${result.liveLagMs.p99} ms.`,
      "Targets: at least 3x naive and 25% of the ceiling; live lag median under 300 ms.",
    ].join("\n");
    await replaceSection(path.join(here, "README.md"), "indexer", table);
    console.log(table);
  } finally {
    await ledger.close();
    await chain.close();
  }
}

await main();
