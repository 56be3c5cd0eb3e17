/**
 * The anchored datasets: newest first (all, or one holder's), and one by id.
 */
import { z } from "zod";

import { datasetOr404, pageAnswer, type Route } from "../routing.js";
import * as S from "../schemas.js";

export function datasetRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/datasets",
    summary: "Datasets, newest first: all of them, or those an account holds now",
    tag: "datasets",
    query: S.DatasetsQuery,
    response: S.pageOf(S.Dataset, "DatasetPage"),
    handler: async ({ query, reader, view, readAt }) => {
      const page = await reader.datasets(query);
      return pageAnswer(readAt, page, view.dataset);
    },
  });

  route({
    method: "get",
    path: "/v1/datasets/:id",
    summary: "One dataset: holder, hashes, record count, metadata, parents, versions, status and evidence",
    tag: "datasets",
    params: S.IdParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, dataset: S.Dataset }),
    notFound: "No such dataset",
    handler: async ({ params, reader, view, readAt }) => ({ readAt, dataset: view.dataset(await datasetOr404(reader, params.id)) }),
  });
}
