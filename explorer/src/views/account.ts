/** An account: the datasets it holds, the grants it gave and received, its gateway's settled epochs, and everything it did. */
import { get } from "../api.js";
import { h } from "../dom.js";
import { formatAmount } from "../format.js";
import type { Grant, Statement } from "../model.js";
import { fullHex, message, pagedTable, section } from "../widgets.js";
import { ACTIVITY_HEADERS, activityRow, DATASET_HEADERS, datasetRow, EPOCH_HEADERS, epochRow, GRANT_HEADERS, grantRow, STATEMENT_HEADERS, statementRow } from "./rows.js";
import type { View } from "./view.js";

/** The year of the rules' calendar (UTC+8) now. */
const thisYear = () => new Date(Date.now() + 8 * 3_600_000).getUTCFullYear();

/** A statement as a table with its totals; a note when the account has no priced grant. */
function statementTable(s: Statement, none: string): HTMLElement {
  if (s.lines.length === 0) return message("info", none);
  const totals = s.totals.map((t) => `charged ${formatAmount(t.charged, t)}, paid ${formatAmount(t.paidInPeriod, t)}, outstanding ${formatAmount(t.outstanding, t)}`).join("; ");
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      {},
      h("caption", {}, `${s.role === "grantee" ? "What it owes" : "What its grants bring in"}, ${s.period.label} (UTC+8): ${totals}`),
      h("thead", {}, h("tr", {}, ...STATEMENT_HEADERS.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...s.lines.map((l) => h("tr", {}, ...statementRow(l).map((cell) => h("td", {}, cell))))),
    ),
  );
}

export async function accountView(address: string): Promise<View> {
  const year = String(thisYear());
  const [owes, earns] = await Promise.all(["grantee", "holder"].map((role) => get<Statement>(`/v1/accounts/${address}/statements/${year}?role=${role}`)));
  const [held, received, given, epochs, activity] = await Promise.all([
    pagedTable({ caption: "Datasets this account holds", headers: DATASET_HEADERS, path: `/v1/datasets?holder=${address}`, row: datasetRow, empty: "This account holds no dataset." }),
    pagedTable<Grant>({
      caption: "Grants this account received",
      headers: ["Grant", "Dataset", ...GRANT_HEADERS.slice(2)],
      path: `/v1/accounts/${address}/grants?role=grantee`,
      row: (g) => grantRow(g, "dataset"),
      empty: "This account received no grant.",
    }),
    pagedTable<Grant>({
      caption: "Grants this account gave",
      headers: GRANT_HEADERS,
      path: `/v1/accounts/${address}/grants?role=grantor`,
      row: (g) => grantRow(g, "grantee"),
      empty: "This account gave no grant.",
    }),
    pagedTable({
      caption: "Epochs of deliveries its gateway settled, highest first",
      headers: EPOCH_HEADERS,
      path: `/v1/accounts/${address}/epochs`,
      row: epochRow,
      empty: "No gateway of this account has settled deliveries.",
    }),
    pagedTable({
      caption: "Everything this account did or received",
      headers: ACTIVITY_HEADERS,
      path: `/v1/accounts/${address}/activity`,
      row: activityRow,
      empty: "This account has no activity on this ledger.",
    }),
  ]);
  return {
    title: "Account",
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, "Account"), h("h1", {}, fullHex(address))),
      section("Datasets held", "held", held.element),
      section("Grants received", "received", received.element),
      section("Grants given", "given", given.element),
      section("Gateway settlements", "settlements", epochs.element),
      section(
        "Fees this year",
        "fees",
        statementTable(owes, "It holds no priced grant."),
        statementTable(earns, "It issued no priced grant."),
        h("p", {}, h("a", { href: `/v1/disclosures/${address}/${year}?format=html`, target: "_blank", rel: "noopener" }, `Yearly disclosure for ${year} (printable, in Chinese and English)`)),
      ),
      section("Activity", "activity", activity.element),
    ),
    paged: () => [held, received, given, epochs, activity].some((t) => t.paged()),
  };
}
