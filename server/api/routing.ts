/**
 * How a route is declared: once, with the zod schemas that validate its request and describe its
 * answer in the OpenAPI document. Each request reads one LevelDB snapshot and says at which indexed
 * block it was read; answers are built by the route's handler, or written as JSON text already. A
 * GET answer is kept (answer-cache.ts) and sent again to the same URL while the point it was read at
 * holds: such a request reads nothing but the index's state.
 */
import type { OpenAPIRegistry } from "@asteasolutions/zod-to-openapi";
import type { Express, Request, Response } from "express";
import type { z } from "zod";

import { InvalidInputError, NotFoundError, RetryableError, type Words } from "../../core/errors.js";
import { type AnswerCache, answerPoint, type WrittenAnswer } from "./answer-cache.js";
import { openReader, type Page, type Reader, type StoredItem } from "../store/reads.js";
import type { Store } from "../store/store.js";
import type { ChainView } from "./app.js";
import * as S from "./schemas.js";
import { type Finality, type Views, viewsOf, withFinality } from "./views.js";

/** The indexed block an answer was read at. */
export interface ReadAt {
  number: number;
  hash: string;
}

export interface RouteContext<P, Q> {
  params: P;
  query: Q;
  reader: Reader;
  finality: Finality;
  /** Records as this answer shows them, at this head. */
  view: Views;
  readAt: ReadAt;
  req: Request;
  /** Headers of the answer beyond its media type: sent, and kept with it. */
  headers: Record<string, string>;
}

export interface RouteDef<P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType> {
  method: "get" | "post";
  path: string;
  summary: string;
  tag: string;
  params?: P;
  query?: Q;
  body?: { contentType: string; description: string };
  /** The answer's schema: the handler must return what it describes (or that JSON already written). */
  response: R;
  notFound?: string;
  /** Reads more than the index (the chain's state, the node's last error): never answered from the answer cache. */
  live?: boolean;
  handler: (ctx: RouteContext<z.output<P>, z.output<Q>>) => Promise<z.output<R> | JsonText | HtmlText>;
}

/** Declares a route: its OpenAPI description and its handler. */
export type Route = <P extends z.ZodType, Q extends z.ZodType, R extends z.ZodType>(def: RouteDef<P, Q, R>) => void;

/** One sentence from a zod failure: "query parameter limit must be at most 500". */
function describeIssue(where: string, error: z.ZodError, input: Record<string, unknown>): string {
  const issue = error.issues[0];
  if (issue.code === "unrecognized_keys") return `unknown ${where}${issue.keys.length > 1 ? "s" : ""} ${issue.keys.map((k) => `'${k}'`).join(", ")}`;
  const name = issue.path.join(".") || "value";
  const missing = issue.path.length === 1 && input[String(issue.path[0])] === undefined;
  return `${where} ${name} ${missing ? "is required" : issue.message}`;
}

/**
 * `value` (a request's path parameters, query or JSON body) checked against `schema`, or a 400 that
 * names what is wrong in one sentence; `where` names the part ("query parameter", "body field").
 */
export function parseInput<T extends z.ZodType>(schema: T | undefined, value: unknown, where: string): z.output<T> {
  if (!schema) return {} as z.output<T>;
  const result = schema.safeParse(value);
  if (!result.success) throw new InvalidInputError(describeIssue(where, result.error, (value ?? {}) as Record<string, unknown>));
  return result.data;
}

const toOpenApiPath = (path: string) => path.replace(/:(\w+)/g, "{$1}");

/** A page of records as the API answers it: where it was read, the items' views, the next cursor. */
export function pageAnswer<T, V>(readAt: ReadAt, page: Page<T>, view: (item: T) => V) {
  return { readAt, items: page.items.map(view), next: page.next };
}

/** An answer already written as JSON: sent as it is. */
export class JsonText {
  constructor(readonly text: string) {}
}

/** An answer written as an HTML page (a printable document): sent as it is. */
export class HtmlText {
  constructor(readonly html: string) {}
}

/**
 * The same page as `pageAnswer` gives for uses and activity, written from the items as stored, each
 * with its finality added: no parsing, no building, no stringifying of the items.
 */
