/**
 * `npm run bench:fees`: statements and yearly disclosures from an index of public-data operation at
 * the scale the issue names. An operator holds 10 datasets with 100 priced grants each (1,000 grants,
 * half of them with a monthly fee too), and 1,000,000 uses fall over a year (UTC+8) on those grants;
 * one grantee holds 10 of the grants and 100,000 of the uses. The events go through the indexer's
 * own apply path (a chain would need a month to mine them). Then, through the API on loopback:
 *   - that grantee's statement for the year, under load: req/s, p50 and p99 (target p99 < 20 ms),
 *     next to a bare Express endpoint in the same run;
 *   - the operator's yearly disclosure, JSON and HTML, five times each: the build time (target < 5 s).
 * Writes bench/results/fees.json and the fees table of bench/README.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { keccak256, toBeHex } from "ethers";

import { currencyCodeHex, PurposeClass, UsageAction } from "../core/ids.js";
import type { LedgerEventBody } from "../core/ledger-events.js";
import { parsePeriod } from "../core/period.js";
import type { Evidence, SyncState } from "../server/store/records.js";
import { applyEvent } from "../server/store/reduce.js";
import { Store } from "../server/store/store.js";
import { tempDir } from "../test/helpers/system.js";
import { load, serveBare, serveIndex } from "./http.js";
import { replaceSection } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const hash = (label: string) => keccak256(Buffer.from(label));
const address = (label: string) => toBeHex(BigInt(hash(label)) >> 96n, 20);

const DATASETS = 10;
const GRANTS_PER_DATASET = 100;
const USES = Number(process.env.BENCH_FEE_USES ?? 1_000_000);
/** The probe grantee's share: 10 grants, a tenth of the uses. */
const PROBE_GRANTS = 10;
const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const CONNECTIONS = 10;
const YEAR = 2026;
const CNY = currencyCodeHex("CNY");

