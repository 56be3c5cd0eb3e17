/**
 * `npm run bench:load`: 60 seconds of mixed API queries at the highest rate this box sustains, while
 * the indexer ingests new events. The system runs as `npm start` runs it against a network (an anvil
 * node in its own process, the indexer and the API in one process); autocannon runs in a third
 * process. A writer keeps sending batches of uses for the whole run. Fails on any error or non-2xx.
 * Writes bench/results/load.json and the load table of bench/README.md.
 * BENCH_LOAD_SECONDS and BENCH_LOAD_CONNECTIONS change the run.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { Rights, UsageAction } from "../core/ids.js";
import { createLogger } from "../server/common/logger.js";
import { readConfig } from "../server/config.js";
import { startSystem, type System } from "../server/system.js";
import { startAnvil, type AnvilChain } from "../test/helpers/chain.js";
import { issueGrant, registerDataset, sha256 } from "../test/helpers/fixtures.js";
import { ledgerOn, tempDir, type LedgerOnChain } from "../test/helpers/system.js";
import { loadClient } from "./http.js";
import { replaceSection } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const SECONDS = Number(process.env.BENCH_LOAD_SECONDS ?? 60);
const CONNECTIONS = Number(process.env.BENCH_LOAD_CONNECTIONS ?? 16);
const USES_PER_TX = 64;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];

async function main(): Promise<void> {
  const chain = await startAnvil(["--prune-history"]);
  const ledger = await ledgerOn(chain);
  try {
    await measure(chain, ledger);
  } finally {
    await ledger.close();
    await chain.close();
  }
}

async function measure(chain: AnvilChain, ledger: LedgerOnChain): Promise<void> {
  const { ledger: contract, holder, grantee, stranger } = ledger;
  console.log("seeding: 40 datasets, 80 grants, derived datasets, 20,000 uses…");
  const datasets = [];
  const grants: string[] = [];
  for (let i = 0; i < 40; i++) {
    const d = await registerDataset(contract, holder, `load ${i}`);
    datasets.push(d);
    grants.push(await issueGrant(contract, holder, d.id, grantee.address, { rights: Rights.USE | Rights.PROCESS, quota: 0n, purpose: `load ${i}` }));
    grants.push(await issueGrant(contract, holder, d.id, stranger.address, { rights: Rights.USE, quota: 0n, purpose: `load b ${i}` }));
  }
  for (let i = 0; i < 10; i++) await registerDataset(contract, grantee, `derived ${i}`, [{ datasetId: datasets[i].id, grantId: grants[2 * i] }]);
  const useBatch = (n: number) =>
    contract.connect(grantee).recordUsageBatch(
      Array.from({ length: USES_PER_TX }, (_, i) => ({ grantId: grants[2 * ((n + i) % 40)], action: UsageAction.Use, units: 1n, outputRef: sha256(`load ${n}/${i}`) })),
      { gasLimit: 15_000_000 },
    );
  for (let n = 0; n < 20_000 / USES_PER_TX; n++) await useBatch(n);
  await (await useBatch(99_999)).wait();
  // From now on a block a second, as on a real network.
  await ledger.ethers.provider.send("evm_setIntervalMining", [1]);

  const config = readConfig({
    RPC_URL: chain.url,
    LEDGER_ADDRESS: ledger.address,
    START_BLOCK: String(ledger.deployBlock),
    API_PORT: "0",
    DATA_DIR: await tempDir("bench-load"),
    POLL_MS: "100",
    LOG_LEVEL: "warn",
  });
  const system = await startSystem({ config, logger: createLogger({ level: "warn", pretty: false }) });
  try {
    await loadWhileIngesting(system, ledger, useBatch, datasets, grants);
  } finally {
    await system.stop();
  }
}

/** The API's status, or undefined while the index is not built yet. */
async function status(system: System): Promise<any> {
  const response = await fetch(`${system.apiUrl}/v1/status`);
  return response.status === 200 ? response.json() : undefined;
}

