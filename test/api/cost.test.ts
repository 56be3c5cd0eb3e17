/**
 * Expensive answers are bounded: a lineage of 1,200 descendants comes a page of datasets at a time,
 * each edge once, with a cursor to the rest; a PROV document past its caps says what it left out and
 * where the rest is.
 */
import { expect } from "chai";

import { Rights, UsageAction } from "../../core/ids.js";
import { startHardhatChain, type TestChain } from "../helpers/chain.js";
import { issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";
import { freshLedger, closeAll, indexAndServe, type IndexedApi, type LedgerOnChain } from "../helpers/system.js";

const DESCENDANTS = 1_200;
const USES = 5_100;

describe("bounded answers", function () {
  let chain: TestChain;
  let ledger: LedgerOnChain;
  let api: IndexedApi;
  let root: string;
  let used: string;

  before(async function () {
    ({ chain, ledger } = await freshLedger(startHardhatChain));
    const { ledger: contract, holder, grantee } = ledger;
    root = (await registerDataset(contract, holder, "root of many")).id;
    // Descendants in batches: each entry names the root, which its registrant holds.
    for (let done = 0; done < DESCENDANTS; done += 240) {
      const entries = Array.from({ length: Math.min(240, DESCENDANTS - done) }, (_, i) => ({
        contentHash: sha256(`child ${done + i}`),
        merkleRoot: sha256(`child root ${done + i}`),
        recordCount: 1n,
        metadataURI: "",
        parents: [{ datasetId: root, grantId: "0x" + "00".repeat(32) }],
      }));
      await (await contract.connect(holder).registerBatch(entries, { gasLimit: 16_000_000 })).wait();
    }
    used = (await registerDataset(contract, holder, "much used")).id;
    const grantId = await issueGrant(contract, holder, used, grantee.address, { rights: Rights.USE, quota: 0n });
    for (let done = 0; done < USES; done += 250) {
      const entries = Array.from({ length: Math.min(250, USES - done) }, (_, i) => ({ grantId, action: UsageAction.Use, units: 1n, outputRef: sha256(`use ${done + i}`) }));
      await (await contract.connect(grantee).recordUsageBatch(entries, { gasLimit: 16_000_000 })).wait();
    }
    api = await indexAndServe({ chain, ledger });
    await api.indexer.syncOnce();
  });

  after(() => closeAll(api, ledger, chain));

  it("pages a lineage of 1,200 descendants: 200 datasets by default, each dataset and each edge once, every edge after both its ends", async function () {
    const first = await api.get(`/v1/datasets/${root}/lineage?direction=descendants`);
    expect(first.status).to.equal(200);
    expect(first.body.nodes).to.have.length(200);
    expect(first.body.nodes[0].id).to.equal(root);
    expect(first.body.next).to.be.a("string");
    expect(JSON.stringify(first.body).length, "a page stays small").to.be.below(400_000);
    const seen = new Set<string>();
    const edges = new Set<string>();
    let pages = 0;
    for (let cursor: string | null = null; ; ) {
      const { status, body } = await api.get(`/v1/datasets/${root}/lineage?direction=descendants&limit=500${cursor ? `&cursor=${cursor}` : ""}`);
      expect(status).to.equal(200);
      pages++;
      for (const n of body.nodes) {
        expect(seen.has(n.id), `dataset ${n.id} twice`).to.equal(false);
        seen.add(n.id);
      }
      for (const e of body.edges) {
        const key = `${e.parent}>${e.child}`;
        expect(edges.has(key), `edge ${key} twice`).to.equal(false);
        expect(seen.has(e.parent) && seen.has(e.child), `edge ${key} before its ends`).to.equal(true);
        edges.add(key);
      }
      cursor = body.next;
      if (cursor === null) break;
    }
    expect([seen.size, edges.size, pages]).to.deep.equal([DESCENDANTS + 1, DESCENDANTS, 3]);
    const forged = await api.get(`/v1/datasets/${root}/lineage?cursor=${Buffer.from("lineage:x").toString("base64url")}`);
    expect([forged.status, forged.body.error.code]).to.deep.equal([400, "invalid_cursor"]);
    const tooMany = await api.get(`/v1/datasets/${root}/lineage?limit=1001`);
    expect([tooMany.status, tooMany.body.error.message]).to.deep.equal([400, "query parameter limit must be at most 1000"]);
  });

  it("a PROV document past its caps says what it left out, and the route to the rest answers", async function () {
    const response = await fetch(`${api.url}/v1/datasets/${used}/prov`);
    expect(response.headers.get("x-dpl-truncated")).to.equal("uses");
    const doc: any = await response.json();
    expect(Object.keys(doc.used)).to.have.length(5_000);
    const cut: string = doc.entity[`ds:${used}`]["dpl:cut-uses"];
    expect(cut).to.match(/^the 5000 newest uses; the rest: \/v1\/datasets\/0x[0-9a-f]{64}\/usage\?cursor=[A-Za-z0-9_-]+$/);
    // Asked again, the document comes from the answer cache, its header with it.
    const again = await fetch(`${api.url}/v1/datasets/${used}/prov`);
    expect(again.headers.get("x-dpl-truncated")).to.equal("uses");
    expect(await again.json()).to.deep.equal(doc);
    const rest = await api.get(cut.split("the rest: ")[1]);
    expect(rest.status).to.equal(200);
    expect(rest.body.items).to.have.length(25);
    // A document within its caps carries no such marker.
    const whole = await fetch(`${api.url}/v1/datasets/${root}/prov`);
    expect(whole.headers.get("x-dpl-truncated")).to.equal(null);
  });
});
