/**
 * `npm run bench:api`: the API over an index of 1,000,000 usage events (synthesised decoded events,
 * written through the indexer's own apply path), loaded with autocannon in a separate process:
 * dataset lookup, first page of a dataset's usage, first page of an account's activity, and verify,
 * next to a bare Express JSON endpoint served by the same process in the same run.
 * Writes bench/results/api.json and the api table of bench/README.md. BENCH_USES, BENCH_SECONDS
 * change the size and duration; BENCH_PROFILE=<file> writes a CPU profile of the server under load.
 */
import { execFile } from "node:child_process";
import type { Server } from "node:http";
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import express from "express";
import { keccak256, toBeHex } from "ethers";

import { createApp } from "../server/api/app.js";
import { createMetrics } from "../server/api/metrics.js";
import { createLogger } from "../server/common/logger.js";
import type { LedgerEventBody } from "../server/events/ledger-events.js";
import type { Evidence, SyncState } from "../server/store/records.js";
import { applyEvent } from "../server/store/reduce.js";
import { Store } from "../server/store/store.js";
import { GENESIS_DIGEST } from "../server/sync/digest.js";
import { tempDir } from "../test/helpers/system.js";
import { replaceSection } from "./report.js";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));
const USES = Number(process.env.BENCH_USES ?? 1_000_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const PER_BLOCK = 500;

const hash = (label: string) => keccak256(Buffer.from(label));
const address = (i: number) => toBeHex(0x1000 + i, 20);

async function buildIndex(dir: string): Promise<{ store: Store; datasetId: string; contentHash: string; account: string }> {
  const store = await Store.open(dir, { chainId: 31337, ledger: address(999), deployBlock: 1 });
  let block = 1;
  let log = 0;
  let state: SyncState = { cursor: { number: 0, hash: hash("block 0") }, digest: GENESIS_DIGEST, events: 0, reorgs: 0 };
  let writes = store.writeSet(Number.MAX_SAFE_INTEGER);
  const evidence = (): Evidence => {
    if (log === PER_BLOCK) {
      block++;
      log = 0;
    }
    return { txHash: hash(`tx ${block}/${log}`), blockNumber: block, blockHash: hash(`block ${block}`), txIndex: 0, logIndex: log++, timestamp: 1_800_000_000 + block * 12 };
  };
  const apply = async (event: LedgerEventBody) => {
    await applyEvent(writes, event, evidence());
    state = { ...state, events: state.events + 1 };
    if (state.events % 20_000 === 0) await commit();
  };
  const commit = async () => {
    state = { ...state, cursor: { number: block, hash: hash(`block ${block}`) } };
    await store.commit(writes, state, [], 0);
    writes = store.writeSet(Number.MAX_SAFE_INTEGER);
  };
  const datasets = Array.from({ length: 100 }, (_, i) => ({ id: hash(`dataset ${i}`), contentHash: hash(`content ${i}`), holder: address(i % 10) }));
  for (const d of datasets) {
    await apply({ kind: "DatasetRegistered", datasetId: d.id, holder: d.holder, contentHash: d.contentHash, merkleRoot: hash(`root ${d.id}`), recordCount: 1000n, metadataURI: "ipfs://bench" });
  }
  const grants = Array.from({ length: 1000 }, (_, i) => ({ id: hash(`grant ${i}`), dataset: datasets[i % 100], grantee: address(100 + (i % 50)) }));
  for (const g of grants) {
    await apply({ kind: "GrantIssued", grantId: g.id, datasetId: g.dataset.id, grantee: g.grantee, grantor: g.dataset.holder, rights: 3, purposeHash: hash("p"), purpose: "benchmark", validFrom: 0, validUntil: 2 ** 40 - 1, quota: 0n, bump: 0n });
  }
  for (let i = 0; i < USES; i++) {
    const g = grants[i % 1000];
    await apply({ kind: "UsageRecorded", grantId: g.id, datasetId: g.dataset.id, grantee: g.grantee, action: 0, units: 1n, outputRef: hash(`out ${i}`) });
  }
  await commit();
  return { store, datasetId: datasets[0].id, contentHash: datasets[0].contentHash, account: grants[0].grantee };
}

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, "127.0.0.1", () => resolve(s));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
}

async function load(url: string): Promise<{ reqPerSec: number; p50Ms: number; p99Ms: number; errors: number }> {
  const bin = path.join(here, "../node_modules/.bin/autocannon");
  const { stdout } = await run(bin, ["-j", "-c", String(CONNECTIONS), "-d", String(DURATION), url], { maxBuffer: 64 * 1024 * 1024 });
  const r = JSON.parse(stdout);
  return { reqPerSec: Math.round(r.requests.average), p50Ms: r.latency.p50, p99Ms: r.latency.p99, errors: r.errors + r.non2xx };
}

