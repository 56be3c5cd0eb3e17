/**
 * `npm run bench:persistence`: what keeping the embedded chain costs as it grows. The embedded chain
 * (anvil, as `npm start` runs it) takes usage events in batches of 250 a transaction (the most a batch takes); at each
 * checkpoint up to BENCH_EVENTS (default 1,000,000) this measures, in one run:
 *   - one snapshot as dpl takes it: anvil_dumpState (anvil serialises, gzips), gunzip, write + fsync
 *     + rename; the file's size; and, side by side, writing the same bytes with nothing to serialise
 *     (the disk's share of the cost);
 *   - a restart on that file: from spawning anvil with --load-state to its first answer;
 *   - anvil's resident memory (it holds every block, receipt and log in memory).
 * Writes bench/results/persistence.json and the persistence table of bench/README.md (`--report`
 * rewrites the table from the JSON alone).
 */
import { copyFile, mkdir, open, readFile, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import { config as hardhatConfig } from "hardhat";
import { Contract, HDNodeWallet, JsonRpcProvider, Mnemonic, NonceManager } from "ethers";

import ledgerAbi from "../core/ledger-abi.json" with { type: "json" };
import { deployEmbedded } from "../server/chain/deploy.js";
import { nextSnapshotDelay, startEmbeddedChain, stateFileOf, type Snapshot } from "../server/chain/embedded-chain.js";
import { Rights, UsageAction } from "../core/ids.js";
import { tempDir } from "../test/helpers/system.js";
import { replaceSection } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const EVENTS = Number(process.env.BENCH_EVENTS ?? 1_000_000);
const PER_TX = 250;
const IN_FLIGHT = 16;
const CHECKPOINTS = [0, 100_000, 250_000, 500_000, 1_000_000, 2_000_000, 5_000_000].filter((n) => n <= EVENTS);
if (!CHECKPOINTS.includes(EVENTS)) CHECKPOINTS.push(EVENTS);

const wallet = (index: number, provider: JsonRpcProvider) =>
  HDNodeWallet.fromMnemonic(Mnemonic.fromPhrase("test test test test test test test test test test test junk"), `m/44'/60'/0'/0/${index}`).connect(provider);

async function rssMiB(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, "utf8").catch(() => "");
  const kb = Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? NaN);
  return Math.round(kb / 1024);
}

/** The same bytes written as dpl writes a snapshot (temporary file, fsync, rename), with nothing to serialise. */
async function plainWriteMs(bytes: Buffer, dir: string): Promise<number> {
  const began = performance.now();
  const file = path.join(dir, "plain.tmp");
  const handle = await open(file, "w", 0o600);
  await handle.writeFile(bytes);
  await handle.sync();
  await handle.close();
  await rm(file);
  return performance.now() - began;
}

async function restartMs(stateFile: string): Promise<number> {
  const dataDir = await tempDir("persistence-load");
  await mkdir(path.dirname(stateFileOf(dataDir)), { recursive: true });
  await copyFile(stateFile, stateFileOf(dataDir));
  const began = performance.now();
  const chain = await startEmbeddedChain({ host: "127.0.0.1", port: 0, dataDir, saveEveryMs: 3_600_000 });
  const provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true });
  await provider.getBlockNumber();
  const ms = performance.now() - began;
  provider.destroy();
  await chain.close();
  await rm(dataDir, { recursive: true, force: true });
  return ms;
}

interface Result {
  node: string;
  perTransaction: number;
  rows: { events: number; stateBytes: number; bytesPerEvent: number | null; dumpMs: number; writeMs: number; plainWriteMs: number; restartMs: number; anvilRssMiB: number }[];
}

/** The table of bench/README.md, from a run's figures. */
function report(result: Result): string {
  const mib = (b: number) => (b / 2 ** 20).toFixed(1);
  const last = result.rows.at(-1)!;
  const snapshotS = (last.dumpMs + last.writeMs) / 1000;
  return [
    `Node: anvil as \`npm start\` runs it; usage events in batches of ${result.perTransaction.toLocaleString("en")} a transaction (the most a batch takes).`,
    "",
    "| usage events | state file | bytes / event | snapshot: dump + gunzip | write + fsync + rename | same bytes, plain write | restart (load to first answer) | anvil memory |",
    "| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ...result.rows.map(
      (r) =>
        `| ${r.events.toLocaleString("en")} | ${mib(r.stateBytes)} MiB | ${r.bytesPerEvent ?? "-"} | ${r.dumpMs.toLocaleString("en")} ms | ${r.writeMs.toLocaleString("en")} ms | ${r.plainWriteMs.toLocaleString("en")} ms | ${r.restartMs.toLocaleString("en")} ms | ${r.anvilRssMiB.toLocaleString("en")} MiB |`,
    ),
    "",
    `At ${last.events.toLocaleString("en")} events a snapshot takes ${snapshotS.toFixed(1)} s, of which the disk's share (the plain write) is ${((last.plainWriteMs / (last.dumpMs + last.writeMs)) * 100).toFixed(0)}%: the cost is anvil serialising its whole history, and it grows linearly with it. Spaced by nine times that, a crash there can lose up to ${Math.round((nextSnapshotDelay({ dumpMs: last.dumpMs, writeMs: last.writeMs }, 1000) / 1000 + snapshotS) / 60)} minutes of blocks, and a start takes ${(last.restartMs / 1000).toFixed(0)} s to load the chain: the embedded chain is for development, demos and trials; past some 100,000 events, run a node that keeps its own data and set \`RPC_URL\`.`,
  ].join("\n");
}

