/**
 * Who anchored a content hash, and when: by its hash, or by the file itself (hashed while it streams).
 */
import { createHash } from "node:crypto";

import { NotFoundError } from "../../../core/errors.js";
import type { Reader } from "../../store/reads.js";
import type { ApiDeps } from "../app.js";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors.js";
import type { ReadAt, Route } from "../routing.js";
import * as S from "../schemas.js";
import type { Views } from "../views.js";

export function verifyRoutes(route: Route, { config }: ApiDeps): void {
  const anchorsAnswer = async (reader: Reader, contentHash: string, view: Views, readAt: ReadAt) => {
    const anchors = await reader.anchors(contentHash);
    if (anchors.length === 0) throw new NotFoundError({ key: "api.notAnchored", values: { hash: contentHash } }, "not_anchored");
    return { readAt, contentHash, anchors: anchors.map(view.dataset) };
  };

  route({
    method: "get",
    path: "/v1/verify/:contentHash",
    summary: "Every anchor of a content hash (SHA-256 of the file), in block order",
    tag: "verify",
    params: S.ContentHashParams,
    query: S.EmptyQuery,
    response: S.Anchors,
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
    response: S.Anchors,
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
}
