/**
 * The explorer in real headless Chromium, on the demo `npm start` loads: every answer on the page is
 * checked against the API's own answer, and axe-core checks each kind of page. Screenshots go to
 * test-output/explorer/.
 */
import { randomBytes } from "node:crypto";

import { expect } from "chai";
import { AbiCoder, Contract, JsonRpcProvider, ZeroHash } from "ethers";
import type { Browser, Page } from "playwright-core";

import ledgerAbi from "../../core/ledger-abi.json" with { type: "json" };
import { devAccount, UsageAction } from "../../core/ids.js";
import { GatewayClient } from "../../sdk/gateway.js";
import { readConfig } from "../../server/config.js";
import { demoSigner } from "../../server/demo.js";
import { startSystem, type System } from "../../server/system.js";
import { CHROMIUM_PATH, chromiumAvailable, launchChromium, screenshot, seriousA11yViolations } from "../helpers/browser.js";
import { quietLogger, tempDir } from "../helpers/system.js";

const SHOTS = "test-output/explorer";

// What the page functions below see, in the browser; the Node program is not typed with the DOM.
declare const document: any;
declare const location: any;
declare const window: any;

describe("explorer (headless Chromium)", function () {
  let system: System;
  let browser: Browser;
  let page: Page;
  const api = async (route: string) => (await fetch(system.apiUrl + route)).json() as Promise<any>;
  const text = (selector: string) => page.locator(selector).innerText();

  before(async function () {
    if (!chromiumAvailable()) {
      // CI installs Chromium, so there a missing browser is a failure, not a skip.
      if (process.env.CI) throw new Error(`no Chromium at ${CHROMIUM_PATH}; .ci/run installs it with apt`);
      console.log(`    explorer browser tests skipped: no Chromium at ${CHROMIUM_PATH} (apt install chromium, or set CHROMIUM_PATH)`);
      this.skip();
    }
    system = await startSystem({ config: readConfig({ CHAIN_PORT: "0", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("explorer"), POLL_MS: "50" }), logger: quietLogger() });
    const head = await new JsonRpcProvider(system.rpcUrl).getBlockNumber();
    for (let i = 0; (await api("/v1/status")).indexed?.number < head; i++) {
      if (i > 200) throw new Error("the demo was not indexed in 10 s");
      await new Promise((r) => setTimeout(r, 50));
    }
    browser = await launchChromium();
  });

  beforeEach(async function () {
    // axe needs a page of its own context to run in.
    // English unless a test asks otherwise, whatever language this machine's browser prefers.
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "en-US" })).newPage();
    const errors: string[] = [];
    page.on("pageerror", (e) => errors.push(e.message));
    (page as Page & { errors?: string[] }).errors = errors;
  });

  afterEach(async function () {
    const errors = (page as Page & { errors?: string[] }).errors ?? [];
    await page?.context().close();
    expect(errors, "script errors on the page").to.deep.equal([]);
  });

  after(async function () {
    await browser?.close();
    await system?.stop();
  });

  /**
   * English phrases (two words or more) in the page's text outside what came from the chain (purposes,
   * titles, reasons, metadata), hex, code and the names every language writes alike.
   */
  const englishLeft = () =>
    page.evaluate(() => {
      const found: string[] = [];
      const walker = document.createTreeWalker(document.getElementById("main"), 4);
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node.parentElement.closest("bdi, code, .hex, .metadata, .meta-fields")) continue;
        const phrases = node.textContent.replace(/W3C PROV-JSON|SHA-256|UTF-8|JSON|API|UTC|dCNY|CNY/g, "").match(/[A-Za-z]{3,}(\s+[A-Za-z]{2,})+/g);
        if (phrases) found.push(...phrases);
      }
      return found;
    });

  async function open(fragment: string, ready: string): Promise<void> {
    await page.goto(`${system.apiUrl}/${fragment}`);
    await page.locator(ready).first().waitFor();
  }

  it("home: the indexer's block and digest in the header, the newest datasets, no serious accessibility finding", async function () {
    await open("", "#latest table");
    const status = await api("/v1/status");
    await page.waitForFunction((n) => document.getElementById("status-block")?.textContent === `block ${n}`, status.indexed.number);
    expect(await page.locator("#status-digest").getAttribute("title")).to.equal(`State digest ${status.digest}`);
    expect(await text("#status-live")).to.equal("live");
    const datasets = (await api("/v1/datasets")).items;
    const hrefs = await page.locator("#latest tbody tr td:first-child a").evaluateAll((links) => links.map((a) => a.getAttribute("href")));
    expect(hrefs).to.deep.equal(datasets.map((d: any) => `#/dataset/${d.id}`));
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "home");
  });

  it("search opens the page of each kind of key, and says plainly when there is none", async function () {
    const demo = system.demo!;
    const traffic = (await api(`/v1/datasets/${demo.traffic}`)).dataset;
    await open("", "#latest table");
    // Keyboard only: Tab to the search box, type, Enter.
    for (let i = 0; i < 6 && (await page.evaluate(() => document.activeElement?.id)) !== "search-input"; i++) await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.id)).to.equal("search-input");
    const search = async (query: string, expected: RegExp) => {
      await page.fill("#search-input", query);
      await page.keyboard.press("Enter");
      await page.waitForFunction((source) => new RegExp(source).test(location.hash) && !document.getElementById("main")!.hasAttribute("aria-busy"), expected.source);
      await page.locator("#main h1").first().waitFor();
      return text("#main");
    };
    expect(await search(demo.traffic, new RegExp(`^#/dataset/${demo.traffic.toLowerCase()}$`))).to.include("City traffic flow, 72 hours");
    expect(await search(demo.grants.bank, new RegExp(`^#/grant/${demo.grants.bank.toLowerCase()}$`))).to.include("credit risk of logistics clients");
    // The forecast's file was anchored twice: by the company, and as the rival's "Route study".
    const forecastHash = (await api(`/v1/datasets/${demo.forecast}`)).dataset.contentHash;
    const filePage = await search(forecastHash, new RegExp(`^#/file/${forecastHash}$`));
    expect(filePage).to.include("Anchored 2 times on this ledger.");
    expect(await search(traffic.contentHash, new RegExp(`^#/file/${traffic.contentHash}$`))).to.include("Anchored once");
    // A checksummed address, as a wallet shows it.
    expect(await search(demo.actors.bank, new RegExp(`^#/account/${demo.actors.bank.toLowerCase()}$`))).to.include("Grants received");
    expect(await search("hello", /^#\/search\/hello$/)).to.include("“hello” is neither an id or content hash");
    const unknown = "0x" + "ab".repeat(32);
    expect(await search(unknown, new RegExp(`^#/search/${unknown}$`))).to.include(`Nothing on this ledger has the id or content hash ${unknown}`);
  });

  it("dataset page: grants, usage timeline and lineage as the API answers them; the lineage graph opens a dataset on click", async function () {
    const demo = system.demo!;
    await open(`#/dataset/${demo.traffic}`, "#grants table");
    const grants = (await api(`/v1/datasets/${demo.traffic}/grants`)).items;
    const rows = await page
      .locator("#grants tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => ({ id: tr.querySelector("td a")!.getAttribute("title"), status: tr.querySelector(".badge")!.textContent, quota: tr.querySelector(".quota span")!.textContent })),
      );
    expect(rows).to.deep.equal(grants.map((g: any) => ({ id: g.id, status: g.status, quota: `${g.used} of ${g.quota} units used` })));
    // The company's and the bank's (through the gateway) are active; the research grant was revoked.
    expect(rows.map((r) => r.status).sort()).to.deep.equal(["active", "active", "revoked"]);

    // The timeline's figures, per grantee, against the sum of the API's uses.
    const uses = (await api(`/v1/datasets/${demo.traffic}/usage?limit=500`)).items;
    const expected = new Map<string, number>();
    for (const u of uses) expected.set(u.grantee, (expected.get(u.grantee) ?? 0) + Number(u.units));
    const shown = await page
      .locator("#timeline-table tbody tr")
      .evaluateAll((trs) => trs.map((tr) => [tr.getAttribute("data-grantee"), Number(tr.querySelector(".units")!.textContent!.replace(/,/g, ""))]));
    expect(new Map(shown as [string, number][])).to.deep.equal(expected);
    expect(await page.locator("#timeline canvas").count()).to.equal(1);

    // Lineage: the listed datasets are the API's descendants; the graph draws the same nodes.
    const descendants = (await api(`/v1/datasets/${demo.traffic}/lineage?direction=descendants`)).nodes.map((n: any) => n.id).filter((id: string) => id !== demo.traffic.toLowerCase());
    const listed = await page.locator("#lineage-list li").evaluateAll((lis) => lis.map((li) => li.getAttribute("data-id")));
    expect([...listed].sort()).to.deep.equal([...descendants].sort());
    const drawn = await page.evaluate(() => (document.getElementById("lineage-graph") as any).cy.nodes().map((n: any) => n.id()));
    expect([...drawn].sort()).to.deep.equal([demo.traffic.toLowerCase(), ...descendants].sort());
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "dataset-traffic");

    // A real click where the forecast is drawn.
    const target = demo.forecast.toLowerCase();
    await page.locator("#lineage-graph").scrollIntoViewIfNeeded();
    // Cytoscape ignores pointer events for 250 ms after the page scrolls, as it would for a person.
    await page.waitForTimeout(300);
    const at = await page.evaluate((id) => {
      const box = document.getElementById("lineage-graph")!;
      const p = (box as any).cy.getElementById(id).renderedPosition();
      const r = box.getBoundingClientRect();
      return { x: r.left + p.x, y: r.top + p.y };
    }, target);
    await page.mouse.click(at.x, at.y);
    await page.waitForFunction((id) => location.hash === `#/dataset/${id}`, target);
    await page.locator("h1", { hasText: "Congestion forecast" }).waitFor();
    const ancestors = await page.locator("#lineage-list li").evaluateAll((lis) => lis.map((li) => li.textContent));
    expect(ancestors.sort()).to.deep.equal(["ancestor: City traffic flow, 72 hours", "ancestor: City weather stations, 72 hours"]);
    const prov = await page.locator("a[download]").getAttribute("href");
    expect(prov).to.equal(`/v1/datasets/${target}/prov`);
    expect((await api(prov!)).prefix).to.be.an("object");
    await screenshot(page, SHOTS, "dataset-forecast");
  });

  it("licences: a lapsed product says which upstream grant ended and when, and the grant lists what rests on it", async function () {
    const demo = system.demo!;
    const repackaged = (await api(`/v1/datasets/${demo.repackaged}`)).dataset;
    await open(`#/dataset/${demo.repackaged}`, "#facts dl");
    expect(await page.locator("h1 .badge").innerText()).to.equal("lapsed");
    const facts = await text("#facts");
    expect(facts).to.include("Lapsed because");
    expect(await page.locator("#facts .lapse a").getAttribute("title")).to.equal(repackaged.lapse.grantId);
    expect(await page.locator("#facts .lapse").innerText()).to.match(/^upstream grant 0x\S+ was revoked$/);
    expect(facts).to.include(`block ${repackaged.lapse.evidence.blockNumber}`);
    expect(facts).to.include("Rests on licence");
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "dataset-lapsed");

    await open(`#/grant/${demo.grants.rival}`, "#products table");
    const products = (await api(`/v1/grants/${demo.grants.rival}/products`)).items.map((d: any) => `#/dataset/${d.id}`);
    expect(await page.locator("#products tbody tr td:first-child a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).to.deep.equal(products);
    // The route study was retired by the arbiter's ruling; its repackaged copy lapsed with the revoked grant.
    expect(await page.locator("#products .badge").allInnerTexts()).to.deep.equal(["retired", "lapsed"]);

    // The home page names who administers the ledger, from its role events.
    const roles = (await api("/v1/status")).roles;
    await open("", "#roles");
    expect(await page.locator("#roles a").first().getAttribute("title")).to.equal(roles.admin);
    expect(await text("#roles")).to.include("3 days");
  });

  it("chain text is isolated (a bidi override cannot reorder the page around it) and bytes that are not UTF-8 are marked", async function () {
    const provider = new JsonRpcProvider(system.rpcUrl, undefined, { cacheTimeout: -1 });
    const signer = demoSigner(provider, 6);
    const ledger = new Contract(system.ledger, ledgerAbi, signer);
    // The metadata URI is sent as raw bytes (an ABI string and bytes encode alike): an override, then 0xff 0xfe.
    const uri = Buffer.concat([Buffer.from('data:application/json,{"title":"Report \u202eevil'), Buffer.from([0xff, 0xfe]), Buffer.from(' end"}')]);
    const contentHash = "0x" + randomBytes(32).toString("hex");
    const args = AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "uint64", "bytes", "tuple(bytes32,bytes32)[]"], [contentHash, ZeroHash, 0n, uri, []]);
    const data = ledger.interface.getFunction("register")!.selector + args.slice(2);
    await (await signer.sendTransaction({ to: system.ledger, data })).wait();
    const id = await ledger.computeDatasetId(await signer.getAddress(), contentHash);
    await (await ledger.grant(id, system.demo!.actors.bank, 1, "audit \u202eetadpu", 0n, 2n ** 40n - 1n, 0n)).wait();
    provider.destroy();
    for (let i = 0; (await api(`/v1/datasets/${id}/grants`)).items?.length !== 1; i++) {
      if (i > 200) throw new Error("not indexed");
      await new Promise((r) => setTimeout(r, 50));
    }
    await open(`#/dataset/${id}`, "#grants table");
    const title = await page.evaluate(() => {
      const bdi = document.querySelector("h1 bdi.chain-text");
      return { text: bdi?.textContent, marks: [...(bdi?.querySelectorAll("mark") ?? [])].map((m: any) => [m.className, m.textContent]) };
    });
    // The override is shown by its code point and not applied; the bytes that are not UTF-8 are marked.
    expect(title.text).to.equal("Report U+202Eevil\uFFFD\uFFFD end");
    expect(title.marks).to.deep.equal([
      ["bidi-control", "U+202E"],
      ["invalid-utf8", "\uFFFD"],
      ["invalid-utf8", "\uFFFD"],
    ]);
    expect(await page.locator("h1 .badge").innerText()).to.equal("active");
    expect(await page.locator("#grants tbody tr td:nth-child(4) bdi.chain-text").innerText()).to.equal("audit U+202Eetadpu");
    expect(await page.locator("#grants tbody tr td:nth-child(4)").evaluate((td: any) => td.textContent.includes("\u202e"))).to.equal(false);
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "chain-text");
  });

  it("account page: datasets held, grants given and received, and the activity feed, paginated", async function () {
    const bureau = system.demo!.actors.bureau.toLowerCase();
    await open(`#/account/${bureau}`, "#activity table");
    const held = (await api(`/v1/datasets?holder=${bureau}`)).items.map((d: any) => `#/dataset/${d.id}`);
    expect(await page.locator("#held tbody tr td:first-child a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).to.deep.equal(held);
    const given = (await api(`/v1/accounts/${bureau}/grants?role=grantor`)).items.map((g: any) => g.id);
    expect(await page.locator("#given tbody tr td:first-child a").evaluateAll((links) => links.map((a) => a.getAttribute("title")))).to.deep.equal(given);
    expect(await text("#received")).to.include("This account received no grant.");
    // The activity feed shows 25 at a time; "Show more" brings the rest, in the API's order.
    const all: any[] = [];
    for (let cursor = ""; ; ) {
      const pageOf = await api(`/v1/accounts/${bureau}/activity?limit=25${cursor ? `&cursor=${cursor}` : ""}`);
      all.push(...pageOf.items);
      if (!pageOf.next) break;
      cursor = pageOf.next;
    }
    const feedRows = () => page.locator("#activity tbody tr").count();
    expect(await feedRows()).to.equal(Math.min(25, all.length));
    if (all.length > 25) {
      await page.locator("#activity button.more").click();
      await page.waitForFunction((n) => document.querySelectorAll("#activity tbody tr").length === n, Math.min(50, all.length));
    }
    const times = await page.locator("#activity tbody tr td:first-child time").evaluateAll((ts) => ts.map((t) => t.getAttribute("datetime")));
    expect(times).to.deep.equal(all.slice(0, times.length).map((a) => a.evidence.time));
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "account-bureau");
  });

  it("fees and objections: a priced grant's terms, owed and payments, the company's statement, and the upheld objection against the route study", async function () {
    const demo = system.demo!;
    const { grant } = await api(`/v1/grants/${demo.grants.weather}`);
    await open(`#/grant/${demo.grants.weather}`, "#fees dl");
    const fees = await text("#fees");
    expect(fees)
      .to.include("commercial, 0.30 CNY a unit")
      .and.include(`Owed to date\n${Number(grant.owed) / 100 === 24.3 ? "24.30 CNY" : "?"}`)
      .and.include("Paid\n20.00 CNY")
      .and.include("Outstanding\n4.30 CNY");
    expect(await page.locator("#fees tbody tr").count()).to.equal((await api(`/v1/grants/${demo.grants.weather}/payments`)).items.length);
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "grant-fees");

    const company = demo.actors.company.toLowerCase();
    await open(`#/account/${company}`, "#fees a[href*='/v1/disclosures/']");
    const year = new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();
    const statement = await api(`/v1/accounts/${company}/statements/${year}`);
    expect(
      await page
        .locator("#fees table")
        .first()
        .locator("tbody tr td:first-child a")
        .evaluateAll((links) => links.map((a) => a.getAttribute("title"))),
    ).to.deep.equal(statement.lines.map((l: any) => l.grantId));
    expect(await page.locator("#fees a[href*='/v1/disclosures/']").getAttribute("href")).to.equal(`/v1/disclosures/${company}/${year}?format=html`);

    await open(`#/dataset/${demo.rivalProduct}`, "#objections td a[href^='#/objection/']");
    expect(await text("#facts")).to.include(`Retired by the ruling on\nobjection #${demo.objection}`);
    await page.locator(`#objections a[href='#/objection/${demo.objection}']`).click();
    await page.locator("#objection dl").waitFor();
    const { objection } = await api(`/v1/objections/${demo.objection}`);
    const shown = await text("#objection");
    expect(shown).to.include(objection.reason).and.include(objection.answer.text).and.include(objection.ruling.text);
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "objection");
  });

  it("gateway epoch: the bureau's settlements on its account page, the epoch's deliveries, and a receipt checked in the browser", async function () {
    const { actors, delivered } = system.demo!;
    const bureau = actors.bureau.toLowerCase();
    await open(`#/account/${bureau}`, "#settlements table");
    const epochs = (await api(`/v1/accounts/${bureau}/epochs`)).items;
    expect(await page.locator("#settlements tbody tr td:first-child a").evaluateAll((links) => links.map((a) => a.getAttribute("href")))).to.deep.equal(
      epochs.map((e: any) => `#/epoch/${bureau}/${e.epoch}`),
    );
    await open(`#/epoch/${bureau}/${delivered!.epoch}`, "#deliveries table");
    const epoch = (await api(`/v1/accounts/${bureau}/epochs/${delivered!.epoch}`)).epoch;
    expect(await text("#settlement")).to.include(epoch.receiptsRoot);
    const uses = (await api(`/v1/accounts/${bureau}/epochs/${delivered!.epoch}/usage`)).items;
    expect(await page.locator("#deliveries tbody tr td:first-child a").evaluateAll((links) => links.map((a) => a.getAttribute("title")))).to.deep.equal(uses.map((u: any) => u.grantId));
    // The bank's receipt, as the gateway gives it to the bank, checked by the API from the page.
    const client = new GatewayClient(system.gateway!.url);
    await client.signIn(devAccount(3));
    const proof = await client.receipt(delivered!.receipt);
    await page.fill("#receipt-input", JSON.stringify(proof));
    await page.locator("#check button[type=submit]").click();
    await page.locator("#receipt-result .message").waitFor();
    expect(await text("#receipt-result")).to.equal(`Valid: signed by ${bureau}, and settled in epoch ${epoch.epoch} of ${bureau} (root ${epoch.receiptsRoot}).`);
    await page.fill("#receipt-input", JSON.stringify({ ...proof, receipt: { ...proof.receipt, units: "1" } }));
    await page.locator("#check button[type=submit]").click();
    await page.waitForFunction(() => document.getElementById("receipt-result")?.textContent?.startsWith("Not valid"));
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "epoch");
  });

  it("verifies a file by hashing it in the browser: an anchored file shows its anchor, another gets a plain answer", async function () {
    const demo = system.demo!;
    const requests: string[] = [];
    page.on("request", (r) => requests.push(`${r.method()} ${new URL(r.url()).pathname}`));
    await open("", "#dropzone");
    await page.setInputFiles("#file-input", demo.files.traffic);
    const traffic = (await api(`/v1/datasets/${demo.traffic}`)).dataset;
    await page.waitForFunction((h) => location.hash === `#/file/${h}`, traffic.contentHash);
    await page.locator("#verdict table").waitFor();
    expect(await text("#main")).to.include("traffic-flow.csv (");
    expect(await page.locator("#verdict tbody tr td:first-child a").getAttribute("href")).to.equal(`#/dataset/${traffic.id}`);
    await screenshot(page, SHOTS, "file-anchored");

    await open("", "#dropzone");
    await page.setInputFiles("#file-input", { name: "unknown.bin", mimeType: "application/octet-stream", buffer: randomBytes(3 * 1024 * 1024) });
    await page.locator("#verdict").waitFor();
    expect(await text("#verdict")).to.equal("This file was never anchored on this ledger: no dataset has this content hash.");
    // The files never left the browser: only GETs of hashes.
    expect(requests.filter((r) => !r.startsWith("GET "))).to.deep.equal([]);
  });

  it("shows a new use live, without reloading, and moves the header's block", async function () {
    const demo = system.demo!;
    await open(`#/dataset/${demo.traffic}`, "#uses table");
    await page.evaluate(() => ((window as any).notReloaded = true));
    const before = Number((await text("#status-block")).replace("block ", ""));
    const rowsBefore = await page.locator("#uses tbody tr").count();

    const provider = new JsonRpcProvider(system.rpcUrl, undefined, { cacheTimeout: -1 });
    const ledger = new Contract(system.ledger, ledgerAbi, demoSigner(provider, 2));
    await (await ledger.recordUsage(demo.grants.traffic, UsageAction.Process, 7n, ZeroHash)).wait();
    provider.destroy();

    await page.waitForFunction((n) => document.querySelectorAll("#uses tbody tr").length === n + 1, rowsBefore);
    expect(await page.locator("#uses tbody tr").first().locator("td").nth(3).innerText()).to.equal("7");
    expect(Number((await text("#status-block")).replace("block ", ""))).to.be.greaterThan(before);
    expect(await page.evaluate(() => (window as any).notReloaded)).to.equal(true);
    expect(await page.locator("#announcer").innerText()).to.match(/new events? indexed up to block/);
  });

  it("speaks Chinese to a browser that prefers it, switches language with the header's buttons and remembers the choice", async function () {
    await page.context().close();
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 }, locale: "zh-CN" })).newPage();
    const demo = system.demo!;
    const { grant } = await api(`/v1/grants/${demo.grants.weather}`);
    await open(`#/grant/${demo.grants.weather}`, "#fees dl");
    expect(await page.evaluate(() => document.documentElement.lang)).to.equal("zh-CN");
    expect(await page.locator("button[data-locale='zh']").getAttribute("aria-pressed")).to.equal("true");
    expect(await text("#search button")).to.equal("查询");
    await page.waitForFunction(() => document.getElementById("status-live")?.textContent === "实时");
    // The weather grant's terms (commercial, 0.30 CNY a unit) in Chinese; amounts in yuan with their fen.
    const fees = await text("#fees");
    const yuan = (fen: string) => `${(Number(fen) / 100).toFixed(2)} CNY`;
    expect(fees)
      .to.include("商业用途、每单位 0.30 CNY")
      .and.include(`截至目前应付\n${yuan(grant.owed)}`)
      .and.include(`已付\n${yuan(grant.paid)}`);
    expect(await text("#terms"))
      .to.include("有效")
      .and.match(/\d{4}年\d{1,2}月\d{1,2}日 \d{2}:\d{2}:\d{2} UTC/);
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "grant-fees-zh");

    // Every kind of page, with no English phrase left in it.
    const pages: [string, string][] = [
      ["", "#latest table"],
      [`#/dataset/${demo.traffic}`, "#grants table"],
      [`#/grant/${demo.grants.weather}`, "#fees dl"],
      [`#/account/${demo.actors.company.toLowerCase()}`, "#activity table"],
      [`#/account/${demo.actors.bureau.toLowerCase()}`, "#settlements table"],
      [`#/objection/${demo.objection}`, "#objection dl"],
      [`#/epoch/${demo.actors.bureau.toLowerCase()}/${demo.delivered!.epoch}`, "#deliveries table"],
      [`#/file/${(await api(`/v1/datasets/${demo.traffic}`)).dataset.contentHash}`, "#verdict table"],
      ["#/search/nothing", "#main .message"],
    ];
    for (const [fragment, ready] of pages) {
      await open(fragment, ready);
      expect(await englishLeft(), `English left on ${fragment || "home"}`).to.deep.equal([]);
    }

    // The switch: English at once (and the check above finds it), kept across a reload, and back.
    await page.locator("button[data-locale='en']").click();
    await page.waitForFunction(() => document.documentElement.lang === "en" && document.getElementById("main")!.textContent.includes("Nothing to look up"));
    expect(await text("#search button")).to.equal("Go");
    expect(await englishLeft()).to.not.deep.equal([]);
    await page.reload();
    await page.locator("#main .message").waitFor();
    expect(await page.evaluate(() => document.documentElement.lang)).to.equal("en");
    expect(await text("#main h1")).to.equal("Nothing to look up");
    await page.locator("button[data-locale='zh']").click();
    await page.waitForFunction(() => document.getElementById("main")!.textContent.includes("没有可查询的内容"));
  });

  it("reads on a phone: no sideways scrolling, facts stacked", async function () {
    await page.setViewportSize({ width: 390, height: 844 });
    await open(`#/dataset/${system.demo!.forecast}`, "#grants table");
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).to.be.at.most(0);
    expect(await seriousA11yViolations(page)).to.deep.equal([]);
    await screenshot(page, SHOTS, "dataset-phone");
  });
});
