/**
 * A dataset: every fact with its chain evidence, its grants, a timeline of its use, its lineage
 * graph and its W3C PROV-JSON.
 */
import { get, getAll } from "../api.js";
import { drawTimeline, granteeName } from "../chart.js";
import { h } from "../dom.js";
import { datasetTitle, decodeMetadata, formatAmount, formatUnits, shortHex } from "../format.js";
import { drawLineage } from "../graph.js";
import { t, tNodes } from "../i18n.js";
import { mergeLineage } from "../lineage-data.js";
import type { Dataset, FeeCap, Grant, Lineage, Usage } from "../model.js";
import { href } from "../routes.js";
import { cumulativeByGrantee } from "../timeline-data.js";
import { accountLink, chainText, datasetLink, fact, fullHex, grantLink, message, objectionLink, pagedTable, section, standingFacts, statusBadge } from "../widgets.js";
import { GRANT_HEADERS, grantRow, OBJECTION_HEADERS, objectionRow, USAGE_HEADERS, usageRow } from "./rows.js";
import type { View } from "./view.js";

/** The most datasets the lineage graph draws each way: a graph of thousands is neither quick nor legible. */
const LINEAGE_PAGE = 200;

/** The most uses the timeline draws: the newest ones. */
const TIMELINE_MAX_USES = 2_000;

/** Metadata in a data: URI is shown decoded, field by field; any other URI as it is. */
function metadata(uri: string) {
  const fields = decodeMetadata(uri);
  const raw = h("code", { class: "metadata" }, uri ? chainText(uri) : t("dataset.metadataNone"));
  if (!fields) return raw;
  return h(
    "div",
    {},
    h("ul", { class: "meta-fields" }, ...Object.entries(fields).map(([k, v]) => h("li", {}, h("strong", {}, chainText(k), ": "), chainText(typeof v === "string" ? v : JSON.stringify(v))))),
    h("details", {}, h("summary", {}, t("dataset.asAnchored")), raw),
  );
}

