/**
 * A dataset's lineage and usage as one W3C PROV-JSON document, cut where it says so.
 */
import { z } from "zod";

import { buildProv } from "../prov.js";
import { datasetOr404, type Route } from "../routing.js";
import * as S from "../schemas.js";

export function provRoutes(route: Route): void {
  /** The most of each kind one PROV document carries: the newest uses and grants, the nearest ancestors. */
  const PROV_MAX = { uses: 5_000, grants: 5_000, ancestors: 2_000 };

  route({
    method: "get",
    path: "/v1/datasets/:id/prov",
    summary: "The dataset's lineage (ancestors) and usage as a W3C PROV-JSON document",
    tag: "lineage",
    params: S.IdParams,
    query: S.EmptyQuery,
    response: z.record(z.string(), z.unknown()).meta({ id: "ProvJson", description: "W3C PROV-JSON" }),
    notFound: "No such dataset",
    handler: async ({ params, reader, headers }) => {
      const dataset = await datasetOr404(reader, params.id);
      const lineage = await reader.lineage(params.id, { direction: "ancestors", depth: 32, limit: PROV_MAX.ancestors });
      const grants = [];
      let grantsNext: string | null = null;
      for (let cursor: string | undefined; grants.length < PROV_MAX.grants; ) {
        const page = await reader.grantsOfDataset(params.id, { limit: Math.min(500, PROV_MAX.grants - grants.length), cursor });
        grants.push(...page.items);
        grantsNext = page.next;
        if (page.next === null) break;
        cursor = page.next;
      }
      const usage = await reader.usageOfDataset(params.id, { limit: PROV_MAX.uses });
      const licences = reader.licenceFacts(dataset).map((l) => l.grant);
      // A document cut short says so, and where the rest is: never a silent stop.
      const base = `/v1/datasets/${params.id}`;
      const cut: Record<string, string> = {};
      if (usage.next) cut.uses = `the ${PROV_MAX.uses} newest uses; the rest: ${base}/usage?cursor=${usage.next}`;
      if (grantsNext) cut.grants = `the ${PROV_MAX.grants} newest grants; the rest: ${base}/grants?cursor=${grantsNext}`;
      if (lineage.next) cut.ancestors = `the ${PROV_MAX.ancestors} nearest ancestors; the rest: ${base}/lineage?direction=ancestors&depth=32&cursor=${lineage.next}`;
      if (lineage.truncated) cut.generations = `32 generations of ancestors; the rest: the PROV of the oldest ones shown`;
      const versions = {
        previous: dataset.previousVersion ? await reader.dataset(dataset.previousVersion) : undefined,
        next: dataset.nextVersion ? await reader.dataset(dataset.nextVersion) : undefined,
      };
      // Objections to the dataset and to the grants the document names (a seek each).
      const objections = [];
      for (const target of [params.id, ...grants.map((g) => g.id)]) {
        const page = await reader.objections({ target, limit: 100 });
        objections.push(...page.items);
        if (page.next) cut.objections = `the 100 newest objections to each target; the rest: /v1/objections?target=<id>`;
      }
      if (Object.keys(cut).length > 0) headers["X-Dpl-Truncated"] = Object.keys(cut).join(", ");
      return buildProv({ chainId: reader.identity.chainId, ledger: reader.identity.ledger, dataset, lineage, grants, licences, versions, usage: usage.items, objections, cut });
    },
  });
}
