/** A grant: its terms, its standing, and every use recorded under it. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { feeTermsText, formatAmount, formatTime, formatUntil, formatUnits, rightsLabel } from "../format.js";
import type { Grant, Payment } from "../model.js";
import { accountLink, chainText, datasetLink, fact, fullHex, objectionLink, pagedTable, quotaBar, section, standingFacts, statusBadge } from "../widgets.js";
import { DATASET_HEADERS, datasetRow, OBJECTION_HEADERS, objectionRow, PAYMENT_HEADERS, paymentRow, USAGE_HEADERS, usageRow } from "./rows.js";
import type { View } from "./view.js";

export async function grantView(id: string): Promise<View> {
  const { grant: g } = await get<{ grant: Grant }>(`/v1/grants/${id}`);
  const uses = await pagedTable({ caption: "Uses under this grant", headers: USAGE_HEADERS, path: `/v1/grants/${id}/usage`, row: usageRow, empty: "No use was recorded under this grant." });
  const products = await pagedTable({
    caption: "Datasets that rest on this grant",
    headers: DATASET_HEADERS,
    path: `/v1/grants/${id}/products`,
    row: datasetRow,
    empty: "No dataset was derived under this grant, nor from one that was: revoking it stops only its own uses.",
  });
  const fees = g.fees;
  const payments = fees
    ? await pagedTable<Payment>({
        caption: "Payments towards this grant's fees",
        headers: PAYMENT_HEADERS,
        path: `/v1/grants/${id}/payments`,
        row: (p) => paymentRow(p, fees),
        empty: "Nothing was paid yet.",
      })
    : undefined;
  const objections = await pagedTable({
    caption: "Objections to this grant",
    headers: OBJECTION_HEADERS,
    path: `/v1/objections?target=${id}`,
    row: objectionRow,
    empty: "Nobody has objected to this grant.",
  });
  const outstanding = fees && g.owed !== null && g.paid !== null ? (BigInt(g.owed) > BigInt(g.paid) ? BigInt(g.owed) - BigInt(g.paid) : 0n).toString() : null;
  const feeFacts = fees
    ? h(
        "dl",
        { class: "facts" },
        fact("Purpose class and fees", feeTermsText(fees)),
        fact("Owed to date", formatAmount(g.owed ?? "0", fees)),
        fact("Paid", formatAmount(g.paid ?? "0", fees)),
        fact("Outstanding", formatAmount(outstanding ?? "0", fees)),
      )
    : h("p", {}, "Issued without fee terms: nothing is charged under it.");
  const facts = h(
    "dl",
    { class: "facts" },
    standingFacts("Grant id", g.id, g.status, g.ended, g.lapse),
    ...(g.cancelledBy ? fact("Cancelled by", objectionLink(g.cancelledBy)) : []),
    fact("Dataset", datasetLink(g.datasetId)),
    fact("Granted by", accountLink(g.grantor), g.issued),
    fact("Granted to", accountLink(g.grantee)),
    fact("Rights", rightsLabel(g.rights)),
    fact("Purpose", g.purpose ? chainText(g.purpose) : h("em", {}, "(no purpose text)")),
    fact("Purpose hash", fullHex(g.purposeHash)),
    fact("Valid", `${formatTime(g.validFrom)} → ${formatUntil(g.validUntil)}`),
    fact("Quota", g.quota === "0" ? "none (unmetered)" : `${formatUnits(g.quota)} units; ${formatUnits(g.remaining ?? "0")} remaining`),
    fact("Used", h("span", {}, quotaBar(g), ` in ${g.uses} use${g.uses === 1 ? "" : "s"}`)),
  );
  return {
    title: "Grant",
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, "Grant"), h("h1", {}, `${rightsLabel(g.rights)} for “`, chainText(g.purpose), "” ", statusBadge(g.status))),
      section("Terms and their chain evidence", "terms", facts),
      section("Fees and payments", "fees", feeFacts, ...(payments ? [payments.element] : [])),
      section("Uses", "uses", uses.element),
      section("Objections", "objections", objections.element),
      section("Products resting on this grant", "products", products.element),
    ),
    paged: () => uses.paged() || products.paged() || objections.paged() || Boolean(payments?.paged()),
  };
}
