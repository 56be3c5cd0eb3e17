/**
 * Grants: those on a dataset, one by id, and the products that rest on one.
 */
import { z } from "zod";

import { datasetOr404, grantOr404, pageAnswer, type Route } from "../routing.js";
import * as S from "../schemas.js";

export function grantRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/datasets/:id/grants",
    summary: "Grants on a dataset, newest first, each with its status at the chain head's time",
    tag: "grants",
    params: S.IdParams,
    query: S.PageQuery,
    response: S.pageOf(S.Grant, "GrantPage"),
    notFound: "No such dataset",
    handler: async ({ params, query, reader, view, readAt }) => {
      await datasetOr404(reader, params.id);
      const page = await reader.grantsOfDataset(params.id, query);
      return pageAnswer(readAt, page, view.grant);
    },
  });

  route({
    method: "get",
    path: "/v1/grants/:id",
    summary: "One grant: rights, purpose, window, quota, used, remaining and status",
    tag: "grants",
    params: S.IdParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, grant: S.Grant }),
    notFound: "No such grant",
    handler: async ({ params, reader, view, readAt }) => ({ readAt, grant: view.grant(await grantOr404(reader, params.id)) }),
  });

  route({
    method: "get",
    path: "/v1/grants/:id/products",
    summary: "Datasets that rest on a grant (it is in their licence): what its revocation, renunciation or expiry stops, oldest first",
    tag: "grants",
    params: S.IdParams,
    query: S.PageQuery,
    response: S.pageOf(S.Dataset, "DatasetPage"),
    notFound: "No such grant",
    handler: async ({ params, query, reader, view, readAt }) => {
      await grantOr404(reader, params.id);
      return pageAnswer(readAt, await reader.productsOfLicence(params.id, query), view.dataset);
    },
  });
}
