/**
 * The answer cache: an answer asked again at the same point is sent as kept, and is byte for byte
 * what an API keeping nothing (API_CACHE_MB=0) reads afresh from the same index at the same head;
 * after each thing an answer depends on changes (a new event, a new head, the head's time, a
 * reorganisation) the two still agree. On anvil, for its reorganisations.
 */
import type { Server } from "node:http";

import { expect } from "chai";

import { UsageAction } from "../../core/ids.js";
import { AnswerCache, answerPoint } from "../../server/api/answer-cache.js";
import { createApp } from "../../server/api/app.js";
import { listen } from "../../server/api/listen.js";
import { createMetrics } from "../../server/api/metrics.js";
import { chainViewOf, indexerFigures } from "../../server/indexing.js";
import type { SyncState } from "../../server/store/records.js";
import { type AnvilChain, startAnvil } from "../helpers/chain.js";
import { issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";
import { closeAll, freshLedger, indexAndServe, type IndexedApi, type LedgerOnChain, quietLogger } from "../helpers/system.js";

/** What a URL answers: status, media type, the truncation header and the text. */
async function ask(base: string, path: string) {
  const response = await fetch(base + path);
  return { status: response.status, type: response.headers.get("content-type"), truncated: response.headers.get("x-dpl-truncated"), text: await response.text() };
}

/** The answer cache's lookups so far, from /metrics. */
async function lookups(base: string): Promise<{ hit: number; miss: number }> {
  const text = await (await fetch(`${base}/metrics`)).text();
  const count = (result: string) => Number(new RegExp(`^dpl_api_answer_cache_lookups_total\\{result="${result}"\\} (\\d+)$`, "m").exec(text)?.[1] ?? 0);
  return { hit: count("hit"), miss: count("miss") };
}

describe("the answer cache", function () {
  let chain: AnvilChain;
  let ledger: LedgerOnChain;
  let api: IndexedApi;
  let fresh: { server: Server; url: string };
  let datasetId: string;
  let grantId: string;
  let ending: string;
  let urls: string[];

  before(async function () {
    ({ chain, ledger } = await freshLedger(() => startAnvil()));
    const { ledger: contract, holder, grantee } = ledger;
    const data = await registerDataset(contract, holder, "kept answers");
    datasetId = data.id;
    grantId = await issueGrant(contract, holder, datasetId, grantee.address, { quota: 0n });
    const now = BigInt((await ledger.ethers.provider.getBlock("latest"))!.timestamp);
    ending = await issueGrant(contract, holder, datasetId, grantee.address, { quota: 0n, validUntil: now + 3_600n, purpose: "one hour" });
    for (let i = 0; i < 3; i++) await (await contract.connect(grantee).recordUsage(grantId, UsageAction.Use, BigInt(1 + i), sha256(`use ${i}`))).wait();
    api = await indexAndServe({ chain, ledger, finalityDepth: 3 });
    await api.indexer.syncOnce();
    // The independent reading: an API over the same index and the same view of the chain, keeping nothing.
    const { app } = createApp({
      store: api.store,
      chain: chainViewOf(api.indexer),
      config: { finalityDepth: 3, confirmations: 0, corsOrigins: [], verifyMaxBytes: 1024, apiCacheMb: 0 },
      logger: quietLogger(),
      metrics: createMetrics(indexerFigures(api.indexer, api.store)),
    });
    const server = await listen(app, { port: 0, host: "127.0.0.1" });
    fresh = { server, url: `http://127.0.0.1:${(server.address() as { port: number }).port}` };
    const account = grantee.address.toLowerCase();
    urls = [
      "/v1/datasets",
      `/v1/datasets?holder=${holder.address.toLowerCase()}`,
      `/v1/datasets/${datasetId}`,
      `/v1/datasets/${datasetId}/usage`,
      `/v1/datasets/${datasetId}/usage?limit=2`,
      `/v1/datasets/${datasetId}/grants`,
      `/v1/grants/${grantId}`,
      `/v1/grants/${ending}`,
      `/v1/grants/${grantId}/usage`,
      `/v1/accounts/${account}/activity`,
      `/v1/accounts/${account}/grants`,
      `/v1/verify/${data.contentHash}`,
      `/v1/datasets/${datasetId}/lineage`,
      `/v1/datasets/${datasetId}/prov`,
    ];
  });

  after(async function () {
    fresh?.server.close();
    await closeAll(api, ledger, chain);
  });

  /** Asks every URL of both APIs twice; each answer of the caching one must equal the fresh one's. */
  async function expectSameAnswers(when: string): Promise<Record<string, string>> {
    const texts: Record<string, string> = {};
    for (const url of urls) {
      const expected = await ask(fresh.url, url);
      expect(expected.status, `${url} ${when}`).to.equal(200);
      for (let i = 0; i < 2; i++) expect(await ask(api.url, url), `${url} ${when}, asked ${i === 0 ? "once" : "again"}`).to.deep.equal(expected);
      texts[url] = expected.text;
    }
    return texts;
  }

  it("sends an answer asked again at the same point as kept, byte for byte what is read afresh", async function () {
    const before = await lookups(api.url);
    await expectSameAnswers("at the first point");
    const after = await lookups(api.url);
    // Every URL was asked twice: the second time of each is a hit (the first may be one too, from an earlier test).
    expect(after.hit - before.hit).to.be.at.least(urls.length);
    expect(after.hit - before.hit + after.miss - before.miss).to.equal(2 * urls.length);
  });

  it("answers anew after a new use, a new head, the head's time passing a grant's end, and a reorganisation", async function () {
    const { ledger: contract, grantee, ethers } = ledger;
    const usage = `/v1/datasets/${datasetId}/usage`;
    const first = JSON.parse((await expectSameAnswers("before"))[usage]);

    // A new use: the page starts with it.
    await (await contract.connect(grantee).recordUsage(grantId, UsageAction.Use, 7n, sha256("the newest use"))).wait();
    await api.indexer.syncOnce();
    const afterUse = JSON.parse((await expectSameAnswers("after a new use"))[usage]);
    expect(afterUse.items[0].outputRef).to.equal(sha256("the newest use"));
    expect(afterUse.items).to.have.length(first.items.length + 1);

    // New blocks without ledger events: only the head moved, and with it each item's confirmations.
    await ethers.provider.send("anvil_mine", ["0x2"]);
    await api.indexer.syncOnce();
    const afterBlocks = JSON.parse((await expectSameAnswers("after two empty blocks"))[usage]);
    expect(afterBlocks.items[0].evidence.confirmations).to.equal(afterUse.items[0].evidence.confirmations + 2);

    // The head's time passes the end of a grant's window: its status changes with nothing indexed.
    expect(JSON.parse((await ask(api.url, `/v1/grants/${ending}`)).text).grant.status).to.equal("active");
    await ethers.provider.send("evm_increaseTime", [7_200]);
    await ethers.provider.send("anvil_mine", ["0x1"]);
    await api.indexer.syncOnce();
    const afterTime = await expectSameAnswers("after the grant's end");
    expect(JSON.parse(afterTime[`/v1/grants/${ending}`]).grant.status).to.equal("expired");

    // A reorganisation replaces the block of one more use with a block of another.
    await (await contract.connect(grantee).recordUsage(grantId, UsageAction.Use, 8n, sha256("orphaned use"))).wait();
    await api.indexer.syncOnce();
    expect(JSON.parse((await expectSameAnswers("before the reorganisation"))[usage]).items[0].outputRef).to.equal(sha256("orphaned use"));
    const replacement = {
      from: grantee.address,
      to: ledger.address,
      gas: "0x200000",
      data: contract.interface.encodeFunctionData("recordUsage", [grantId, UsageAction.Use, 9n, sha256("canonical use")]),
    };
    await ethers.provider.send("anvil_reorg", [1, [[replacement, 0]]]);
    await api.indexer.syncOnce();
    const afterReorg = JSON.parse((await expectSameAnswers("after the reorganisation"))[usage]);
    expect(afterReorg.items.map((u: { outputRef: string }) => u.outputRef))
      .to.include(sha256("canonical use"))
      .and.not.include(sha256("orphaned use"));
  });

  it("keeps no error and no live answer: a 404 asked twice is looked up twice and found neither time; /v1/status is not looked up", async function () {
    const before = await lookups(api.url);
    const missing = `/v1/datasets/0x${"ab".repeat(32)}`;
    for (let i = 0; i < 2; i++) expect((await ask(api.url, missing)).status).to.equal(404);
    for (let i = 0; i < 2; i++) expect((await ask(api.url, "/v1/status")).status).to.equal(200);
    const after = await lookups(api.url);
    expect([after.hit - before.hit, after.miss - before.miss]).to.deep.equal([0, 2]);
  });
});

describe("AnswerCache", function () {
  const state = (digest: string): SyncState => ({ cursor: { number: 9, hash: `0x${"09".repeat(32)}` }, digest, events: 3, reorgs: 0 });
  const head = { number: 12, timestamp: 1_800_000_000 };
  const answer = (text: string) => ({ type: "application/json; charset=utf-8", text, headers: {} });

  it("names a point by the indexed block, the digest and the head, and has none without a head", function () {
    const at = answerPoint(state("0xaa"), head);
    expect(at).to.be.a("string");
    for (const other of [answerPoint(state("0xbb"), head), answerPoint(state("0xaa"), { ...head, number: 13 }), answerPoint(state("0xaa"), { ...head, timestamp: head.timestamp + 1 })]) {
      expect(other).to.be.a("string").and.not.equal(at);
    }
    expect(answerPoint(state("0xaa"), undefined)).to.equal(undefined);
    expect(answerPoint(undefined, head)).to.equal(undefined);
  });

  it("serves an answer only at the point it was kept at, keeps nothing at size 0 or without a point, and stays within its bytes", function () {
    const told: { hit: number; miss: number; bytes: number } = { hit: 0, miss: 0, bytes: 0 };
    const cache = new AnswerCache(64 * 1024, { lookup: (result) => told[result]++, bytes: (bytes) => (told.bytes = bytes) });
    cache.set("/a", "p1", answer("A"));
    expect(cache.get("/a", "p1")?.text).to.equal("A");
    expect(cache.get("/a", "p2")).to.equal(undefined);
    expect(cache.get("/b", "p1")).to.equal(undefined);
    cache.set("/c", undefined, answer("C"));
    expect(cache.get("/c", undefined)).to.equal(undefined);
    expect([told.hit, told.miss]).to.deep.equal([1, 2]);

    // 1,000 answers of 1 KiB each (2 KiB counted) in 64 KiB: the oldest go, the newest stay.
    for (let i = 0; i < 1_000; i++) cache.set(`/page/${i}`, "p1", answer("x".repeat(1024)));
    expect(cache.bytes).to.be.at.most(64 * 1024);
    expect(told.bytes).to.equal(cache.bytes);
    expect(cache.get("/page/0", "p1")).to.equal(undefined);
    expect(cache.get("/page/999", "p1")?.text).to.have.length(1024);
    // One answer larger than an eighth of the cache is not kept at all.
    cache.set("/large", "p1", answer("y".repeat(5 * 1024)));
    expect(cache.get("/large", "p1")).to.equal(undefined);

    const none = new AnswerCache(0);
    none.set("/a", "p1", answer("A"));
    expect([none.get("/a", "p1"), none.bytes]).to.deep.equal([undefined, 0]);
  });
});
