/**
 * The living demo `npm start` loads on a fresh embedded chain (never on another network; DEMO=0
 * skips it): a city data bureau shares traffic and weather data with a data service company, which
 * builds a congestion forecast and licenses it to a bank, each paying per unit within the authority's
 * cap; a research group's free public-welfare grant, an objection upheld against its route study;
 * the ledger refuses what the rules forbid.
 * Every step is a real transaction from a development account, made through the client library
 * (sdk/); the CSV files are written to DATA_DIR/demo and anchored exactly as `dpl anchor` anchors them.
 */
import { copyFile, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { Contract, ContractFactory, JsonRpcProvider, type Signer } from "ethers";

import { ROLES } from "../core/ids.js";
import {
  buildRecordTree,
  devAccount,
  type FeeTermsArgs,
  fingerprint,
  type GrantArgs,
  GatewayClient,
  GatewayError,
  LedgerClient,
  LedgerRefusedError,
  type Parent,
  type RightName,
  verifyRecords,
} from "../sdk/index.js";

export interface DemoActors {
  bureau: string;
  company: string;
  bank: string;
  rival: string;
  archive: string;
  /** The public-data authority (caps fees) and the arbiter (rules on objections): roles the admin grants. */
  authority: string;
  arbiter: string;
}

export interface DemoResult {
  actors: DemoActors;
  traffic: string;
  weather: string;
  forecast: string;
  /** The second company's product, and the copy of it it tried to launder through a dataset of its own. */
  rivalProduct: string;
  repackaged: string;
  /** The grants it issued: the company's on traffic and weather, the rival's (revoked), the preview (expires), the bank's. */
  grants: { traffic: string; weather: string; rival: string; preview: string; bank: string };
  /** The CSV files it generated and anchored. */
  files: { traffic: string; weather: string; forecast: string; repackaged: string };
  /** What the ledger refused, in words, as the demo printed it. */
  refusals: string[];
  /** The bank's fetch through the bureau's gateway, and its settlement; absent without a gateway. */
  delivered?: { grant: string; records: number; receipt: string; epoch: string; tx: string };
  /** The test token fees are paid in, and the objection the arbiter upheld against the route study. */
  token: string;
  objection: string;
}

/** The gateway the demo's bank fetches through (the bureau's, started beside the API). */
export interface DemoGateway {
  url: string;
  refresh(): Promise<void>;
  settleNow(): Promise<void>;
}

/**
 * The bureau grants the bank the use of the traffic data; the bank signs in to the bureau's gateway
 * and fetches the Harbour Ave rows, each checked against the root the ledger anchored; the gateway
 * then settles its epoch on chain.
 */
async function fetchThroughGateway(
  args: { gateway?: DemoGateway; say: (line: string) => void },
  bureau: LedgerClient,
  bank: Signer,
  traffic: string,
  now: number,
  year: number,
): Promise<NonNullable<DemoResult["delivered"]>> {
  const gateway = args.gateway!;
  args.say("demo: the bureau grants the bank the use of its traffic data, 200 records, to price logistics loans");
  const grant = await grantOf(bureau, { datasetId: traffic, grantee: await bank.getAddress(), rights: ["use"], purpose: "pricing logistics loans", validFrom: now, validUntil: year, quota: 200n });
  args.say("demo: the bank signs in to the bureau's gateway and fetches the Harbour Ave rows of the traffic data");
  const client = new GatewayClient(gateway.url);
  await client.signIn(bank);
  const root = (await bureau.contract.datasetOf(traffic)).merkleRoot;
  // The gateway serves what the index knows: the dataset and the grant a moment after they are mined.
  for (let tries = 0; ; tries++) {
    try {
      const { body, receipt } = await client.records(traffic, { grant, field: "road", equals: "Harbour Ave" });
      const answer = await verifyRecords(body, receipt, root);
      args.say(`  ${answer.records.length} records, each proven against the anchored root; receipt #${receipt!.receipt.sequence} for ${receipt!.receipt.units} units`);
      await gateway.settleNow();
      const [settled] = (await bureau.contract.queryFilter(bureau.contract.filters.EpochSettled(undefined, receipt!.receipt.epoch))).slice(-1);
      args.say(`demo: the gateway settles its epoch on chain: ${settled.args.units} units under root ${settled.args.receiptsRoot.slice(0, 10)}…, tx ${settled.transactionHash}`);
      return { grant, records: answer.records.length, receipt: receipt!.receipt.sequence, epoch: receipt!.receipt.epoch, tx: settled.transactionHash };
    } catch (error) {
      if (!(error instanceof GatewayError && error.status === 404) || tries >= 80) throw error;
      await gateway.refresh();
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
}

// Each step waits for its receipt, so a plain wallet's pending nonce is always right (a nonce
// manager would skip a nonce on each transaction the ledger refuses, and stall the account).
export function demoSigner(provider: JsonRpcProvider, index: number): Signer {
  return devAccount(index).connect(provider);
}

function trafficCsv(): string {
  const rows = ["timestamp,sensor,road,vehicles,avg_speed_kmh"];
  const roads = ["Ring Road N", "Harbour Ave", "Station St", "Riverside Dr", "Airport Link"];
  for (let h = 0; h < 72; h++) {
    for (let s = 0; s < 5; s++) {
      const rush = h % 24 === 8 || h % 24 === 17 ? 2.2 : 1;
      const vehicles = Math.round((120 + ((h * 37 + s * 53) % 90)) * rush);
      rows.push(`2026-11-${String(20 + Math.floor(h / 24)).padStart(2, "0")}T${String(h % 24).padStart(2, "0")}:00Z,S${s + 1},${roads[s]},${vehicles},${Math.max(12, 70 - Math.round(vehicles / 8))}`);
    }
  }
  return rows.join("\n") + "\n";
}

function weatherCsv(): string {
  const rows = ["timestamp,station,temp_c,precip_mm,wind_kmh"];
  for (let h = 0; h < 72; h++) {
    for (const station of ["Centre", "Harbour", "Airport"]) {
      rows.push(
        `2026-11-${String(20 + Math.floor(h / 24)).padStart(2, "0")}T${String(h % 24).padStart(2, "0")}:00Z,${station},${(4 + ((h * 7) % 9) - 2).toFixed(1)},${((h * 13) % 11 === 0 ? 2.4 : 0).toFixed(1)},${10 + ((h * 17) % 25)}`,
      );
    }
  }
  return rows.join("\n") + "\n";
}

/** The second company's "own" dataset built on its product: the route study with a column renamed. */
function repackagedCsv(): string {
  return forecastCsv().replace("congestion_index", "delay_score");
}

function forecastCsv(): string {
  const rows = ["timestamp,road,congestion_index"];
  for (let h = 0; h < 24; h++)
    for (const road of ["Ring Road N", "Harbour Ave", "Station St"]) rows.push(`2026-11-23T${String(h).padStart(2, "0")}:00Z,${road},${(((h * 29) % 100) / 100).toFixed(2)}`);
  return rows.join("\n") + "\n";
}

async function anchorFile(ledger: LedgerClient, file: string, meta: object, parents: Parent[] = []): Promise<string> {
  const fp = await fingerprint(file, undefined);
  const tree = await buildRecordTree(fp.recordHashes);
  const metadataURI = `data:application/json;base64,${Buffer.from(JSON.stringify(meta)).toString("base64")}`;
  return (await ledger.anchor({ contentHash: fp.sha256, merkleRoot: tree.root, recordCount: fp.recordHashes.length, metadataURI, parents })).datasetId;
}

async function grantOf(ledger: LedgerClient, args: GrantArgs): Promise<string> {
  return (await ledger.grant(args)).grantId;
}

/** Deploys the demo's test token (two decimals, "dCNY") from the admin's account and mints the company its yuan. */
async function deployDemoToken(artifactsDir: string, admin: Signer, company: string): Promise<string> {
  const artifact = JSON.parse(await readFile(path.join(artifactsDir, "contracts/mocks/TestToken.sol/TestToken.json"), "utf8"));
  const token = await new ContractFactory(artifact.abi, artifact.bytecode, admin).deploy("Demo yuan", "dCNY");
  await token.waitForDeployment();
  await (await (token as any).mint(company, 1_000_000n)).wait();
  return (await token.getAddress()).toLowerCase();
}

export async function runDemo(args: {
  rpcUrl: string;
  ledger: string;
  dataDir: string;
  artifactsDir: string;
  servedDir?: string;
  gateway?: DemoGateway;
  say: (line: string) => void;
}): Promise<DemoResult> {
  // No response cache: back-to-back transactions from one account must each see the latest nonce.
  const provider = new JsonRpcProvider(args.rpcUrl, undefined, { batchMaxCount: 1, cacheTimeout: -1 });
  try {
    const [admin, bureau, company, bank, rival, archive, authority, arbiter] = [0, 1, 2, 3, 4, 5, 6, 7].map((i) => demoSigner(provider, i));
    const as = (signer: Signer) => new LedgerClient(args.ledger, signer);
    const actors: DemoActors = {
      bureau: await bureau.getAddress(),
      company: await company.getAddress(),
      bank: await bank.getAddress(),
      rival: await rival.getAddress(),
      archive: await archive.getAddress(),
      authority: await authority.getAddress(),
      arbiter: await arbiter.getAddress(),
    };
    const dir = path.join(args.dataDir, "demo");
    await mkdir(dir, { recursive: true });
    const files = {
      traffic: path.join(dir, "traffic-flow.csv"),
      weather: path.join(dir, "weather.csv"),
      forecast: path.join(dir, "congestion-forecast.csv"),
      repackaged: path.join(dir, "route-delays.csv"),
    };
    await writeFile(files.traffic, trafficCsv());
    await writeFile(files.weather, weatherCsv());
    await writeFile(files.forecast, forecastCsv());
    await writeFile(files.repackaged, repackagedCsv());
    // The bureau serves its two datasets through its gateway.
    if (args.servedDir) {
      await mkdir(args.servedDir, { recursive: true });
      for (const file of [files.traffic, files.weather]) await copyFile(file, path.join(args.servedDir, path.basename(file)));
    }
    const now = (await provider.getBlock("latest"))!.timestamp;
    const year = now + 365 * 86_400;
    const refusals: string[] = [];
    const refused = async (what: string, attempt: () => Promise<unknown>) => {
      try {
        await attempt();
        throw new Error(`the demo expected the ledger to refuse: ${what}`);
      } catch (error) {
        if (!(error instanceof LedgerRefusedError)) throw error;
        const reason = error;
        refusals.push(reason.message);
        args.say(`  refused as it should be (${what}): ${reason.message}`);
      }
    };

    args.say("demo: the city data bureau anchors its traffic-flow and weather datasets");
    const traffic = await anchorFile(as(bureau), files.traffic, { title: "City traffic flow, 72 hours", publisher: "City Data Bureau", license: "restricted" });
    const weather = await anchorFile(as(bureau), files.weather, { title: "City weather stations, 72 hours", publisher: "City Data Bureau", license: "restricted" });

    args.say("demo: the admin appoints the public-data authority and an arbiter; the authority caps the traffic data's price at 0.60 dCNY a unit");
    await (await as(admin).contract.grantRole(ROLES.authority, actors.authority)).wait();
    await (await as(admin).contract.grantRole(ROLES.arbiter, actors.arbiter)).wait();
    const token = await deployDemoToken(args.artifactsDir, admin, actors.company);
    await as(authority).setFeeCap(traffic, { token, maxUnitPrice: 60n, maxDailyFee: 0n });

    args.say("demo: the bureau grants the data service company processing and product-operation rights for forecasting, 500 units each, priced per unit");
    const rights: RightName[] = ["use", "process", "operate-product"];
    const forecasting = { grantee: actors.company, rights, purpose: "congestion forecasting", validFrom: now, validUntil: year, quota: 500n };
    const trafficTerms: FeeTermsArgs = { purposeClass: "commercial", token, unitPrice: 50n };
    const weatherTerms: FeeTermsArgs = { purposeClass: "commercial", currencyCode: "CNY", unitPrice: 30n };
    await refused("a price above the authority's cap", () => as(bureau).grantWithTerms({ datasetId: traffic, ...forecasting, terms: { ...trafficTerms, unitPrice: 80n } }));
    const trafficGrant = (await as(bureau).grantWithTerms({ datasetId: traffic, ...forecasting, terms: trafficTerms })).grantId;
    const weatherGrant = (await as(bureau).grantWithTerms({ datasetId: weather, ...forecasting, terms: weatherTerms })).grantId;
    args.say("demo: and a university research group the use and processing of the traffic data for route research: public welfare, free");
    const rivalGrant = (
      await as(bureau).grantWithTerms({
        datasetId: traffic,
        grantee: actors.rival,
        rights: ["use", "process"],
        purpose: "route planning research",
        validFrom: now,
        validUntil: year,
        quota: 100n,
        terms: { purposeClass: "public-welfare" },
      })
    ).grantId;
    const shortGrant = await grantOf(as(bureau), { datasetId: weather, grantee: actors.archive, rights: ["use"], purpose: "one-minute preview", validFrom: now, validUntil: now + 60, quota: 10n });

    args.say("demo: the company records its uses, then registers a congestion-forecast product derived from both");
    for (const [grant, units] of [
      [trafficGrant, 120n],
      [weatherGrant, 80n],
      [trafficGrant, 60n],
    ] as const) {
      await as(company).use({ grantId: grant, action: "process", units });
    }
    const forecast = await anchorFile(as(company), files.forecast, { title: "Congestion forecast, next 24 hours", publisher: "Data Service Co." }, [
      { datasetId: traffic, grantId: trafficGrant },
      { datasetId: weather, grantId: weatherGrant },
    ]);

    // 181 units of traffic (180 processed, one DERIVE) at 0.50 dCNY; 81 of weather at 0.30 CNY.
    args.say("demo: the company pays the bureau 90.50 dCNY for the traffic data through the ledger; the bureau acknowledges 20.00 CNY of the 24.30 owed for the weather data, paid by bank transfer");
    await (await new Contract(token, ["function approve(address,uint256) returns (bool)"], company).approve(args.ledger, 9_050n)).wait();
    await as(company).payFees(trafficGrant, trafficTerms, 9_050n);
    await as(bureau).acknowledgeFees(weatherGrant, weatherTerms, 2_000n);

    args.say("demo: the company licenses the forecast to the bank at 1.00 CNY a unit (its upstream grants carry the product-operation right)");
    const bankGrant = (
      await as(company).grantWithTerms({
        datasetId: forecast,
        grantee: actors.bank,
        rights: ["use"],
        purpose: "credit risk of logistics clients",
        validFrom: now,
        validUntil: year,
        quota: 50n,
        terms: { purposeClass: "commercial", currencyCode: "CNY", unitPrice: 100n },
      })
    ).grantId;
    await as(bank).use({ grantId: bankGrant, action: "use", units: 12n });
    const delivered = args.gateway ? await fetchThroughGateway(args, as(bureau), bank, traffic, now, year) : undefined;

    args.say("demo: a second company without the product-operation right derives a product and tries the same");
    const rivalProduct = await anchorFile(as(rival), files.forecast, { title: "Route study" }, [{ datasetId: traffic, grantId: rivalGrant }]);
    const resale = { grantee: actors.bank, rights: ["use"] as RightName[], purpose: "resale", validFrom: now, validUntil: year, quota: 10n };
    await refused("licensing a product without the product-operation right", () => as(rival).grant({ datasetId: rivalProduct, ...resale }));
    args.say("demo: it repackages the product as a dataset of its own (naming the product as a parent it holds) and tries again");
    const repackaged = await anchorFile(as(rival), files.repackaged, { title: "Route delays" }, [{ datasetId: rivalProduct }]);
    await refused("laundering the product through a dataset of its own", () => as(rival).grant({ datasetId: repackaged, ...resale }));
    await refused("a use over the quota", () => as(bank).use({ grantId: bankGrant, action: "use", units: 100n }));

    args.say("demo: the city archive objects to the registration of the route study; the research group answers; the arbiter upholds the objection and the route study is retired");
    const objection = (await as(archive).fileObjection({ dataset: rivalProduct }, "the route study sells journeys the research grant covers for research only")).objectionId;
    await as(rival).answerObjection(objection, "the study is research output, published as the grant allows");
    await as(arbiter).ruleOnObjection(objection, true, "upheld: the study is offered for resale, beyond the grant's research purpose");

    args.say("demo: the bureau revokes the research grant (the repackaged copy lapses with it); the preview grant expires by itself in a minute");
    await as(bureau).revoke(rivalGrant);
    await as(archive).use({ grantId: shortGrant, action: "use", units: 1n });

    args.say("demo: the bureau transfers the holding of the weather dataset to the city archive");
    await (await as(bureau).contract.transferHolding(weather, actors.archive)).wait();
    await (await as(archive).contract.acceptHolding(weather)).wait();

    const reportYear = new Date((now + 8 * 3600) * 1000).getUTCFullYear();
    args.say(`demo: the company's yearly disclosure: dpl report --operator ${actors.company} --year ${reportYear} (or GET /v1/disclosures/${actors.company.toLowerCase()}/${reportYear}?format=html)`);
    args.say(`demo: done. Traffic ${traffic}, forecast ${forecast}; files in ${dir}`);
    return {
      actors,
      traffic,
      weather,
      forecast,
      rivalProduct,
      repackaged,
      grants: { traffic: trafficGrant, weather: weatherGrant, rival: rivalGrant, preview: shortGrant, bank: bankGrant },
      files,
      refusals,
      delivered,
      token,
      objection: objection.toString(),
    };
  } finally {
    provider.destroy();
  }
}