export async function datasetView(id: string): Promise<View> {
  const [{ dataset: d }, { cap }, timelineUses, ancestors, descendants] = await Promise.all([
    get<{ dataset: Dataset }>(`/v1/datasets/${id}`),
    get<{ cap: FeeCap | null }>(`/v1/datasets/${id}/fee-cap`),
    getAll<Usage>(`/v1/datasets/${id}/usage`, TIMELINE_MAX_USES),
    get<Lineage>(`/v1/datasets/${id}/lineage?direction=ancestors&limit=${LINEAGE_PAGE}`),
    get<Lineage>(`/v1/datasets/${id}/lineage?direction=descendants&limit=${LINEAGE_PAGE}`),
  ]);
  const grants = await pagedTable<Grant>({
    caption: t("dataset.grants.caption"),
    headers: GRANT_HEADERS,
    path: `/v1/datasets/${id}/grants`,
    row: (g) => grantRow(g),
    empty: t("dataset.grants.empty"),
  });
  const objections = await pagedTable({
    caption: t("dataset.objections.caption"),
    headers: OBJECTION_HEADERS,
    path: `/v1/objections?target=${id}`,
    row: objectionRow,
    empty: t("dataset.objections.empty"),
  });
  const uses = await pagedTable({ caption: t("dataset.uses.caption"), headers: USAGE_HEADERS, path: `/v1/datasets/${id}/usage`, row: usageRow, empty: t("dataset.uses.empty") });
  const title = datasetTitle(d);
  const titles = new Map(ancestors.nodes.map((n) => [n.id, datasetTitle(n)]));
  const holderSince = d.transfers.at(-1)?.evidence ?? d.registered;

  const facts = h(
    "dl",
    { class: "facts" },
    standingFacts(t("dataset.id"), d.id, d.status, d.retired, d.lapse),
    ...(d.cancelledBy ? fact(t("dataset.retiredByRuling"), objectionLink(d.cancelledBy)) : []),
    ...fact(
      t("dataset.feeCap"),
      cap ? t("dataset.feeCap.value", { unit: formatAmount(cap.maxUnitPrice, cap), daily: formatAmount(cap.maxDailyFee, cap), authority: cap.authority }) : t("dataset.feeCap.none"),
      cap?.evidence,
    ),
    fact(t("dataset.holder"), accountLink(d.holder), holderSince),
    d.pendingHolder ? fact(t("dataset.offeredTo"), accountLink(d.pendingHolder)) : [],
    fact(t("dataset.anchoredBy"), accountLink(d.registrant), d.registered),
    fact(t("dataset.contentHash"), h("span", {}, fullHex(d.contentHash), " ", h("a", { href: href({ page: "file", contentHash: d.contentHash }) }, t("dataset.everyAnchor")))),
    fact(t("dataset.merkleRoot"), fullHex(d.merkleRoot)),
    fact(t("dataset.records"), d.recordCount === "0" ? t("dataset.records.undisclosed") : formatUnits(d.recordCount)),
    fact(t("dataset.metadata"), metadata(d.metadataURI)),
    d.versions.previous || d.versions.next
      ? fact(
          t("dataset.versions"),
          h(
            "span",
            {},
            d.versions.previous ? tNodes("dataset.versions.previous", { dataset: datasetLink(d.versions.previous) }) : null,
            d.versions.previous && d.versions.next ? " · " : null,
            d.versions.next ? tNodes("dataset.versions.next", { dataset: datasetLink(d.versions.next) }) : null,
          ),
        )
      : [],
    ...d.parents.map((p) =>
      fact(
        t("dataset.derivedFrom"),
        h(
          "span",
          {},
          ...(p.grantId
            ? tNodes("dataset.derivedFrom.underGrant", {
                dataset: datasetLink(p.datasetId, titles.get(p.datasetId)),
                grant: h("a", { href: href({ page: "grant", id: p.grantId }), class: "hex" }, shortHex(p.grantId)),
              })
            : tNodes("dataset.derivedFrom.held", { dataset: datasetLink(p.datasetId, titles.get(p.datasetId)) })),
        ),
        p.evidence,
      ),
    ),
    ...d.licences.map((l) => fact(t("dataset.restsOn"), h("span", {}, ...tNodes(l.direct ? "dataset.restsOn.direct" : "dataset.restsOn.indirect", { grant: grantLink(l.grantId) })), l.evidence)),
    ...d.transfers.map((move) => fact(t("dataset.transferred"), h("span", {}, accountLink(move.from), " → ", accountLink(move.to)), move.evidence)),
  );

  // Usage timeline: a chart, and the same figures as a table for those who cannot see it.
  const series = cumulativeByGrantee(timelineUses.items);
  const canvas = h("canvas", { role: "img", "aria-label": t("timeline.label", { count: series.length }) });
  const timeline = series.length
    ? h(
        "div",
        {},
        timelineUses.truncated ? message("info", t("timeline.truncated", { count: formatUnits(String(TIMELINE_MAX_USES)) })) : null,
        h("div", { class: "chart" }, canvas),
        h(
          "details",
          {},
          h("summary", {}, t("timeline.asTable")),
          h(
            "table",
            { id: "timeline-table" },
            h("caption", { class: "visually-hidden" }, t("timeline.caption")),
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, t("col.grantee")), h("th", { scope: "col" }, t("col.uses")), h("th", { scope: "col" }, t("col.units")))),
            h(
              "tbody",
              {},
              ...series.map((s) =>
                h("tr", { "data-grantee": s.grantee }, h("td", {}, accountLink(s.grantee)), h("td", {}, String(s.points.length)), h("td", { class: "units" }, formatUnits(s.total.toString()))),
              ),
            ),
          ),
        ),
      )
    : message("info", t("dataset.uses.empty"));

  const lineage = mergeLineage(ancestors, descendants);
  const ancestorIds = new Set(ancestors.nodes.map((n) => n.id));
  const graphBox = h("div", { class: "graph", id: "lineage-graph", "aria-hidden": "true" });
  const lineageList = h(
    "ul",
    { class: "lineage-list", id: "lineage-list" },
    ...lineage.nodes
      .filter((n) => n.id !== d.id)
      .map((n) => h("li", { "data-id": n.id }, ...tNodes(ancestorIds.has(n.id) ? "lineage.ancestor" : "lineage.descendant", { dataset: datasetLink(n.id, datasetTitle(n)) }))),
  );

  const node = h(
    "article",
    { class: "dataset" },
    h("header", { class: "page-head" }, h("p", { class: "kind" }, t("dataset.kind")), h("h1", {}, chainText(title), " ", statusBadge(d.status))),
    h("p", { class: "actions" }, h("a", { class: "button", href: `/v1/datasets/${d.id}/prov`, download: `dpl-${d.id.slice(0, 10)}.prov.json` }, t("dataset.downloadProv"))),
    section(t("dataset.facts.title"), "facts", facts),
    section(t("dataset.grants.title"), "grants", grants.element),
    section(t("objections.title"), "objections", objections.element),
    section(t("timeline.title"), "timeline", timeline),
    section(
      t("lineage.title"),
      "lineage",
      lineage.nodes.length > 1
        ? [
            h("p", { class: "hint" }, t("lineage.hint")),
            graphBox,
            lineageList,
            lineage.truncated ? message("info", t("lineage.cut")) : null,
            lineage.more ? message("info", t("lineage.more", { count: LINEAGE_PAGE, path: `/v1/datasets/${d.id}/lineage` })) : null,
          ]
        : message("info", t("lineage.none")),
    ),
    section(t("uses.title"), "uses", uses.element),
  );

  let chart: ReturnType<typeof drawTimeline> | undefined;
  let cy: ReturnType<typeof drawLineage> | undefined;
  return {
    title: t("dataset.pageTitle", { title }),
    node,
    paged: () => grants.paged() || uses.paged() || objections.paged(),
    attached: () => {
      if (series.length) chart = drawTimeline(canvas, series, granteeName);
      if (lineage.nodes.length > 1) {
        cy = drawLineage(graphBox, lineage, (target) => (location.hash = href({ page: "dataset", id: target })));
        // Tests find the drawn graph here, to click a node where the reader would.
        (graphBox as HTMLElement & { cy?: unknown }).cy = cy;
      }
    },
    dispose: () => {
      chart?.destroy();
      cy?.destroy();
    },
  };
}
