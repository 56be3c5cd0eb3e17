/**
 * GET /v1/events: server-sent events, `applied` after each indexed range and `reorg` after each
 * rollback, to as many streams as the caps allow (per client and in all).
 */
import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import type { Express } from "express";

import { InvalidInputError, NotFoundError } from "../../../core/errors.js";
import type { ApiDeps } from "../app.js";
import { TooManyStreamsError } from "../errors.js";

export function eventRoutes(app: Express, registry: OpenAPIRegistry, { chain, config, metrics }: ApiDeps): void {
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
}
