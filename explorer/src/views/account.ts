/** An account: the datasets it holds, the grants it gave and received, its gateway's settled epochs, and everything it did. */
import { h } from "../dom.js";
import type { Grant } from "../model.js";
import { fullHex, pagedTable, section } from "../widgets.js";
import { ACTIVITY_HEADERS, activityRow, DATASET_HEADERS, datasetRow, EPOCH_HEADERS, epochRow, GRANT_HEADERS, grantRow } from "./rows.js";
import type { View } from "./view.js";

export async function accountView(address: string): Promise<View> {
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
      section("Activity", "activity", activity.element),
    ),
    paged: () => [held, received, given, epochs, activity].some((t) => t.paged()),
  };
}
