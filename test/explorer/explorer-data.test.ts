/** The explorer's pure parts: routes, search, formatting, timeline and lineage data. */
import { expect } from "chai";

import { datasetTitle, decodeMetadata, formatTime, formatUntil, formatUnits, shortHex } from "../../explorer/src/format.js";
import { mergeLineage } from "../../explorer/src/lineage-data.js";
import type { Lineage } from "../../explorer/src/model.js";
import { href, parseRoute } from "../../explorer/src/routes.js";
import { classifyQuery, pageForHash } from "../../explorer/src/search.js";
import { cumulativeByGrantee, timelineBounds } from "../../explorer/src/timeline-data.js";

const H = (n: number) => "0x" + n.toString(16).padStart(64, "0");
const A = (n: number) => "0x" + n.toString(16).padStart(40, "0");

describe("explorer data", function () {
  it("parses every page's fragment and writes it back", function () {
    for (const route of [
      { page: "home" },
      { page: "dataset", id: H(1) },
      { page: "grant", id: H(2) },
      { page: "file", contentHash: H(3) },
      { page: "account", address: A(4) },
      { page: "search", query: "a b/c" },
      { page: "epoch", holder: A(5), epoch: "1795987740" },
      { page: "epoch", holder: A(5), epoch: "0" },
    ] as const) {
      expect(parseRoute(href(route))).to.deep.equal(route);
    }
    expect(parseRoute("#/dataset/" + H(1).toUpperCase().replace("0X", "0x"))).to.deep.equal({ page: "dataset", id: H(1) });
    expect(parseRoute("")).to.deep.equal({ page: "home" });
    for (const bad of [
      "#/dataset/0x12",
      "#/account/" + H(1),
      "#/nope/x",
      "#/dataset/" + H(1) + "/more",
      "#/search/%E0%A4%A",
      `#/epoch/${A(5)}`,
      `#/epoch/${A(5)}/01`,
      `#/epoch/${A(5)}/-1`,
      `#/epoch/${A(5)}/1/x`,
      `#/epoch/${H(1)}/1`,
    ])
      expect(parseRoute(bad).page).to.equal("unknown");
  });

  it("tells an address from a hash, with or without 0x, and explains anything else", function () {
    expect(classifyQuery(`  ${A(5).slice(2).toUpperCase()} `)).to.deep.equal({ kind: "address", address: A(5) });
    expect(classifyQuery(H(6))).to.deep.equal({ kind: "hash", hash: H(6) });
    expect(classifyQuery("")).to.include({ kind: "invalid" });
    const odd = classifyQuery("0x1234");
    expect(odd.kind).to.equal("invalid");
    expect((odd as { message: string }).message).to.match(/“0x1234” is neither an id or content hash \(0x and 64 hex digits\) nor an account address/);
    expect((classifyQuery("x".repeat(500)) as { message: string }).message.length).to.be.lessThan(200);
  });

  it("opens a dataset before a grant before a file for the same hash", function () {
    expect(pageForHash(H(1), { dataset: true, grant: true, anchored: true })).to.deep.equal({ page: "dataset", value: H(1) });
    expect(pageForHash(H(1), { dataset: false, grant: true, anchored: true })).to.deep.equal({ page: "grant", value: H(1) });
    expect(pageForHash(H(1), { dataset: false, grant: false, anchored: true })).to.deep.equal({ page: "file", value: H(1) });
    expect(pageForHash(H(1), { dataset: false, grant: false, anchored: false })).to.equal(undefined);
  });

  it("formats hashes, times, units and titles from metadata", function () {
    expect(shortHex(H(255))).to.equal("0x000000…00ff");
    expect(formatTime(1_764_230_400)).to.equal("2025-11-27 08:00:00 UTC");
    // A window's end: a time, or the ledger's uint40 maximum (2^40 - 1), which means no end.
    expect(formatUntil(1_764_230_400)).to.equal("2025-11-27 08:00:00 UTC");
    expect(formatUntil(1_099_511_627_775)).to.equal("no end");
    expect(formatUnits("1208925819614629174706175")).to.equal("1,208,925,819,614,629,174,706,175");
    const uri = "data:application/json;base64," + Buffer.from(JSON.stringify({ title: "Verkehrsfluss – Zürich 🚦" })).toString("base64");
    expect(datasetTitle({ id: H(1), metadataURI: uri })).to.equal("Verkehrsfluss – Zürich 🚦");
    expect(decodeMetadata("data:application/json,%7B%22name%22%3A%22n%22%7D")).to.deep.equal({ name: "n" });
    expect(datasetTitle({ id: H(1), metadataURI: "ipfs://bafy" })).to.equal("Dataset 0x000000…0001");
    expect(datasetTitle({ id: H(1), metadataURI: "data:application/json;base64,!!!" })).to.equal("Dataset 0x000000…0001");
    expect(decodeMetadata("data:application/json,[1,2]")).to.equal(undefined);
  });

  it("cumulates units per grantee in chain order, the heaviest user first", function () {
    const use = (grantee: string, units: string, blockNumber: number, logIndex: number, timestamp: number) => ({ grantee, units, evidence: { blockNumber, logIndex, timestamp } as never });
    const series = cumulativeByGrantee([use(A(1), "5", 3, 0, 300), use(A(2), "100", 2, 0, 200), use(A(1), "7", 1, 1, 100), use(A(1), "1", 1, 0, 100)]);
    expect(series.map((s) => [s.grantee, s.total])).to.deep.equal([
      [A(2), 100n],
      [A(1), 13n],
    ]);
    expect(series[1].points).to.deep.equal([
      { t: 100, total: 1 },
      { t: 100, total: 8 },
      { t: 300, total: 13 },
    ]);
    expect(timelineBounds(series)).to.deep.equal({ min: 40, max: 360 });
    expect(timelineBounds([{ grantee: A(1), total: 1n, points: [{ t: 1000, total: 1 }] }])).to.deep.equal({ min: 940, max: 1060 });
  });

  it("merges ancestors and descendants into one graph without duplicates", function () {
    const node = (n: number) => ({ id: H(n) }) as never;
    const around = (direction: Lineage["direction"], part: Pick<Lineage, "truncated" | "nodes" | "edges" | "next">): Lineage => ({
      readAt: { number: 1, hash: H(0) },
      root: H(2),
      direction,
      depth: 8,
      ...part,
    });
    const up = around("ancestors", { truncated: false, nodes: [node(2), node(1)], edges: [{ parent: H(1), child: H(2), grantId: null }], next: null });
    const down = around("descendants", { truncated: true, nodes: [node(2), node(3)], edges: [{ parent: H(2), child: H(3), grantId: H(9) }], next: "more" });
    const graph = mergeLineage(up, down);
    expect(graph.nodes.map((n) => n.id)).to.deep.equal([H(2), H(1), H(3)]);
    expect(graph.edges).to.have.length(2);
    expect(graph.truncated).to.equal(true);
    expect(graph.more).to.equal(true);
    expect(mergeLineage(up, { ...down, next: null }).more).to.equal(false);
  });
});
