/**
 * The auditor's commands: dpl status, dpl trace (grants and usage of a dataset, or an account's
 * activity, as tables; --json, --prov) and dpl lineage (ancestors and descendants as a tree).
 */
import type { Command } from "commander";

import { type Context, parseId } from "../lib/context.js";
import { hasEnd } from "../../core/window.js";
import type { Activity, Anchors, Dataset, Grant, Lineage, Page, Status, Usage } from "../../core/api-answers.js";
import { formatAmount } from "../../core/money.js";
import { CliError, EXIT } from "../lib/errors.js";
import { shownTime, t, tr } from "../lib/language.js";
import { printable } from "../lib/text.js";
import { contentHashOf } from "./verify.js";

/** Rows as aligned columns; every cell shown printable (chain text may carry control characters). */
function table(cells: string[][]): string {
  const rows = cells.map((r) => r.map(printable));
  const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
  return rows
    .map((r) =>
      r
        .map((cell, c) => cell.padEnd(widths[c]))
        .join("  ")
        .trimEnd(),
    )
    .join("\n");
}

const short = (hex: string | null | undefined) => (hex ? `${hex.slice(0, 10)}…` : "-");
const day = (unixSeconds: number) =>
  shownTime(unixSeconds, (d) =>
    d
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d+Z$/, "Z"),
  );
const duration = (seconds: number) =>
  seconds % 86_400 === 0 ? t("money.days", { days: seconds / 86_400 }) : seconds % 3600 === 0 ? t("cli.hours", { hours: seconds / 3600 }) : t("money.seconds", { seconds });

/** One phrase for a lapse: which upstream grant, why and where. */
export function lapseText(lapse: { grantId: string; reason: string; evidence: { blockNumber: number } | null; validUntil: number }): string {
  const reason = tr().name("lapse", lapse.reason);
  return lapse.evidence
    ? t("cli.lapse.inBlock", { grant: short(lapse.grantId), reason, block: lapse.evidence.blockNumber })
    : t("lapse.upstreamAt", { grant: short(lapse.grantId), reason, time: day(lapse.validUntil) });
}

/** A page as a table under `header` (or `empty`), saying so (`cut`) when the list goes on past it. */
function printPage<T>(ctx: Context, page: Page<T>, cut: string, empty: string, header: string[], row: (item: T) => string[]): void {
  ctx.say(page.items.length === 0 ? empty : table([header, ...page.items.map(row)]));
  if (page.next) ctx.say(cut);
}

/** The most datasets `dpl lineage` draws each way. */
const LINEAGE_MAX = 2_000;

/** A lineage, page after page, up to LINEAGE_MAX datasets; undefined for an unknown dataset. */
async function lineagePages(ctx: Context, id: string, direction: "ancestors" | "descendants", depth: number) {
  const graph = { nodes: [] as Dataset[], edges: [] as Lineage["edges"], truncated: false, cut: false };
  for (let cursor: string | null = ""; cursor !== null; ) {
    const page: Lineage | undefined = await ctx.api<Lineage>(`/v1/datasets/${id}/lineage?direction=${direction}&depth=${depth}&limit=1000${cursor ? `&cursor=${cursor}` : ""}`);
    if (!page) return undefined;
    graph.nodes.push(...page.nodes);
    graph.edges.push(...page.edges);
    graph.truncated ||= page.truncated;
    cursor = page.next;
    if (cursor && graph.nodes.length >= LINEAGE_MAX) {
      graph.cut = true;
      break;
    }
  }
  return graph;
}

