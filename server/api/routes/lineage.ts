/**
 * The derivation graph around a dataset, a page of datasets at a time.
 */
import { datasetOr404, type Route } from "../routing.js";
import * as S from "../schemas.js";

export function lineageRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/datasets/:id/lineage",
    summary: "The derivation graph around a dataset (ancestors or descendants), breadth-first, depth-limited and cycle-safe, a page of datasets at a time",
    tag: "lineage",
    params: S.IdParams,
    query: S.LineageQuery,
    response: S.Lineage,
    notFound: "No such dataset",
    handler: async ({ params, query, reader, view, readAt }) => {
      await datasetOr404(reader, params.id);
      const graph = await reader.lineage(params.id, query);
      return {
        readAt,
        root: graph.root,
        direction: query.direction,
        depth: query.depth,
        truncated: graph.truncated,
        nodes: graph.nodes.map(view.dataset),
        edges: graph.edges.map((e) => ({ ...e, grantId: /^0x0+$/.test(e.grantId) ? null : e.grantId })),
        next: graph.next,
      };
    },
  });
}
