/** The lineage graph around a dataset: its ancestors and descendants merged into one graph. Pure. */
import type { Dataset, Lineage } from "./model.js";

export interface LineageGraph {
  root: string;
  nodes: Dataset[];
  edges: { parent: string; child: string; grantId: string | null }[];
  truncated: boolean;
  /** One side has more datasets than the page drawn. */
  more: boolean;
}

export function mergeLineage(ancestors: Lineage, descendants: Lineage): LineageGraph {
  const nodes = new Map<string, Dataset>();
  for (const n of [...ancestors.nodes, ...descendants.nodes]) nodes.set(n.id, n);
  const edges = new Map<string, LineageGraph["edges"][number]>();
  for (const e of [...ancestors.edges, ...descendants.edges]) edges.set(`${e.parent}>${e.child}`, e);
  return {
    root: ancestors.root,
    nodes: [...nodes.values()],
    edges: [...edges.values()],
    truncated: ancestors.truncated || descendants.truncated,
    more: ancestors.next !== null || descendants.next !== null,
  };
}
