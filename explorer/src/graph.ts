/**
 * The lineage graph, laid out and drawn by Cytoscape.js (breadth-first, parents above children).
 * A click or tap on a dataset opens its page. The same graph is also listed as links beside it,
 * for keyboards and screen readers.
 */
import cytoscape from "cytoscape";

import { datasetTitle } from "./format.js";
import type { LineageGraph } from "./lineage-data.js";

export function drawLineage(container: HTMLElement, graph: LineageGraph, open: (id: string) => void): cytoscape.Core {
  const hasParent = new Set(graph.edges.map((e) => e.child));
  const cy = cytoscape({
    container,
    elements: [
      ...graph.nodes.map((n) => ({ data: { id: n.id, label: datasetTitle(n) }, classes: [n.id === graph.root ? "root" : "", n.status === "retired" ? "retired" : ""].join(" ").trim() })),
      ...graph.edges.map((e) => ({ data: { id: `${e.parent}>${e.child}`, source: e.parent, target: e.child } })),
    ],
    style: [
      {
        selector: "node",
        style: {
          label: "data(label)",
          "background-color": "#2f6db5",
          color: "#1b1b1b",
          "font-size": 11,
          "text-valign": "bottom",
          "text-margin-y": 4,
          "text-wrap": "wrap",
          "text-max-width": "110px",
          width: 22,
          height: 22,
        },
      },
      { selector: "node.root", style: { "background-color": "#b5462f", width: 30, height: 30, "font-weight": "bold" } },
      { selector: "node.retired", style: { "background-color": "#8a8a8a" } },
      { selector: "edge", style: { width: 2, "line-color": "#9aa7b8", "target-arrow-color": "#9aa7b8", "target-arrow-shape": "triangle", "curve-style": "bezier" } },
    ],
    layout: { name: "breadthfirst", directed: true, roots: graph.nodes.filter((n) => !hasParent.has(n.id)).map((n) => n.id), spacingFactor: 1.1, padding: 24 },
    maxZoom: 1.3,
    userZoomingEnabled: false,
    boxSelectionEnabled: false,
    autoungrabify: true,
  });
  cy.on("tap", "node", (event) => open(event.target.id()));
  cy.on("mouseover", "node", () => (container.style.cursor = "pointer"));
  cy.on("mouseout", "node", () => (container.style.cursor = ""));
  return cy;
}
