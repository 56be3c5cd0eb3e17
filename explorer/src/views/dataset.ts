/**
 * A dataset: every fact with its chain evidence, its grants, a timeline of its use, its lineage
 * graph and its W3C PROV-JSON.
 */
import { get, getAll } from "../api.js";
import { drawTimeline, granteeName } from "../chart.js";
import { h } from "../dom.js";
import { datasetTitle, decodeMetadata, formatAmount, formatUnits, shortHex } from "../format.js";
import { drawLineage } from "../graph.js";
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
  const raw = h("code", { class: "metadata" }, uri ? chainText(uri) : "(none)");
  if (!fields) return raw;
  return h(
    "div",
    {},
    h("ul", { class: "meta-fields" }, ...Object.entries(fields).map(([k, v]) => h("li", {}, h("strong", {}, chainText(k), ": "), chainText(typeof v === "string" ? v : JSON.stringify(v))))),
    h("details", {}, h("summary", {}, "As anchored"), raw),
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
    caption: "Grants on this dataset",
    headers: GRANT_HEADERS,
    path: `/v1/datasets/${id}/grants`,
    row: (g) => grantRow(g),
    empty: "No grant was ever issued on this dataset.",
  });
  const objections = await pagedTable({
    caption: "Objections to this dataset's registration",
    headers: OBJECTION_HEADERS,
    path: `/v1/objections?target=${id}`,
    row: objectionRow,
    empty: "Nobody has objected to this dataset's registration.",
  });
  const uses = await pagedTable({ caption: "Uses of this dataset", headers: USAGE_HEADERS, path: `/v1/datasets/${id}/usage`, row: usageRow, empty: "Nobody has recorded a use of this dataset." });
  const title = datasetTitle(d);
  const titles = new Map(ancestors.nodes.map((n) => [n.id, datasetTitle(n)]));
  const holderSince = d.transfers.at(-1)?.evidence ?? d.registered;

  const facts = h(
    "dl",
    { class: "facts" },
    standingFacts("Dataset id", d.id, d.status, d.retired, d.lapse),
    ...(d.cancelledBy ? fact("Retired by the ruling on", objectionLink(d.cancelledBy)) : []),
    ...fact(
      "Fee cap",
      cap ? `${formatAmount(cap.maxUnitPrice, cap)} a unit, ${formatAmount(cap.maxDailyFee, cap)} a day of period (set by ${cap.authority})` : "none: the authority has not capped this dataset's fees",
      cap?.evidence,
    ),
    fact("Holder", accountLink(d.holder), holderSince),
    d.pendingHolder ? fact("Offered to", accountLink(d.pendingHolder)) : [],
    fact("Anchored by", accountLink(d.registrant), d.registered),
    fact("Content hash (SHA-256)", h("span", {}, fullHex(d.contentHash), " ", h("a", { href: href({ page: "file", contentHash: d.contentHash }) }, "every anchor of this file"))),
    fact("Merkle root of records", fullHex(d.merkleRoot)),
    fact("Records", d.recordCount === "0" ? "not disclosed" : formatUnits(d.recordCount)),
    fact("Metadata", metadata(d.metadataURI)),
    d.versions.previous || d.versions.next
      ? fact(
          "Versions",
          h(
            "span",
            {},
            d.versions.previous ? ["previous ", datasetLink(d.versions.previous)] : null,
            d.versions.previous && d.versions.next ? " · " : null,
            d.versions.next ? ["next ", datasetLink(d.versions.next)] : null,
          ),
        )
      : [],
    ...d.parents.map((p) =>
      fact(
        "Derived from",
        h(
          "span",
          {},
          datasetLink(p.datasetId, titles.get(p.datasetId)),
          p.grantId ? [" under grant ", h("a", { href: href({ page: "grant", id: p.grantId }), class: "hex" }, shortHex(p.grantId))] : " (held by its registrant)",
        ),
        p.evidence,
      ),
    ),
    ...d.licences.map((l) =>
      fact("Rests on licence", h("span", {}, grantLink(l.grantId), l.direct ? " (whoever operates this dataset must be its grantee)" : " (reached through another grant)"), l.evidence),
    ),
    ...d.transfers.map((t) => fact("Holding transferred", h("span", {}, accountLink(t.from), " → ", accountLink(t.to)), t.evidence)),
  );

  // Usage timeline: a chart, and the same figures as a table for those who cannot see it.
  const series = cumulativeByGrantee(timelineUses.items);
  const canvas = h("canvas", { role: "img", "aria-label": `Units used over time by ${series.length} grantee${series.length === 1 ? "" : "s"}` });
  const timeline = series.length
    ? h(
        "div",
        {},
        timelineUses.truncated ? message("info", `The timeline shows the newest ${formatUnits(String(TIMELINE_MAX_USES))} uses.`) : null,
        h("div", { class: "chart" }, canvas),
        h(
          "details",
          {},
          h("summary", {}, "Show the timeline as a table"),
          h(
            "table",
            { id: "timeline-table" },
            h("caption", { class: "visually-hidden" }, "Units used by grantee"),
            h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Grantee"), h("th", { scope: "col" }, "Uses"), h("th", { scope: "col" }, "Units"))),
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
    : message("info", "Nobody has recorded a use of this dataset.");

  const lineage = mergeLineage(ancestors, descendants);
  const ancestorIds = new Set(ancestors.nodes.map((n) => n.id));
  const graphBox = h("div", { class: "graph", id: "lineage-graph", "aria-hidden": "true" });
  const lineageList = h(
    "ul",
    { class: "lineage-list", id: "lineage-list" },
    ...lineage.nodes.filter((n) => n.id !== d.id).map((n) => h("li", { "data-id": n.id }, ancestorIds.has(n.id) ? "ancestor: " : "descendant: ", datasetLink(n.id, datasetTitle(n)))),
  );

  const node = h(
    "article",
    { class: "dataset" },
    h("header", { class: "page-head" }, h("p", { class: "kind" }, "Dataset"), h("h1", {}, chainText(title), " ", statusBadge(d.status))),
    h("p", { class: "actions" }, h("a", { class: "button", href: `/v1/datasets/${d.id}/prov`, download: `dpl-${d.id.slice(0, 10)}.prov.json` }, "Download W3C PROV-JSON")),
    section("Facts and their chain evidence", "facts", facts),
    section("Grants", "grants", grants.element),
    section("Objections", "objections", objections.element),
    section("Usage over time", "timeline", timeline),
    section(
      "Lineage",
      "lineage",
      lineage.nodes.length > 1
        ? [
            h("p", { class: "hint" }, "Parents above children; this dataset in red. Select a dataset to open it."),
            graphBox,
            lineageList,
            lineage.truncated ? message("info", "The graph is cut at 8 generations each way.") : null,
            lineage.more ? message("info", `The graph shows the nearest ${LINEAGE_PAGE} datasets each way; the lineage holds more (the API pages through them: /v1/datasets/${d.id}/lineage).`) : null,
          ]
        : message("info", "This dataset has no parent and nothing was derived from it."),
    ),
    section("Uses", "uses", uses.element),
  );

  let chart: ReturnType<typeof drawTimeline> | undefined;
  let cy: ReturnType<typeof drawLineage> | undefined;
  return {
    title: `${title} · dataset`,
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
