/**
 * Starts the data gateway beside the API: its store under DATA_DIR/gateway, the files of
 * GATEWAY_DIR, the meter, the epochs and their settlement, and its HTTP server. One loop, once a
 * second, closes and seals due epochs and settles sealed ones; the catalogue looks at its folder
 * again every few seconds.
 */
import { randomBytes } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import path from "node:path";

import { Wallet } from "ethers";

import { gatewayDomain } from "../../core/receipts.js";
import { jsonRpcProvider, LedgerClient } from "../../sdk/ledger.js";
import { listen } from "../api/listen.js";
import type { Logger } from "../common/logger.js";
import type { GatewayConfig } from "../config.js";
import { openReader } from "../store/reads.js";
import type { Store } from "../store/store.js";
import { createGatewayApp } from "./app.js";
import { Catalogue } from "./catalogue.js";
import { Epochs } from "./epochs.js";
import { Meter } from "./meter.js";
import { Sessions } from "./sessions.js";
import { Settler } from "./settler.js";
import { GatewayStore } from "./store.js";

export interface Gateway {
  url: string;
  /** The account it signs and settles with. */
  signer: string;
  holder: string;
  /** Closes the open epoch, seals it, and settles what is sealed: what the loop does when epochs fall due. */
  settleNow(): Promise<void>;
  /** Looks at GATEWAY_DIR again now. */
  refresh(): Promise<void>;
  stop(): Promise<void>;
}

const LOOP_MS = 1_000;
const REFRESH_EVERY = 5;

/** The secret tokens are signed with, kept so that sessions survive a restart. */
async function tokenSecret(dir: string): Promise<Uint8Array> {
  const file = path.join(dir, "token.key");
  const kept = await readFile(file, "utf8").catch(() => undefined);
  if (kept && /^[0-9a-f]{64}$/.test(kept.trim())) return Buffer.from(kept.trim(), "hex");
  const secret = randomBytes(32);
  await writeFile(file, secret.toString("hex"), { mode: 0o600 });
  return secret;
}

export async function startGateway(args: {
  config: GatewayConfig & { key: string };
  dataDir: string;
  index: Store;
  rpcUrl: string;
  chainId: number;
  ledger: string;
  headTime: () => number | undefined;
  logger: Logger;
  now?: () => number;
}): Promise<Gateway> {
  const { config, index, logger } = args;
  const now = args.now ?? (() => Math.floor(Date.now() / 1000));
  const dir = path.join(args.dataDir, "gateway");
  await mkdir(dir, { recursive: true });
  await mkdir(config.dir, { recursive: true });
  const signer = new Wallet(config.key, jsonRpcProvider(args.rpcUrl));
  const signerAddress = signer.address.toLowerCase();
  const holder = config.holder ?? signerAddress;
  const ledger = new LedgerClient(args.ledger, signer);
  if (!(await ledger.isMeter(holder, signerAddress))) {
    logger.warn({ msg: `the gateway's key ${signerAddress} is not a meter of ${holder}: it serves, but cannot settle until the holder appoints it (dpl meter appoint ${signerAddress})` });
  }
  const store = await GatewayStore.open(path.join(dir, "store"));
  const domain = gatewayDomain(args.chainId, args.ledger);
  const catalogue = new Catalogue(
    config.dir,
    holder,
    async (hash) => {
      const reader = openReader(index);
      try {
        return await reader.anchors(hash);
      } finally {
        await reader.close();
      }
    },
    logger,
  );
  await catalogue.refresh();
  const epochs = new Epochs(store, { epochSeconds: config.epochSeconds, epochReceipts: config.epochReceipts, now });
  await epochs.resume();
  const settler = new Settler({ store, index, ledger, holder, logger, now });
  const meter = new Meter({ store, epochs, index, holder, signer, domain, now, headTime: args.headTime, backlog: () => settler.backlog(), maxBacklog: config.maxBacklog });
  await meter.restore();
  const sessions = new Sessions(store, await tokenSecret(dir), domain, signerAddress, now);
  const app = createGatewayApp({
    catalogue,
    meter,
    sessions,
    store,
    logger,
    signInsPerMinute: config.signInsPerMinute,
    about: { gateway: signerAddress, holder, ledger: args.ledger, chainId: args.chainId },
  });
  const server: Server = await listen(app, { port: config.port, host: config.host, maxConnections: config.maxConnections, logger });
  const address = server.address() as { address: string; port: number };

  let stopped = false;
  let passes = 0;
  const pass = async () => {
    await epochs.tick();
    await settler.settleOnce();
    if (++passes % REFRESH_EVERY === 0) await catalogue.refresh();
    if (passes % 60 === 0) await store.purgeNonces(now());
  };
  let running = Promise.resolve();
  const loop = setInterval(() => {
    // One pass at a time: a slow chain makes passes wait, never overlap.
    running = running.then(pass).catch((error) => logger.error({ msg: "the gateway's epoch loop failed; it runs again in a second", err: error }));
  }, LOOP_MS);

  return {
    url: `http://${address.address}:${address.port}`,
    signer: signerAddress,
    holder,
    async settleNow() {
      running = running.then(async () => {
        await epochs.closeAndSeal();
        await settler.settleOnce();
      });
      await running;
    },
    refresh: () => catalogue.refresh(),
    async stop() {
      if (stopped) return;
      stopped = true;
      clearInterval(loop);
      await running;
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
      signer.provider?.destroy();
      await store.close();
    },
  };
}
