/**
 * Operators' yearly disclosures: JSON, or the printable page in Chinese and English.
 */
import { disclosureHtml } from "../../../core/disclosure-html.js";
import { disclosureOf } from "../disclosure.js";
import { HtmlText, type Route } from "../routing.js";
import * as S from "../schemas.js";

export function disclosureRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/disclosures/:address/:year",
    summary:
      "An operator's yearly disclosure (UTC+8 year): the public data it was authorised to operate, its products with their fees, units and revenue, revenue against its ceiling, and objections and rulings; format=html for the printable page",
    tag: "fees",
    params: S.DisclosureParams,
    query: S.DisclosureQuery,
    response: S.Disclosure,
    notFound: "The operator had nothing to disclose that year",
    handler: async ({ params, query, reader, view, readAt }) => {
      const disclosure = { readAt, ...(await disclosureOf(reader, view, params.address, params.year)) };
      return query.format === "html" ? new HtmlText(disclosureHtml(disclosure)) : disclosure;
    },
  });
}
