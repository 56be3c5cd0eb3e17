/**
 * Fees: a grant's payments, a dataset's fee cap, an operator's revenue ceilings, and statements.
 */
import { z } from "zod";

import { parsePeriod } from "../../../core/period.js";
import { statementOf } from "../statement.js";
import { datasetOr404, pageAnswer, requireGrant, type Route } from "../routing.js";
import * as S from "../schemas.js";

export function feeRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/grants/:id/payments",
    summary: "Payments towards a grant's fees, through the ledger or acknowledged by the holder, newest first",
    tag: "fees",
    params: S.IdParams,
    query: S.PageQuery,
    response: S.pageOf(S.Payment, "PaymentPage"),
    notFound: "No such grant",
    handler: async ({ params, query, reader, view, readAt }) => {
      requireGrant(reader, params.id);
      return pageAnswer(readAt, await reader.paymentsOf(params.id, query), view.payment);
    },
  });

  route({
    method: "get",
    path: "/v1/datasets/:id/fee-cap",
    summary: "The authority's cap on the fees of a dataset's or product's grants; null when none is in force",
    tag: "fees",
    params: S.IdParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, datasetId: z.string(), cap: S.FeeCap.nullable() }),
    notFound: "No such dataset",
    handler: async ({ params, reader, view, readAt }) => {
      await datasetOr404(reader, params.id);
      const cap = await reader.feeCap(params.id);
      return { readAt, datasetId: params.id, cap: cap ? view.feeCap(cap) : null };
    },
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/ceilings",
    summary: "The revenue ceilings the authority set for an operator, by year (UTC+8)",
    tag: "fees",
    params: S.AddressParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, operator: z.string(), ceilings: z.array(S.RevenueCeiling) }),
    handler: async ({ params, reader, view, readAt }) => ({ readAt, operator: params.address, ceilings: (await reader.ceilings(params.address)).map(view.ceiling) }),
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/statements/:period",
    summary: "An account's statement for a year, month or day (UTC+8): each priced grant's units, periods, charges and payments, and what is outstanding",
    tag: "fees",
    params: S.StatementParams,
    query: S.StatementQuery,
    response: S.Statement,
    handler: async ({ params, query, reader, view, readAt }) => {
      const period = parsePeriod(params.period, "path parameter period");
      return { readAt, ...(await statementOf(reader, view, params.address, query.role, period)) };
    },
  });
}
