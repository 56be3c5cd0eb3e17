/**
 * What an account did or received, and the grants it received or gave.
 */
import { z } from "zod";

import { pageAnswer, type Route, storedPageAnswer } from "../routing.js";
import * as S from "../schemas.js";

export function accountRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/accounts/:address/activity",
    summary: "Everything an account did or received, newest first",
    tag: "accounts",
    params: S.AddressParams,
    query: S.PageQuery,
    response: S.pageOf(S.Activity, "ActivityPage"),
    handler: async ({ params, query, reader, finality, readAt }) => storedPageAnswer(readAt, await reader.storedActivity(params.address, query), finality),
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/grants",
    summary: "Grants an account received (role=grantee, the default) or gave (role=grantor), newest first",
    tag: "accounts",
    params: S.AddressParams,
    query: S.PageQuery.extend({ role: z.enum(["grantee", "grantor"], { error: "must be grantee or grantor" }).default("grantee") }),
    response: S.pageOf(S.Grant, "GrantPage"),
    handler: async ({ params, query, reader, view, readAt }) => {
      const page = query.role === "grantor" ? await reader.grantsOfGrantor(params.address, query) : await reader.grantsOfGrantee(params.address, query);
      return pageAnswer(readAt, page, view.grant);
    },
  });
}
