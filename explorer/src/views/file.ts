/** A file, by its SHA-256: every anchor of it, or plainly that it was never anchored. */
import { find } from "../api.js";
import { h } from "../dom.js";
import { formatBytes } from "../format.js";
import type { Anchors } from "../model.js";
import { fullHex, message, section } from "../widgets.js";
import { DATASET_HEADERS, datasetRow } from "./rows.js";
import type { View } from "./view.js";

/** The file last hashed in this page, to name it beside its hash. */
export interface HashedFile {
  name: string;
  size: number;
  contentHash: string;
}

export async function fileView(contentHash: string, hashed: HashedFile | undefined): Promise<View> {
  const answer = await find<Anchors>(`/v1/verify/${contentHash}`);
  const named = hashed?.contentHash === contentHash ? hashed : undefined;
  const intro = named ? h("p", {}, `${named.name} (${formatBytes(named.size)}) was hashed in your browser; nothing was uploaded.`) : null;
  const verdict = answer
    ? h(
        "div",
        { id: "verdict" },
        message("info", `Anchored ${answer.anchors.length === 1 ? "once" : `${answer.anchors.length} times`} on this ledger.`),
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            {},
            h("caption", { class: "visually-hidden" }, "Every anchor of this file"),
            h("thead", {}, h("tr", {}, ...DATASET_HEADERS.map((t) => h("th", { scope: "col" }, t)))),
            h("tbody", {}, ...answer.anchors.map((d) => h("tr", {}, ...datasetRow(d).map((c) => h("td", {}, c))))),
          ),
        ),
      )
    : h("div", { id: "verdict" }, message("info", "This file was never anchored on this ledger: no dataset has this content hash."));
  return {
    title: "File",
    node: h("article", {}, h("header", { class: "page-head" }, h("p", { class: "kind" }, "File"), h("h1", {}, "SHA-256 ", fullHex(contentHash))), intro, section("Anchors", "anchors", verdict)),
    paged: () => false,
  };
}
