/**
 * A holder's data gateway on a real chain and index, for tests: anvil, a ledger, a CSV file the
 * holder anchored (its records split and its root built here, as `dpl anchor` does), the index and
 * API, and the gateway serving the file from its folder with the holder's key.
 */
import { copyFile, mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { devAccount } from "../../core/ids.js";
import { fingerprint } from "../../core/manifest.js";
import { buildRecordTree } from "../../core/merkle.js";
import { type Gateway, startGateway } from "../../server/gateway/gateway.js";
import type { Logger } from "../../server/common/logger.js";
import { startAnvil, type TestChain } from "./chain.js";
import { closeAll, freshLedger, type IndexedApi, indexAndServe, type LedgerOnChain, quietLogger, tempDir } from "./system.js";

export const ROADS = ["Ring Road N", "Harbour Ave", "Station St"];
export const ROWS = 90;
export const CSV = `time,road,vehicles\n${Array.from({ length: ROWS }, (_, i) => `2026-11-${10 + (i % 20)}T00:00Z,${ROADS[i % 3]},${100 + i}`).join("\n")}\n`;
/** The records as written: every line after the header. */
export const LINES = CSV.trimEnd().split("\n").slice(1);

export interface ServedLedger {
  chain: TestChain;
  ledger: LedgerOnChain;
  api: IndexedApi;
  gateway: Gateway;
  dataDir: string;
  servedDir: string;
  datasetId: string;
  anchoredRoot: string;
  /** Starts the gateway again on the same store (after `gateway.stop()`). */
  restart(): Promise<Gateway>;
  close(): Promise<void>;
}

/**
 * Anvil, a ledger whose holder (development account 1) anchored CSV, its index, and its gateway;
 * `gatewayRpc` puts something (a faulty proxy) between the gateway and the chain.
 */
export async function servedLedger(
  logger: Logger = quietLogger(),
  options: { gatewayRpc?: (chainUrl: string) => Promise<string>; maxBacklog?: number; key?: string; holder?: string; now?: () => number; signInsPerMinute?: number } = {},
): Promise<ServedLedger> {
  const { chain, ledger } = await freshLedger(startAnvil);
  const dataDir = await tempDir("gateway");
  const servedDir = path.join(dataDir, "served");
  await mkdir(servedDir, { recursive: true });
  const file = path.join(await tempDir("gateway-files"), "traffic.csv");
  await writeFile(file, CSV);
  const fp = await fingerprint(file, undefined);
  const anchoredRoot = (await buildRecordTree(fp.recordHashes)).root;
  await (await ledger.ledger.connect(ledger.holder).register(fp.sha256, anchoredRoot, fp.recordHashes.length, "", [])).wait();
  const datasetId = (await ledger.ledger.computeDatasetId(ledger.holder.address, fp.sha256)).toLowerCase();
  const api = await indexAndServe({ chain, ledger });
  await api.indexer.syncOnce();
  await copyFile(file, path.join(servedDir, "traffic.csv"));
  const rpcUrl = options.gatewayRpc ? await options.gatewayRpc(chain.url) : chain.url;
  const start = () =>
    startGateway({
      config: {
        enabled: true,
        port: 0,
        host: "127.0.0.1",
        key: options.key ?? devAccount(1).privateKey,
        holder: options.holder,
        dir: servedDir,
        epochSeconds: 3600,
        epochReceipts: 100_000,
        maxBacklog: options.maxBacklog ?? 10,
        // Tests sign in often from one address; the limit itself has its own test.
        signInsPerMinute: options.signInsPerMinute ?? 10_000,
        maxConnections: 256,
      },
      dataDir,
      index: api.store,
      rpcUrl,
      chainId: ledger.chainId,
      ledger: ledger.address,
      headTime: () => api.indexer.status().head?.timestamp,
      logger,
      now: options.now,
    });
  const served: ServedLedger = {
    chain,
    ledger,
    api,
    gateway: await start(),
    dataDir,
    servedDir,
    datasetId,
    anchoredRoot,
    async restart() {
      served.gateway = await start();
      return served.gateway;
    },
    close: () => closeAll({ close: () => served.gateway.stop() }, api, ledger, chain),
  };
  return served;
}
