/**
 * For the operator and its load balancer: /health (the process answers), /ready (the index is built,
 * in step and undamaged) and /metrics (Prometheus).
 */
import type { Express } from "express";

import type { ApiDeps } from "../app.js";

export function serviceRoutes(app: Express, { store, chain, metrics }: ApiDeps): void {
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
}