async function main(): Promise<void> {
  const dir = path.join(await tempDir("bench-fees"), "index");
  const ledger = address("ledger");
  const operator = address("operator");
  const store = await Store.open(dir, { chainId: 31337, ledger, deployBlock: 1 });
  const year = parsePeriod(String(YEAR));

  let block = 0;
  let log = 0;
  let state: SyncState = { cursor: { number: 0, hash: hash("block 0") }, digest: hash("digest"), events: 0, reorgs: 0 };
  let writes = store.writeSet(Number.MAX_SAFE_INTEGER);
  const apply = async (event: LedgerEventBody, timestamp: number) => {
    block++;
    const evidence: Evidence = { txHash: hash(`tx ${block}/${log}`), blockNumber: block, blockHash: hash(`block ${block}`), txIndex: 0, logIndex: log++, timestamp };
    writes.atBlock(block);
    await applyEvent(writes, event, evidence);
    state = { ...state, cursor: { number: block, hash: evidence.blockHash }, events: state.events + 1 };
    if (state.events % 20_000 === 0) {
      await store.commit(writes, state, [], 0);
      writes = store.writeSet(Number.MAX_SAFE_INTEGER);
    }
  };

  let began = performance.now();
  const start = year.from;
  const grants: { id: string; datasetId: string; grantee: string }[] = [];
  for (let d = 0; d < DATASETS; d++) {
    const datasetId = hash(`dataset ${d}`);
    await apply({ kind: "DatasetRegistered", datasetId, holder: operator, contentHash: hash(`content ${d}`), merkleRoot: hash(`root ${d}`), recordCount: 1000n, metadataURI: `data:,${d}` }, start);
    for (let i = 0; i < GRANTS_PER_DATASET; i++) {
      const n = d * GRANTS_PER_DATASET + i;
      const id = hash(`grant ${n}`);
      // The probe grantee holds the first ten grants; the rest are spread over 99 others.
      const grantee = n < PROBE_GRANTS ? address("probe grantee") : address(`grantee ${n % 99}`);
      const common = { grantId: id, datasetId, grantee };
      await apply(
        { kind: "GrantIssued", ...common, grantor: operator, rights: 1, purposeHash: hash("purpose"), purpose: "forecasting", validFrom: start, validUntil: year.to, quota: 0n, bump: 0n },
        start,
      );
      const monthly = n % 2 === 0;
      await apply(
        {
          kind: "GrantFeeTerms",
          grantId: id,
          purposeClass: PurposeClass.Commercial,
          token: "0x0000000000000000000000000000000000000000",
          currencyCode: CNY,
          unitPrice: 3n,
          periodFee: monthly ? 50_000n : 0n,
          period: monthly ? 30 * 86_400 : 0,
        },
        start,
      );
      grants.push({ id, datasetId, grantee });
    }
  }
  await apply({ kind: "RevenueCeilingSet", operator, year: YEAR, authority: address("authority"), token: "0x0000000000000000000000000000000000000000", currencyCode: CNY, ceiling: 5_000_000n }, start);
  // Uses over the year, in time order: a tenth on the probe grantee's grants, the rest on the others.
  const span = year.to - year.from;
  for (let i = 0; i < USES; i++) {
    const g = i % 10 === 0 ? grants[(i / 10) % PROBE_GRANTS] : grants[PROBE_GRANTS + ((i * 7919) % (grants.length - PROBE_GRANTS))];
    await apply(
      { kind: "UsageRecorded", grantId: g.id, datasetId: g.datasetId, grantee: g.grantee, action: UsageAction.Use, units: BigInt(1 + (i % 5)), outputRef: hash(`out ${i}`) },
      year.from + Math.floor((span * i) / USES),
    );
    if (i % 200_000 === 199_999) console.log(`  ${(i + 1).toLocaleString("en")} uses applied (${((performance.now() - began) / 1000).toFixed(0)} s)`);
  }
  // Each grant acknowledged a payment once in the year.
  for (const [n, g] of grants.entries()) {
    await apply({ kind: "FeesAcknowledged", grantId: g.id, holder: operator, amount: 1_000n, paidTotal: 1_000n, paymentRef: hash(`ref ${n}`) }, year.to - 86_400);
  }
  await store.commit(writes, state, [], 0);
  const applySeconds = (performance.now() - began) / 1000;
  console.log(`applied ${state.events.toLocaleString("en")} events in ${applySeconds.toFixed(0)} s`);

  // The chain's head a fortnight after the year: the year is closed. The API keeps no answers
  // (API_CACHE_MB=0): each statement and disclosure asked is built from the index.
  const api = await serveIndex(store, { number: state.cursor.number, timestamp: year.to + 14 * 86_400, events: state.events }, 0);
  const bareServer = await serveBare();
  const measure = (url: string) => load(url, { connections: CONNECTIONS, seconds: DURATION });

  const statementRoute = `/v1/accounts/${address("probe grantee")}/statements/${YEAR}`;
  const probe = (await (await fetch(api.url + statementRoute)).json()) as { lines: { units: string }[] };
  const probeUses = USES / 10;
  console.log(
    `statement of the probe grantee: ${probe.lines.length} lines, ${probe.lines.reduce((s, l) => s + Number(l.units), 0).toLocaleString("en")} units from ${probeUses.toLocaleString("en")} uses`,
  );
  const statement = await measure(api.url + statementRoute);
  const bareResult = await measure(`${bareServer.url}/bare`);
  if (statement.errors) throw new Error(`statement: ${statement.errors} errors under load`);

  const disclosureRoute = `/v1/disclosures/${operator}/${YEAR}`;
  const timings: Record<string, number[]> = { json: [], html: [] };
  let revenue = "";
  for (let i = 0; i < 5; i++) {
    for (const format of ["json", "html"] as const) {
      began = performance.now();
      const response = await fetch(`${api.url}${disclosureRoute}?format=${format}`);
      const text = await response.text();
      timings[format].push((performance.now() - began) / 1000);
      if (response.status !== 200) throw new Error(`disclosure: HTTP ${response.status} ${text}`);
      if (format === "json") revenue = JSON.stringify(JSON.parse(text).revenue);
    }
  }
  const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
  console.log(`disclosure: json ${timings.json.map((t) => t.toFixed(2)).join(", ")} s; html ${timings.html.map((t) => t.toFixed(2)).join(", ")} s; revenue ${revenue}`);

  const results = {
    scale: { datasets: DATASETS, grants: grants.length, usageEvents: USES, probeGranteeUses: probeUses, applySeconds: Math.round(applySeconds) },
    statement: { ...statement, errors: undefined, bareReqPerSec: bareResult.reqPerSec },
    disclosure: { jsonMedianSeconds: median(timings.json), jsonMaxSeconds: Math.max(...timings.json), htmlMedianSeconds: median(timings.html), htmlMaxSeconds: Math.max(...timings.html) },
  };
  await mkdir(path.join(here, "results"), { recursive: true });
  await writeFile(path.join(here, "results/fees.json"), `${JSON.stringify(results, null, 2)}\n`);
  const n = (x: number) => x.toLocaleString("en");
  const table = [
    `An operator with ${n(grants.length)} priced grants on ${DATASETS} datasets and ${n(USES)} uses over ${YEAR}; one grantee with ${PROBE_GRANTS} of the grants and ${n(probeUses)} of the uses. Events applied through the indexer's path in ${n(Math.round(applySeconds))} s.`,
    "",
    "| measure | figure | target |",
    "| --- | ---: | --- |",
    `| statement of the grantee for the year, p50 / p99 | ${statement.p50Ms} / ${statement.p99Ms} ms | p99 < 20 ms |`,
    `| statement, req/s, each built afresh (bare Express in the same run) | ${n(statement.reqPerSec)} (${n(bareResult.reqPerSec)}) | |`,
    `| yearly disclosure of the operator, JSON, median / max of 5 | ${median(timings.json).toFixed(2)} / ${Math.max(...timings.json).toFixed(2)} s | < 5 s |`,
    `| yearly disclosure, printable HTML, median / max of 5 | ${median(timings.html).toFixed(2)} / ${Math.max(...timings.html).toFixed(2)} s | |`,
  ].join("\n");
  await replaceSection(path.join(here, "README.md"), "fees", table);
  console.log(table);
  api.server.close();
  bareServer.server.close();
  await store.close();
}

await main();
