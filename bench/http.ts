/**
 * What the HTTP benchmarks share: autocannon run in its own process against a URL, an API served on
 * loopback from an index built by the benchmark, and a bare Express endpoint to compare with.
 */
import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import type { Server } from "node:http";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";

import express from "express";

import { createApp } from "../server/api/app.js";
import { listen } from "../server/api/listen.js";
import { createMetrics } from "../server/api/metrics.js";
import { createLogger } from "../server/common/logger.js";
import type { Store } from "../server/store/store.js";

const run = promisify(execFile);
const here = path.dirname(fileURLToPath(import.meta.url));

/** What one route gave under load. */
export interface Measured {
  reqPerSec: number;
  p50Ms: number;
  p99Ms: number;
  errors: number;
}

/** autocannon against `url`: `connections` clients for `seconds`, with `headers` ("name=value"). */
export async function load(url: string, args: { connections: number; seconds: number; headers?: string[] }): Promise<Measured> {
  const bin = path.join(here, "../node_modules/.bin/autocannon");
  const headers = (args.headers ?? []).flatMap((h) => ["-H", h]);
  const { stdout } = await run(bin, ["-j", "-c", String(args.connections), "-d", String(args.seconds), ...headers, url], { maxBuffer: 64 * 1024 * 1024 });
  return measured(JSON.parse(stdout));
}

/** autocannon's result against `paths` of `base`, each request the next of them in a shuffled order (load-client.ts). */
export async function loadClient(base: string, paths: string[], args: { connections: number; seconds: number }): Promise<any> {
  const dir = await mkdtemp(path.join(tmpdir(), "dpl-paths-"));
  try {
    const file = path.join(dir, "paths.json");
    await writeFile(file, JSON.stringify(paths));
    const client = path.join(here, "load-client.ts");
    const { stdout } = await run(process.execPath, ["--import", "tsx", client, base, String(args.seconds), String(args.connections), file], { maxBuffer: 64 * 1024 * 1024 });
    return JSON.parse(stdout);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/** `loadClient`'s figures. */
export const loadPaths = async (base: string, paths: string[], args: { connections: number; seconds: number }): Promise<Measured> => measured(await loadClient(base, paths, args));

const measured = (r: { requests: { average: number }; latency: { p50: number; p99: number }; errors: number; timeouts?: number; non2xx: number }): Measured => ({
  reqPerSec: Math.round(r.requests.average),
  p50Ms: r.latency.p50,
  p99Ms: r.latency.p99,
  errors: r.errors + (r.timeouts ?? 0) + r.non2xx,
});

/** A server on loopback and its base URL. */
export interface Served {
  server: Server;
  url: string;
}

const urlOf = (server: Server) => `http://127.0.0.1:${(server.address() as { port: number }).port}`;

/** The API over `store`, with the chain's head fixed at `head` (its number and time); `apiCacheMb` as API_CACHE_MB. */
export async function serveIndex(store: Store, head: { number: number; timestamp: number; events: number }, apiCacheMb?: number): Promise<Served> {
  const { app } = createApp({
    store,
    chain: { head: () => ({ number: head.number, timestamp: head.timestamp }), lastError: () => undefined },
    config: { finalityDepth: 64, confirmations: 0, corsOrigins: [], verifyMaxBytes: 1024, apiCacheMb },
    logger: createLogger({ level: "silent", pretty: false }),
    metrics: createMetrics(async () => ({ head: head.number, indexed: head.number, events: head.events, reorgs: 0 })),
  });
  const server = await listen(app, { port: 0, host: "127.0.0.1" });
  return { server, url: urlOf(server) };
}

/** A bare Express endpoint (`/bare`), the floor every route is compared with. */
export async function serveBare(): Promise<Served> {
  const bare = express();
  bare.get("/bare", (_req, res) => {
    res.json({ ok: true, value: 42 });
  });
  const server = await listen(bare, { port: 0, host: "127.0.0.1" });
  return { server, url: urlOf(server) };
}
