/**
 * Rate limits per client (RATE_LIMIT requests a window of RATE_WINDOW_S), counted in memory, with the
 * costliest routes weighed more: each also spends from a budget of its own.
 */
import type { Express } from "express";
import { rateLimit } from "express-rate-limit";

import type { ApiDeps } from "./app.js";

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
export function rateLimiter(limit: number, windowS: number, what: string) {
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

/** Puts the limits on /v1, when RATE_LIMIT is set. */
export function limitRates(app: Express, config: ApiDeps["config"]): void {
  if (!config.rateLimit) return;
  const windowS = config.rateWindowS ?? 60;
  app.use("/v1", rateLimiter(config.rateLimit, windowS, "requests"));
  // The answers that cost the most weigh more: each also spends from a budget of their own,
  // RATE_LIMIT divided by their weight (README, Configuration).
  for (const [method, path, weight, what] of EXPENSIVE_ROUTES) {
    app[method](path, rateLimiter(Math.max(1, Math.floor(config.rateLimit / weight)), windowS, `${what} (each weighs ${weight} requests)`));
  }
}