export function storedPageAnswer(readAt: ReadAt, page: Page<StoredItem>, finality: Finality): JsonText {
  let items = "";
  for (const item of page.items) items += (items === "" ? "" : ",") + withFinality(item.json, item.block, finality);
  return new JsonText(`{"readAt":${JSON.stringify(readAt)},"items":[${items}],"next":${JSON.stringify(page.next)}}`);
}

/** `value`, or a 404 with `code` and `message` when it is missing. */
export function found<T>(value: T | undefined, code: string, message: string | Words): T {
  if (value === undefined) throw new NotFoundError(message, code);
  return value;
}

/** The dataset `id`, or a 404. */
export const datasetOr404 = async (reader: Reader, id: string) => found(await reader.dataset(id), "dataset_not_found", { key: "revert.DatasetNotFound", values: { id } });
/** A 404 unless the dataset exists, without reading its record: for lists under it. */
export const requireDataset = (reader: Reader, id: string) => found(reader.has("datasets", id) || undefined, "dataset_not_found", { key: "revert.DatasetNotFound", values: { id } });
/** Objection number `id`, or a 404. */
export const objectionOr404 = async (reader: Reader, id: string) => found(await reader.objection(id), "objection_not_found", { key: "api.objectionNotFound", values: { id } });
/** The grant `id`, or a 404. */
export const grantOr404 = async (reader: Reader, id: string) => found(await reader.grant(id), "grant_not_found", { key: "revert.GrantNotFound", values: { id } });
/** A 404 unless the grant exists, without reading its record. */
export const requireGrant = (reader: Reader, id: string) => found(reader.has("grants", id) || undefined, "grant_not_found", { key: "revert.GrantNotFound", values: { id } });

/** The `route` function of one app: each route registered in `registry` and served by `app`. */
export function createRouter(args: { app: Express; registry: OpenAPIRegistry; store: Store; chain: ChainView; finalityDepth: number; answers: AnswerCache }): Route {
  const { app, registry, store, chain, finalityDepth, answers } = args;
  async function finalityOf(reader: Reader): Promise<{ finality: Finality; readAt: ReadAt; at: string | undefined }> {
    const state = await reader.state();
    if (!state) throw new RetryableError("index_not_ready", "the index has not been built yet; try again in a moment");
    const head = chain.head();
    return {
      finality: { head: Math.max(head?.number ?? state.cursor.number, state.cursor.number), headTime: head?.timestamp ?? Math.floor(Date.now() / 1000), finalityDepth },
      readAt: { number: state.cursor.number, hash: state.cursor.hash },
      at: answerPoint(state, head),
    };
  }

  const route: Route = (def) => {
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
    // A POST's answer depends on its body, a live route's on more than the index: neither is kept;
    // with API_CACHE_MB=0 nothing is, and the index's state is not read twice for nothing.
    const keep = def.method === "get" && !def.live && answers.maxBytes > 0;
    app[def.method](def.path, async (req: Request, res: Response) => {
      // The same URL at the same point is the same answer: sent again as it was written, unparsed.
      const kept = keep ? answers.get(req.originalUrl, answerPoint(store.stateNow(), chain.head())) : undefined;
      if (kept) return void send(res, kept);
      const params = parseInput(def.params, req.params, "path parameter");
      const query = parseInput(def.query, req.query, "query parameter");
      const reader = openReader(store);
      try {
        const { finality, readAt, at } = await finalityOf(reader);
        const headers: Record<string, string> = {};
        const written = writtenAnswer(await def.handler({ params, query, reader, finality, view: viewsOf(reader, finality), readAt, req, headers }), headers);
        if (keep) answers.set(req.originalUrl, at, written);
        send(res, written);
      } finally {
        await reader.close();
      }
    });
  };
  return route;
}

/** A handler's answer as the text sent, with its media type and `headers`. */
function writtenAnswer(answer: unknown, headers: Record<string, string>): WrittenAnswer {
  if (answer instanceof JsonText) return { type: JSON_TYPE, text: answer.text, headers };
  if (answer instanceof HtmlText) return { type: "text/html; charset=utf-8", text: answer.html, headers };
  return { type: JSON_TYPE, text: JSON.stringify(answer), headers };
}

function send(res: Response, answer: WrittenAnswer): void {
  res.set(answer.headers).set("Content-Type", answer.type).send(answer.text);
}

const JSON_TYPE = "application/json; charset=utf-8";
