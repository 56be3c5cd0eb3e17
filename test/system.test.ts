/**
 * The whole system as `npm start` brings it up: the embedded default (chain, Ignition deployment,
 * indexer, API), and an existing network (anvil) with RPC_URL and LEDGER_ADDRESS set.
 */
import { readFile, rm } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { Contract, id, JsonRpcProvider, Wallet, ZeroHash } from "ethers";
import { config as hardhatConfig } from "hardhat";

import ledgerAbi from "../core/ledger-abi.json" with { type: "json" };
import { readConfig, ConfigError } from "../server/config.js";
import { startSystem } from "../server/system.js";
import { startAnvil } from "./helpers/chain.js";
import { registerDataset } from "./helpers/fixtures.js";
import { withFreshLedger, eventually, quietLogger, tempDir } from "./helpers/system.js";

describe("startSystem", function () {
  it("brings up the embedded default with its demo: chain, deployment, indexer, API and a populated ledger", async function () {
    const config = readConfig({ CHAIN_PORT: "0", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("system"), POLL_MS: "50" });
    const lines: string[] = [];
    const system = await startSystem({ config, logger: quietLogger(), say: (line) => lines.push(line) });
    try {
      expect(system.embedded).to.equal(true);
      expect(system.chainId).to.equal(31337);
      const demo = system.demo!;
      const get = async (route: string) => (await fetch(system.apiUrl + route)).json() as Promise<any>;
      const head = Number(
        (
          (await (
            await fetch(system.rpcUrl, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_blockNumber","params":[]}' })
          ).json()) as any
        ).result,
      );
      await eventually(async () => ((await get("/v1/status")).indexed.number >= head ? true : undefined), "the index to reach the head");
      const status = await get("/v1/status");
      expect(status.ledger).to.equal(system.ledger);
      // The forecast names both of the bureau's datasets, under grants with the product-operation right.
      const lineage = await get(`/v1/datasets/${demo.forecast}/lineage?direction=ancestors`);
      expect(lineage.edges.map((e: any) => e.parent).sort()).to.deep.equal([demo.traffic, demo.weather].map((x) => x.toLowerCase()).sort());
      // The bank's licence and use; the refusals the demo printed, in words.
      const bankGrants = await get(`/v1/accounts/${demo.actors.bank.toLowerCase()}/grants`);
      expect(bankGrants.items).to.have.length(2);
      expect(bankGrants.items.find((g: any) => g.datasetId === demo.forecast.toLowerCase())).to.include({ used: "12", status: "active" });
      expect(demo.refusals).to.have.length(4);
      expect(demo.refusals[0]).to.match(/a unit price of 80 is above the cap of dataset 0x[0-9a-f]{8}…, 60/);
      expect(demo.refusals[1]).to.match(/may not be licensed to anyone: the grant .* it rests on carries use, process, not operate/);
      // The laundering attempt: the repackaged copy rests on the same grant, and is refused the same way.
      expect(demo.refusals[2]).to.match(/dataset 0x[0-9a-f]{8}… may not be licensed to anyone: the grant .* it rests on carries use, process, not operate/);
      expect(demo.refusals[3]).to.match(/allows 50 units; 12 used; 100 requested/);
      // Fees: the company paid the traffic data in full through the ledger (181 units, one the forecast's
      // derivation, at 50) and 20.00 of the weather data's 24.30 (81 units at 30) off it.
      const statement = await get(`/v1/accounts/${demo.actors.company.toLowerCase()}/statements/${new Date(Date.now() + 8 * 3600_000).toISOString().slice(0, 4)}`);
      const owed = Object.fromEntries(statement.lines.map((l: any) => [l.grantId, [l.owedToDate, l.paidToDate, l.outstanding]]));
      expect(owed).to.deep.equal({ [demo.grants.traffic.toLowerCase()]: ["9050", "9050", "0"], [demo.grants.weather.toLowerCase()]: ["2430", "2000", "430"] });
      // The bureau's activity names each payment with its amount and currency.
      const bureauActivity = (await get(`/v1/accounts/${demo.actors.bureau.toLowerCase()}/activity?limit=500`)).items;
      const payment = (kind: string) => bureauActivity.find((a: any) => a.kind === kind);
      expect([payment("fees-received").amount, payment("fees-received").currency]).to.deep.equal(["9050", { token: demo.token, currencyCode: null }]);
      expect([payment("fees-acknowledged").amount, payment("fees-acknowledged").currency]).to.deep.equal(["2000", { token: null, currencyCode: "CNY" }]);
      // The research grant is free; the route study was retired by the arbiter's ruling on the archive's objection.
      expect((await get(`/v1/grants/${demo.grants.rival}`)).grant.fees).to.include({ purposeClass: "public-welfare", unitPrice: "0" });
      expect((await get(`/v1/objections/${demo.objection}`)).objection).to.include({ state: "upheld", target: demo.rivalProduct.toLowerCase(), objector: demo.actors.archive.toLowerCase() });
      expect((await get(`/v1/datasets/${demo.rivalProduct}`)).dataset).to.include({ status: "retired", cancelledBy: demo.objection });
      const repackaged = (await get(`/v1/datasets/${demo.repackaged}`)).dataset;
      expect(repackaged.parents.map((p: any) => [p.datasetId, p.grantId])).to.deep.equal([[demo.rivalProduct.toLowerCase(), null]]);
      expect(repackaged.licences.map((l: any) => [l.grantId, l.direct])).to.deep.equal([[demo.grants.rival.toLowerCase(), true]]);
      // The bureau revoked the research grant: both of the second company's datasets have lapsed, saying why.
      expect([repackaged.status, repackaged.lapse.grantId, repackaged.lapse.reason]).to.deep.equal(["lapsed", demo.grants.rival.toLowerCase(), "revoked"]);
      expect((await get(`/v1/grants/${demo.grants.rival}/products`)).items.map((d: any) => d.id)).to.deep.equal([demo.rivalProduct, demo.repackaged].map((x) => x.toLowerCase()));
      expect(lines.some((l) => l.startsWith("  refused as it should be"))).to.equal(true);
      // One grant revoked, the weather dataset transferred to the archive.
      const trafficGrants = await get(`/v1/datasets/${demo.traffic}/grants`);
      expect(trafficGrants.items.map((g: any) => g.status).sort()).to.deep.equal(["active", "active", "revoked"]);
      expect((await get(`/v1/datasets/${demo.weather}`)).dataset.holder).to.equal(demo.actors.archive.toLowerCase());
      const trafficDataset = (await get(`/v1/datasets/${demo.traffic}`)).dataset;
      // On the embedded chain a mined fact is final: nothing else makes blocks, nothing can undo them.
      expect(trafficDataset.registered).to.include({ final: true });
      // 72 hours × 5 sensors, as README says: the CSV's header row is not a record.
      const csv = await readFile(path.join(config.dataDir, "demo", "traffic-flow.csv"), "utf8");
      expect(Number(trafficDataset.recordCount))
        .to.equal(360)
        .and.to.equal(csv.trimEnd().split("\n").length - 1);
      // The bank fetched the Harbour Ave rows through the bureau's gateway; the settlement is on chain and in the index.
      const harbour = csv
        .trimEnd()
        .split("\n")
        .filter((row) => row.split(",")[2] === "Harbour Ave").length;
      expect(demo.delivered).to.include({ records: harbour });
      const delivered = bankGrants.items.find((g: any) => g.datasetId === demo.traffic.toLowerCase());
      expect(delivered).to.include({ id: demo.delivered!.grant.toLowerCase(), used: String(harbour) });
      const epoch = (await get(`/v1/accounts/${demo.actors.bureau.toLowerCase()}/epochs/${demo.delivered!.epoch}`)).epoch;
      expect(epoch).to.include({ units: String(harbour), receiptCount: 1 });
      expect(epoch.evidence.txHash).to.equal(demo.delivered!.tx);
      expect(lines).to.include(`  ${harbour} records, each proven against the anchored root; receipt #${demo.delivered!.receipt} for ${harbour} units`);
    } finally {
      await system.stop();
    }
  });

  it("streams each newly indexed range as a server-sent event", async function () {
    const system = await startSystem({
      config: readConfig({ CHAIN_PORT: "0", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("system-sse"), DEMO: "0", POLL_MS: "50" }),
      logger: quietLogger(),
    });
    const abort = new AbortController();
    try {
      const response = await fetch(`${system.apiUrl}/v1/events`, { signal: abort.signal });
      expect(response.headers.get("content-type")).to.equal("text/event-stream");
      const reader = response.body!.getReader();
      const { Wallet, JsonRpcProvider, Contract } = await import("ethers");
      const abi = JSON.parse((await import("node:fs")).readFileSync("core/ledger-abi.json", "utf8"));
      const provider = new JsonRpcProvider(system.rpcUrl);
      const holder = Wallet.fromPhrase("test test test test test test test test test test test junk").connect(provider);
      const receipt = await (await (new Contract(system.ledger, abi, holder) as any).register("0x" + "5e".repeat(32), "0x" + "00".repeat(32), 0n, "", [])).wait();
      provider.destroy();
      let text = "";
      const decoder = new TextDecoder();
      while (!new RegExp(`event: applied\ndata: .*"to":${receipt.blockNumber}`).test(text)) text += decoder.decode((await reader.read()).value);
      const data = JSON.parse(/event: applied\ndata: (.*)/.exec(text.slice(text.lastIndexOf("event: applied")))![1]);
      expect(data).to.include({ to: receipt.blockNumber, events: 1 });
      expect(data.digest).to.match(/^0x[0-9a-f]{64}$/);
    } finally {
      abort.abort();
      await system.stop();
    }
  });

  it("skips the demo with DEMO=0", async function () {
    const system = await startSystem({ config: readConfig({ CHAIN_PORT: "0", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("system-plain"), DEMO: "0" }), logger: quietLogger() });
    try {
      expect(system.demo).to.equal(undefined);
    } finally {
      await system.stop();
    }
  });

  it("indexes an existing network's ledger with RPC_URL and LEDGER_ADDRESS", async function () {
    await withFreshLedger(startAnvil, async (ledger, chain) => {
      const d = await registerDataset(ledger.ledger, ledger.holder, "existing");
      // CHAIN_ID guards against pointing RPC_URL at the wrong network.
      const wrong = readConfig({ RPC_URL: chain.url, LEDGER_ADDRESS: ledger.address, CHAIN_ID: "1", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("existing") });
      const refused = await startSystem({ config: wrong, logger: quietLogger() }).catch((e) => e);
      expect(refused).to.be.instanceOf(ConfigError);
      expect(refused.message).to.equal("CHAIN_ID is 1 but the node at RPC_URL is on chain 31337; point RPC_URL at the right network");
      const config = readConfig({ RPC_URL: chain.url, LEDGER_ADDRESS: ledger.address, CHAIN_ID: "31337", API_PORT: "0", GATEWAY_PORT: "0", DATA_DIR: await tempDir("existing"), POLL_MS: "50" });
      const system = await startSystem({ config, logger: quietLogger() });
      try {
        expect(system.embedded).to.equal(false);
        expect(system.deployBlock).to.equal(ledger.deployBlock);
        const body = await eventually(async () => {
          const r = await fetch(`${system.apiUrl}/v1/datasets/${d.id}`);
          return r.status === 200 ? ((await r.json()) as any) : undefined;
        }, "the dataset to be indexed");
        expect(body.dataset.holder).to.equal(ledger.holder.address.toLowerCase());
      } finally {
        await system.stop();
      }
    });
  });
});

describe("deploying to a network", function () {
  it("deploys with DEPLOYER_KEY (any account with funds) and gives the roles to LEDGER_ADMIN, behind LEDGER_ADMIN_DELAY", async function () {
    const chainId = 31_000 + Math.floor(Math.random() * 900);
    const chain = await startAnvil(["--chain-id", String(chainId)]);
    const deployer = Wallet.createRandom();
    const admin = Wallet.createRandom().address;
    const provider = new JsonRpcProvider(chain.url, undefined, { cacheTimeout: -1 });
    try {
      await provider.send("anvil_setBalance", [deployer.address, "0x8ac7230489e80000"]);
      const config = readConfig({
        RPC_URL: chain.url,
        CHAIN_ID: String(chainId),
        DEPLOYER_KEY: deployer.privateKey,
        LEDGER_ADMIN: admin,
        LEDGER_ADMIN_DELAY: "86400",
        API_PORT: "0",
        GATEWAY_PORT: "0",
        DATA_DIR: await tempDir("deploy-key"),
      });
      const system = await startSystem({ config, logger: quietLogger() });
      try {
        const ledger = new Contract(system.ledger, ledgerAbi, provider);
        expect(await ledger.hasRole(ZeroHash, admin)).to.equal(true);
        expect(await ledger.hasRole(id("PAUSER_ROLE"), admin)).to.equal(true);
        expect(await ledger.hasRole(ZeroHash, deployer.address)).to.equal(false);
        expect(await ledger.defaultAdminDelay()).to.equal(86_400n);
        const creation = await provider.getTransaction((await provider.getBlock(system.deployBlock, true))!.prefetchedTransactions[0].hash);
        expect(creation!.from).to.equal(deployer.address);
      } finally {
        await system.stop();
      }
    } finally {
      provider.destroy();
      await chain.close();
      await rm(path.join(hardhatConfig.paths.ignition, "deployments", `chain-${chainId}`), { recursive: true, force: true });
    }
  });
});

describe("readConfig", function () {
  it("gives every setting its documented default", function () {
    const c = readConfig({});
    expect(c).to.include({
      chainHost: "127.0.0.1",
      chainPort: 8545,
      apiHost: "127.0.0.1",
      apiPort: 8080,
      confirmations: 0,
      finalityDepth: 1,
      reorgWindow: 64,
      pollMs: 250,
      logRangeMax: 50_000,
      logLevel: "info",
    });
    expect(c.rpcUrl).to.equal(undefined);
    // Finality: once mined on the one-node embedded chain, 64 confirmations on a network, or as set.
    expect(readConfig({ RPC_URL: "http://127.0.0.1:8545" }).finalityDepth).to.equal(64);
    expect(readConfig({ FINALITY_DEPTH: "5" }).finalityDepth).to.equal(5);
    expect(c.corsOrigins).to.deep.equal([]);
    expect(c).to.include({ rateLimit: 0, rateWindowS: 60, trustProxy: false, chainId: undefined, ledgerAdminDelay: 259_200, apiCacheMb: 64, indexCacheMb: 256, indexCompression: "none" });
    expect(readConfig({ INDEX_COMPRESSION: "snappy" }).indexCompression).to.equal("snappy");
    // The gateway: on for the embedded chain, off on a network until it has a key.
    expect(c.gateway).to.include({
      enabled: true,
      port: 8090,
      host: "127.0.0.1",
      key: undefined,
      holder: undefined,
      epochSeconds: 60,
      epochReceipts: 10_000,
      maxBacklog: 10,
      signInsPerMinute: 60,
      maxConnections: 256,
    });
    expect(c.gateway.dir).to.equal(path.resolve("data", "served"));
    expect(readConfig({ RPC_URL: "http://127.0.0.1:8545" }).gateway.enabled).to.equal(false);
    expect(readConfig({ RPC_URL: "http://127.0.0.1:8545", GATEWAY_KEY: "0x" + "11".repeat(32) }).gateway.enabled).to.equal(true);
    expect(readConfig({ GATEWAY: "0" }).gateway.enabled).to.equal(false);
  });

  it("reads trusted proxies as Express takes them", function () {
    expect(readConfig({ TRUST_PROXY: "loopback" }).trustProxy).to.equal("loopback");
    expect(readConfig({ TRUST_PROXY: "10.0.0.0/8, 192.168.1.7" }).trustProxy).to.equal("10.0.0.0/8,192.168.1.7");
    expect(readConfig({ TRUST_PROXY: "2" }).trustProxy).to.equal(2);
    expect(readConfig({ TRUST_PROXY: "off" }).trustProxy).to.equal(false);
  });

  for (const [env, message] of [
    [{ API_PORT: "80000" }, /API_PORT must be a whole number from 0 to 65535, not "80000"/],
    [{ GATEWAY_KEY: "secret" }, /GATEWAY_KEY must be a 0x-prefixed 32-byte hex private key/],
    [{ EPOCH_SECONDS: "0" }, /EPOCH_SECONDS must be a whole number from 1 to 86400, not "0"/],
    [{ CONFIRMATIONS: "-1" }, /CONFIRMATIONS must be a whole number/],
    [{ LEDGER_ADDRESS: "0x123" }, /LEDGER_ADDRESS must be a 0x-prefixed 20-byte hex address/],
    [{ RPC_URL: "ftp://x" }, /RPC_URL must be an http\(s\) URL/],
    [{ LOG_LEVEL: "loud" }, /LOG_LEVEL must be one of/],
    [{ TRUST_PROXY: "everyone" }, /TRUST_PROXY must be loopback, linklocal, uniquelocal, addresses or CIDRs, or a hop count/],
    [{ RATE_LIMIT: "lots" }, /RATE_LIMIT must be a whole number/],
    [{ INDEX_CACHE_MB: "0" }, /^INDEX_CACHE_MB must be a whole number from 1 to 4095, not "0"$/],
    [{ INDEX_CACHE_MB: "4096" }, /^INDEX_CACHE_MB must be a whole number from 1 to 4095, not "4096"$/],
    [{ INDEX_COMPRESSION: "zstd" }, /^INDEX_COMPRESSION must be "none" or "snappy", not "zstd"$/],
    [{ CHAIN_ID: "0" }, /CHAIN_ID must be a whole number from 1/],
    [{ DEPLOYER_KEY: "0x1234" }, /^DEPLOYER_KEY must be a 0x-prefixed 32-byte hex private key$/],
    [{ LEDGER_ADMIN: "admin" }, /LEDGER_ADMIN must be a 0x-prefixed 20-byte hex address/],
    [{ LEDGER_ADMIN_DELAY: "3 days" }, /LEDGER_ADMIN_DELAY must be a whole number/],
    [{ LEDGER_ADMIN: "0x" + "0".repeat(40) }, /^LEDGER_ADMIN must not be the zero address: nobody holds its key$/],
  ] as const) {
    it(`refuses ${JSON.stringify(env)} with one sentence`, function () {
      expect(() => readConfig(env)).to.throw(ConfigError, message);
    });
  }
});
