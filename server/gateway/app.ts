/**
 * The gateway's HTTP face: sign-in, the datasets it serves, records (by index range and a simple
 * field filter, each with its Merkle proof) and whole files, and each grantee's receipts with their
 * proofs once settled. Every delivery is decided by the meter and its receipt written before the
 * first byte; the receipt is marked delivered before the last byte, so an answer cut short leaves
 * a receipt that is never settled. Errors are `{ error: { code, message } }`, as in the API.
 */
import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { z } from "zod";

import { InvalidInputError, NotFoundError } from "../../core/errors.js";
import { USAGE_ACTION_NAMES, type UsageAction } from "../../core/ids.js";
import type { SignedReceipt } from "../../core/receipts.js";
import { epochTree } from "../../core/receipts.js";
import type { Logger } from "../common/logger.js";
import { describeError, StatusError } from "../api/errors.js";
import type { Catalogue, Served } from "./catalogue.js";
import type { Meter } from "./meter.js";
import { fieldOf, selectRecords } from "./records.js";
import { type Session, SignInBody, type Sessions } from "./sessions.js";
import type { GatewayStore } from "./store.js";

export interface GatewayAppDeps {
  catalogue: Catalogue;
  meter: Meter;
  sessions: Sessions;
  store: GatewayStore;
  logger: Logger;
  /** Who this gateway is: for its front page. */
  about: { gateway: string; holder: string; ledger: string; chainId: number };
}

const Hash = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex string")
  .transform((s) => s.toLowerCase());
const Index = z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(0, "must be at least 0");
const Action = z.enum(["use", "process", "operate"], { error: "must be use, process or operate" }).default("use");
/** The most records one answer carries. */
export const MAX_RECORDS = 10_000;

const RecordsQuery = z.strictObject({
  grant: Hash,
  action: Action,
  from: Index.default(0),
  to: Index.optional(),
  limit: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(MAX_RECORDS, `must be at most ${MAX_RECORDS}`).default(1000),
  field: z.string().min(1).max(200).optional(),
  equals: z.string().max(10_000).optional(),
});
const FileQuery = z.strictObject({ grant: Hash, action: Action });

function parse<T extends z.ZodType>(schema: T, value: unknown, where: string): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  if (issue.code === "unrecognized_keys") throw new InvalidInputError(`unknown ${where} ${issue.keys.map((k) => `'${k}'`).join(", ")}`);
  const name = issue.path.join(".") || "value";
  throw new InvalidInputError(`${where} ${name} ${(value as Record<string, unknown>)?.[name] === undefined && issue.path.length === 1 ? "is required" : issue.message}`);
}

const sha256 = (bytes: Buffer | string) => "0x" + createHash("sha256").update(bytes).digest("hex");
const receiptHeader = (signed: SignedReceipt) => Buffer.from(JSON.stringify(signed)).toString("base64url");
const unitsOf = (served: Served, records: number, bytes: number) => BigInt(served.unit === "kib" ? Math.max(1, Math.ceil(bytes / 1024)) : records);

