/**
 * The auditor's commands: dpl status, dpl trace (grants and usage of a dataset, or an account's
 * activity, as tables; --json, --prov) and dpl lineage (ancestors and descendants as a tree).
 */
import type { Command } from "commander";

import { type Context, parseId } from "../lib/context.js";
import type { LapseReason } from "../../core/ids.js";
import { hasEnd } from "../../core/window.js";
import type { Activity, Anchors, Dataset, Grant, Lineage, Page, Status, Usage } from "../../core/api-answers.js";
import { LAPSE_WORDS } from "../../core/lapse.js";
import { formatAmount } from "../../core/money.js";
import { CliError, EXIT } from "../lib/errors.js";
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
const day = (iso: string) => iso.replace("T", " ").replace(/\.\d+Z$/, "Z");
const duration = (seconds: number) => (seconds % 86_400 === 0 ? `${seconds / 86_400} days` : seconds % 3600 === 0 ? `${seconds / 3600} hours` : `${seconds} s`);

/** One phrase for a lapse: which upstream grant, why and where. */
export function lapseText(lapse: { grantId: string; reason: string; evidence: { blockNumber: number } | null; validUntil: number }): string {
  const where = lapse.evidence ? ` in block ${lapse.evidence.blockNumber}` : ` at ${day(new Date(lapse.validUntil * 1000).toISOString())}`;
  return `upstream grant ${short(lapse.grantId)} ${LAPSE_WORDS[lapse.reason as LapseReason] ?? lapse.reason}${where}`;
}

/** What a table cut at `limit` rows says under it: that there is more, and how to see it. */
/** A page as a table under `header` (or `empty`), saying so when the list goes on past it. */
function printPage<T>(ctx: Context, page: Page<T>, limit: number, what: string, empty: string, header: string[], row: (item: T) => string[]): void {
  ctx.say(page.items.length === 0 ? empty : table([header, ...page.items.map(row)]));
  if (page.next) ctx.say(cutNote(limit, what));
}

