/**
 * The gateway's HTTP face: sign-in, the datasets it serves, the deliveries (deliveries.ts), each
 * grantee's receipts with their proofs once settled, and the epochs. Errors are
 * `{ error: { code, message } }`, as in the API.
 */
import express, { type NextFunction, type Request, type Response } from "express";
import helmet from "helmet";
import { z } from "zod";

import { NotFoundError } from "../../core/errors.js";
import { epochTree } from "../../core/receipts.js";
import type { Logger } from "../common/logger.js";
import { describeError, StatusError } from "../api/errors.js";
import { rateLimiter } from "../api/rate-limit.js";
import type { Catalogue } from "./catalogue.js";
import { deliveryRoutes } from "./deliveries.js";
import type { Meter } from "./meter.js";
import { parse, SequenceParams } from "./requests.js";
import { type Session, SignInBody, type Sessions } from "./sessions.js";
import type { GatewayStore } from "./store.js";

export interface GatewayAppDeps {
  catalogue: Catalogue;
  meter: Meter;
  sessions: Sessions;
  store: GatewayStore;
  logger: Logger;
  /** Sign-ins one client may make a minute. */
  signInsPerMinute: number;
  /** Who this gateway is: for its front page. */
  about: { gateway: string; holder: string; ledger: string; chainId: number };
}

/** Epoch trees kept for proofs. */
const TREES_KEPT = 4;

export function createGatewayApp(deps: GatewayAppDeps): express.Express {
  const { catalogue, meter, sessions, store } = deps;
  const logger = deps.logger.child({ stage: "gateway" });
  const app = express();
  app.disable("x-powered-by");
  app.set("etag", false);
  app.set("query parser", "simple");
  app.use(helmet());

  const session = (req: Request): Promise<Session> => sessions.verify(req.get("authorization"));

  // A sealed epoch's tree never changes: the last few built are kept, as grantees ask for proofs of the same epochs.
  const trees = new Map<string, ReturnType<typeof epochTree>>();
  const treeOf = (epoch: string) => {
    let tree = trees.get(epoch);
    if (!tree) {
      tree = store.receiptsOfEpoch(epoch).then((all) =>
        epochTree(
          all
            .filter((r) => r.position !== undefined)
            .sort((a, b) => a.position! - b.position!)
            .map((r) => r.signed.receipt),
        ),
      );
      tree.catch(() => trees.delete(epoch));
      trees.set(epoch, tree);
      if (trees.size > TREES_KEPT) trees.delete(trees.keys().next().value!);
    }
    return tree;
  };

  app.get("/", (_req, res) => {
    res.json({ ...deps.about, datasets: catalogue.list().length, protocol: 'README, "The data gateway"' });
  });
  app.get("/health", (_req, res) => {
    res.json({ ok: true });
  });

  // Each sign-in keeps its nonce until it expires: one client may not fill the store with them.
  app.post("/v1/sessions", rateLimiter(deps.signInsPerMinute, 60, "sign-ins"), express.json({ limit: "8kb" }), async (req, res) => {
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

  deliveryRoutes(app, { catalogue, meter, store, logger, session });

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
    const { sequence } = parse(SequenceParams, req.params, "path parameter");
    const s = await session(req);
    const stored = await store.receipt(sequence);
    if (!stored || stored.signed.receipt.grantee !== s.grantee) throw new NotFoundError(`you have no receipt ${sequence} at this gateway`, "receipt_not_found");
    const epoch = await store.epoch(stored.signed.receipt.epoch);
    const answer: Record<string, unknown> = { ...stored.signed, state: stored.state, epoch: epoch && { epoch: epoch.epoch, status: epoch.status, root: epoch.root ?? null, tx: epoch.tx ?? null } };
    if (stored.position !== undefined && epoch?.root) {
      const tree = await treeOf(epoch.epoch);
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
