/** An account: the datasets it holds, the grants it gave and received, its gateway's settled epochs, and everything it did. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { formatAmount } from "../format.js";
import { t } from "../i18n.js";
import type { Grant, Statement } from "../model.js";
import { fullHex, message, pagedTable, section } from "../widgets.js";
import { ACTIVITY_HEADERS, activityRow, DATASET_HEADERS, datasetRow, EPOCH_HEADERS, epochRow, GRANT_HEADERS, grantRow, STATEMENT_HEADERS, statementRow } from "./rows.js";
import type { View } from "./view.js";

/** The year of the rules' calendar (UTC+8) now. */
const thisYear = () => new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();

/** A statement as a table with its totals; a note when the account has no priced grant. */
function statementTable(s: Statement, none: string): HTMLElement {
  if (s.lines.length === 0) return message("info", none);
  // Free grants (public governance and welfare) have no currency: their total is nothing to show.
  const totals = s.totals
    .filter((total) => total.token !== null || total.currencyCode !== null)
    .map((total) => t("statement.total", { charged: formatAmount(total.charged, total), paid: formatAmount(total.paidInPeriod, total), outstanding: formatAmount(total.outstanding, total) }))
    .join(t("list.groupSeparator"));
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", {}, t(s.role === "grantee" ? "statement.owes" : "statement.earns", { period: s.period.label, totals })),
      h("thead", {}, h("tr", {}, ...STATEMENT_HEADERS.map((key) => h("th", { scope: "col" }, t(key))))),
      h("tbody", {}, ...s.lines.map((l) => h("tr", {}, ...statementRow(l).map((cell) => h("td", {}, cell))))),
    ),
  );
}

export async function accountView(address: string): Promise<View> {
  const year = String(thisYear());
  const [owes, earns] = await Promise.all(["grantee", "holder"].map((role) => get<Statement>(`/v1/accounts/${address}/statements/${year}?role=${role}`)));
  const [held, received, given, epochs, activity] = await Promise.all([
    pagedTable({ caption: t("account.held.caption"), headers: DATASET_HEADERS, path: `/v1/datasets?holder=${address}`, row: datasetRow, empty: t("account.held.empty") }),
    pagedTable<Grant>({
      caption: t("account.received.caption"),
      headers: ["col.grant", "col.dataset", ...GRANT_HEADERS.slice(2)],
      path: `/v1/accounts/${address}/grants?role=grantee`,
      row: (g) => grantRow(g, "dataset"),
      empty: t("account.received.empty"),
    }),
    pagedTable<Grant>({
      caption: t("account.given.caption"),
      headers: GRANT_HEADERS,
      path: `/v1/accounts/${address}/grants?role=grantor`,
      row: (g) => grantRow(g, "grantee"),
      empty: t("account.given.empty"),
    }),
    pagedTable({
      caption: t("account.epochs.caption"),
      headers: EPOCH_HEADERS,
      path: `/v1/accounts/${address}/epochs`,
      row: epochRow,
      empty: t("account.epochs.empty"),
    }),
    pagedTable({
      caption: t("account.activity.caption"),
      headers: ACTIVITY_HEADERS,
      path: `/v1/accounts/${address}/activity`,
      row: activityRow,
      empty: t("account.activity.empty"),
    }),
  ]);
  return {
    title: t("account.kind"),
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, t("account.kind")), h("h1", {}, fullHex(address))),
      section(t("account.held.title"), "held", held.element),
      section(t("account.received.title"), "received", received.element),
      section(t("account.given.title"), "given", given.element),
      section(t("account.epochs.title"), "settlements", epochs.element),
      section(
        t("account.fees.title"),
        "fees",
        statementTable(owes, t("account.fees.noneOwed")),
        statementTable(earns, t("account.fees.noneEarned")),
        h("p", {}, h("a", { href: `/v1/disclosures/${address}/${year}?format=html`, target: "_blank", rel: "noopener" }, t("account.fees.disclosure", { year }))),
      ),
      section(t("account.activity.title"), "activity", activity.element),
    ),
    paged: () => [held, received, given, epochs, activity].some((t) => t.paged()),
  };
}
