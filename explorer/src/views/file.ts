/** A file, by its SHA-256: every anchor of it, or plainly that it was never anchored. */
import { find } from "../api.js";
import { h } from "../dom.js";
import { formatBytes } from "../format.js";
import { t } from "../i18n.js";
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
  const intro = named ? h("p", {}, t("file.hashedHere", { name: named.name, size: formatBytes(named.size) })) : null;
  const verdict = answer
    ? h(
        "div",
        { id: "verdict" },
        message("info", t("file.anchored", { count: answer.anchors.length })),
        h(
          "div",
          { class: "table-wrap" },
          h(
            "table",
            {},
            h("caption", { class: "visually-hidden" }, t("file.anchors.caption")),
            h("thead", {}, h("tr", {}, ...DATASET_HEADERS.map((key) => h("th", { scope: "col" }, t(key))))),
            h("tbody", {}, ...answer.anchors.map((d) => h("tr", {}, ...datasetRow(d).map((c) => h("td", {}, c))))),
          ),
        ),
      )
    : h("div", { id: "verdict" }, message("info", t("file.never")));
  return {
    title: t("file.kind"),
    node: h(
      "article",
      {},
      h("header", { class: "page-head" }, h("p", { class: "kind" }, t("file.kind")), h("h1", {}, "SHA-256 ", fullHex(contentHash))),
      intro,
      section(t("file.anchors.title"), "anchors", verdict),
    ),
    paged: () => false,
  };
}
