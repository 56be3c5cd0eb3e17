/**
 * The provenance API: Express 5, JSON under /v1. Each route is declared once, with the zod schemas
 * that validate its request; the OpenAPI document is generated from the same declarations. Every
 * read goes through one LevelDB snapshot and says at which indexed block it was read. The last
 * middleware turns every error into `{ error: { code, message } }`: a client never sees a stack trace.
 */
import { createHash } from "node:crypto";

import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import cors from "cors";
import express, { type NextFunction, type Request, type Response } from "express";
import { rateLimit } from "express-rate-limit";
import helmet from "helmet";
import { z } from "zod";

import { DplError, InvalidInputError, NotFoundError, RetryableError, StoreError } from "../../core/errors.js";
import type { Logger } from "../common/logger.js";
import type { Config } from "../config.js";
import { InvalidCursorError, openReader, type Page, type Reader, type StoredItem } from "../store/reads.js";
import type { RolesRecord } from "../store/records.js";
import { exhaustedResources, isResourceExhaustion, isStorageFault, type Store } from "../store/store.js";
import type { ApiMetrics } from "./metrics.js";
import { renderDocs } from "./docs.js";
import { serveExplorer } from "./explorer.js";
import { buildProv } from "./prov.js";
import * as S from "./schemas.js";
import { type Finality, type Views, viewsOf, withFinality } from "./views.js";
import { settleDelay } from "../store/reduce.js";

/** What the API needs to know of the chain beyond the index: the indexer's last look at the head. */
export interface ChainView {
  head(): { number: number; timestamp: number } | undefined;
  lastError(): string | undefined;
  /** Why the indexer stopped for good, when it has: the API keeps serving the index as it was. */
  stalled?(): string | undefined;
  /** Calls `listener` after each committed range ("applied") and rollback ("reorg"); returns an unsubscribe. */
  subscribe?(listener: (kind: "applied" | "reorg", data: unknown) => void): () => void;
}

export interface ApiDeps {
  store: Store;
  chain: ChainView;
  config: Pick<Config, "finalityDepth" | "confirmations" | "corsOrigins" | "verifyMaxBytes"> &
    Partial<Pick<Config, "rateLimit" | "rateWindowS" | "trustProxy" | "eventsMaxStreams" | "eventsMaxPerClient">>;
  logger: Logger;
  metrics: ApiMetrics;
}

class PayloadTooLargeError extends DplError {
  constructor(limit: number) {
    super("payload_too_large", `the body is larger than the ${limit} bytes this server accepts (VERIFY_MAX_BYTES)`);
  }
}