const cutNote = (limit: number, what: string) => `… showing the newest ${limit} ${what}; there are more (--limit shows up to 500; the API's lists page through all of them)`;

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
    .description("chain, ledger, indexer lag and state digest")
    .action(async () => {
      const ctx = await context();
      // Answered whenever the API is up: only an unknown dataset or grant is a 404.
      const status = (await ctx.api<Status>("/v1/status"))!;
      if (ctx.json(status)) return;
      ctx.say(`chain ${status.chainId}, ledger ${status.ledger}`);
      ctx.say(`head ${status.head}, indexed ${status.indexed.number} (lag ${status.lag}), ${status.events} events, ${status.reorgs} reorganisations`);
      ctx.say(`digest ${status.digest}${status.paused ? "; the ledger is PAUSED" : ""}${status.lastError ? `; last error: ${status.lastError}` : ""}`);
      const r = status.roles;
      ctx.say(`admin ${r.admin ?? "unknown"}${r.adminDelay === null ? "" : ` (handover delay ${duration(r.adminDelay)})`}; pausers: ${r.pausers.length ? r.pausers.join(", ") : "none"}`);
      if (r.pendingAdmin) ctx.say(`admin handover to ${r.pendingAdmin.account} scheduled; it may be accepted after ${day(new Date(r.pendingAdmin.acceptAfter * 1000).toISOString())}`);
      if (r.pendingDelay) ctx.say(`handover delay becomes ${duration(r.pendingDelay.delay)} after ${day(new Date(r.pendingDelay.effectiveAfter * 1000).toISOString())}`);
    });

  program
    .command("trace")
    .description("grants and usage of a dataset (by id or file), or everything an account did")
    .argument("<target>", "a dataset id, an account address, or an anchored file")
    .option("--prov", "print the dataset's W3C PROV-JSON document")
    .option("--limit <n>", "rows of each table", "25")
    .action(async (target: string, opts: { prov?: boolean; limit: string }) => {
      const ctx = await context();
      const limit = Number(opts.limit);
      if (!Number.isInteger(limit) || limit < 1 || limit > 500) throw new CliError(`--limit must be a whole number from 1 to 500, not "${opts.limit}"`);
      if (/^0x[0-9a-fA-F]{40}$/.test(target)) {
        if (opts.prov) throw new CliError("--prov needs a dataset, not an account");
        const activity = (await ctx.api<Page<Activity>>(`/v1/accounts/${target.toLowerCase()}/activity?limit=${limit}`))!;
        if (ctx.json(activity)) return;
        printPage(ctx, activity, limit, "entries", `no activity of ${target} on this ledger`, ["time", "what", "dataset", "grant", "units or amount", "counterparty", "block"], (a) => [
          day(a.evidence.time),
          a.kind,
          short(a.datasetId),
          short(a.grantId),
          a.units ?? (a.amount ? (a.currency ? formatAmount(a.amount, a.currency) : a.amount) : ""),
          a.counterparty ?? "",
          String(a.evidence.blockNumber),
        ]);
        return;
      }
      let datasetId: string;
      if (/^0x[0-9a-fA-F]{64}$/.test(target)) datasetId = parseId(target, "the dataset");
      else {
        const { contentHash } = await contentHashOf(target);
        const anchors = await ctx.api<Anchors>(`/v1/verify/${contentHash}`);
        if (!anchors) throw new CliError(`${target} was never anchored on this ledger: nothing to trace`, EXIT.usage);
        datasetId = anchors.anchors[0].id;
      }
      if (opts.prov) {
        const prov = await ctx.api<{ entity?: Record<string, Record<string, unknown>> }>(`/v1/datasets/${datasetId}/prov`);
        if (!prov) throw new CliError(`no dataset ${datasetId} is anchored on this ledger`, EXIT.usage);
        console.log(JSON.stringify(prov, null, 2));
        // A document cut short says so on its dataset's entity; say it where a person reads.
        for (const [key, what] of Object.entries(prov.entity?.[`ds:${datasetId}`] ?? {})) if (key.startsWith("dpl:cut-")) console.error(`note: the document carries ${what}`);
        return;
      }
      const dataset = await ctx.api<{ dataset: Dataset }>(`/v1/datasets/${datasetId}`);
      if (!dataset) throw new CliError(`no dataset ${datasetId} is anchored on this ledger`, EXIT.usage);
      const grants = (await ctx.api<Page<Grant>>(`/v1/datasets/${datasetId}/grants?limit=${limit}`))!;
      const usage = (await ctx.api<Page<Usage>>(`/v1/datasets/${datasetId}/usage?limit=${limit}`))!;
      if (ctx.json({ dataset: dataset.dataset, grants: grants.items, usage: usage.items })) return;
      const d = dataset.dataset;
      ctx.say(`dataset ${d.id} (${d.status}), held by ${d.holder}, anchored ${day(d.registered.time)} in block ${d.registered.blockNumber}`);
      ctx.say(`content ${d.contentHash}, ${d.recordCount} records, root ${d.merkleRoot}`);
      if (d.licences.length > 0) {
        ctx.say(`rests on ${d.licences.length} upstream grant(s): ${d.licences.map((l) => `${short(l.grantId)}${l.direct ? " (its licensee must operate it)" : ""}`).join(", ")}`);
        if (d.lapse) ctx.say(`LAPSED: ${lapseText(d.lapse)}; nothing may be granted, used or derived on it`);
      }
      ctx.say("");
      printPage(ctx, grants, limit, "grants", "no grants", ["grant", "grantee", "rights", "purpose", "used/quota", "status", "until"], (g) => [
        short(g.id),
        g.grantee,
        g.rights.join(","),
        g.purpose.slice(0, 40),
        `${g.used}/${g.quota === "0" ? "∞" : g.quota}`,
        g.lapse ? `lapsed: ${lapseText(g.lapse)}` : g.status,
        hasEnd(g.validUntil) ? day(new Date(g.validUntil * 1000).toISOString()) : "no end",
      ]);
      ctx.say("");
      printPage(ctx, usage, limit, "uses", "no uses", ["time", "grantee", "action", "units", "grant", "output", "block"], (u) => [
        day(u.evidence.time),
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
    .description("draw a dataset's ancestors and descendants as a tree")
    .argument("<dataset>", "dataset id")
    .option("--depth <n>", "how many derivation steps each way", "8")
    .action(async (dataset: string, opts: { depth: string }) => {
      const ctx = await context();
      const id = parseId(dataset, "the dataset");
      const depth = Number(opts.depth);
      if (!Number.isInteger(depth) || depth < 1 || depth > 32) throw new CliError(`--depth must be a whole number from 1 to 32, not "${opts.depth}"`);
      const up = await lineagePages(ctx, id, "ancestors", depth);
      if (!up) throw new CliError(`no dataset ${id} is anchored on this ledger`, EXIT.usage);
      const down = (await lineagePages(ctx, id, "descendants", depth))!;
      if (ctx.json({ ancestors: up, descendants: down })) return;
      type Graph = NonNullable<typeof up>;
      type Edge = Graph["edges"][number];
      const label = (nodes: Dataset[], nodeId: string) => {
        const n = nodes.find((x) => x.id === nodeId);
        return n ? `${nodeId} (held by ${short(n.holder)}, ${n.status})` : nodeId;
      };
      const draw = (graph: Graph, from: string, next: (e: Edge) => string, key: (e: Edge) => string, prefix: string, seen: Set<string>): string[] => {
        const edges = graph.edges.filter((e) => key(e) === from);
        return edges.flatMap((e, i) => {
          const last = i === edges.length - 1;
          const child = next(e);
          const line = `${prefix}${last ? "└─ " : "├─ "}${label(graph.nodes, child)}${e.grantId ? ` under grant ${short(e.grantId)}` : ""}`;
          if (seen.has(child)) return [`${line} (shown above)`];
          seen.add(child);
          return [line, ...draw(graph, child, next, key, prefix + (last ? "   " : "│  "), seen)];
        });
      };
      ctx.say(label(up.nodes, id));
      // Ancestors are found walking from child to parent, descendants the other way.
      const tree = (graph: Graph, side: string, next: (e: Edge) => string, key: (e: Edge) => string) => {
        const lines = draw(graph, id, next, key, "", new Set([id]));
        ctx.say(lines.length ? `${side}:\n${lines.join("\n")}` : `${side}: none`);
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
        if (graph.cut) ctx.say(`(${side} cut at the nearest ${LINEAGE_MAX} datasets; the API pages through the rest: /v1/datasets/${id}/lineage?direction=${side})`);
        else if (graph.truncated) ctx.say(`(${side} cut at ${depth} generations; pass a larger --depth, up to 32)`);
      }
    });
}
