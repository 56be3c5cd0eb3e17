/**
 * The living demo `npm start` loads on a fresh embedded chain (never on another network; DEMO=0
 * skips it): a city data bureau shares traffic and weather data with a data service company, which
 * builds a congestion forecast and licenses it to a bank; the ledger refuses what the rules forbid.
 * Every step is a real transaction from a development account, made through the client library
 * (sdk/); the CSV files are written to DATA_DIR/demo and anchored exactly as `dpl anchor` anchors them.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { JsonRpcProvider, type Signer } from "ethers";

import { buildRecordTree, devAccount, fingerprint, type GrantArgs, GatewayClient, GatewayError, LedgerClient, LedgerRefusedError, type Parent, type RightName, verifyRecords } from "../sdk/index.js";

export interface DemoActors {
  bureau: string;
  company: string;
  bank: string;
  rival: string;
  archive: string;
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

export async function runDemo(args: { rpcUrl: string; ledger: string; dataDir: string; servedDir?: string; gateway?: DemoGateway; say: (line: string) => void }): Promise<DemoResult> {
  // No response cache: back-to-back transactions from one account must each see the latest nonce.
  const provider = new JsonRpcProvider(args.rpcUrl, undefined, { batchMaxCount: 1, cacheTimeout: -1 });
  try {
    const [bureau, company, bank, rival, archive] = [1, 2, 3, 4, 5].map((i) => demoSigner(provider, i));
    const as = (signer: Signer) => new LedgerClient(args.ledger, signer);
    const actors: DemoActors = {
      bureau: await bureau.getAddress(),
      company: await company.getAddress(),
      bank: await bank.getAddress(),
      rival: await rival.getAddress(),
      archive: await archive.getAddress(),
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

    args.say("demo: the bureau grants the data service company processing and product-operation rights, for forecasting, 500 units each");
    const rights: RightName[] = ["use", "process", "operate-product"];
    const trafficGrant = await grantOf(as(bureau), { datasetId: traffic, grantee: actors.company, rights, purpose: "congestion forecasting", validFrom: now, validUntil: year, quota: 500n });
    const weatherGrant = await grantOf(as(bureau), { datasetId: weather, grantee: actors.company, rights, purpose: "congestion forecasting", validFrom: now, validUntil: year, quota: 500n });
    const rivalGrant = await grantOf(as(bureau), {
      datasetId: traffic,
      grantee: actors.rival,
      rights: ["use", "process"],
      purpose: "route planning research",
      validFrom: now,
      validUntil: year,
      quota: 100n,
    });
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

    args.say("demo: the company licenses the forecast to the bank (its upstream grants carry the product-operation right)");
    const bankGrant = await grantOf(as(company), {
      datasetId: forecast,
      grantee: actors.bank,
      rights: ["use"],
      purpose: "credit risk of logistics clients",
      validFrom: now,
      validUntil: year,
      quota: 50n,
    });
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

    args.say("demo: the bureau revokes the research grant (the route study and its repackaged copy lapse with it); the preview grant expires by itself in a minute");
    await as(bureau).revoke(rivalGrant);
    await as(archive).use({ grantId: shortGrant, action: "use", units: 1n });

    args.say("demo: the bureau transfers the holding of the weather dataset to the city archive");
    await (await as(bureau).contract.transferHolding(weather, actors.archive)).wait();
    await (await as(archive).contract.acceptHolding(weather)).wait();

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
    };
  } finally {
    provider.destroy();
  }
}