export function registerAudit(program: Command, context: () => Promise<Context>): void {
  program
    .command("status")
    .description(t("cli.status.help"))
    .action(async () => {
      const ctx = await context();
      // Answered whenever the API is up: only an unknown dataset or grant is a 404.
      const status = (await ctx.api<Status>("/v1/status"))!;
      if (ctx.json(status)) return;
      ctx.say(t("cli.status.chain", { chain: status.chainId, ledger: status.ledger }));
      ctx.say(t("cli.status.index", { head: String(status.head), indexed: status.indexed.number, lag: String(status.lag), events: status.events, reorgs: status.reorgs }));
      ctx.say(t("cli.status.digest", { digest: status.digest }) + (status.paused ? t("cli.status.paused") : "") + (status.lastError ? t("cli.status.lastError", { error: status.lastError }) : ""));
      const r = status.roles;
      const delay = r.adminDelay === null ? "" : t("cli.status.delay", { delay: duration(r.adminDelay) });
      ctx.say(t("cli.status.admin", { admin: r.admin ?? t("home.unknown"), delay, pausers: r.pausers.length ? r.pausers.join(", ") : t("right.none") }));
      if (r.pendingAdmin) ctx.say(t("cli.status.handover", { account: r.pendingAdmin.account, time: day(r.pendingAdmin.acceptAfter) }));
      if (r.pendingDelay) ctx.say(t("cli.status.delayChange", { delay: duration(r.pendingDelay.delay), time: day(r.pendingDelay.effectiveAfter) }));
    });

  program
    .command("trace")
    .description(t("cli.trace.help"))
    .argument("<target>", t("cli.trace.arg.target"))
    .option("--prov", t("cli.trace.opt.prov"))
    .option("--limit <n>", t("cli.trace.opt.limit"), "25")
    .action(async (target: string, opts: { prov?: boolean; limit: string }) => {
      const ctx = await context();
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError(t("cli.badLimit", { value: opts.limit }));
      if (/^0x[0-9a-fA-F]{40}$/.test(target)) {
        if (opts.prov) throw new CliError(t("cli.trace.provNeedsDataset"));
        const activity = (await ctx.api<Page<Activity>>(`/v1/accounts/${target.toLowerCase()}/activity?limit=${limit}`))!;
        if (ctx.json(activity)) return;
        const header = [t("cli.col.time"), t("cli.col.what"), t("cli.col.dataset"), t("cli.col.grant"), t("cli.col.unitsOrAmount"), t("cli.col.counterparty"), t("cli.col.block")];
        printPage(ctx, activity, t("cli.trace.cut.entries", { limit }), t("cli.trace.noActivity", { account: target }), header, (a) => [
          day(a.evidence.timestamp),
          a.kind,
          short(a.datasetId),
          short(a.grantId),
          a.units ?? (a.amount ? (a.currency ? formatAmount(a.amount, a.currency, tr()) : a.amount) : ""),
          a.counterparty ?? "",
          String(a.evidence.blockNumber),
        ]);
        return;
      }
      let datasetId: string;
      if (/^0x[0-9a-fA-F]{64}$/.test(target)) datasetId = parseId(target, t("cli.the.dataset"));
      else {
        const { contentHash } = await contentHashOf(target);
        const anchors = await ctx.api<Anchors>(`/v1/verify/${contentHash}`);
        if (!anchors) throw new CliError(t("cli.trace.neverAnchored", { target }), EXIT.usage);
        datasetId = anchors.anchors[0].id;
      }
      if (opts.prov) {
        const prov = await ctx.api<{ entity?: Record<string, Record<string, unknown>> }>(`/v1/datasets/${datasetId}/prov`);
        if (!prov) throw new CliError(t("revert.DatasetNotFound", { id: datasetId }), EXIT.usage);
        console.log(JSON.stringify(prov, null, 2));
        // A document cut short says so on its dataset's entity; say it where a person reads.
        for (const [key, what] of Object.entries(prov.entity?.[`ds:${datasetId}`] ?? {})) if (key.startsWith("dpl:cut-")) console.error(t("cli.trace.provCut", { what: String(what) }));
        return;
      }
      const dataset = await ctx.api<{ dataset: Dataset }>(`/v1/datasets/${datasetId}`);
      if (!dataset) throw new CliError(t("revert.DatasetNotFound", { id: datasetId }), EXIT.usage);
      const grants = (await ctx.api<Page<Grant>>(`/v1/datasets/${datasetId}/grants?limit=${limit}`))!;
      const usage = (await ctx.api<Page<Usage>>(`/v1/datasets/${datasetId}/usage?limit=${limit}`))!;
      if (ctx.json({ dataset: dataset.dataset, grants: grants.items, usage: usage.items })) return;
      const d = dataset.dataset;
      ctx.say(t("cli.trace.dataset", { id: d.id, status: tr().name("status", d.status), holder: d.holder, time: day(d.registered.timestamp), block: d.registered.blockNumber }));
      ctx.say(t("cli.trace.content", { hash: d.contentHash, records: d.recordCount, root: d.merkleRoot }));
      if (d.licences.length > 0) {
        const licences = d.licences.map((l) => (l.direct ? t("cli.trace.licenceDirect", { grant: short(l.grantId) }) : short(l.grantId))).join(", ");
        ctx.say(t("cli.trace.restsOn", { count: d.licences.length, licences }));
        if (d.lapse) ctx.say(t("cli.trace.lapsed", { lapse: lapseText(d.lapse) }));
      }
      ctx.say("");
      const grantHeader = [t("cli.col.grant"), t("cli.col.grantee"), t("cli.col.rights"), t("cli.col.purpose"), t("cli.col.usedQuota"), t("cli.col.status"), t("cli.col.until")];
      printPage(ctx, grants, t("cli.trace.cut.grants", { limit }), t("cli.trace.noGrants"), grantHeader, (g) => [
        short(g.id),
        g.grantee,
        g.rights.join(","),
        g.purpose.slice(0, 40),
        `${g.used}/${g.quota === "0" ? "∞" : g.quota}`,
        g.lapse ? t("cli.trace.grantLapsed", { lapse: lapseText(g.lapse) }) : tr().name("status", g.status),
        hasEnd(g.validUntil) ? day(g.validUntil) : t("window.noEnd"),
      ]);
      ctx.say("");
      const useHeader = [t("cli.col.time"), t("cli.col.grantee"), t("cli.col.action"), t("cli.col.units"), t("cli.col.grant"), t("cli.col.output"), t("cli.col.block")];
      printPage(ctx, usage, t("cli.trace.cut.uses", { limit }), t("cli.trace.noUses"), useHeader, (u) => [
        day(u.evidence.timestamp),
        u.grantee,
        u.action,
        u.units,
        short(u.grantId),
        short(u.outputRef),
        String(u.evidence.blockNumber),
      ]);
    });

  program
    .command("lineage")
    .description(t("cli.lineage.help"))
    .argument("<dataset>", t("cli.arg.datasetId"))
    .option("--depth <n>", t("cli.lineage.opt.depth"), "8")
    .action(async (dataset: string, opts: { depth: string }) => {
      const ctx = await context();
      const id = parseId(dataset, t("cli.the.dataset"));
      const depth = Number(opts.depth);
      if (!Number.isInteger(depth) || depth < 1 || depth > 32) throw new CliError(t("cli.lineage.badDepth", { value: opts.depth }));
      const up = await lineagePages(ctx, id, "ancestors", depth);
      if (!up) throw new CliError(t("revert.DatasetNotFound", { id }), EXIT.usage);
      const down = (await lineagePages(ctx, id, "descendants", depth))!;
      if (ctx.json({ ancestors: up, descendants: down })) return;
      type Graph = NonNullable<typeof up>;
      type Edge = Graph["edges"][number];
      const label = (nodes: Dataset[], nodeId: string) => {
        const n = nodes.find((x) => x.id === nodeId);
        return n ? t("cli.lineage.node", { id: nodeId, holder: short(n.holder), status: tr().name("status", n.status) }) : nodeId;
      };
      const draw = (graph: Graph, from: string, next: (e: Edge) => string, key: (e: Edge) => string, prefix: string, seen: Set<string>): string[] => {
        const edges = graph.edges.filter((e) => key(e) === from);
        return edges.flatMap((e, i) => {
          const last = i === edges.length - 1;
          const child = next(e);
          const line = `${prefix}${last ? "└─ " : "├─ "}${label(graph.nodes, child)}${e.grantId ? t("cli.lineage.underGrant", { grant: short(e.grantId) }) : ""}`;
          if (seen.has(child)) return [t("cli.lineage.shownAbove", { line })];
          seen.add(child);
          return [line, ...draw(graph, child, next, key, prefix + (last ? "   " : "│  "), seen)];
        });
      };
      ctx.say(label(up.nodes, id));
      // Ancestors are found walking from child to parent, descendants the other way.
      const tree = (graph: Graph, side: "ancestors" | "descendants", next: (e: Edge) => string, key: (e: Edge) => string) => {
        const lines = draw(graph, id, next, key, "", new Set([id]));
        const name = t(`cli.lineage.${side}`);
        ctx.say(lines.length ? `${name}:\n${lines.join("\n")}` : t("cli.lineage.none", { side: name }));
      };
      tree(
        up,
        "ancestors",
        (e) => e.parent,
        (e) => e.child,
      );
      tree(
        down,
        "descendants",
        (e) => e.child,
        (e) => e.parent,
      );
      for (const [graph, side] of [
        [up, "ancestors"],
        [down, "descendants"],
      ] as const) {
        if (graph.cut) ctx.say(t("cli.lineage.cut", { side: t(`cli.lineage.${side}`), max: LINEAGE_MAX, path: `/v1/datasets/${id}/lineage?direction=${side}` }));
        else if (graph.truncated) ctx.say(t("cli.lineage.truncated", { side: t(`cli.lineage.${side}`), depth }));
      }
    });
}
