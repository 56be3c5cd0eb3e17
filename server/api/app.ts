/**
 * The provenance API: Express 5, JSON under /v1. This module only assembles it: the middleware, the
 * routes of each resource (routes/, declared through routing.ts with the zod schemas that validate
 * them and give the OpenAPI document), and last the handler that turns every error into
 * `{ error: { code, message } }` (errors.ts): a client never sees a stack trace.
 */
import { OpenAPIRegistry, OpenApiGeneratorV31 } from "@asteasolutions/zod-to-openapi";
import cors from "cors";
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";

import { NotFoundError } from "../../core/errors.js";
import type { Logger } from "../common/logger.js";
import { isStorageFault, type Store } from "../store/store.js";
import { type Config, DEFAULT_API_CACHE_MB } from "../config.js";
import { AnswerCache } from "./answer-cache.js";
import { renderDocs } from "./docs.js";
import { LANGUAGE_TAGS, localeOfAcceptLanguage, translator } from "../../core/i18n/translate.js";
import { describeError, MethodNotAllowedError, TooManyStreamsError } from "./errors.js";
import { serveExplorer } from "./explorer.js";
import type { ApiMetrics } from "./metrics.js";
import { limitRates } from "./rate-limit.js";
import { accountRoutes } from "./routes/accounts.js";
import { settlementRoutes } from "./routes/settlement.js";
import { datasetRoutes } from "./routes/datasets.js";
import { eventRoutes } from "./routes/events.js";
import { disclosureRoutes } from "./routes/disclosures.js";
import { feeRoutes } from "./routes/fees.js";
import { grantRoutes } from "./routes/grants.js";
import { lineageRoutes } from "./routes/lineage.js";
import { objectionRoutes } from "./routes/objections.js";
import { provRoutes } from "./routes/prov.js";
import { serviceRoutes } from "./routes/service.js";
import { statusRoutes } from "./routes/status.js";
import { usageRoutes } from "./routes/usage.js";
import { verifyRoutes } from "./routes/verify.js";
import { createRouter } from "./routing.js";

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
    Partial<Pick<Config, "rateLimit" | "rateWindowS" | "trustProxy" | "eventsMaxStreams" | "eventsMaxPerClient" | "apiCacheMb">>;
  logger: Logger;
  metrics: ApiMetrics;
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

  const answers = new AnswerCache((config.apiCacheMb ?? DEFAULT_API_CACHE_MB) * 2 ** 20, metrics.answerCache);
  const route = createRouter({ app, registry, store, chain, finalityDepth: config.finalityDepth, answers });

  serviceRoutes(app, deps);

  // ---- /v1 -------------------------------------------------------------------------------------

  limitRates(app, config);
  // Once a read finds the index damaged, nothing more is served from it: every answer says how to rebuild it.
  app.use("/v1", (_req, _res, next) => next(store.damaged));
  eventRoutes(app, registry, deps);
  statusRoutes(route, deps);
  datasetRoutes(route);
  verifyRoutes(route, deps);
  grantRoutes(route);
  usageRoutes(route);
  lineageRoutes(route);
  accountRoutes(route);
  settlementRoutes(route);
  feeRoutes(route);
  objectionRoutes(route);
  disclosureRoutes(route);
  provRoutes(route);

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
    next(new NotFoundError({ key: "api.noRoute", values: { method: req.method, path: req.path } }, "route_not_found"));
  });
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    if (isStorageFault(error)) {
      const first = store.damaged === undefined;
      error = store.reportDamage(String((error as Error).message), error);
      if (first) logger.fatal({ msg: `${(error as Error).message}; serving stopped` });
    }
    // The code is the same in every language; the sentence is in the one the client asked for.
    const language = localeOfAcceptLanguage(req.get("accept-language"));
    const { status, code, message } = describeError(error, translator(language ?? "en"));
    res.vary("Accept-Language");
    if (language) res.set("Content-Language", LANGUAGE_TAGS[language]);
    if (status >= 500) logger.error({ msg: "request failed", method: req.method, url: req.originalUrl, err: error });
    if (res.headersSent) return res.end();
    if (status === 413) res.set("Connection", "close");
    if (error instanceof TooManyStreamsError || code === "resource_exhausted") res.set("Retry-After", "5");
    if (error instanceof MethodNotAllowedError) res.set("Allow", error.allow.join(", "));
    res.status(status).json({ error: { code, message } });
  });

  return { app, openapi };
}