async function main(): Promise<void> {
  const dir = await tempDir("bench-api");
  let t = performance.now();
  const built = await buildIndex(dir);
  const buildSec = (performance.now() - t) / 1000;
  const { datasetId, contentHash, account } = built;
  // Reopen it, as a restart would: opening reads every key once to find damage.
  await built.store.close();
  t = performance.now();
  const store = await Store.open(dir, { chainId: 31337, ledger: address(999), deployBlock: 1 });
  const openSec = (performance.now() - t) / 1000;
  const state = (await store.state())!;
  console.log(`index of ${state.events.toLocaleString("en")} events built in ${buildSec.toFixed(1)} s, reopened (with its integrity check) in ${openSec.toFixed(1)} s`);

  const logger = createLogger({ level: "silent", pretty: false });
  const { app } = createApp({
    store,
    chain: { head: () => ({ number: state.cursor.number, timestamp: 1_800_000_000 + state.cursor.number * 12 }), lastError: () => undefined },
    config: { finalityDepth: 64, confirmations: 0, corsOrigins: [], verifyMaxBytes: 1024 },
    logger,
    metrics: createMetrics(async () => ({ head: state.cursor.number, indexed: state.cursor.number, events: state.events, reorgs: 0 })),
  });
  const api = await listen(app);
  const bare = express();
  bare.get("/bare", (_req, res) => {
    res.json({ ok: true, value: 42 });
  });
  const bareServer = await listen(bare);

  const session = process.env.BENCH_PROFILE ? new (await import("node:inspector/promises")).Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const routes: Record<string, string> = {
    datasetLookup: `/v1/datasets/${datasetId}`,
    usageFirstPage: `/v1/datasets/${datasetId}/usage`,
    activityFirstPage: `/v1/accounts/${account}/activity`,
    verify: `/v1/verify/${contentHash}`,
  };
  const results: Record<string, { reqPerSec: number; p50Ms: number; p99Ms: number }> = {};
  for (const [name, route] of Object.entries(routes)) {
    const probe = await fetch(api.url + route);
    if (probe.status !== 200) throw new Error(`${route}: HTTP ${probe.status}`);
    const { errors, ...r } = await load(api.url + route);
    if (errors) throw new Error(`${route}: ${errors} errors under load`);
    results[name] = r;
    console.log(name, r);
  }
  if (session) {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(process.env.BENCH_PROFILE!, JSON.stringify(profile));
  }
  const { errors: bareErrors, ...bareResult } = await load(bareServer.url + "/bare");
  if (bareErrors) throw new Error(`bare endpoint: ${bareErrors} errors`);
  console.log("bareExpress", bareResult);

  api.server.close();
  bareServer.server.close();
  await store.close();
  await rm(dir, { recursive: true, force: true });

  const json = { usageEvents: USES, buildSeconds: Math.round(buildSec), reopenSeconds: Math.round(openSec * 10) / 10, routes: results, bareExpress: bareResult };
  await mkdir(path.join(here, "results"), { recursive: true });
  await writeFile(path.join(here, "results/api.json"), JSON.stringify(json, null, 2) + "\n");
  const row = (name: string, r: { reqPerSec: number; p50Ms: number; p99Ms: number }) =>
    `| ${name} | ${r.reqPerSec.toLocaleString("en")} | ${r.p50Ms} | ${r.p99Ms} | ${((100 * r.reqPerSec) / bareResult.reqPerSec).toFixed(0)}% |`;
  const table = [
    `Index: ${USES.toLocaleString("en")} usage events (100 datasets, 1,000 grants), built through the indexer's apply path in ${buildSec.toFixed(0)} s; reopening it (which reads every key once to find damage) takes ${openSec.toFixed(1)} s. Load: autocannon in its own process, ${CONNECTIONS} connections, ${DURATION} s a route.`,
    "",
    "| route | req/s | p50 ms | p99 ms | vs bare |",
    "| --- | ---: | ---: | ---: | ---: |",
    ...Object.entries(results).map(([name, r]) => row(name, r)),
    row("bare Express JSON endpoint", bareResult),
    "",
    "Targets: p99 < 10 ms and at least 50% of the bare endpoint's req/s.",
  ].join("\n");
  await replaceSection(path.join(here, "README.md"), "api", table);
  console.log(table);
}

await main();