export function createGatewayApp(deps: GatewayAppDeps): express.Express {
  const { catalogue, meter, sessions, store } = deps;
  const logger = deps.logger.child({ stage: "gateway" });
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  app.use(helmet());

  const session = (req: Request): Promise<Session> => sessions.verify(req.get("authorization"));
  const requestHash = (req: Request, s: Session) => sha256(`${req.method} ${req.originalUrl} ${s.session}`);

  /**
   * Sends `body` under a receipt: all but its last byte, then the receipt marked delivered, then the
   * last byte. A client that goes away before the end leaves the receipt void.
   */
  async function deliver(res: Response, signed: SignedReceipt, body: Buffer, type: string): Promise<void> {
    let done = false;
    res.once("close", () => {
      if (!done) void meter.complete(signed, false);
    });
    res.status(200).set({ "Content-Type": type, "Content-Length": String(body.length), "Dpl-Receipt": receiptHeader(signed) });
    res.write(body.subarray(0, body.length - 1));
    done = true;
    await meter.complete(signed, true);
    res.end(body.subarray(body.length - 1));
  }

  app.get("/", (_req, res) => {
    res.json({ ...deps.about, datasets: catalogue.list().length, protocol: 'README, "The data gateway"' });
  });
  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });

  app.post("/v1/sessions", express.json({ limit: "8kb" }), async (req, res) => {
    const body = parse(SignInBody, req.body, "body field");
    const opened = await sessions.signIn(body);
    res.status(201).json(opened);
  });

  app.get("/v1/datasets", (_req, res) => {
    res.json({
      items: catalogue
        .list()
        .map((s) => ({ datasetId: s.datasetId, name: s.name, scheme: s.scheme.kind, records: s.records.length, bytes: s.size, sha256: s.sha256, root: s.tree.root, unit: s.unit, header: s.header })),
    });
  });

  app.get("/v1/datasets/:id/records", async (req, res) => {
    const id = parse(Hash, req.params.id, "path parameter id");
    const q = parse(RecordsQuery, req.query, "query parameter");
    const s = await session(req);
    const served = await catalogue.get(id);
    const fields = q.field === undefined ? undefined : fieldOf(served, q.field, q.equals);
    const { records, next } = selectRecords(served, { from: q.from, to: q.to, limit: q.limit, match: fields });
    const items = records.map((i) => ({ index: i, data: served.records[i].toString("utf8"), proof: served.tree.proof(i) }));
    const body = Buffer.from(JSON.stringify({ datasetId: id, root: served.tree.root, scheme: served.scheme.kind, header: served.header, total: served.records.length, records: items, next }));
    const units = unitsOf(
      served,
      items.length,
      items.reduce((n, r) => n + Buffer.byteLength(r.data), 0),
    );
    if (units === 0n) {
      // Nothing matched: nothing delivered, nothing metered.
      res.type("json").send(body);
      return;
    }
    const signed = await meter.reserve({
      grantee: s.grantee,
      session: s.session,
      grantId: q.grant,
      datasetId: id,
      action: USAGE_ACTION_NAMES.indexOf(q.action) as UsageAction,
      units,
      requestHash: requestHash(req, s),
      responseHash: sha256(body),
    });
    await deliver(res, signed, body, "application/json; charset=utf-8");
  });

  app.get("/v1/datasets/:id/file", async (req, res) => {
    const id = parse(Hash, req.params.id, "path parameter id");
    const q = parse(FileQuery, req.query, "query parameter");
    const s = await session(req);
    const served = await catalogue.get(id);
    const signed = await meter.reserve({
      grantee: s.grantee,
      session: s.session,
      grantId: q.grant,
      datasetId: id,
      action: USAGE_ACTION_NAMES.indexOf(q.action) as UsageAction,
      units: unitsOf(served, served.records.length, served.size),
      requestHash: requestHash(req, s),
      responseHash: served.sha256,
    });
    res.status(200).set({ "Content-Type": "application/octet-stream", "Content-Length": String(served.size), "Dpl-Receipt": receiptHeader(signed), "Dpl-Content-Hash": served.sha256 });
    let done = false;
    res.once("close", () => {
      if (!done) void meter.complete(signed, false);
    });
    // The last piece is held back until the bytes are known to be the anchored ones and the receipt is marked delivered.
    const hash = createHash("sha256");
    let held: Buffer | undefined;
    const guard = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        hash.update(chunk);
        if (held) this.push(held);
        held = chunk;
        callback();
      },
      flush(callback) {
        if ("0x" + hash.digest("hex") !== served.sha256) {
          logger.error({ msg: `${served.name} changed while it was being sent (dataset ${id}): the answer was cut short and nothing is metered`, dataset: id });
          callback(new StatusError(409, "file_changed", "the file changed while it was being sent"));
          return;
        }
        done = true;
        meter.complete(signed, true).then(() => callback(null, held), callback);
      },
    });
    await pipeline(createReadStream(served.file), guard, res).catch(() => res.destroy());
  });

  app.get("/v1/receipts", async (req, res) => {
    const s = await session(req);
    const q = parse(
      z.strictObject({
        limit: z.coerce.number().int().min(1).max(500).default(50),
        before: z
          .string()
          .regex(/^\d{1,20}$/)
          .optional(),
      }),
      req.query,
      "query parameter",
    );
    const receipts = await store.receiptsOf(s.grantee, q.limit, q.before);
    res.json({ items: receipts.map((r) => ({ ...r.signed, state: r.state })), next: receipts.length === q.limit ? receipts[receipts.length - 1].signed.receipt.sequence : null });
  });

  app.get("/v1/receipts/:sequence", async (req, res) => {
    const sequence = parse(z.string().regex(/^\d{1,20}$/, "must be a receipt's sequence number"), req.params.sequence, "path parameter sequence");
    const s = await session(req);
    const stored = await store.receipt(sequence);
    if (!stored || stored.signed.receipt.grantee !== s.grantee) throw new NotFoundError(`you have no receipt ${sequence} at this gateway`, "receipt_not_found");
    const epoch = await store.epoch(stored.signed.receipt.epoch);
    const answer: Record<string, unknown> = { ...stored.signed, state: stored.state, epoch: epoch && { epoch: epoch.epoch, status: epoch.status, root: epoch.root ?? null, tx: epoch.tx ?? null } };
    if (stored.position !== undefined && epoch?.root) {
      // The proof is rebuilt from the epoch's receipts: the tree is small and rarely asked for.
      const receipts = (await store.receiptsOfEpoch(epoch.epoch)).filter((r) => r.position !== undefined).sort((a, b) => a.position! - b.position!);
      const tree = await epochTree(receipts.map((r) => r.signed.receipt));
      answer.position = stored.position;
      answer.proof = tree.proof(stored.position);
      answer.root = tree.root;
    }
    res.json(answer);
  });

  app.get("/v1/epochs", async (_req, res) => {
    const epochs = await store.epochs(100);
    res.json({ items: epochs.map(({ entries: _entries, ...e }) => e) });
  });

  app.use((req: Request, _res: Response, next: NextFunction) => next(new NotFoundError(`no route ${req.method} ${req.path}`, "route_not_found")));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { status, code, message } = describeError(error);
    if (status >= 500 && !(error instanceof StatusError)) logger.error({ msg: "request failed", method: req.method, url: req.originalUrl, err: error });
    if (res.headersSent) return res.destroy();
    res.status(status).json({ error: { code, message } });
  });
  return app;
}