/** A live event stream over the cap: 429 for one client's own cap, 503 when the server is full. */
class TooManyStreamsError extends DplError {
  constructor(
    readonly status: 429 | 503,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

class UnsupportedMediaTypeError extends DplError {
  constructor(type: string | undefined) {
    super("unsupported_media_type", `send the file's bytes with Content-Type: application/octet-stream, not ${type ?? "without one"}`);
  }
}

/** A known path asked with a method it does not take: 405, with the methods it does take in Allow. */
class MethodNotAllowedError extends DplError {
  constructor(
    method: string,
    readonly allow: string[],
  ) {
    super("method_not_allowed", `${method} is not allowed here; use ${allow.join(" or ")}`);
  }
}

interface RouteContext<P, Q> {
  params: P;
  query: Q;
  reader: Reader;
  finality: Finality;
  /** Records as this answer shows them, at this head. */
  view: Views;
  readAt: { number: number; hash: string };
  req: Request;
}

interface RouteDef<P extends z.ZodType, Q extends z.ZodType> {
  method: "get" | "post";
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: { contentType: string; description: string };
  response: z.ZodType;
  notFound?: string;
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>>) => Promise<unknown>;
}

/** One sentence from a zod failure: "query parameter limit must be at most 500". */
function describeIssue(where: "path parameter" | "query parameter", error: z.ZodError, input: Record<string, unknown>): string {
  const issue = error.issues[0];
  if (issue.code === "unrecognized_keys") return `unknown ${where}${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
  const name = issue.path.join(".") || "value";
  const missing = issue.path.length === 1 && input[String(issue.path[0])] === undefined;
  return `${where} ${name} ${missing ? "is required" : issue.message}`;
}

function parse<T extends z.ZodType>(schema: T | undefined, value: Record<string, unknown>, where: "path parameter" | "query parameter"): z.output<T> {
  if (!schema) return {} as z.output<T>;
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(describeIssue(where, result.error, value));
  return result.data;
}

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

/** A page of records as the API answers it: where it was read, the items' views, the next cursor. */
function pageAnswer<T, V>(readAt: { number: number; hash: string }, page: Page<T>, view: (item: T) => V) {
  return { readAt, items: page.items.map(view), next: page.next };
}

/** An answer already written as JSON: sent as it is. */
class JsonText {
  constructor(readonly text: string) {}
}

/**
 * The same page as `pageAnswer` gives for uses and activity, written from the items as stored, each
 * with its finality added: no parsing, no building, no stringifying of the items.
 */
function storedPageAnswer(readAt: { number: number; hash: string }, page: Page<StoredItem>, finality: Finality): JsonText {
  let items = "";
  for (const item of page.items) items += (items === "" ? "" : ",") + withFinality(item.json, item.block, finality);
  return new JsonText(`{"readAt":${JSON.stringify(readAt)},"items":[${items}],"next":${JSON.stringify(page.next)}}`);
}

/** `value`, or a 404 with `code` and `message` when it is missing. */
function found<T>(value: T | undefined, code: string, message: string): T {
  if (value === undefined) throw new NotFoundError(message, code);
  return value;
}

export function createApp(deps: ApiDeps): { app: express.Express; openapi: unknown } {
  const { store, chain, config, metrics } = deps;
  const logger = deps.logger.child({ stage: "api" });
  const app = express();
  const registry = new OpenAPIRegistry();
  app.disable("x-powered-by");
  // Answers change with every block: an ETag would cost a hash of every body and rarely match.
  app.set("etag", false);
  app.set("query parser", "simple");
  // Who the client is: the socket's peer, unless TRUST_PROXY names the proxies whose X-Forwarded-For to believe.
  app.set("trust proxy", config.trustProxy ?? false);
  // The explorer's hashing runs in WebAssembly, which a CSP must allow by name; nothing else is relaxed.
  app.use(helmet({ contentSecurityPolicy: { directives: { "script-src": ["'self'", "'wasm-unsafe-eval'"] } } }));
  if (config.corsOrigins.length > 0) app.use(cors({ origin: config.corsOrigins.includes("*") ? true : config.corsOrigins }));
  // One finish handler per request does both the latency metric and the request log (a 5xx as an
  // error, a 4xx at info, the rest at debug); pino-http cost a fifth of the throughput of a lookup.
  app.use((req, res, next) => {
    const started = process.hrtime.bigint();
    res.once("finish", () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ? `${req.baseUrl}${req.route.path}` : "unmatched";
      const status = res.statusCode;
      metrics.httpDuration.observe({ method: req.method, route, status: String(status) }, seconds);
      const level = status >= 500 ? "error" : status >= 400 ? "info" : "debug";
      if (logger.isLevelEnabled(level)) logger[level]({ msg: "request", method: req.method, url: req.originalUrl, status, ms: Math.round(seconds * 1e4) / 10 });
    });
    next();
  });

  async function finalityOf(reader: Reader): Promise<{ finality: Finality; readAt: { number: number; hash: string } }> {
    const state = await reader.state();
    if (!state) throw new RetryableError("index_not_ready", "the index has not been built yet; try again in a moment");
    const head = chain.head();
    return {
      finality: { head: Math.max(head?.number ?? state.cursor.number, state.cursor.number), headTime: head?.timestamp ?? Math.floor(Date.now() / 1000), finalityDepth: config.finalityDepth },
      readAt: { number: state.cursor.number, hash: state.cursor.hash },
    };
  }

  function route<P extends z.ZodType, Q extends z.ZodType>(def: RouteDef<P, Q>): void {
    registry.registerPath({
      method: def.method,
      path: toOpenApiPath(def.path),
      summary: def.summary,
      tags: [def.tag],
      request: {
        ...(def.params ? { params: def.params as never } : {}),
        ...(def.query ? { query: def.query as never } : {}),
        ...(def.body ? { body: { description: def.body.description, content: { [def.body.contentType]: { schema: { type: "string", format: "binary" } } } } } : {}),
      },
      responses: {
        200: { description: "OK", content: { "application/json": { schema: def.response } } },
        400: { description: "Malformed request", content: { "application/json": { schema: S.ErrorBody } } },
        ...(def.notFound ? { 404: { description: def.notFound, content: { "application/json": { schema: S.ErrorBody } } } } : {}),
      },
    });
    app[def.method](def.path, async (req: Request, res: Response) => {
      const params = parse(def.params, req.params, "path parameter");
      const query = parse(def.query, req.query as Record<string, unknown>, "query parameter");
      const reader = openReader(store);
      try {
        const { finality, readAt } = await finalityOf(reader);
        const answer = await def.handler({ params, query, reader, finality, view: viewsOf(reader, finality), readAt, req });
        if (answer instanceof JsonText) res.set("Content-Type", "application/json; charset=utf-8").send(answer.text);
        else res.json(answer);
      } finally {
        await reader.close();
      }
    });
  }

  // ---- service endpoints -----------------------------------------------------------------------

  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });
  app.get("/ready", async (_req, res) => {
    const damaged = store.damaged;
    if (damaged) return res.status(503).json({ error: { code: damaged.code, message: damaged.message } });
    const stalled = chain.stalled?.();
    if (stalled) return res.status(503).json({ error: { code: "index_stalled", message: stalled } });
    const state = await store.state();
    const ready = state !== undefined && chain.lastError() === undefined;
    res.status(ready ? 200 : 503).json(ready ? { ready: true, indexed: state.cursor.number } : { error: { code: "not_ready", message: chain.lastError() ?? "the index has not been built yet" } });
  });
  app.get("/metrics", async (_req, res) => {
    res.type(metrics.registry.contentType).send(await metrics.registry.metrics());
  });

  // ---- /v1 -------------------------------------------------------------------------------------

  if (config.rateLimit) {
    const windowS = config.rateWindowS ?? 60;
    app.use("/v1", rateLimiter(config.rateLimit, windowS, "requests"));
    // The answers that cost the most weigh more: each also spends from a budget of their own,
    // RATE_LIMIT divided by their weight (README, Configuration).
    for (const [method, path, weight, what] of EXPENSIVE_ROUTES) {
      app[method](path, rateLimiter(Math.max(1, Math.floor(config.rateLimit / weight)), windowS, `${what} (each weighs ${weight} requests)`));
    }
  }
  // Once a read finds the index damaged, nothing more is served from it: every answer says how to rebuild it.
  app.use("/v1", (_req, _res, next) => next(store.damaged));

  /** How often an idle event stream sends a comment, so that proxies keep it open. */
  const KEEPALIVE_MS = 15_000;
  // Each stream holds a socket, hence a file descriptor, for as long as the client likes: bounded per
  // client and in all, so that streams can never take the descriptors the index and other clients need.
  const maxStreams = config.eventsMaxStreams ?? 128;
  const maxPerClient = config.eventsMaxPerClient ?? 8;
  const streamsByClient = new Map<string, number>();
  let streams = 0;
  registry.registerPath({
    method: "get",
    path: "/v1/events",
    summary: "Server-sent events: `applied` after each indexed range ({ from, to, events, indexed, digest }), `reorg` after each rollback",
    tags: ["status"],
    responses: { 200: { description: "text/event-stream", content: { "text/event-stream": { schema: { type: "string" } } } } },
  });
  app.get("/v1/events", (req, res) => {
    if (Object.keys(req.query).length > 0) throw new InvalidInputError(`unknown query parameter '${Object.keys(req.query)[0]}'`);
    if (!chain.subscribe) throw new NotFoundError("this server has no live event stream", "route_not_found");
    const client = req.ip ?? "unknown";
    const mine = streamsByClient.get(client) ?? 0;
    if (mine >= maxPerClient) {
      metrics.eventStreamsRefused.inc({ reason: "per_client" });
      throw new TooManyStreamsError(429, "too_many_streams", `this client already holds ${maxPerClient} live event streams (EVENTS_MAX_PER_CLIENT); close one before opening another`);
    }
    if (streams >= maxStreams) {
      metrics.eventStreamsRefused.inc({ reason: "total" });
      throw new TooManyStreamsError(503, "streams_full", `the server already holds its ${maxStreams} live event streams (EVENTS_MAX_STREAMS); try again later`);
    }
    streams++;
    streamsByClient.set(client, mine + 1);
    metrics.eventStreams.set(streams);
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache", connection: "keep-alive", "x-accel-buffering": "no" });
    res.write(": dpl events\n\n");
    const unsubscribe = chain.subscribe((kind, data: any) => {
      const payload = kind === "applied" ? { from: data.from, to: data.to, events: data.events, indexed: data.state.cursor, digest: data.state.digest, total: data.state.events } : data;
      res.write(`event: ${kind}\ndata: ${JSON.stringify(payload)}\n\n`);
    });
    const keepalive = setInterval(() => res.write(": keepalive\n\n"), KEEPALIVE_MS);
    req.on("close", () => {
      clearInterval(keepalive);
      unsubscribe();
      streams--;
      const left = (streamsByClient.get(client) ?? 1) - 1;
      if (left === 0) streamsByClient.delete(client);
      else streamsByClient.set(client, left);
      metrics.eventStreams.set(streams);
    });
  });

  route({
    method: "get",
    path: "/v1/status",
    summary: "Chain, ledger, head, indexed block, lag, event count, state digest and reorganisations seen",
    tag: "status",
    query: S.EmptyQuery,
    response: S.Status,
    handler: async ({ reader, finality, view }) => {
      const state = (await reader.state())!;
      const head = chain.head()?.number ?? null;
      return {
        chainId: reader.identity.chainId,
        ledger: reader.identity.ledger,
        deployBlock: reader.identity.deployBlock,
        head,
        indexed: state.cursor,
        lag: head === null ? null : Math.max(0, head - state.cursor.number),
        events: state.events,
        digest: state.digest,
        reorgs: state.reorgs,
        paused: await reader.paused(),
        roles: rolesView(await reader.roles(), finality.headTime, view.evidence),
        confirmations: config.confirmations,
        finalityDepth: finality.finalityDepth,
        lastError: chain.lastError() ?? null,
        stalled: chain.stalled?.() ?? null,
      };
    },
  });

  route({
    method: "get",
    path: "/v1/datasets",
    summary: "Datasets, newest first: all of them, or those an account holds now",
    tag: "datasets",
    query: S.DatasetsQuery,
    response: S.pageOf(S.Dataset, "DatasetPage"),
    handler: async ({ query, reader, view, readAt }) => {
      const page = await reader.datasets(query);
      return pageAnswer(readAt, page, view.dataset);
    },
  });

  const datasetOr404 = async (reader: Reader, id: string) => found(await reader.dataset(id), "dataset_not_found", `no dataset ${id} is anchored on this ledger`);
  /** A 404 unless the dataset exists, without reading its record: for lists under it. */
  const requireDataset = (reader: Reader, id: string) => found(reader.has("datasets", id) || undefined, "dataset_not_found", `no dataset ${id} is anchored on this ledger`);

  route({
    method: "get",
    path: "/v1/datasets/:id",
    summary: "One dataset: holder, hashes, record count, metadata, parents, versions, status and evidence",
    tag: "datasets",
    params: S.IdParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, dataset: S.Dataset }),
    notFound: "No such dataset",
    handler: async ({ params, reader, view, readAt }) => ({ readAt, dataset: view.dataset(await datasetOr404(reader, params.id)) }),
  });

  const anchorsAnswer = async (reader: Reader, contentHash: string, view: Views, readAt: { number: number; hash: string }) => {
    const anchors = await reader.anchors(contentHash);
    if (anchors.length === 0) throw new NotFoundError(`content ${contentHash} was never anchored on this ledger`, "not_anchored");
    return { readAt, contentHash, anchors: anchors.map(view.dataset) };
  };
  const Anchors = z.object({ readAt: S.ReadAt, contentHash: z.string(), anchors: z.array(S.Dataset) }).meta({ id: "Anchors" });

  route({
    method: "get",
    path: "/v1/verify/:contentHash",
    summary: "Every anchor of a content hash (SHA-256 of the file), in block order",
    tag: "verify",
    params: S.ContentHashParams,
    query: S.EmptyQuery,
    response: Anchors,
    notFound: "Never anchored",
    handler: ({ params, reader, view, readAt }) => anchorsAnswer(reader, params.contentHash, view, readAt),
  });

  route({
    method: "post",
    path: "/v1/verify",
    summary: "Hashes the raw file sent as the body (SHA-256, while it streams) and returns every anchor of it",
    tag: "verify",
    query: S.EmptyQuery,
    body: { contentType: "application/octet-stream", description: "The file's bytes" },
    response: Anchors,
    notFound: "Never anchored",
    handler: async ({ req, reader, view, readAt }) => {
      // No Content-Type is refused too: a plain HTML form or fetch() from any page can send a body
      // without one (a "simple" request, with no CORS preflight), so a visitor's browser could be
      // made to push a gigabyte here; a page cannot send application/octet-stream without asking.
      const type = req.headers["content-type"]?.split(";")[0].trim().toLowerCase();
      if (type !== "application/octet-stream") throw new UnsupportedMediaTypeError(type);
      const declared = Number(req.headers["content-length"] ?? 0);
      if (declared > config.verifyMaxBytes) throw new PayloadTooLargeError(config.verifyMaxBytes);
      const hash = createHash("sha256");
      let size = 0;
      for await (const chunk of req as AsyncIterable<Buffer>) {
        size += chunk.length;
        if (size > config.verifyMaxBytes) throw new PayloadTooLargeError(config.verifyMaxBytes);
        hash.update(chunk);
      }
      return anchorsAnswer(reader, "0x" + hash.digest("hex"), view, readAt);
    },
  });

  route({
    method: "get",
    path: "/v1/datasets/:id/grants",
    summary: "Grants on a dataset, newest first, each with its status at the chain head's time",
    tag: "grants",
    params: S.IdParams,
    query: S.PageQuery,
    response: S.pageOf(S.Grant, "GrantPage"),
    notFound: "No such dataset",
    handler: async ({ params, query, reader, view, readAt }) => {
      await datasetOr404(reader, params.id);
      const page = await reader.grantsOfDataset(params.id, query);
      return pageAnswer(readAt, page, view.grant);
    },
  });

  const grantOr404 = async (reader: Reader, id: string) => found(await reader.grant(id), "grant_not_found", `no grant ${id} was issued on this ledger`);
  const requireGrant = (reader: Reader, id: string) => found(reader.has("grants", id) || undefined, "grant_not_found", `no grant ${id} was issued on this ledger`);

  route({
    method: "get",
    path: "/v1/grants/:id",
    summary: "One grant: rights, purpose, window, quota, used, remaining and status",
    tag: "grants",
    params: S.IdParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, grant: S.Grant }),
    notFound: "No such grant",
    handler: async ({ params, reader, view, readAt }) => ({ readAt, grant: view.grant(await grantOr404(reader, params.id)) }),
  });

  route({
    method: "get",
    path: "/v1/grants/:id/products",
    summary: "Datasets that rest on a grant (it is in their licence): what its revocation, renunciation or expiry stops, oldest first",
    tag: "grants",
    params: S.IdParams,
    query: S.PageQuery,
    response: S.pageOf(S.Dataset, "DatasetPage"),
    notFound: "No such grant",
    handler: async ({ params, query, reader, view, readAt }) => {
      await grantOr404(reader, params.id);
      return pageAnswer(readAt, await reader.productsOfLicence(params.id, query), view.dataset);
    },
  });

  route({
    method: "get",
    path: "/v1/grants/:id/usage",
    summary: "Uses recorded under one grant, newest first",
    tag: "usage",
    params: S.IdParams,
    query: S.PageQuery,
    response: S.pageOf(S.Usage, "UsagePage"),
    notFound: "No such grant",
    handler: async ({ params, query, reader, finality, readAt }) => {
      requireGrant(reader, params.id);
      return storedPageAnswer(readAt, await reader.storedUsageOfGrant(params.id, query), finality);
    },
  });

  route({
    method: "get",
    path: "/v1/datasets/:id/usage",
    summary: "Uses of a dataset, newest first; optionally by one grantee and between two block times",
    tag: "usage",
    params: S.IdParams,
    query: S.UsageQuery,
    response: S.pageOf(S.Usage, "UsagePage"),
    notFound: "No such dataset",
    handler: async ({ params, query, reader, view, finality, readAt }) => {
      requireDataset(reader, params.id);
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) throw new InvalidInputError("query parameter from must not be later than to");
      if (query.grantee === undefined && query.from === undefined && query.to === undefined) return storedPageAnswer(readAt, await reader.storedUsageOfDataset(params.id, query), finality);
      const page = await reader.usageOfDataset(params.id, query);
      return pageAnswer(readAt, page, view.usage);
    },
  });

  route({
    method: "get",
    path: "/v1/datasets/:id/lineage",
    summary: "The derivation graph around a dataset (ancestors or descendants), breadth-first, depth-limited and cycle-safe, a page of datasets at a time",
    tag: "lineage",
    params: S.IdParams,
    query: S.LineageQuery,
    response: z.object({
      readAt: S.ReadAt,
      root: z.string(),
      direction: z.enum(["ancestors", "descendants"]),
      depth: z.number().int(),
      truncated: z.boolean(),
      nodes: z.array(S.Dataset),
      edges: z.array(z.object({ parent: z.string(), child: z.string(), grantId: z.string().nullable() })).meta({ description: "Each edge once, on the page of its later-found end" }),
      next: z.string().nullable().meta({ description: "Pass back as cursor for the next page of datasets; null on the last" }),
    }),
    notFound: "No such dataset",
    handler: async ({ params, query, reader, view, readAt }) => {
      await datasetOr404(reader, params.id);
      const graph = await reader.lineage(params.id, query);
      return {
        readAt,
        root: graph.root,
        direction: query.direction,
        depth: query.depth,
        truncated: graph.truncated,
        nodes: graph.nodes.map(view.dataset),
        edges: graph.edges.map((e) => ({ ...e, grantId: /^0x0+$/.test(e.grantId) ? null : e.grantId })),
        next: graph.next,
      };
    },
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/activity",
    summary: "Everything an account did or received, newest first",
    tag: "accounts",
    params: S.AddressParams,
    query: S.PageQuery,
    response: S.pageOf(S.Activity, "ActivityPage"),
    handler: async ({ params, query, reader, finality, readAt }) => storedPageAnswer(readAt, await reader.storedActivity(params.address, query), finality),
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/grants",
    summary: "Grants an account received (role=grantee, the default) or gave (role=grantor), newest first",
    tag: "accounts",
    params: S.AddressParams,
    query: S.PageQuery.extend({ role: z.enum(["grantee", "grantor"], { error: "must be grantee or grantor" }).default("grantee") }),
    response: S.pageOf(S.Grant, "GrantPage"),
    handler: async ({ params, query, reader, view, readAt }) => {
      const page = query.role === "grantor" ? await reader.grantsOfGrantor(params.address, query) : await reader.grantsOfGrantee(params.address, query);
      return pageAnswer(readAt, page, view.grant);
    },
  });

  /** The most of each kind one PROV document carries: the newest uses and grants, the nearest ancestors. */
  const PROV_MAX = { uses: 5_000, grants: 5_000, ancestors: 2_000 };

  route({
    method: "get",
    path: "/v1/datasets/:id/prov",
    summary: "The dataset's lineage (ancestors) and usage as a W3C PROV-JSON document",
    tag: "lineage",
    params: S.IdParams,
    query: S.EmptyQuery,
    response: z.record(z.string(), z.unknown()).meta({ id: "ProvJson", description: "W3C PROV-JSON" }),
    notFound: "No such dataset",
    handler: async ({ params, reader, req }) => {
      const dataset = await datasetOr404(reader, params.id);
      const lineage = await reader.lineage(params.id, { direction: "ancestors", depth: 32, limit: PROV_MAX.ancestors });
      const grants = [];
      let grantsNext: string | null = null;
      for (let cursor: string | undefined; grants.length < PROV_MAX.grants; ) {
        const page = await reader.grantsOfDataset(params.id, { limit: Math.min(500, PROV_MAX.grants - grants.length), cursor });
        grants.push(...page.items);
        grantsNext = page.next;
        if (page.next === null) break;
        cursor = page.next;
      }
      const usage = await reader.usageOfDataset(params.id, { limit: PROV_MAX.uses });
      const licences = reader.licenceFacts(dataset).map((l) => l.grant);
      // A document cut short says so, and where the rest is: never a silent stop.
      const base = `/v1/datasets/${params.id}`;
      const cut: Record<string, string> = {};
      if (usage.next) cut.uses = `the ${PROV_MAX.uses} newest uses; the rest: ${base}/usage?cursor=${usage.next}`;
      if (grantsNext) cut.grants = `the ${PROV_MAX.grants} newest grants; the rest: ${base}/grants?cursor=${grantsNext}`;
      if (lineage.next) cut.ancestors = `the ${PROV_MAX.ancestors} nearest ancestors; the rest: ${base}/lineage?direction=ancestors&depth=32&cursor=${lineage.next}`;
      if (lineage.truncated) cut.generations = `32 generations of ancestors; the rest: the PROV of the oldest ones shown`;
      if (Object.keys(cut).length > 0) req.res!.set("X-Dpl-Truncated", Object.keys(cut).join(", "));
      const versions = { previous: dataset.previousVersion ? await reader.dataset(dataset.previousVersion) : undefined, next: dataset.nextVersion ? await reader.dataset(dataset.nextVersion) : undefined };
      return buildProv({ chainId: reader.identity.chainId, ledger: reader.identity.ledger, dataset, lineage, grants, licences, versions, usage: usage.items, cut });
    },
  });

  const openapi = new OpenApiGeneratorV31(registry.definitions).generateDocument({
    openapi: "3.1.0",
    info: { title: "dpl provenance API", version: "1", description: "Read the data provenance ledger: anchors, grants, usage, lineage and account activity, each with its chain evidence." },
    servers: [{ url: "/" }],
  });
  app.get("/openapi.json", (_req, res) => {
    res.json(openapi);
  });
  app.get("/docs", (_req, res) => {
    res.type("html").send(renderDocs(openapi as never));
  });
  serveExplorer(app);

  // ---- errors: always JSON, never a stack trace --------------------------------------------------

  app.use((req: Request, _res: Response, next: NextFunction) => {
    // The path exists with other methods: 405 and Allow, as HTTP clients expect, not 404.
    const allow = new Set<string>();
    for (const layer of (app as unknown as { router: { stack: { route?: { methods: Record<string, boolean> }; match(path: string): unknown }[] } }).router.stack) {
      if (layer.route && layer.match(req.path)) for (const [m, on] of Object.entries(layer.route.methods)) if (on && m !== "_all") allow.add(m.toUpperCase());
    }
    if (allow.has("GET")) allow.add("HEAD");
    if (allow.size > 0) return next(new MethodNotAllowedError(req.method, [...allow].sort()));
    next(new NotFoundError(`no route ${req.method} ${req.path}`, "route_not_found"));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isStorageFault(error)) {
      const first = store.damaged === undefined;
      error = store.reportDamage(String((error as Error).message), error);
      if (first) logger.fatal({ msg: `${(error as Error).message}; serving stopped` });
    }
    const { status, code, message } = describeError(error);
    if (status >= 500) logger.error({ msg: "request failed", method: req.method, url: req.originalUrl, err: error });
    if (res.headersSent) return res.end();
    if (status === 413) res.set("Connection", "close");
    if (error instanceof TooManyStreamsError || code === "resource_exhausted") res.set("Retry-After", "5");
    if (error instanceof MethodNotAllowedError) res.set("Allow", error.allow.join(", "));
    res.status(status).json({ error: { code, message } });
  });

  return { app, openapi };
}

/** Routes whose answers cost many ordinary ones, with their weight under RATE_LIMIT. */
export const EXPENSIVE_ROUTES: ["get" | "post", string, number, string][] = [
  ["get", "/v1/datasets/:id/lineage", 10, "lineage requests"],
  ["get", "/v1/datasets/:id/prov", 20, "PROV documents"],
  ["post", "/v1/verify", 20, "uploads to verify"],
];

/**
 * At most `limit` requests per client per window, counted in memory (one API process; behind a
 * load balancer each replica counts its own). Over the limit: 429 with Retry-After and the IETF
 * RateLimit headers, in the API's error shape.
 */
function rateLimiter(limit: number, windowS: number, what: string) {
  return rateLimit({
    windowMs: windowS * 1000,
    limit,
    standardHeaders: "draft-7",
    legacyHeaders: false,
    // Ignoring X-Forwarded-For unless TRUST_PROXY is set is the point, not a misconfiguration.
    validate: { xForwardedForHeader: false },
    handler: (_req, res) => {
      res.status(429).json({ error: { code: "rate_limited", message: `more than ${limit} ${what} in ${windowS} s from this client; wait and try again` } });
    },
  });
}

/** The ledger's roles as /v1/status shows them, at the head's time. */
function rolesView(record: RolesRecord, headTime: number, evidence: Views["evidence"]) {
  const r = settleDelay(record, headTime);
  return {
    admin: r.members.admin?.[0]?.account ?? null,
    pausers: (r.members.pauser ?? []).map((m) => m.account),
    adminDelay: r.adminDelay,
    pendingAdmin: r.adminTransfer ? { account: r.adminTransfer.newAdmin, acceptAfter: r.adminTransfer.acceptSchedule, evidence: evidence(r.adminTransfer.evidence) } : null,
    pendingDelay: r.delayChange ? { delay: r.delayChange.newDelay, effectiveAfter: r.delayChange.effectSchedule, evidence: evidence(r.delayChange.evidence) } : null,
  };
}

/** Maps any error to a status, a code and one sentence. */
export function describeError(error: unknown): { status: number; code: string; message: string } {
  // Out of file descriptors is no fault of the request nor of the index: 503, try again.
  if (isResourceExhaustion(error) && !(error instanceof RetryableError)) error = exhaustedResources(error);
  if (error instanceof InvalidInputError) return { status: 400, code: error.code, message: error.message };
  if (error instanceof InvalidCursorError) return { status: 400, code: "invalid_cursor", message: error.message };
  if (error instanceof NotFoundError) return { status: 404, code: error.code, message: error.message };
  if (error instanceof PayloadTooLargeError) return { status: 413, code: error.code, message: error.message };
  if (error instanceof UnsupportedMediaTypeError) return { status: 415, code: error.code, message: error.message };
  if (error instanceof TooManyStreamsError) return { status: error.status, code: error.code, message: error.message };
  if (error instanceof MethodNotAllowedError) return { status: 405, code: error.code, message: error.message };
  if (error instanceof RetryableError || error instanceof StoreError) return { status: 503, code: error.code, message: error.message };
  if (error instanceof URIError) return { status: 400, code: "malformed_url", message: "the URL is not validly percent-encoded" };
  const e = error as { status?: number; type?: string; expose?: boolean; message?: string };
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
    return { status: e.status, code: e.type?.replace(/\./g, "_") ?? "bad_request", message: e.expose && e.message ? e.message : "the request could not be read" };
  }
  return { status: 500, code: "internal_error", message: "the server failed to answer; the failure is logged" };
}