interface Row extends Snapshot {
  events: number;
  plainWriteMs: number;
  restartMs: number;
  anvilRssMiB: number;
}

async function main(): Promise<void> {
  const dataDir = await tempDir("persistence");
  const chain = await startEmbeddedChain({ host: "127.0.0.1", port: 0, dataDir, saveEveryMs: 3_600_000 });
  const provider = new JsonRpcProvider(chain.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const { ledger } = await deployEmbedded({ rpcUrl: chain.url, artifactsDir: hardhatConfig.paths.artifacts, adminDelay: 0 });
    const holder = new NonceManager(wallet(0, provider));
    const grantee = new NonceManager(wallet(1, provider));
    const contract = new Contract(ledger, ledgerAbi, provider) as any;
    const registered = await (await contract.connect(holder).register("0x" + "11".repeat(32), "0x" + "22".repeat(32), 1n, "", [])).wait();
    const datasetId = contract.interface.parseLog(registered.logs[0]).args.datasetId;
    const granted = await (await contract.connect(holder).grant(datasetId, await grantee.getAddress(), Rights.USE, "persistence bench", 0n, 2n ** 40n - 1n, 0n)).wait();
    const grantId = granted.logs.map((l: any) => contract.interface.parseLog(l)).find((e: any) => e?.name === "GrantIssued").args.grantId;
    const entries = Array.from({ length: PER_TX }, (_, i) => ({ grantId, action: UsageAction.Use, units: 1n, outputRef: "0x" + (i + 1).toString(16).padStart(64, "0") }));

    const rows: Row[] = [];
    let events = 0;
    const began = performance.now();
    for (const checkpoint of CHECKPOINTS) {
      while (events < checkpoint) {
        const batch = Math.min(IN_FLIGHT, (checkpoint - events) / PER_TX);
        const sent = [];
        for (let i = 0; i < batch; i++) sent.push(await contract.connect(grantee).recordUsageBatch(entries, { gasLimit: 16_000_000 }));
        await Promise.all(sent.map((tx) => tx.wait()));
        events += batch * PER_TX;
        if (events % 100_000 === 0) console.log(`  ${events.toLocaleString("en")} usage events on chain (${((performance.now() - began) / 1000).toFixed(0)} s)`);
      }
      const snapshot = await chain.save();
      const bytes = await readFile(chain.stateFile);
      const row: Row = { events, ...snapshot, plainWriteMs: await plainWriteMs(bytes, dataDir), restartMs: await restartMs(chain.stateFile), anvilRssMiB: await rssMiB(chain.pid) };
      rows.push(row);
      console.log(
        `  at ${events.toLocaleString("en")} events: ${(row.bytes / 2 ** 20).toFixed(1)} MiB, dump ${row.dumpMs.toFixed(0)} ms, write ${row.writeMs.toFixed(0)} ms (plain ${row.plainWriteMs.toFixed(0)} ms), restart ${row.restartMs.toFixed(0)} ms, anvil ${row.anvilRssMiB} MiB`,
      );
    }

    const result: Result = {
      node: "anvil (embedded chain), snapshots taken by dpl",
      perTransaction: PER_TX,
      rows: rows.map((r) => ({
        events: r.events,
        stateBytes: r.bytes,
        bytesPerEvent: r.events ? Math.round(r.bytes / r.events) : null,
        dumpMs: Math.round(r.dumpMs),
        writeMs: Math.round(r.writeMs),
        plainWriteMs: Math.round(r.plainWriteMs),
        restartMs: Math.round(r.restartMs),
        anvilRssMiB: r.anvilRssMiB,
      })),
    };
    await mkdir(path.join(here, "results"), { recursive: true });
    await writeFile(path.join(here, "results/persistence.json"), JSON.stringify(result, null, 2) + "\n");
    const table = report(result);
    await replaceSection(path.join(here, "README.md"), "persistence", table);
    console.log(table);
  } finally {
    provider.destroy();
    await chain.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}

// `--report`: rewrite the table from bench/results/persistence.json without measuring again.
if (process.argv.includes("--report")) {
  const table = report(JSON.parse(await readFile(path.join(here, "results/persistence.json"), "utf8")));
  await replaceSection(path.join(here, "README.md"), "persistence", table);
  console.log(table);
} else {
  await main();
}
