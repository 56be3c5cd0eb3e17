/**
 * Deliveries: records (by index range and a simple field filter, each with its Merkle proof) and
 * whole files. Each is decided by the meter and its receipt written before the first byte; the
 * receipt is marked delivered before the last byte, so an answer cut short leaves a receipt that is
 * never settled. A process killed between that mark and the last byte leaves a delivery settled that
 * its grantee did not receive in full: the grantee can then fetch the same answer again, free, by its
 * receipt (`GET /v1/receipts/<n>/answer`), so that whatever is settled can be had.
 */
import { createHash } from "node:crypto";

import { sha256Hex } from "../../core/fingerprint.js";
import { createReadStream } from "node:fs";
import { Transform } from "node:stream";
import { pipeline } from "node:stream/promises";

import type { Express, Request, Response } from "express";

import { NotFoundError } from "../../core/errors.js";
import { USAGE_ACTION_NAMES, type UsageAction } from "../../core/ids.js";
import type { SignedReceipt } from "../../core/receipts.js";
import type { Logger } from "../common/logger.js";
import { StatusError } from "../api/errors.js";
import type { Catalogue, Served } from "./catalogue.js";
import type { Meter } from "./meter.js";
import { fieldOf, selectRecords } from "./records.js";
import { FileQuery, IdParams, parse, RecordsQuery, SequenceParams } from "./requests.js";
import type { Session } from "./sessions.js";
import type { GatewayStore } from "./store.js";

const sha256 = sha256Hex;
const receiptHeader = (signed: SignedReceipt) => Buffer.from(JSON.stringify(signed)).toString("base64url");
const unitsOf = (served: Served, records: number, bytes: number) => BigInt(served.unit === "kib" ? Math.max(1, Math.ceil(bytes / 1024)) : records);
const JSON_TYPE = "application/json; charset=utf-8";

/** The answer to a records request and what it costs: the same bytes for the same request and file. */
export function recordsAnswer(served: Served, q: RecordsQuery): { body: Buffer; units: bigint } {
  const match = q.field === undefined ? undefined : fieldOf(served, q.field, q.equals);
  const { records, next } = selectRecords(served, { from: q.from, to: q.to, limit: q.limit, match });
  const items = records.map((i) => ({ index: i, data: served.records[i].toString("utf8"), proof: served.tree.proof(i) }));
  const body = Buffer.from(
    JSON.stringify({ datasetId: served.datasetId, root: served.tree.root, scheme: served.scheme.kind, header: served.header, total: served.records.length, records: items, next }),
  );
  return {
    body,
    units: unitsOf(
      served,
      items.length,
      items.reduce((n, r) => n + Buffer.byteLength(r.data), 0),
    ),
  };
}

/**
 * Streams `served`'s file, checked against its anchored SHA-256 on the way; the last piece waits
 * for `beforeLast`. A file that changed meanwhile is cut short (and said in the log).
 */
async function streamFile(res: Response, served: Served, logger: Logger, beforeLast: () => Promise<void>): Promise<void> {
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
        logger.error({ msg: `${served.name} changed while it was being sent (dataset ${served.datasetId}): the answer was cut short and nothing is metered`, dataset: served.datasetId });
        callback(new StatusError(409, "file_changed", "the file changed while it was being sent"));
        return;
      }
      beforeLast().then(() => callback(null, held), callback);
    },
  });
  await pipeline(createReadStream(served.file), guard, res).catch(() => res.destroy());
}

