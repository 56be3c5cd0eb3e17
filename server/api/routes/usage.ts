/**
 * Metered uses, newest first: under one grant, or of one dataset (filtered by grantee and time).
 */
import { InvalidInputError } from "../../../core/errors.js";
import { pageAnswer, requireDataset, requireGrant, type Route, storedPageAnswer } from "../routing.js";
import * as S from "../schemas.js";

export function usageRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/grants/:id/usage",
    summary: "Uses recorded under one grant, newest first",
    tag: "usage",
    params: S.IdParams,
    query: S.PageQuery,
    response: S.pageOf(S.Usage, "UsagePage"),
    notFound: "No such grant",
    handler: async ({ params, query, reader, finality, readAt }) => {
      requireGrant(reader, params.id);
      return storedPageAnswer(readAt, await reader.storedUsageOfGrant(params.id, query), finality);
    },
  });

  route({
    method: "get",
    path: "/v1/datasets/:id/usage",
    summary: "Uses of a dataset, newest first; optionally by one grantee and between two block times",
    tag: "usage",
    params: S.IdParams,
    query: S.UsageQuery,
    response: S.pageOf(S.Usage, "UsagePage"),
    notFound: "No such dataset",
    handler: async ({ params, query, reader, view, finality, readAt }) => {
      requireDataset(reader, params.id);
      if (query.from !== undefined && query.to !== undefined && query.from > query.to) throw new InvalidInputError("query parameter from must not be later than to");
      if (query.grantee === undefined && query.from === undefined && query.to === undefined) return storedPageAnswer(readAt, await reader.storedUsageOfDataset(params.id, query), finality);
      const page = await reader.usageOfDataset(params.id, query);
      return pageAnswer(readAt, page, view.usage);
    },
  });
}
