/**
 * `npm run bench:api`: the national catalogue. China's open-data platforms held about 340,000 datasets
 * in 2023; this anchors that many on a chain, issues 100,000 grants on them, indexes both from the
 * chain with dpl's indexer, adds 10,000,000 usage events through the indexer's own apply path (a chain
 * holding them would need some 17 GiB of anvil's memory, see bench:persistence), then serves the API
 * from that index. It reports, in one run:
 *   - anchoring: wall time and gas per dataset (registerBatch, 100 a transaction); grants likewise;
 *   - the index: build time from the chain, time to apply the usage events, disk bytes per event,
 *     time to open it (reads the journal only) and to read it all back (the background check);
 *   - every kind of route, loaded by autocannon from its own process: req/s, p50 and p99, next to a
 *     bare Express JSON endpoint served by the same process, loaded just before it; each asked two ways:
 *     one page again and again of the API as configured (its answer cache serves it), and a
 *     different list each request, over up to SPREAD of them, of an API keeping nothing.
 * Writes bench/results/api.json and the api table of bench/README.md.
 *
 * BENCH_DATASETS, BENCH_GRANTS, BENCH_USES and BENCH_SECONDS change the sizes and the time a route is
 * loaded. BENCH_INDEX_DIR keeps the index there and, when it already holds one, skips building it
 * (the build figures then come from the last bench/results/api.json). BENCH_PROFILE=<file> writes a
 * CPU profile of the server under load.
 */
