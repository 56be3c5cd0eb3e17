/**
 * The API route by route: success paths, every validation error, W3C PROV-JSON checked against a
 * JSON Schema written from the submission, file verification by upload, and ten thousand fuzzed
 * requests that must never get a 5xx or a stack trace while the server keeps answering.
 */
import { execFileSync } from "node:child_process";
import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { writeFile } from "node:fs/promises";
import net from "node:net";
import path from "node:path";

import { Ajv } from "ajv";
import addFormats from "ajv-formats";
import { expect } from "chai";
import fc from "fast-check";

import { startHardhatChain, type TestChain } from "../helpers/chain.js";
import { fuzzedRequest } from "../helpers/fuzz.js";
import { runScenario, type Truth } from "../helpers/scenario.js";
import { freshLedger, closeAll, allPages, indexAndServe, tempDir, type IndexedApi, type LedgerOnChain } from "../helpers/system.js";
import { testSeed } from "../helpers/seed.js";

const provSchema = JSON.parse(readFileSync(path.join(import.meta.dirname, "../schemas/prov-json.schema.json"), "utf8"));

describe("API", function () {
  let chain: TestChain;
  let ledger: LedgerOnChain;
  let truth: Truth;
  let api: IndexedApi;
  let file: { path: string; bytes: Buffer; hash: string; datasetId: string };

  before(async function () {
    ({ chain, ledger } = await freshLedger(startHardhatChain));
    truth = await runScenario({ ethers: ledger.ethers, ledger: ledger.ledger, usesPerGrant: 3 });
    const bytes = Buffer.from(Array.from({ length: 5000 }, (_, i) => `row ${i},${(i * 7) % 13},city\n`).join(""));
    const filePath = path.join(await tempDir("file"), "traffic.csv");
    await writeFile(filePath, bytes);
    const hash = "0x" + createHash("sha256").update(bytes).digest("hex");
    await (await ledger.ledger.connect(ledger.holder).register(hash, hash, 5000n, "", [])).wait();
    file = { path: filePath, bytes, hash, datasetId: (await ledger.ledger.computeDatasetId(ledger.holder.address, hash)).toLowerCase() };
    api = await indexAndServe({ chain, ledger });
    await api.indexer.syncOnce();
  });

  after(() => closeAll(api, ledger, chain));

  const anyDataset = () => [...truth.datasets.values()].find((d) => d.parents.length > 0)!;
  const anyGrant = () => [...truth.grants.values()].find((g) => g.uses > 0)!;

  describe("success paths", function () {
    it("GET /v1/status", async function () {
      const { status, body } = await api.get("/v1/status");
      expect(status).to.equal(200);
      expect(body).to.include({ chainId: ledger.chainId, ledger: ledger.address.toLowerCase(), reorgs: 0, paused: false, finalityDepth: 64 });
    });

    it("GET /v1/datasets and /v1/datasets/:id, with evidence and finality", async function () {
      const list = await api.get("/v1/datasets?limit=3");
      expect(list.status).to.equal(200);
      expect(list.body.items).to.have.length(3);
      expect(list.body.next).to.be.a("string");
      expect(list.body.readAt.number).to.be.a("number");
      const d = anyDataset();
      const one = await api.get(`/v1/datasets/${d.id.toUpperCase().replace("0X", "0x")}`);
      expect(one.status).to.equal(200);
      expect(one.body.dataset.id).to.equal(d.id);
      const ev = one.body.dataset.registered;
      expect(ev.confirmations).to.equal(one.body.readAt.number - ev.blockNumber + 1);
      expect(ev.final).to.equal(ev.confirmations >= 64);
      expect(new Date(ev.time).getTime() / 1000).to.equal(ev.timestamp);
    });

    it("GET /v1/datasets/:id/grants, /v1/grants/:id and /v1/grants/:id/usage", async function () {
      const g = anyGrant();
      expect((await api.get(`/v1/datasets/${g.datasetId}/grants`)).body.items.map((x: any) => x.id)).to.include(g.id);
      const one = await api.get(`/v1/grants/${g.id}`);
      expect(one.body.grant).to.include({ id: g.id, used: g.used.toString(), purpose: g.purpose });
      expect((await api.get(`/v1/grants/${g.id}/usage?limit=500`)).body.items).to.have.length(g.uses);
    });

    it("uses and activity, written from the index as stored, say what the chain recorded, with their finality at the head", async function () {
      const names = ["use", "process", "derive", "operate"];
      const g = [...truth.grants.values()].find((x) => truth.datasets.get(x.datasetId)!.transfers === 0 && truth.uses.filter((u) => u.grantId === x.id).length >= 3)!;
      const expected = truth.uses.filter((u) => u.grantId === g.id).reverse();
      const byGrant = await allPages(api, `/v1/grants/${g.id}/usage`, 2);
      expect(byGrant.map((u: any) => [u.grantId, u.datasetId, u.grantee, u.action, u.units, u.outputRef])).to.deep.equal(
        expected.map((u) => [u.grantId, u.datasetId, u.grantee, names[u.action], u.units.toString(), /^0x0+$/.test(u.outputRef) ? null : u.outputRef]),
      );
      const readAt = (await api.get(`/v1/grants/${g.id}/usage?limit=1`)).body.readAt.number;
      for (const u of byGrant) {
        expect(u.evidence.confirmations).to.equal(readAt - u.evidence.blockNumber + 1);
        expect(u.evidence.final).to.equal(u.evidence.confirmations >= 64);
        expect(new Date(u.evidence.time).getTime() / 1000).to.equal(u.evidence.timestamp);
      }
      // The grantee's activity has each of those uses; the holder's has each as "dataset-used", naming the grantee.
      const granteeUses = (await allPages(api, `/v1/accounts/${g.grantee}/activity`, 50)).filter((a: any) => a.kind === "used" && a.grantId === g.id);
      expect(granteeUses.map((a: any) => [a.account, a.datasetId, a.units, a.evidence.txHash])).to.deep.equal(byGrant.map((u: any) => [g.grantee, u.datasetId, u.units, u.evidence.txHash]));
      const holder = (await api.get(`/v1/datasets/${g.datasetId}`)).body.dataset.holder;
      if (holder !== g.grantee) {
        const holderSide = (await allPages(api, `/v1/accounts/${holder}/activity`, 50)).filter((a: any) => a.kind === "dataset-used" && a.grantId === g.id);
        expect(holderSide.map((a: any) => [a.counterparty, a.units, a.evidence.confirmations])).to.deep.equal(byGrant.map((u: any) => [g.grantee, u.units, u.evidence.confirmations]));
      }
    });

    it("GET /v1/datasets/:id/usage with grantee, from and to", async function () {
      const g = anyGrant();
      const all = (await api.get(`/v1/datasets/${g.datasetId}/usage?limit=500`)).body.items;
      expect(all.length).to.be.greaterThan(0);
      const times = all.map((u: any) => u.evidence.timestamp);
      const from = Math.min(...times);
      const to = Math.max(...times);
      const inWindow = (await api.get(`/v1/datasets/${g.datasetId}/usage?grantee=${g.grantee}&from=${from}&to=${to}&limit=500`)).body.items;
      expect(inWindow).to.deep.equal(all.filter((u: any) => u.grantee === g.grantee));
      expect((await api.get(`/v1/datasets/${g.datasetId}/usage?from=${to + 1}`)).body.items).to.deep.equal([]);
    });

    it("GET /v1/datasets/:id/lineage both ways, with depth", async function () {
      const d = anyDataset();
      const up = await api.get(`/v1/datasets/${d.id}/lineage?direction=ancestors&depth=1`);
      expect(up.status).to.equal(200);
      expect(up.body.nodes.map((n: any) => n.id)).to.include.members([d.id, ...d.parents.map((p) => p.datasetId)]);
      const down = await api.get(`/v1/datasets/${d.parents[0].datasetId}/lineage?direction=descendants&depth=1`);
      expect(down.body.edges.map((e: any) => e.child)).to.include(d.id);
    });

    it("GET /v1/accounts/:address/activity and /grants as grantee and grantor", async function () {
      const g = anyGrant();
      expect((await api.get(`/v1/accounts/${g.grantee}/activity`)).body.items.length).to.be.greaterThan(0);
      expect((await api.get(`/v1/accounts/${g.grantee}/grants?limit=500`)).body.items.map((x: any) => x.id)).to.include(g.id);
      expect((await api.get(`/v1/accounts/${g.grantor}/grants?role=grantor&limit=500`)).body.items.map((x: any) => x.id)).to.include(g.id);
    });

    it("GET /v1/datasets/:id/prov is valid PROV-JSON with the lineage and usage", async function () {
      const ajv = new Ajv({ allErrors: true, strict: false });
      (addFormats as unknown as (a: Ajv) => void)(ajv);
      const validate = ajv.compile(provSchema);
      for (const d of [anyDataset(), truth.datasets.get(anyGrant().datasetId)!]) {
        const { status, body } = await api.get(`/v1/datasets/${d.id}/prov`);
        expect(status).to.equal(200);
        expect(validate(body), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
        expect(body.entity).to.have.property(`ds:${d.id}`);
        expect(Object.keys(body.wasAttributedTo)).to.not.be.empty;
      }
      const derived = (await api.get(`/v1/datasets/${anyDataset().id}/prov`)).body;
      expect(Object.values(derived.wasDerivedFrom).map((r: any) => r["prov:usedEntity"])).to.include.members(anyDataset().parents.map((p) => `ds:${p.datasetId}`));
      const used = (await api.get(`/v1/datasets/${anyGrant().datasetId}/prov`)).body;
      expect(Object.keys(used.used)).to.have.length(truth.uses.filter((u) => u.datasetId === anyGrant().datasetId).length);
      expect(Object.keys(used.actedOnBehalfOf).length).to.be.greaterThan(0);
      // An invalid document is caught: the schema is not vacuous.
      expect(validate({ ...used, wasDerivedFrom: { "_:x": { "prov:usedEntity": "ds:1" } } })).to.equal(false);
    });

    it("PROV declares everything it refers to, and carries versions, transfers and retirement as the scenario made them", async function () {
      const datasets = [...truth.datasets.values()];
      const versioned = datasets.find((d) => d.previous !== null && d.next !== null) ?? datasets.find((d) => d.previous !== null)!;
      const transferred = datasets.find((d) => d.transfers > 0)!;
      // Retired by its holder (one an arbiter's ruling retired is a dpl:Cancellation instead).
      const retired = datasets.find((d) => d.retired && !truth.objections.some((o) => o.target === d.id && o.state === "upheld"))!;
      const derived = datasets.find((d) => d.licences.length > 0 && d.parents.some((p) => truth.datasets.get(p.datasetId)!.licences.length > 0))!;
      const ajv = new Ajv({ allErrors: true, strict: false });
      (addFormats as unknown as (a: Ajv) => void)(ajv);
      const validate = ajv.compile(provSchema);
      const docs = new Map<string, any>();
      for (const d of [versioned, transferred, retired, derived]) {
        const { status, body } = await api.get(`/v1/datasets/${d.id}/prov`);
        expect(status).to.equal(200);
        expect(validate(body), JSON.stringify(validate.errors?.slice(0, 3))).to.equal(true);
        // Every dataset, grant and account any relation or attribute names is declared in the document.
        const declared = new Set([...Object.keys(body.entity), ...Object.keys(body.activity), ...Object.keys(body.agent)]);
        const text = JSON.stringify({ ...body, prefix: {} });
        for (const ref of new Set(text.match(/"(ds|grant|acct):0x[0-9a-f]+"/g) ?? [])) expect(declared.has(JSON.parse(ref)), `${d.id}: ${ref}`).to.equal(true);
        for (const list of (text.match(/"dpl:licence":"[^"]*"/g) ?? []).map((m) => JSON.parse(`{${m}}`)["dpl:licence"].split(" "))) for (const g of list) expect(declared.has(g), g).to.equal(true);
        docs.set(d.id, body);
      }
      // Its licence: every upstream grant the scenario's rules say the derived dataset rests on.
      for (const l of derived.licences) expect(docs.get(derived.id).entity).to.have.property(`grant:${l.grantId}`);
      const revisions = (doc: any) =>
        Object.values(doc.wasDerivedFrom)
          .filter((r: any) => r["prov:type"]?.$ === "prov:Revision")
          .map((r: any) => [r["prov:generatedEntity"], r["prov:usedEntity"]]);
      const expected = [[`ds:${versioned.id}`, `ds:${versioned.previous}`], ...(versioned.next ? [[`ds:${versioned.next}`, `ds:${versioned.id}`]] : [])];
      expect(revisions(docs.get(versioned.id))).to.have.deep.members(expected);
      const transfers = Object.entries(docs.get(transferred.id).activity).filter(([, a]: any) => a["prov:type"].$ === "dpl:HoldingTransfer");
      expect(transfers).to.have.length(transferred.transfers);
      const attributed = Object.values(docs.get(transferred.id).wasAttributedTo).find((r: any) => r["prov:entity"] === `ds:${transferred.id}`) as any;
      expect(attributed["prov:agent"]).to.equal(`acct:${transferred.holder}`);
      const invalidated = Object.values(docs.get(retired.id).wasInvalidatedBy).filter((r: any) => r["prov:entity"] === `ds:${retired.id}`);
      expect(invalidated).to.have.length(1);
      expect(docs.get(retired.id).activity[(invalidated[0] as any)["prov:activity"]]["prov:type"].$).to.equal("dpl:Retirement");
      expect(Object.keys(docs.get(versioned.id).wasInvalidatedBy)).to.have.length(versioned.retired ? 1 : 0);
    });

    it("POST /v1/verify hashes the uploaded file as sha256sum does and returns its anchor", async function () {
      const sha256sum = execFileSync("sha256sum", [file.path], { encoding: "utf8" }).split(" ")[0];
      expect(file.hash).to.equal("0x" + sha256sum);
      const response = await fetch(`${api.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: file.bytes });
      expect(response.status).to.equal(200);
      const body: any = await response.json();
      expect(body.contentHash).to.equal(file.hash);
      expect(body.anchors.map((a: any) => a.id)).to.deep.equal([file.datasetId]);
      const unanchored = await fetch(`${api.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Buffer.from("never anchored") });
      expect(unanchored.status).to.equal(404);
      expect(((await unanchored.json()) as any).error.code).to.equal("not_anchored");
    });

    it("serves /openapi.json with every route, /docs, /metrics, /health and /ready", async function () {
      const openapi: any = await (await fetch(`${api.url}/openapi.json`)).json();
      expect(Object.keys(openapi.paths)).to.include.members([
        "/v1/status",
        "/v1/datasets",
        "/v1/datasets/{id}",
        "/v1/verify/{contentHash}",
        "/v1/verify",
        "/v1/datasets/{id}/grants",
        "/v1/grants/{id}",
        "/v1/datasets/{id}/usage",
        "/v1/datasets/{id}/lineage",
        "/v1/accounts/{address}/activity",
        "/v1/datasets/{id}/prov",
      ]);
      expect(openapi.paths["/v1/datasets"].get.parameters.map((p: any) => p.name)).to.include.members(["holder", "limit", "cursor"]);
      const docs = await fetch(`${api.url}/docs`);
      expect(docs.headers.get("content-type")).to.match(/text\/html/);
      expect(await docs.text()).to.include("/v1/datasets/{id}/lineage");
      const metrics = await (await fetch(`${api.url}/metrics`)).text();
      expect(metrics)
        .to.match(/dpl_indexed_block \d+/)
        .and.match(/dpl_http_request_duration_seconds_bucket\{[^}]*route="\/v1\/datasets\/:id"/);
      expect((await fetch(`${api.url}/health`)).status).to.equal(200);
      expect((await fetch(`${api.url}/ready`)).status).to.equal(200);
    });

    it("serves the explorer: its page, its stylesheet and its bundled script, gzipped when the client accepts it", async function () {
      const page = await fetch(`${api.url}/`);
      expect(page.headers.get("content-type")).to.match(/text\/html/);
      expect(await page.text()).to.include('<script type="module" src="/explorer/app.js">');
      expect((await fetch(`${api.url}/explorer/style.css`)).headers.get("content-type")).to.match(/text\/css/);
      const plain = await fetch(`${api.url}/explorer/app.js`, { headers: { "accept-encoding": "identity" } });
      expect(plain.headers.get("content-encoding")).to.equal(null);
      const script = await plain.text();
      expect(script).to.include("/v1/events");
      const zipped = await fetch(`${api.url}/explorer/app.js`, { headers: { "accept-encoding": "gzip, br" } });
      expect(zipped.headers.get("content-encoding")).to.equal("gzip");
      expect(await zipped.text()).to.equal(script); // fetch inflates it
      expect(Number(zipped.headers.get("content-length"))).to.be.lessThan(script.length / 2);
      // The CSP lets the page run its own script and WebAssembly, and nothing from elsewhere.
      expect(page.headers.get("content-security-policy")).to.match(/script-src 'self' 'wasm-unsafe-eval'/);
    });

    it("starts the explorer's page in the language Accept-Language prefers, when it is one the explorer speaks", async function () {
      const pageIn = async (language?: string) => {
        const response = await fetch(`${api.url}/`, { headers: language ? { "accept-language": language } : {} });
        expect(response.headers.get("vary")).to.match(/accept-language/i);
        return /<html[^>]*>/.exec(await response.text())![0];
      };
      expect(await pageIn("zh-CN,zh;q=0.9,en;q=0.8")).to.equal('<html lang="zh-CN" data-language="zh">');
      expect(await pageIn("en-GB,en;q=0.9")).to.equal('<html lang="en" data-language="en">');
      // Nothing asked, or only languages it does not speak: the browser's own list decides, in the page.
      expect(await pageIn()).to.equal('<html lang="en">');
      expect(await pageIn("fr-FR, de;q=0.8")).to.equal('<html lang="en">');
    });

    it("sends security headers", async function () {
      const response = await fetch(`${api.url}/v1/status`);
      expect(response.headers.get("x-content-type-options")).to.equal("nosniff");
      expect(response.headers.get("content-security-policy")).to.be.a("string");
      expect(response.headers.get("x-powered-by")).to.equal(null);
    });
  });

  describe("validation errors", function () {
    const id = "0x" + "ab".repeat(32);
    const cases: [string, number, string, RegExp][] = [
      ["/v1/datasets/0x12", 400, "invalid_input", /path parameter id must be a 0x-prefixed 32-byte hex string/],
      ["/v1/datasets/" + "0x" + "zz".repeat(32), 400, "invalid_input", /path parameter id/],
      [`/v1/datasets/${id}`, 404, "dataset_not_found", /no dataset/],
      [`/v1/grants/${id}`, 404, "grant_not_found", /no grant/],
      [`/v1/datasets/${id}/grants`, 404, "dataset_not_found", /no dataset/],
      [`/v1/datasets/${id}/usage`, 404, "dataset_not_found", /no dataset/],
      [`/v1/datasets/${id}/lineage`, 404, "dataset_not_found", /no dataset/],
      [`/v1/datasets/${id}/prov`, 404, "dataset_not_found", /no dataset/],
      [`/v1/verify/${id}`, 404, "not_anchored", /never anchored/],
      ["/v1/datasets?limit=0", 400, "invalid_input", /query parameter limit must be at least 1/],
      ["/v1/datasets?limit=501", 400, "invalid_input", /query parameter limit must be at most 500/],
      ["/v1/datasets?limit=-5", 400, "invalid_input", /limit must be at least 1/],
      ["/v1/datasets?limit=abc", 400, "invalid_input", /limit must be a whole number/],
      ["/v1/datasets?limit=2.5", 400, "invalid_input", /limit must be a whole number/],
      ["/v1/datasets/%E0%A4%A", 400, "malformed_url", /percent-encoded/],
      ["/v1/datasets?cursor=!!", 400, "invalid_input", /cursor is not a cursor this API returned/],
      ["/v1/datasets?cursor=QUJD", 400, "invalid_cursor", /cursor/],
      [
        "/v1/datasets?cursor=garbage",
        400,
        "invalid_cursor",
        /^query parameter cursor is not one this list gave out: pass back the `next` of the page before, unchanged, or leave cursor out to start from the first page$/,
      ],
      ["/v1/datasets?holder=0x123", 400, "invalid_input", /query parameter holder must be a 0x-prefixed 20-byte hex address/],
      ["/v1/datasets?holder=0x70997970C51812dc3A010C7d01b50e0d17dc79C9", 400, "invalid_input", /invalid EIP-55 checksum/],
      ["/v1/datasets?foo=1", 400, "invalid_input", /unknown query parameter 'foo'/],
      ["/v1/status?verbose=1", 400, "invalid_input", /unknown query parameter 'verbose'/],
      [`/v1/datasets/${id}/lineage?direction=sideways`, 400, "invalid_input", /direction must be ancestors or descendants/],
      [`/v1/datasets/${id}/lineage?depth=33`, 400, "invalid_input", /depth must be at most 32/],
      [`/v1/datasets/${id}/usage?from=abc`, 400, "invalid_input", /from must be a Unix time/],
      [`/v1/datasets/${id}/usage?grantee=nope`, 400, "invalid_input", /grantee must be a 0x-prefixed/],
      ["/v1/accounts/0xabc/activity", 400, "invalid_input", /path parameter address/],
      ["/v1/accounts/0x70997970c51812dc3a010c7d01b50e0d17dc79c8/grants?role=owner", 400, "invalid_input", /role must be grantee or grantor/],
      ["/v1/nothing", 404, "route_not_found", /no route GET \/v1\/nothing/],
    ];
    for (const [url, status, code, message] of cases) {
      it(`${status} ${code} for ${url.slice(0, 90)}`, async function () {
        const response = await api.get(url);
        expect(response.status).to.equal(status);
        expect(response.body.error.code).to.equal(code);
        expect(response.body.error.message).to.match(message);
      });
    }

    it("says its errors in the language Accept-Language prefers, with the same status and code", async function () {
      const ask = async (url: string, language?: string) => {
        const response = await fetch(`${api.url}${url}`, { headers: language ? { "accept-language": language } : {} });
        return { status: response.status, vary: response.headers.get("vary"), language: response.headers.get("content-language"), error: ((await response.json()) as any).error };
      };
      const chinese = await ask(`/v1/datasets/${id}`, "zh-CN,zh;q=0.9,en;q=0.8");
      expect(chinese).to.deep.include({ status: 404, language: "zh-CN" });
      expect(chinese.error).to.deep.equal({ code: "dataset_not_found", message: `本账本上没有锚定数据集 ${id}` });
      expect(chinese.vary).to.match(/accept-language/i);
      // English when asked, when nothing is asked, and for a language dpl does not speak.
      for (const language of ["en-GB", undefined, "fr-FR"]) {
        const answer = await ask(`/v1/datasets/${id}`, language);
        expect(answer.error).to.deep.equal({ code: "dataset_not_found", message: `no dataset ${id} is anchored on this ledger` });
      }
      expect((await ask("/v1/nothing", "zh")).error).to.deep.equal({ code: "route_not_found", message: "没有路由 GET /v1/nothing" });
      expect((await ask("/v1/datasets/%E0%A4%A", "zh")).error).to.deep.equal({ code: "malformed_url", message: "URL 的百分号编码无效" });
    });

    it("431s a 20,000-character path with the API's JSON error, and 400s a request that is not HTTP", async function () {
      const long = await fetch(`${api.url}/v1/datasets/${"a".repeat(20_000)}`);
      expect(long.status).to.equal(431);
      expect(long.headers.get("content-type")).to.equal("application/json; charset=utf-8");
      expect(((await long.json()) as any).error).to.deep.equal({
        code: "request_headers_too_large",
        message: "the request line and headers exceed 16 KiB (a path, query or header far longer than any of dpl's): shorten them",
      });
      const { port } = new URL(api.url);
      const raw = await new Promise<string>((resolve) => {
        const socket = net.connect(Number(port), "127.0.0.1", () => socket.write("NOT HTTP AT ALL\r\n\r\n"));
        let text = "";
        socket.on("data", (c) => (text += c));
        socket.on("close", () => resolve(text));
      });
      expect(raw).to.match(/^HTTP\/1\.1 400 Bad Request\r\n/);
      expect(JSON.parse(raw.slice(raw.indexOf("\r\n\r\n") + 4)).error.code).to.equal("malformed_request");
    });

    it("400s when usage's from is later than to", async function () {
      const d = truth.uses[0].datasetId;
      const { status, body } = await api.get(`/v1/datasets/${d}/usage?from=20&to=10`);
      expect(status).to.equal(400);
      expect(body.error.message).to.match(/from must not be later than to/);
    });

    it("400s a forged cursor: any base64url the list's keys do not look like", async function () {
      const b64 = (key: string) => Buffer.from(key).toString("base64url");
      const d = truth.uses[0].datasetId;
      const g = truth.uses[0].grantId;
      const position = "0".repeat(24);
      for (const url of [
        `/v1/datasets?cursor=${b64("0")}`,
        `/v1/datasets?cursor=${b64(position + ":0x12")}`,
        `/v1/datasets/${d}/usage?cursor=${b64(d + ":")}`,
        `/v1/datasets/${d}/usage?cursor=${b64(d + ":" + position + "1")}`,
        `/v1/datasets/${d}/grants?cursor=${b64(d + ":" + position + ":zz")}`,
        // Numbered lists (a grant's uses, activity, grants): a number past the list's end, or a position where a number goes.
        `/v1/grants/${g}/usage?cursor=${b64(`${g}:${"9".repeat(12)}`)}`,
        `/v1/grants/${g}/usage?cursor=${b64(g + ":" + position)}`,
        `/v1/datasets/${d}/grants?cursor=${b64(`${d}:${String([...truth.grants.values()].filter((x) => x.datasetId === d).length).padStart(12, "0")}`)}`,
        `/v1/accounts/${truth.uses[0].grantee}/activity?cursor=${b64(`${truth.uses[0].grantee}:${"0".repeat(11)}`)}`,
        `/v1/datasets/${d}/lineage?cursor=${b64("lineage:x")}`,
      ]) {
        const { status, body } = await api.get(url);
        expect([status, body.error?.code], url).to.deep.equal([400, "invalid_cursor"]);
      }
      // A cursor a page gave out is taken back.
      const busy = truth.uses.find((u) => truth.uses.filter((v) => v.grantId === u.grantId).length > 1)!;
      for (const list of ["/v1/datasets", `/v1/accounts/${truth.uses[0].grantee}/activity`, `/v1/datasets/${busy.datasetId}/usage`, `/v1/grants/${busy.grantId}/usage`]) {
        const first = await api.get(`${list}?limit=1`);
        expect(first.body.next, list).to.be.a("string");
        expect((await api.get(`${list}?limit=1&cursor=${first.body.next}`)).status, list).to.equal(200);
      }
    });

    it("400s a cursor from another list", async function () {
      const page = await api.get("/v1/datasets?limit=1");
      const d = truth.uses[0].datasetId;
      const { status, body } = await api.get(`/v1/datasets/${d}/usage?cursor=${page.body.next}`);
      expect(status).to.equal(400);
      expect(body.error.code).to.equal("invalid_cursor");
    });

    it("415s a verify upload that is not application/octet-stream, and 413s one over the limit", async function () {
      const wrongType = await fetch(`${api.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/json" }, body: "{}" });
      expect(wrongType.status).to.equal(415);
      expect(((await wrongType.json()) as any).error.message).to.match(/application\/octet-stream/);
      // No Content-Type at all, as a plain form or fetch() from any web page would send: refused too.
      const noType = await fetch(`${api.url}/v1/verify`, { method: "POST", body: new Uint8Array([1, 2, 3]), headers: {} });
      expect(noType.status).to.equal(415);
      expect(((await noType.json()) as any).error.message).to.equal("send the file's bytes with Content-Type: application/octet-stream, not without one");
      const tooLarge = await fetch(`${api.url}/v1/verify`, { method: "POST", headers: { "content-type": "application/octet-stream" }, body: Buffer.alloc(1024 * 1024 + 1) });
      expect(tooLarge.status).to.equal(413);
      expect(((await tooLarge.json()) as any).error.code).to.equal("payload_too_large");
      expect((await fetch(`${api.url}/health`)).status).to.equal(200);
    });
  });

  describe("rate limiting, trusted proxies and CORS", function () {
    const limited: IndexedApi[] = [];
    after(async () => {
      for (const a of limited) await a.close();
    });
    const serve = async (extra: Parameters<typeof indexAndServe>[0]["api"]) => {
      const a = await indexAndServe({ chain, ledger, api: { rateLimit: 20, rateWindowS: 60, ...extra } });
      await a.indexer.syncOnce();
      limited.push(a);
      return a;
    };
    const hit = (a: IndexedApi, headers: Record<string, string> = {}) => fetch(`${a.url}/v1/status`, { headers });

    it("is off by default: no RateLimit headers, no 429", async function () {
      for (let i = 0; i < 50; i++) expect((await hit(api)).status).to.equal(200);
      expect((await hit(api)).headers.get("ratelimit-policy")).to.equal(null);
    });

    it("limits each client, and a forged X-Forwarded-For does not make a new client when no proxy is trusted", async function () {
      const a = await serve({});
      for (let i = 0; i < 20; i++) expect((await hit(a, { "x-forwarded-for": `203.0.113.${i}` })).status).to.equal(200);
      const refused = await hit(a, { "x-forwarded-for": "198.51.100.7" });
      expect(refused.status).to.equal(429);
      expect(refused.headers.get("retry-after")).to.match(/^\d+$/);
      expect(refused.headers.get("ratelimit-policy")).to.equal("20;w=60");
      expect(((await refused.json()) as any).error).to.deep.include({ code: "rate_limited" });
      // Health, readiness and metrics stay reachable for the operator's probes.
      expect((await fetch(`${a.url}/health`)).status).to.equal(200);
    });

    it("weighs expensive routes more: lineage and PROV spend from budgets of RATE_LIMIT / 10 and / 20", async function () {
      const a = await serve({ trustProxy: "loopback" });
      const id = anyDataset().id;
      const as = (client: string, path: string) => fetch(`${a.url}${path}`, { headers: { "x-forwarded-for": client } });
      expect((await as("192.0.2.1", `/v1/datasets/${id}/lineage`)).status).to.equal(200);
      expect((await as("192.0.2.1", `/v1/datasets/${id}/lineage`)).status).to.equal(200);
      const third = await as("192.0.2.1", `/v1/datasets/${id}/lineage`);
      expect(third.status).to.equal(429);
      expect(((await third.json()) as any).error.message).to.equal("more than 2 lineage requests (each weighs 10 requests) in 60 s from this client; wait and try again");
      expect((await as("192.0.2.2", `/v1/datasets/${id}/prov`)).status).to.equal(200);
      expect((await as("192.0.2.2", `/v1/datasets/${id}/prov`)).status).to.equal(429);
      // Cheap routes still answer the same client.
      expect((await as("192.0.2.1", `/v1/datasets/${id}`)).status).to.equal(200);
    });

    it("tells clients apart by X-Forwarded-For only behind a trusted proxy", async function () {
      const a = await serve({ trustProxy: "loopback" });
      for (let i = 0; i < 30; i++) expect((await hit(a, { "x-forwarded-for": `203.0.113.${i}` })).status, `client ${i}`).to.equal(200);
      for (let i = 0; i < 20; i++) expect((await hit(a, { "x-forwarded-for": "198.51.100.7" })).status).to.equal(200);
      expect((await hit(a, { "x-forwarded-for": "198.51.100.7" })).status).to.equal(429);
    });

    it("allows only the configured origins to read answers from a browser", async function () {
      const a = await serve({ rateLimit: 0, corsOrigins: ["https://auditor.example"] });
      const allowed = await hit(a, { origin: "https://auditor.example" });
      expect(allowed.headers.get("access-control-allow-origin")).to.equal("https://auditor.example");
      const other = await hit(a, { origin: "https://evil.example" });
      expect(other.headers.get("access-control-allow-origin")).to.equal(null);
      const preflight = await fetch(`${a.url}/v1/status`, { method: "OPTIONS", headers: { origin: "https://auditor.example", "access-control-request-method": "GET" } });
      expect(preflight.status).to.equal(204);
      expect(preflight.headers.get("access-control-allow-origin")).to.equal("https://auditor.example");
      // Without CORS_ORIGINS no origin is allowed at all.
      expect((await hit(api, { origin: "https://auditor.example" })).headers.get("access-control-allow-origin")).to.equal(null);
    });
  });

  describe("methods", function () {
    it("405s a known path asked with a method it does not take, naming the ones it does in Allow", async function () {
      const cases: [string, string, string][] = [
        ["DELETE", "/v1/status", "GET, HEAD"],
        ["PUT", `/v1/datasets/${anyDataset().id}`, "GET, HEAD"],
        ["GET", "/v1/verify", "POST"],
        ["POST", "/v1/datasets", "GET, HEAD"],
        ["PATCH", "/health", "GET, HEAD"],
      ];
      for (const [method, path, allow] of cases) {
        const response = await fetch(api.url + path, { method });
        expect([response.status, response.headers.get("allow")], `${method} ${path}`).to.deep.equal([405, allow]);
        expect(((await response.json()) as any).error).to.deep.equal({ code: "method_not_allowed", message: `${method} is not allowed here; use ${allow.split(", ").join(" or ")}` });
      }
      expect((await fetch(`${api.url}/v1/nowhere`, { method: "DELETE" })).status).to.equal(404);
    });
  });

  describe("fuzzed requests", function () {
    const REQUESTS = Number(process.env.DPL_FUZZ_REQUESTS ?? 10_000);

    it(`answers ${REQUESTS} fuzzed requests without a 5xx or a stack trace, 413 and 415 where they apply, and keeps serving`, async function () {
      // A campaign's length is set by its size (`npm run test:faults` runs the large ones), not by mocha's default.
      this.timeout(0);
      const known = { dataset: anyDataset().id, grant: anyGrant().id, holder: ledger.holder.address };
      const requests = fc.sample(fuzzedRequest(known), { numRuns: REQUESTS, seed: testSeed(404) });
      const statuses = new Map<number, number>();
      for (const r of requests) {
        const response = await fetch(api.url + r.path, { method: r.method, headers: r.headers, body: r.body });
        const text = await response.text();
        const where = `${r.method} ${r.path.slice(0, 120)} (${r.headers["content-type"] ?? "no type"}, ${r.body?.length ?? 0} bytes)`;
        statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
        expect(response.status, where).to.be.below(500);
        expect(text, where).to.not.match(/\n\s+at |node_modules/);
        if (r.expect) expect(response.status, where).to.equal(r.expect);
        // A HEAD answer has headers only.
        if (response.status >= 400 && r.method !== "HEAD") {
          const body = JSON.parse(text);
          expect(body.error.code, where).to.be.a("string");
          expect(body.error.message, where).to.be.a("string").and.not.empty;
        }
      }
      expect((await api.get("/v1/status")).status).to.equal(200);
      expect([...statuses.keys()].some((s) => s >= 500)).to.equal(false);
      if (REQUESTS >= 1000) {
        expect(statuses.get(413), "some 413s").to.be.greaterThan(0);
        expect(statuses.get(415), "some 415s").to.be.greaterThan(0);
      }
      console.log(
        `      ${REQUESTS} requests; statuses: ${[...statuses]
          .sort(([a], [b]) => a - b)
          .map(([s, n]) => `${s}×${n}`)
          .join(", ")}`,
      );
    });
  });
});