export function deliveryRoutes(app: Express, deps: { catalogue: Catalogue; meter: Meter; store: GatewayStore; logger: Logger; session: (req: Request) => Promise<Session> }): void {
  const { catalogue, meter, store, logger, session } = deps;
  const requestHash = (req: Request, s: Session) => sha256(`${req.method} ${req.originalUrl} ${s.session}`);

  /**
   * Has the meter decide a delivery and reserve its receipt; the receipt is completed when the answer
   * ends: delivered (by `markDelivered`, before the last byte), or void when the client went away first.
   */
  const begin = async (req: Request, res: Response, s: Session, d: { id: string; grant: string; action: RecordsQuery["action"]; units: bigint; responseHash: string }) => {
    const action = USAGE_ACTION_NAMES.indexOf(d.action) as UsageAction;
    const request = {
      grantee: s.grantee,
      session: s.session,
      grantId: d.grant,
      datasetId: d.id,
      action,
      units: d.units,
      requestHash: requestHash(req, s),
      responseHash: d.responseHash,
      request: req.originalUrl,
    };
    const reserved = await meter.reserve(request);
    // Completed once: void when the client goes before the mark, delivered when the mark comes first.
    let completed = false;
    res.once("close", () => {
      if (completed) return;
      completed = true;
      void meter.complete(reserved, false);
    });
    const markDelivered = async () => {
      if (completed) throw new StatusError(499, "client_gone", "the client went away before the answer was complete");
      completed = true;
      await meter.complete(reserved, true);
    };
    return { reserved, markDelivered };
  };

  app.get("/v1/datasets/:id/records", async (req, res) => {
    const { id } = parse(IdParams, req.params, "path parameter");
    const q = parse(RecordsQuery, req.query, "query parameter");
    const s = await session(req);
    const served = await catalogue.get(id);
    const { body, units } = recordsAnswer(served, q);
    if (units === 0n) {
      // Nothing matched: nothing delivered, nothing metered.
      res.type("json").send(body);
      return;
    }
    const { reserved, markDelivered } = await begin(req, res, s, { id, ...q, units, responseHash: sha256(body) });
    res.status(200).set({ "Content-Type": JSON_TYPE, "Content-Length": String(body.length), "Dpl-Receipt": receiptHeader(reserved.signed) });
    res.write(body.subarray(0, body.length - 1));
    await markDelivered();
    res.end(body.subarray(body.length - 1));
  });

  app.get("/v1/datasets/:id/file", async (req, res) => {
    const { id } = parse(IdParams, req.params, "path parameter");
    const q = parse(FileQuery, req.query, "query parameter");
    const s = await session(req);
    const served = await catalogue.get(id);
    const units = unitsOf(served, served.records.length, served.size);
    const { reserved, markDelivered } = await begin(req, res, s, { id, ...q, units, responseHash: served.sha256 });
    res.status(200).set({ "Content-Type": "application/octet-stream", "Content-Length": String(served.size), "Dpl-Receipt": receiptHeader(reserved.signed), "Dpl-Content-Hash": served.sha256 });
    await streamFile(res, served, logger, markDelivered);
  });

  app.get("/v1/receipts/:sequence/answer", async (req, res) => {
    const { sequence } = parse(SequenceParams, req.params, "path parameter");
    const s = await session(req);
    const stored = await store.receipt(sequence);
    if (!stored || stored.signed.receipt.grantee !== s.grantee) throw new NotFoundError(`you have no receipt ${sequence} at this gateway`, "receipt_not_found");
    if (stored.state !== "delivered" || !stored.request) throw new StatusError(409, "not_delivered", `receipt ${sequence} is ${stored.state}: its answer was never completed, and it is not settled`);
    const url = new URL(stored.request, "http://gateway");
    const { id } = parse(IdParams, { id: decodeURIComponent(url.pathname.split("/")[3] ?? "") }, "path parameter");
    const served = await catalogue.get(id);
    const { responseHash } = stored.signed.receipt;
    const gone = () => new StatusError(409, "answer_changed", `the data behind receipt ${sequence} changed since it was delivered: its answer cannot be given again`);
    if (url.pathname.endsWith("/file")) {
      if (served.sha256 !== responseHash) throw gone();
      res.status(200).set({ "Content-Type": "application/octet-stream", "Content-Length": String(served.size), "Dpl-Content-Hash": served.sha256 });
      await streamFile(res, served, logger, async () => {});
      return;
    }
    const { body } = recordsAnswer(served, parse(RecordsQuery, Object.fromEntries(url.searchParams), "query parameter"));
    if (sha256(body) !== responseHash) throw gone();
    res.status(200).set({ "Content-Type": JSON_TYPE }).send(body);
  });
}