import { mkdir, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { keccak256, toBeHex } from "ethers";

import { datasetId as datasetIdOf, Rights, UsageAction } from "../core/ids.js";
import { NO_END } from "../core/window.js";
import { createRpcClient } from "../server/chain/rpc.js";
import { createLogger } from "../server/common/logger.js";
import { applyEvent } from "../server/store/reduce.js";
import type { SyncState } from "../server/store/records.js";
import { DEFAULT_INDEX_CACHE_MB, Store } from "../server/store/store.js";
import { createIndexer } from "../server/sync/indexer.js";
import { startAnvil } from "../test/helpers/chain.js";
import { ledgerOn, tempDir } from "../test/helpers/system.js";
import { load, loadPaths, type Measured, serveBare, serveIndex } from "./http.js";
import { replaceSection } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DATASETS = Number(process.env.BENCH_DATASETS ?? 340_000);
const GRANTS = Number(process.env.BENCH_GRANTS ?? 100_000);
const USES = Number(process.env.BENCH_USES ?? 10_000_000);
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const BATCH = 100;
const IN_FLIGHT = 64;
const USES_PER_BLOCK = 500;
const GRANTEES = 1_000;
const silent = createLogger({ level: "silent", pretty: false });

const hash = (label: string) => keccak256(Buffer.from(label));
const grantee = (i: number) => toBeHex(0x10_000 + (i % GRANTEES), 20);

interface Built {
  datasets: number;
  grants: number;
  usageEvents: number;
  anchoring: { seconds: number; gasPerDataset: number; transactions: number };
  granting: { seconds: number; gasPerGrant: number };
  indexFromChain: { seconds: number; events: number };
  usageApply: { seconds: number };
  /** Ids the routes ask for. */
  probe: { datasetId: string; contentHash: string; grantId: string; grantee: string; holder: string };
  identity: { chainId: number; ledger: string; deployBlock: number };
}

/**
 * Sends `count` transactions made by `make(i)`, IN_FLIGHT at a time, each lot mined as one block
 * (`mine`): a block per transaction would cost anvil a state root per transaction. The receipts' gas.
 */
async function pipelined(count: number, mine: () => Promise<unknown>, make: (i: number) => Promise<{ wait(): Promise<{ gasUsed: bigint; status: number | null } | null> }>): Promise<bigint> {
  let gas = 0n;
  for (let done = 0; done < count; ) {
    const n = Math.min(IN_FLIGHT, count - done);
    const sent = await Promise.all(Array.from({ length: n }, (_, i) => make(done + i)));
    await mine();
    for (const receipt of await Promise.all(sent.map((tx) => tx.wait()))) {
      if (receipt?.status !== 1) throw new Error("a transaction failed");
      gas += receipt.gasUsed;
    }
    done += n;
  }
  return gas;
}

async function build(dir: string): Promise<{ built: Built; store: Store }> {
  // Blocks large enough for a lot of transactions; no historical states kept (the indexer reads blocks and logs only).
  const chain = await startAnvil(["--gas-limit", "2000000000", "--prune-history"]);
  const ledger = await ledgerOn(chain);
  try {
    const { ledger: contract, signers } = ledger;
    await ledger.ethers.provider.send("evm_setAutomine", [false]);
    const mine = () => ledger.ethers.provider.send("evm_mine", []);
    const holders = signers.slice(1, 9);
    const nonces = await Promise.all(holders.map((h) => ledger.ethers.provider.getTransactionCount(h.address, "pending")));
    const nextNonce = (h: number) => nonces[h]++;

    // Anchoring: each holder (a provincial platform) sends batches of 100.
    console.log(`anchoring ${DATASETS.toLocaleString("en")} datasets in batches of ${BATCH}…`);
    const batches = Math.ceil(DATASETS / BATCH);
    const ids: string[] = new Array(DATASETS);
    let began = performance.now();
    const anchorGas = await pipelined(batches, mine, (b) => {
      const h = b % holders.length;
      const registrations = Array.from({ length: Math.min(BATCH, DATASETS - b * BATCH) }, (_, i) => {
        const n = b * BATCH + i;
        const contentHash = hash(`dataset ${n}`);
        ids[n] = datasetIdOf(holders[h].address, contentHash).toLowerCase();
        return { contentHash, merkleRoot: hash(`root ${n}`), recordCount: 1000n + BigInt(n % 5000), metadataURI: `ipfs://catalogue/${n}`, parents: [] };
      });
      return contract.connect(holders[h]).registerBatch(registrations, { nonce: nextNonce(h), gasLimit: 10_000_000 });
    });
    const anchoring = { seconds: (performance.now() - began) / 1000, gasPerDataset: Math.round(Number(anchorGas) / DATASETS), transactions: batches };
    console.log(`  ${anchoring.seconds.toFixed(0)} s, ${anchoring.gasPerDataset.toLocaleString("en")} gas a dataset`);

    // Grants: on every 3.4th dataset, to one of 1,000 grantees, by its holder.
    console.log(`issuing ${GRANTS.toLocaleString("en")} grants…`);
    const grantDataset = (k: number) => Math.floor((k * DATASETS) / GRANTS);
    const holderOf = (n: number) => Math.floor(n / BATCH) % holders.length;
    began = performance.now();
    const grantGas = await pipelined(GRANTS, mine, (k) => {
      const n = grantDataset(k);
      const h = holderOf(n);
      return contract.connect(holders[h]).grant(ids[n], grantee(k), Rights.USE | Rights.PROCESS, `catalogue use ${k % 97}`, 0n, NO_END, 0n, { nonce: nextNonce(h), gasLimit: 400_000 });
    });
    const granting = { seconds: (performance.now() - began) / 1000, gasPerGrant: Math.round(Number(grantGas) / GRANTS) };
    console.log(`  ${granting.seconds.toFixed(0)} s, ${granting.gasPerGrant.toLocaleString("en")} gas a grant`);

    // The index of that chain, built by dpl's indexer from the node.
    const identity = { chainId: ledger.chainId, ledger: ledger.address.toLowerCase(), deployBlock: ledger.deployBlock };
    const store = await Store.open(dir, identity);
    began = performance.now();
    const state = await createIndexer({ common: { logger: silent }, rpc: createRpcClient({ url: chain.url }), store, ledger: identity.ledger, deployBlock: identity.deployBlock }).syncOnce();
    const indexFromChain = { seconds: (performance.now() - began) / 1000, events: state.events };
    console.log(`indexed ${state.events.toLocaleString("en")} events from the chain in ${indexFromChain.seconds.toFixed(0)} s`);

    // Grant ids from the index (the ledger derives them from terms and chain state).
    const grants: { id: string; datasetId: string; grantee: string }[] = [];
    for await (const value of store.sub("grants").values()) grants.push({ id: value.id, datasetId: value.datasetId, grantee: value.grantee });
    grants.sort((a, b) => (a.grantee < b.grantee ? -1 : a.grantee > b.grantee ? 1 : 0));

    // The usage events, through the apply path, in blocks after the chain's head.
    console.log(`applying ${USES.toLocaleString("en")} usage events…`);
    began = performance.now();
    let block = state.cursor.number;
    let log = USES_PER_BLOCK;
    let current: SyncState = state;
    let writes = store.writeSet(Number.MAX_SAFE_INTEGER);
    const commit = async () => {
      current = { ...current, cursor: { number: block, hash: hash(`usage block ${block}`) } };
      await store.commit(writes, current, [], 0);
      writes = store.writeSet(Number.MAX_SAFE_INTEGER);
    };
    for (let i = 0; i < USES; i++) {
      if (log === USES_PER_BLOCK) {
        block++;
        log = 0;
      }
      const g = grants[(i * 7919) % grants.length];
      const evidence = { txHash: hash(`usage tx ${block}/${log}`), blockNumber: block, blockHash: hash(`usage block ${block}`), txIndex: 0, logIndex: log++, timestamp: 1_800_000_000 + block * 2 };
      await applyEvent(
        writes,
        { kind: "UsageRecorded", grantId: g.id, datasetId: g.datasetId, grantee: g.grantee, action: UsageAction.Use, units: BigInt(1 + (i % 9)), outputRef: hash(`output ${i}`) },
        evidence,
      );
      current = { ...current, events: current.events + 1 };
      if ((i + 1) % 20_000 === 0) await commit();
      if ((i + 1) % 1_000_000 === 0) console.log(`  ${(i + 1).toLocaleString("en")} (${((performance.now() - began) / 1000).toFixed(0)} s)`);
    }
    await commit();
    const usageApply = { seconds: (performance.now() - began) / 1000 };

    const probeGrant = grants[0];
    const probeDataset = ids.indexOf(probeGrant.datasetId);
    const built: Built = {
      datasets: DATASETS,
      grants: GRANTS,
      usageEvents: USES,
      anchoring,
      granting,
      indexFromChain,
      usageApply,
      probe: {
        datasetId: probeGrant.datasetId,
        contentHash: hash(`dataset ${probeDataset}`),
        grantId: probeGrant.id,
        grantee: probeGrant.grantee,
        holder: holders[holderOf(probeDataset)].address.toLowerCase(),
      },
      identity,
    };
    await writeFile(path.join(dir, "..", "built.json"), JSON.stringify(built, null, 2));
    return { built, store };
  } finally {
    await ledger.close();
    await chain.close();
  }
}

/** What one route gave: asked for one page again and again, and over every list with nothing kept; beside the bare endpoint measured just before. */
interface Routed extends Omit<Measured, "errors"> {
  uncached: Omit<Measured, "errors"> & { distinctPaths: number };
  bare: Omit<Measured, "errors">;
}

/** Grants sampled at an even stride over the index, at most this many, for the routes asked over every list. */
const SPREAD = 20_000;

/**
 * For each route, paths over many lists of the index: up to SPREAD grants at an even stride, their
 * datasets, grantees, holders and content; a route without an id is its own one path.
 */
async function spreadPaths(store: Store, routes: Record<string, string>): Promise<Record<string, string[]>> {
  const grants: { id: string; datasetId: string; grantee: string }[] = [];
  for await (const g of store.sub("grants").values()) grants.push({ id: g.id, datasetId: g.datasetId, grantee: g.grantee });
  const stride = Math.max(1, Math.floor(grants.length / SPREAD));
  const sample = grants.filter((_, i) => i % stride === 0).slice(0, SPREAD);
  const datasets = sample.map((g) => store.sub("datasets").getSync(g.datasetId) as { id: string; holder: string; contentHash: string });
  const distinct = (paths: string[]) => [...new Set(paths)];
  return {
    ...Object.fromEntries(Object.entries(routes).map(([name, route]) => [name, [route]])),
    datasetLookup: distinct(datasets.map((d) => `/v1/datasets/${d.id}`)),
    datasetGrantsPage: distinct(datasets.map((d) => `/v1/datasets/${d.id}/grants`)),
    datasetUsagePage: distinct(datasets.map((d) => `/v1/datasets/${d.id}/usage`)),
    grantLookup: sample.map((g) => `/v1/grants/${g.id}`),
    grantUsagePage: sample.map((g) => `/v1/grants/${g.id}/usage`),
    accountActivityPage: distinct(sample.map((g) => `/v1/accounts/${g.grantee}/activity`)),
    accountGrantsPage: distinct(sample.map((g) => `/v1/accounts/${g.grantee}/grants`)),
    holderDatasetsPage: distinct(datasets.map((d) => `/v1/datasets?holder=${d.holder}`)),
    verify: distinct(datasets.map((d) => `/v1/verify/${d.contentHash}`)),
    lineage: distinct(datasets.map((d) => `/v1/datasets/${d.id}/lineage`)),
    prov: distinct(datasets.map((d) => `/v1/datasets/${d.id}/prov`)),
  };
}

async function diskBytes(dir: string): Promise<number> {
  let total = 0;
  for (const name of await readdir(dir)) total += (await stat(path.join(dir, name))).size;
  return total;
}

async function main(): Promise<void> {
  const keep = process.env.BENCH_INDEX_DIR;
  const root = keep ?? (await tempDir("bench-api"));
  const dir = path.join(root, "index");
  await mkdir(root, { recursive: true });
  const reuse =
    keep !== undefined &&
    (await stat(path.join(root, "built.json")).then(
      () => true,
      () => false,
    ));
  let built: Built;
  if (reuse) {
    built = JSON.parse(await readFile(path.join(root, "built.json"), "utf8"));
    console.log(`reusing the index in ${dir}`);
  } else {
    await rm(dir, { recursive: true, force: true });
    const fresh = await build(dir);
    built = fresh.built;
    await fresh.store.close();
  }

  // Opening, as a restart does; then the full read-back that runs behind the API.
  let t = performance.now();
  const store = await Store.open(dir, built.identity);
  const openSeconds = (performance.now() - t) / 1000;
  const state = (await store.state())!;
  t = performance.now();
  const verified = await store.verify();
  const verifySeconds = (performance.now() - t) / 1000;
  const bytes = await diskBytes(dir);
  console.log(
    `index of ${state.events.toLocaleString("en")} events: ${(bytes / 2 ** 30).toFixed(2)} GiB, opened in ${openSeconds.toFixed(2)} s, ${verified.keys.toLocaleString("en")} keys read back in ${verifySeconds.toFixed(0)} s`,
  );

  // Two APIs on the index: one as configured by default (an answer asked again at the same point is
  // sent as kept, server/api/answer-cache.ts), one keeping nothing, loaded with a different list
  // each request, so that every answer is read from the index (and its pages from the disk cache).
  const api = await serveIndex(store, { number: state.cursor.number, timestamp: 1_800_000_000 + state.cursor.number * 2, events: state.events });
  const uncached = await serveIndex(store, { number: state.cursor.number, timestamp: 1_800_000_000 + state.cursor.number * 2, events: state.events }, 0);
  const bareServer = await serveBare();
  const measure = (url: string) => load(url, { connections: CONNECTIONS, seconds: DURATION });

  const session = process.env.BENCH_PROFILE ? new (await import("node:inspector/promises")).Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const { datasetId, contentHash, grantId, grantee: account, holder } = built.probe;
  const routes: Record<string, string> = {
    status: "/v1/status",
    datasetsFirstPage: "/v1/datasets",
    datasetLookup: `/v1/datasets/${datasetId}`,
    datasetGrantsPage: `/v1/datasets/${datasetId}/grants`,
    datasetUsagePage: `/v1/datasets/${datasetId}/usage`,
    grantLookup: `/v1/grants/${grantId}`,
    grantUsagePage: `/v1/grants/${grantId}/usage`,
    accountActivityPage: `/v1/accounts/${account}/activity`,
    accountGrantsPage: `/v1/accounts/${account}/grants`,
    holderDatasetsPage: `/v1/datasets?holder=${holder}`,
    verify: `/v1/verify/${contentHash}`,
    lineage: `/v1/datasets/${datasetId}/lineage`,
    prov: `/v1/datasets/${datasetId}/prov`,
  };
  const spread = await spreadPaths(store, routes);
  // The first seconds of load warm the JIT and the sockets: measured by no route.
  await load(`${bareServer.url}/bare`, { connections: CONNECTIONS, seconds: 2 });
  await load(api.url + routes.datasetLookup, { connections: CONNECTIONS, seconds: 2 });
  const results: Record<string, Routed> = {};
  for (const [name, route] of Object.entries(routes)) {
    const probe = await fetch(api.url + route);
    if (probe.status !== 200) throw new Error(`${route}: HTTP ${probe.status} ${await probe.text()}`);
    // The bare endpoint again beside each route: this machine's speed drifts over a run of minutes.
    const { errors: bareErrors, ...bare } = await measure(`${bareServer.url}/bare`);
    if (bareErrors) throw new Error(`bare endpoint: ${bareErrors} errors`);
    const { errors, ...samePage } = await measure(api.url + route);
    if (errors) throw new Error(`${route}: ${errors} errors under load`);
    const { errors: spreadErrors, ...everyList } = await loadPaths(uncached.url, spread[name], { connections: CONNECTIONS, seconds: DURATION });
    if (spreadErrors) throw new Error(`${name} over ${spread[name].length} paths: ${spreadErrors} errors under load`);
    results[name] = { ...samePage, uncached: { ...everyList, distinctPaths: spread[name].length }, bare };
    console.log(name, results[name]);
  }
  if (session) {
    const { profile } = await session.post("Profiler.stop");
    await writeFile(process.env.BENCH_PROFILE!, JSON.stringify(profile));
  }
  // The bare endpoint's row: its median run of those beside the routes.
  const bareResult = Object.values(results)
    .map((r) => r.bare)
    .sort((a, b) => a.reqPerSec - b.reqPerSec)[Math.floor(Object.keys(results).length / 2)];
  console.log("bareExpress", bareResult);

  uncached.server.close();
  api.server.close();
  bareServer.server.close();
  await store.close();
  if (!keep) await rm(root, { recursive: true, force: true });

  const scale = {
    datasets: built.datasets,
    grants: built.grants,
    usageEvents: built.usageEvents,
    events: state.events,
    openSeconds: Math.round(openSeconds * 1000) / 1000,
    verifySeconds: Math.round(verifySeconds),
    diskBytesPerEvent: Math.round(bytes / state.events),
    anchoring: { seconds: Math.round(built.anchoring.seconds), gasPerDataset: built.anchoring.gasPerDataset, transactions: built.anchoring.transactions },
    granting: { seconds: Math.round(built.granting.seconds), gasPerGrant: built.granting.gasPerGrant },
    indexFromChainSeconds: Math.round(built.indexFromChain.seconds),
    usageApplySeconds: Math.round(built.usageApply.seconds),
  };
  const json = { scale, routes: results, bareExpress: bareResult };
  await mkdir(path.join(here, "results"), { recursive: true });
  await writeFile(path.join(here, "results/api.json"), JSON.stringify(json, null, 2) + "\n");
  const n = (x: number) => x.toLocaleString("en");
  // Each route against the bare endpoint measured beside it.
  const share = (r: { reqPerSec: number }, bare: { reqPerSec: number }) => `${((100 * r.reqPerSec) / bare.reqPerSec).toFixed(0)}%`;
  const row = (name: string, r: Omit<Measured, "errors"> & Partial<Routed>) => {
    const bare = r.bare ?? r;
    return `| ${name} | ${n(r.reqPerSec)} | ${r.p50Ms} | ${r.p99Ms} | ${share(r, bare)} | ${r.uncached ? `${n(r.uncached.distinctPaths)} | ${n(r.uncached.reqPerSec)} | ${r.uncached.p50Ms} | ${r.uncached.p99Ms} | ${share(r.uncached, bare)}` : "| | | |"} |`;
  };
  const table = [
    `The national catalogue: ${n(scale.datasets)} datasets anchored on anvil in ${n(scale.anchoring.transactions)} batches of ${BATCH} (${n(scale.anchoring.seconds)} s, ${n(scale.anchoring.gasPerDataset)} gas a dataset), ${n(scale.grants)} grants issued (${n(scale.granting.seconds)} s, ${n(scale.granting.gasPerGrant)} gas a grant) and indexed from the chain by dpl's indexer in ${n(scale.indexFromChainSeconds)} s; then ${n(scale.usageEvents)} usage events over those grants through the indexer's apply path in ${n(scale.usageApplySeconds)} s.`,
    "",
    "| index figure | value |",
    "| --- | ---: |",
    `| events in the index | ${n(scale.events)} |`,
    `| disk, bytes per event | ${n(scale.diskBytesPerEvent)} |`,
    `| opening it (identity and journal only) | ${scale.openSeconds.toFixed(3)} s |`,
    `| reading every key back (runs behind the API after opening; \`npm run verify-index\`) | ${n(scale.verifySeconds)} s |`,
    "",
    `Routes on that index: autocannon in its own process, ${CONNECTIONS} connections, ${DURATION} s a route; pages carry 25 items (the default) with their evidence and finality. "One page" asks the same URL again and again of the API as configured by default, so after the first request it is the answer cache's figure (API_CACHE_MB); "every list" asks an API keeping nothing (API_CACHE_MB=0) for a different list or record each request, in a shuffled order over that many, so each answer is read from the index (through LevelDB's block cache, INDEX_CACHE_MB, ${DEFAULT_INDEX_CACHE_MB} MiB by default). "vs bare" compares each route with the bare endpoint loaded just before it; the bare row is the median of those runs.`,
    "",
    "| route | one page: req/s | p50 ms | p99 ms | vs bare | every list: paths | req/s | p50 ms | p99 ms | vs bare |",
    "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...Object.entries(results).map(([name, r]) => row(name, r)),
    row("bare Express JSON endpoint", bareResult),
    "",
    "Targets: p99 < 10 ms, and pages at least 50% of the bare endpoint's req/s.",
  ].join("\n");
  await replaceSection(path.join(here, "README.md"), "api", table);
  console.log(table);
}

await main();
