/**
 * Prometheus metrics of one dpl process, on a registry of its own (no global state): the index's
 * progress, read when scraped, HTTP latency by route, the live event streams held and refused, and
 * the answer cache's lookups and size.
 */
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from "prom-client";

import type { AnswerCacheWatch } from "./answer-cache.js";

export interface IndexProgress {
  head: number | undefined;
  indexed: number | undefined;
  events: number;
  reorgs: number;
}

export interface ApiMetrics {
  registry: Registry;
  httpDuration: Histogram<"method" | "route" | "status">;
  /** Live event streams open now. */
  eventStreams: Gauge;
  /** Event streams refused, by reason: per_client or total. */
  eventStreamsRefused: Counter<"reason">;
  /** Told of each answer cache lookup and of its size. */
  answerCache: AnswerCacheWatch;
}

export function createMetrics(progress: () => Promise<IndexProgress>): ApiMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: "dpl_process_" });
  const read = async () => progress();
  new Gauge({
    name: "dpl_chain_head_block",
    help: "Latest block number the node reported",
    registers: [registry],
    async collect() {
      this.set((await read()).head ?? 0);
    },
  });
  new Gauge({
    name: "dpl_indexed_block",
    help: "Block number the index is at",
    registers: [registry],
    async collect() {
      this.set((await read()).indexed ?? 0);
    },
  });
  new Gauge({
    name: "dpl_index_lag_blocks",
    help: "Blocks between the node's head and the index",
    registers: [registry],
    async collect() {
      const p = await read();
      this.set(p.head !== undefined && p.indexed !== undefined ? Math.max(0, p.head - p.indexed) : 0);
    },
  });
  new Gauge({
    name: "dpl_indexed_events",
    help: "Ledger events applied to the index",
    registers: [registry],
    async collect() {
      this.set((await read()).events);
    },
  });
  new Gauge({
    name: "dpl_reorgs",
    help: "Chain reorganisations the index rolled back",
    registers: [registry],
    async collect() {
      this.set((await read()).reorgs);
    },
  });
  const httpDuration = new Histogram({
    name: "dpl_http_request_duration_seconds",
    help: "API request latency by route",
    labelNames: ["method", "route", "status"] as const,
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    registers: [registry],
  });
  const eventStreams = new Gauge({ name: "dpl_api_event_streams", help: "Live event streams (GET /v1/events) open now", registers: [registry] });
  const eventStreamsRefused = new Counter({
    name: "dpl_api_event_streams_refused_total",
    help: "Live event streams refused: per_client (EVENTS_MAX_PER_CLIENT) or total (EVENTS_MAX_STREAMS)",
    labelNames: ["reason"] as const,
    registers: [registry],
  });
  const answerCacheLookups = new Counter({
    name: "dpl_api_answer_cache_lookups_total",
    help: "GET answers looked for in the answer cache (API_CACHE_MB): hit (sent as kept) or miss (read from the index)",
    labelNames: ["result"] as const,
    registers: [registry],
  });
  const answerCacheBytes = new Gauge({ name: "dpl_api_answer_cache_bytes", help: "Bytes the answer cache holds, of API_CACHE_MB", registers: [registry] });
  return {
    registry,
    httpDuration,
    eventStreams,
    eventStreamsRefused,
    answerCache: { lookup: (result) => answerCacheLookups.inc({ result }), bytes: (bytes) => answerCacheBytes.set(bytes) },
  };
}
