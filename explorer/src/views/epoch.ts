/** A settled epoch of a holder's gateway: what it settled, its root on chain, and a check of any receipt in it. */
import { ApiError, get, post } from "../api.js";
import { h } from "../dom.js";
import { formatUnits } from "../format.js";
import { t, tNodes, tr } from "../i18n.js";
import type { Epoch, ReceiptCheck, Usage } from "../model.js";
import { accountLink, fact, fullHex, grantLink, message, pagedTable, section } from "../widgets.js";
import type { View } from "./view.js";

/** A form that sends a pasted receipt (with its proof) to the API's check and says what it found. */
function receiptCheck(): HTMLElement {
  const input = h("textarea", { id: "receipt-input", rows: 8, spellcheck: "false", "aria-label": t("receipt.inputLabel") });
  const result = h("div", { id: "receipt-result", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, t("receipt.check"));
  const form = h(
    "form",
    { class: "receipt-check" },
    h("p", {}, ...tNodes("receipt.hint", { route: h("code", {}, "GET /v1/receipts/<n>"), command: h("code", {}, "dpl --json verify-receipt") })),
    input,
    button,
    result,
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    let body: unknown;
    try {
      body = JSON.parse((input as HTMLTextAreaElement).value);
    } catch {
      result.replaceChildren(message("error", t("receipt.notJson")));
      return;
    }
    post<ReceiptCheck>("/v1/receipts/verify", body).then(
      (check) =>
        result.replaceChildren(
          check.valid
            ? message("info", t("receipt.valid", { signer: check.signer ?? "", epoch: check.epoch!.epoch, holder: check.epoch!.holder, root: check.epoch!.receiptsRoot }))
            : message("error", t("receipt.invalid", { reason: check.reason ?? "" })),
        ),
      (error: unknown) => result.replaceChildren(message("error", error instanceof ApiError ? error.message : String(error))),
    );
  });
  return form;
}

export async function epochView(holder: string, epoch: string): Promise<View> {
  const { epoch: e } = await get<{ epoch: Epoch }>(`/v1/accounts/${holder}/epochs/${epoch}`);
  const uses = await pagedTable<Usage>({
    caption: t("epoch.deliveries.caption"),
    headers: ["col.grant", "col.grantee", "col.action", "col.units"],
    path: `/v1/accounts/${holder}/epochs/${epoch}/usage`,
    row: (u) => [grantLink(u.grantId), accountLink(u.grantee), tr().name("action", u.action), formatUnits(u.units)],
    empty: t("epoch.deliveries.empty"),
  });
  const facts = h(
    "dl",
    { class: "facts" },
    fact(t("dataset.holder"), accountLink(e.holder)),
    fact(t("col.epoch"), e.epoch),
    fact(t("col.settledBy"), accountLink(e.meter), e.evidence),
    fact(t("col.receipts"), t("epoch.receipts", { count: e.receiptCount, shown: formatUnits(String(e.receiptCount)) })),
    fact(t("epoch.root"), fullHex(e.receiptsRoot)),
    fact(t("col.units"), t("epoch.units", { units: formatUnits(e.units), count: e.entryCount })),
  );
  return {
    title: t("epoch.title", { epoch: e.epoch }),
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, t("epoch.kind")), h("h1", {}, ...tNodes("epoch.heading", { epoch: e.epoch, holder: accountLink(e.holder) }))),
      section(t("epoch.settlement.title"), "settlement", facts),
      section(t("epoch.deliveries.title"), "deliveries", uses.element),
      section(t("receipt.title"), "check", receiptCheck()),
    ),
    paged: () => uses.paged(),
  };
}
