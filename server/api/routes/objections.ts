/**
 * Objections to registrations and grants, with the holder's answer and the arbiter's ruling.
 */
import { z } from "zod";

import { objectionOr404, pageAnswer, type Route } from "../routing.js";
import * as S from "../schemas.js";

export function objectionRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/objections",
    summary: "Objections, newest first: all, or those against one dataset or grant (target)",
    tag: "objections",
    query: S.ObjectionsQuery,
    response: S.pageOf(S.Objection, "ObjectionPage"),
    handler: async ({ query, reader, view, readAt }) => pageAnswer(readAt, await reader.objections(query), view.objection),
  });

  route({
    method: "get",
    path: "/v1/objections/:id",
    summary: "One objection: its target, reason, the holder's answer and the arbiter's ruling",
    tag: "objections",
    params: S.ObjectionParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, objection: S.Objection }),
    notFound: "No such objection",
    handler: async ({ params, reader, view, readAt }) => ({ readAt, objection: view.objection(await objectionOr404(reader, params.id)) }),
  });
}
