/** A grant: its terms, its standing, and every use recorded under it. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { feeTermsText, formatAmount, formatTime, formatUntil, formatUnits, rightsLabel } from "../format.js";
import { t, tNodes } from "../i18n.js";
import type { Grant, Payment } from "../model.js";
import { accountLink, chainText, datasetLink, fact, fullHex, objectionLink, pagedTable, quotaBar, section, standingFacts, statusBadge } from "../widgets.js";
import { DATASET_HEADERS, datasetRow, OBJECTION_HEADERS, objectionRow, PAYMENT_HEADERS, paymentRow, USAGE_HEADERS, usageRow } from "./rows.js";
import type { View } from "./view.js";

export async function grantView(id: string): Promise<View> {
  const { grant: g } = await get<{ grant: Grant }>(`/v1/grants/${id}`);
  const uses = await pagedTable({ caption: t("grant.uses.caption"), headers: USAGE_HEADERS, path: `/v1/grants/${id}/usage`, row: usageRow, empty: t("grant.uses.empty") });
  const products = await pagedTable({
    caption: t("grant.products.caption"),
    headers: DATASET_HEADERS,
    path: `/v1/grants/${id}/products`,
    row: datasetRow,
    empty: t("grant.products.empty"),
  });
  const fees = g.fees;
  const payments = fees
    ? await pagedTable<Payment>({
        caption: t("grant.payments.caption"),
        headers: PAYMENT_HEADERS,
        path: `/v1/grants/${id}/payments`,
        row: (p) => paymentRow(p, fees),
        empty: t("grant.payments.empty"),
      })
    : undefined;
  const objections = await pagedTable({
    caption: t("grant.objections.caption"),
    headers: OBJECTION_HEADERS,
    path: `/v1/objections?target=${id}`,
    row: objectionRow,
    empty: t("grant.objections.empty"),
  });
  const outstanding = fees && g.owed !== null && g.paid !== null ? (BigInt(g.owed) > BigInt(g.paid) ? BigInt(g.owed) - BigInt(g.paid) : 0n).toString() : null;
  const feeFacts = fees
    ? h(
        "dl",
        { class: "facts" },
        fact(t("grant.feeTerms"), feeTermsText(fees)),
        fact(t("grant.owed"), formatAmount(g.owed ?? "0", fees)),
        fact(t("grant.paid"), formatAmount(g.paid ?? "0", fees)),
        fact(t("grant.outstanding"), formatAmount(outstanding ?? "0", fees)),
      )
    : h("p", {}, t("grant.noFees"));
  const facts = h(
    "dl",
    { class: "facts" },
    standingFacts(t("grant.id"), g.id, g.status, g.ended, g.lapse),
    ...(g.cancelledBy ? fact(t("grant.cancelledBy"), objectionLink(g.cancelledBy)) : []),
    fact(t("col.dataset"), datasetLink(g.datasetId)),
    fact(t("grant.grantedBy"), accountLink(g.grantor), g.issued),
    fact(t("grant.grantedTo"), accountLink(g.grantee)),
    fact(t("col.rights"), rightsLabel(g.rights)),
    fact(t("col.purpose"), g.purpose ? chainText(g.purpose) : h("em", {}, t("grant.noPurpose"))),
    fact(t("grant.purposeHash"), fullHex(g.purposeHash)),
    fact(t("col.valid"), `${formatTime(g.validFrom)} → ${formatUntil(g.validUntil)}`),
    fact(t("grant.quota"), g.quota === "0" ? t("grant.quota.none") : t("grant.quota.value", { quota: formatUnits(g.quota), remaining: formatUnits(g.remaining ?? "0") })),
    fact(t("grant.used"), h("span", {}, quotaBar(g), t("grant.used.uses", { count: g.uses }))),
  );
  return {
    title: t("grant.kind"),
    node: h(
      "article",
      {},
      h(
        "header",
        { class: "page-head" },
        h("p", { class: "kind" }, t("grant.kind")),
        h("h1", {}, ...tNodes("grant.heading", { rights: rightsLabel(g.rights), purpose: chainText(g.purpose) }), " ", statusBadge(g.status)),
      ),
      section(t("grant.terms.title"), "terms", facts),
      section(t("grant.fees.title"), "fees", feeFacts, ...(payments ? [payments.element] : [])),
      section(t("uses.title"), "uses", uses.element),
      section(t("objections.title"), "objections", objections.element),
      section(t("grant.products.title"), "products", products.element),
    ),
    paged: () => uses.paged() || products.paged() || objections.paged() || Boolean(payments?.paged()),
  };
}
