/**
 * Scale-out: the chain is the shared engine and each indexer is a replica that builds its own index
 * from it. Two replicas (separate processes and stores, one node) converge on the same digest at the
 * same block; either can be SIGKILLed and restarted while the other keeps answering.
 */
import { expect } from "chai";

import { startAnvil, type AnvilChain } from "./helpers/chain.js";
import { yearOf } from "../core/period.js";
import { ObjectionTarget, Rights, UsageAction } from "../core/ids.js";
import { currency, feeTerms, FOREVER, oversightOf, registerDataset, ZERO_HASH } from "./helpers/fixtures.js";
import { freshLedger, closeAll, fillUsage, referenceIndex, startProcess, tempDir, type LedgerOnChain, type StartedProcess } from "./helpers/system.js";

interface Replica {
  name: string;
  dataDir: string;
  server?: StartedProcess;
  url?: string;
}

/** Starts `npm start`'s entry point against an existing node and ledger; resolves with its API URL. */
async function startReplica(replica: Replica, chain: AnvilChain, ledger: LedgerOnChain): Promise<void> {
  const env = {
    ...process.env,
    RPC_URL: chain.url,
    LEDGER_ADDRESS: ledger.address,
    START_BLOCK: String(ledger.deployBlock),
    CHAIN_ID: String(ledger.chainId),
    DATA_DIR: replica.dataDir,
    API_PORT: "0",
    GATEWAY_PORT: "0",
    POLL_MS: "50",
    LOG_LEVEL: "warn",
  };
  replica.server = await startProcess(env, { timeoutMs: 30_000 });
  replica.url = replica.server.url;
}

function kill(replica: Replica): Promise<void> {
  return replica.server?.kill() ?? Promise.resolve();
}

/** The replica's status; null while it says, as it should, that its index is not built yet. */
async function status(replica: Replica): Promise<any> {
  const response = await fetch(`${replica.url}/v1/status`);
  const body: any = await response.json();
  // A replica answers as soon as it listens: until its first range is committed, with 503 index_not_ready.
  if (response.status === 503 && body.error?.code === "index_not_ready") return null;
  expect(response.status, `${replica.name} answers`).to.equal(200);
  return body;
}

async function caughtUp(replicas: Replica[], head: number): Promise<any[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const statuses = await Promise.all(replicas.map(status));
    if (statuses.every((s) => s !== null && s.indexed.number >= head)) return statuses;
    if (Date.now() > deadline) throw new Error(`replicas did not reach block ${head}: ${statuses.map((s) => s?.indexed.number ?? "not built").join(", ")}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("two indexer replicas", function () {
  let chain: AnvilChain;
  let ledger: LedgerOnChain;
  const replicas: Replica[] = [];

  before(async function () {
    ({ chain, ledger } = await freshLedger(startAnvil));
    await fillUsage(ledger, { grants: 3, blocks: 20, perBlock: 30, label: "replicas" });
    // A priced grant, its use and an objection: what the holder's yearly disclosure shows.
    const priced = await registerDataset(ledger.ledger, ledger.holder, "priced for replicas");
    const terms = feeTerms({ currencyCode: currency("CNY"), unitPrice: 25n });
    const issued = await (await ledger.ledger.connect(ledger.holder).grantWithTerms(priced.id, ledger.grantee.address, Rights.USE, "apps", 0n, FOREVER, 0n, terms)).wait();
    const grantId = ledger.ledger.interface.parseLog(issued!.logs[0])!.args.grantId;
    await (await ledger.ledger.connect(ledger.grantee).recordUsage(grantId, UsageAction.Use, 3n, ZERO_HASH)).wait();
    await (await (await oversightOf(ledger.ethers, ledger.ledger)).connect(ledger.stranger).fileObjection(ObjectionTarget.Grant, grantId, "not for apps", ZERO_HASH)).wait();
    for (const name of ["A", "B"]) replicas.push({ name, dataDir: await tempDir(`replica-${name}`) });
  });

  after(async function () {
    for (const r of replicas) await kill(r);
    await closeAll(ledger, chain);
  });

  it("converge on one digest, and each keeps serving while the other is killed and restarted", async function () {
    await Promise.all(replicas.map((r) => startReplica(r, chain, ledger)));
    let head = await ledger.ethers.provider.getBlockNumber();
    const first = await caughtUp(replicas, head);
    expect(first[0].digest).to.equal(first[1].digest);

    let served = 0;
    for (const [down, up] of [replicas, [...replicas].reverse()]) {
      await kill(down);
      // The chain moves on while one replica is down; the other follows it and answers throughout.
      for (let i = 0; i < 5; i++) {
        await registerDataset(ledger.ledger, ledger.holder, `while ${down.name} is down ${i}`);
        head = await ledger.ethers.provider.getBlockNumber();
        await caughtUp([up], head);
        served++;
      }
      await startReplica(down, chain, ledger);
      const [a, b] = await caughtUp(replicas, head);
      expect(a.indexed).to.deep.equal(b.indexed);
      expect(a.digest, `digest after ${down.name} restarted`).to.equal(b.digest);
    }
    // And both equal an index built from scratch.
    const fresh = await referenceIndex(chain.url, ledger, "replicas-fresh");
    const reference = (await fresh.state())!;
    const [a] = await caughtUp(replicas, reference.cursor.number);
    expect(a.digest).to.equal(reference.digest);
    expect(a.events).to.equal(reference.events);
    await fresh.close();
    console.log(`      ${reference.events} events; each replica killed once; the other answered ${served} times meanwhile; digest ${reference.digest.slice(0, 18)}…`);
  });

  it("write byte-identical yearly disclosures, JSON and HTML, at the same block", async function () {
    const head = await ledger.ethers.provider.getBlockNumber();
    await caughtUp(replicas, head);
    const year = yearOf((await ledger.ethers.provider.getBlock(head))!.timestamp);
    for (const format of ["json", "html"]) {
      const [a, b] = await Promise.all(replicas.map(async (r) => fetch(`${r.url}/v1/disclosures/${ledger.holder.address.toLowerCase()}/${year}?format=${format}`)));
      expect([a.status, b.status]).to.deep.equal([200, 200]);
      const [textA, textB] = [await a.text(), await b.text()];
      expect(textA, format).to.equal(textB);
      if (format === "json")
        expect(JSON.parse(textA).revenue).to.deep.equal([{ token: null, currencyCode: "CNY", charged: "75", paid: "0", ceiling: null, ceilingSet: null, excess: "0", carriedIn: "0" }]);
      else expect(textA).to.include("年度公共数据授权运营情况公开").and.include("0.75 CNY");
    }
  });
});
