/**
 * `npm run bench:gateway`: what metering at the point of delivery costs. On anvil, a holder's
 * gateway serves a 90-record CSV; autocannon (its own process, 10 connections, 10 s a route) asks, in
 * one run: the gateway's front page (its Express floor), a metered delivery of 1 record and of 10
 * (each decided against the index, signed, written to LevelDB before the first byte, proven), and the
 * API's grant lookup on the same index as the reference. Then the epoch of everything delivered is
 * sealed and settled: its receipts, the time to build its tree and settle, and the gas.
 * Writes bench/results/gateway.json and the gateway section of bench/README.md.
 */
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { devAccount, Rights } from "../core/ids.js";
import { GatewayClient } from "../sdk/gateway.js";
import { issueGrant } from "../test/helpers/fixtures.js";
import { servedLedger } from "../test/helpers/gateway.js";
import { load, type Measured } from "./http.js";
import { replaceSection } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const CONNECTIONS = 10;
const DURATION = 10;

const measure = (url: string, headers: string[] = []) => load(url, { connections: CONNECTIONS, seconds: DURATION, headers });

async function main(): Promise<void> {
  const served = await servedLedger();
  try {
    const { ledger, gateway, api, datasetId } = served;
    const grant = await issueGrant(ledger.ledger, ledger.holder, datasetId, ledger.grantee.address, { rights: Rights.USE, quota: 0n });
    await api.indexer.syncOnce();
    const client = new GatewayClient(gateway.url);
    await client.signIn(devAccount(2), 3600);
    const auth = [`authorization=Bearer ${(client as unknown as { token: string }).token}`];
    const routes: [string, () => Promise<Measured>][] = [
      ["gateway front page (no metering: its Express floor)", () => measure(`${gateway.url}/`)],
      ["API: one grant (the reference)", () => measure(`${api.url}/v1/grants/${grant}`)],
      ["gateway: 1 record, metered", () => measure(`${gateway.url}/v1/datasets/${datasetId}/records?grant=${grant}&from=5&to=5`, auth)],
      ["gateway: 10 records, metered", () => measure(`${gateway.url}/v1/datasets/${datasetId}/records?grant=${grant}&from=10&to=19`, auth)],
    ];
    const measured: Record<string, Measured> = {};
    for (const [name, measure] of routes) {
      measured[name] = await measure();
      console.log(`${name}: ${measured[name].reqPerSec} req/s, p50 ${measured[name].p50Ms} ms, p99 ${measured[name].p99Ms} ms`);
    }
    const before = (await ledger.ledger.grantOf(grant)).used;
    const started = performance.now();
    await gateway.settleNow();
    const settleMs = Math.round(performance.now() - started);
    const [event] = (await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled(ledger.holder.address))).slice(-1);
    const gas = (await ledger.ethers.provider.getTransactionReceipt(event.transactionHash))!.gasUsed;
    const settlement = { receipts: Number(event.args.receiptCount), units: (event.args.units as bigint).toString(), entries: Number(event.args.entryCount), settleMs, gas: Number(gas) };
    const onChain = (await ledger.ledger.grantOf(grant)).used - before;
    if (onChain !== event.args.units) throw new Error(`the grant's use grew by ${onChain}, the epoch settled ${event.args.units}`);
    const reference = measured["API: one grant (the reference)"].reqPerSec;
    const rows = Object.entries(measured).map(([name, m]) => `| ${name} | ${m.reqPerSec.toLocaleString("en")} | ${m.p50Ms} | ${m.p99Ms} | ${(m.reqPerSec / reference).toFixed(2)} | ${m.errors} |`);
    const table = [
      `autocannon in its own process, ${CONNECTIONS} connections, ${DURATION} s a route, on this machine; ratios against the API's grant lookup measured in the same run.`,
      "",
      "| route | req/s | p50 ms | p99 ms | vs API lookup | errors |",
      "| --- | ---: | ---: | ---: | ---: | ---: |",
      ...rows,
      "",
      `Then the epoch of everything delivered was sealed and settled in one transaction: ${settlement.receipts.toLocaleString("en")} receipts (${Number(settlement.units).toLocaleString("en")} units, ${settlement.entries} entr${settlement.entries === 1 ? "y" : "ies"}) in ${settlement.settleMs.toLocaleString("en")} ms (tree of the receipts, the ledger asked first, the transaction mined), ${settlement.gas.toLocaleString("en")} gas; the grant's use on chain grew by exactly the epoch's units.`,
    ].join("\n");
    console.log(table);
    await mkdir(path.join(here, "results"), { recursive: true });
    await writeFile(path.join(here, "results", "gateway.json"), JSON.stringify({ routes: measured, settlement }, null, 2) + "\n");
    await replaceSection(path.join(here, "README.md"), "gateway", table);
  } finally {
    await served.close();
  }
}

await main();