async function caughtUp(system: System, ledger: LedgerOnChain): Promise<any> {
  const head = await ledger.ethers.provider.getBlockNumber();
  for (;;) {
    const s = await status(system);
    if (s && s.indexed.number >= head) return s;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function loadWhileIngesting(system: System, ledger: LedgerOnChain, useBatch: (n: number) => Promise<unknown>, datasets: { id: string; contentHash: string }[], grants: string[]): Promise<void> {
  const { holder, grantee, stranger } = ledger;
  const before = await caughtUp(system, ledger);

  const hex = (s: string) => s.toLowerCase();
  const paths = [
    "/v1/status",
    "/v1/datasets?limit=25",
    ...datasets.flatMap((d) => [
      `/v1/datasets/${hex(d.id)}`,
      `/v1/verify/${hex(d.contentHash)}`,
      `/v1/datasets/${hex(d.id)}/grants`,
      `/v1/datasets/${hex(d.id)}/usage`,
      `/v1/datasets/${hex(d.id)}/lineage?direction=descendants`,
    ]),
    ...grants.flatMap((g) => [`/v1/grants/${hex(g)}`, `/v1/grants/${hex(g)}/usage?limit=10`]),
    `/v1/accounts/${hex(grantee.address)}/activity`,
    `/v1/accounts/${hex(holder.address)}/grants?role=grantor`,
    `/v1/accounts/${hex(stranger.address)}/grants`,
  ];

  // Ingest during the whole run: a batch of uses about every 250 ms, mined each second.
  let writing = true;
  let sent = 0;
  const writer = (async () => {
    for (let n = 0; writing; n++) {
      await useBatch(100_000 + n);
      sent += USES_PER_TX;
      await new Promise((r) => setTimeout(r, 250));
    }
  })();
  const lags: number[] = [];
  const sampler = setInterval(async () => {
    const s = await status(system);
    if (s) lags.push(s.lag);
  }, 500);

  console.log(`load: ${SECONDS} s, ${CONNECTIONS} connections, ${paths.length} distinct paths, while ingesting ${USES_PER_TX} uses every ~250 ms…`);
  const r = await loadClient(system.apiUrl, paths, { connections: CONNECTIONS, seconds: SECONDS });
  writing = false;
  await writer;
  clearInterval(sampler);
  const after = await caughtUp(system, ledger);

  const errors = r.errors + r.timeouts + r.non2xx;
  lags.sort((a, b) => a - b);
  const json = {
    seconds: SECONDS,
    connections: CONNECTIONS,
    distinctPaths: paths.length,
    requests: r.requests.total,
    reqPerSec: Math.round(r.requests.average),
    latencyMs: { p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    errors,
    ingested: { eventsDuringRun: after.events - before.events, usesSent: sent, lagBlocks: { p50: percentile(lags, 50), max: lags.at(-1) } },
  };
  console.log(JSON.stringify(json, null, 2));
  await mkdir(path.join(here, "results"), { recursive: true });
  await writeFile(path.join(here, "results/load.json"), JSON.stringify(json, null, 2) + "\n");
  const table = [
    `Mixed queries over ${paths.length} distinct paths (status, dataset lists and lookups, verify, grants, usage pages, lineage, account activity), autocannon in its own process with ${CONNECTIONS} connections for ${SECONDS} s, closed loop (the highest rate the box sustains), while a writer sent ${USES_PER_TX} uses every ~250 ms to an anvil node mining each second and the indexer ingested them.`,
    "",
    "| requests | req/s | p50 ms | p90 ms | p99 ms | max ms | errors and non-2xx | events ingested meanwhile | indexer lag p50 / max (blocks) |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    `| ${json.requests.toLocaleString("en")} | ${json.reqPerSec.toLocaleString("en")} | ${json.latencyMs.p50} | ${json.latencyMs.p90} | ${json.latencyMs.p99} | ${json.latencyMs.max} | ${errors} | ${json.ingested.eventsDuringRun.toLocaleString("en")} | ${json.ingested.lagBlocks.p50} / ${json.ingested.lagBlocks.max} |`,
  ].join("\n");
  await replaceSection(path.join(here, "README.md"), "load", table);
  console.log(table);
  if (errors > 0) throw new Error(`${errors} errors or non-2xx answers under load`);
}

await main();
