/** A settled epoch of a holder's gateway: what it settled, its root on chain, and a check of any receipt in it. */
import { ApiError, get, post } from "../api.js";
import { h } from "../dom.js";
import { formatUnits } from "../format.js";
import type { Epoch, ReceiptCheck, Usage } from "../model.js";
import { accountLink, fact, fullHex, grantLink, message, pagedTable, section } from "../widgets.js";
import type { View } from "./view.js";

/** A form that sends a pasted receipt (with its proof) to the API's check and says what it found. */
function receiptCheck(): HTMLElement {
  const input = h("textarea", { id: "receipt-input", rows: 8, spellcheck: "false", "aria-label": "A receipt with its proof, as JSON" });
  const result = h("div", { id: "receipt-result", "aria-live": "polite" });
  const button = h("button", { type: "submit" }, "Check the receipt");
  const form = h(
    "form",
    { class: "receipt-check" },
    h(
      "p",
      {},
      "Paste a receipt as the gateway gives it to its grantee (",
      h("code", {}, "GET /v1/receipts/<n>"),
      ", or ",
      h("code", {}, "dpl --json verify-receipt"),
      "): the API checks its signature and its proof against the root recorded on chain.",
    ),
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
      result.replaceChildren(message("error", "That is not JSON."));
      return;
    }
    post<ReceiptCheck>("/v1/receipts/verify", body).then(
      (check) =>
        result.replaceChildren(
          check.valid
            ? message("info", `Valid: signed by ${check.signer}, and settled in epoch ${check.epoch!.epoch} of ${check.epoch!.holder} (root ${check.epoch!.receiptsRoot}).`)
            : message("error", `Not valid: ${check.reason}.`),
        ),
      (error: unknown) => result.replaceChildren(message("error", error instanceof ApiError ? error.message : String(error))),
    );
  });
  return form;
}

export async function epochView(holder: string, epoch: string): Promise<View> {
  const { epoch: e } = await get<{ epoch: Epoch }>(`/v1/accounts/${holder}/epochs/${epoch}`);
  const uses = await pagedTable<Usage>({
    caption: "What the epoch settled: each grant's total of each action",
    headers: ["Grant", "Grantee", "Action", "Units"],
    path: `/v1/accounts/${holder}/epochs/${epoch}/usage`,
    row: (u) => [grantLink(u.grantId), accountLink(u.grantee), u.action, formatUnits(u.units)],
    empty: "The epoch settled nothing.",
  });
  const facts = h(
    "dl",
    { class: "facts" },
    fact("Holder", accountLink(e.holder)),
    fact("Epoch", e.epoch),
    fact("Settled by", accountLink(e.meter), e.evidence),
    fact("Receipts", `${formatUnits(String(e.receiptCount))} deliver${e.receiptCount === 1 ? "y" : "ies"} under one Merkle root`),
    fact("Receipts root", fullHex(e.receiptsRoot)),
    fact("Units", `${formatUnits(e.units)} in ${e.entryCount} entr${e.entryCount === 1 ? "y" : "ies"}`),
  );
  return {
    title: `Epoch ${e.epoch}`,
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, "Gateway epoch"), h("h1", {}, `Epoch ${e.epoch} of `, accountLink(e.holder))),
      section("Settlement and its chain evidence", "settlement", facts),
      section("Deliveries settled", "deliveries", uses.element),
      section("Check a receipt", "check", receiptCheck()),
    ),
    paged: () => uses.paged(),
  };
}
