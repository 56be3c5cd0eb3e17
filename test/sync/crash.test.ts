/**
 * Crash safety: the stand-alone indexer process is SIGKILLed at random moments during a backfill
 * and restarted each time; the final index equals one built without a crash. DPL_CRASH_KILLS and
 * DPL_CRASH_EVENTS set the campaign (10 kills of a 5,100-event sync by default; `npm run
 * test:faults` runs 200 kills of a 10,200-event sync).
 */
import { spawn } from "node:child_process";

import { expect } from "chai";

import { indexDir } from "../../server/indexing.js";
import { Store } from "../../server/store/store.js";
import { startAnvil, type AnvilChain } from "../helpers/chain.js";
import { freshLedger, closeAll, dumpOf, fillUsage, referenceIndex, tempDir, type LedgerOnChain } from "../helpers/system.js";

const KILLS = Number(process.env.DPL_CRASH_KILLS ?? 10);
const EVENTS = Number(process.env.DPL_CRASH_EVENTS ?? 5_100);
const PER_BLOCK = 10;

/** Runs `npm run index -- --once`'s script; kills it after `killAfterRanges` applied ranges plus a random delay. */
function runIndexer(env: NodeJS.ProcessEnv, killAfterRanges: number | undefined): Promise<{ killed: boolean; code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "scripts/index.ts", "--once"], { env, stdio: ["ignore", "pipe", "pipe"] });
    let output = "";
    let ranges = 0;
    let killed = false;
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk;
      ranges += (chunk.toString().match(/range applied/g) ?? []).length;
      if (killAfterRanges !== undefined && !killed && ranges >= killAfterRanges) {
        killed = true;
        setTimeout(() => child.kill("SIGKILL"), Math.floor(Math.random() * 15));
      }
    });
    child.stderr.on("data", (chunk: Buffer) => (output += chunk));
    child.on("exit", (code, signal) => resolve({ killed: signal === "SIGKILL", code, output }));
  });
}

describe("crash safety", function () {
  let chain: AnvilChain;
  let ledger: LedgerOnChain;

  before(async function () {
    ({ chain, ledger } = await freshLedger(startAnvil));
    await fillUsage(ledger, { grants: 10, blocks: Math.ceil(EVENTS / PER_BLOCK), perBlock: PER_BLOCK, label: "crash" });
  });

  after(() => closeAll(ledger, chain));

  it(`survives ${KILLS} SIGKILLs during a backfill of ${EVENTS} events with nothing lost or applied twice`, async function () {
    // A campaign's length is set by its size (`npm run test:faults` runs the large ones), not by mocha's default.
    this.timeout(0);
    const reference = await referenceIndex(chain.url, ledger);
    const expected = (await reference.state())!;
    expect(expected.events).to.be.at.least(EVENTS);

    const dataDir = await tempDir("crash");
    const env = {
      ...process.env,
      RPC_URL: chain.url,
      LEDGER_ADDRESS: ledger.address,
      START_BLOCK: String(ledger.deployBlock),
      DATA_DIR: dataDir,
      GETLOGS_MAX_RANGE: "1",
      LOG_LEVEL: "debug",
    };
    let kills = 0;
    let runs = 0;
    while (kills < KILLS) {
      const run = await runIndexer(env, 1 + Math.floor(Math.random() * 3));
      runs++;
      if (!run.killed) throw new Error(`the indexer finished before it could be killed ${KILLS} times (killed ${kills}): ${run.output.slice(-500)}`);
      kills++;
    }
    const last = await runIndexer(env, undefined);
    expect(last.code, last.output.slice(-500)).to.equal(0);
    const summary = JSON.parse(
      last.output
        .trim()
        .split("\n")
        .filter((l) => l.startsWith('{"indexed"'))
        .at(-1)!,
    );
    expect(summary.digest).to.equal(expected.digest);
    expect(summary.events).to.equal(expected.events);

    const crashed = await Store.open(indexDir(dataDir, ledger.chainId, ledger.address), { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock });
    expect(await crashed.state()).to.deep.equal(expected);
    expect(await dumpOf(crashed)).to.deep.equal(await dumpOf(reference));
    console.log(`      ${kills} kills over ${runs + 1} runs; ${expected.events} events; digest ${expected.digest.slice(0, 18)}…`);
    await crashed.close();
    await reference.close();
  });
});
