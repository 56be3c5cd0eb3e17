/** The usage timeline, drawn by Chart.js: one stepped line per grantee, its running total of units. */
import { Chart, Legend, LinearScale, LineController, LineElement, PointElement, Tooltip } from "chart.js";

import { formatTime, shortHex } from "./format.js";
import { t } from "./i18n.js";
import { timelineBounds, type GranteeSeries } from "./timeline-data.js";

Chart.register(LineController, LineElement, PointElement, LinearScale, Legend, Tooltip);

const COLOURS = ["#2f6db5", "#b5462f", "#2f8f5b", "#8a5bb5", "#b58a2f", "#2f9fb5"];

export function drawTimeline(canvas: HTMLCanvasElement, series: GranteeSeries[], nameOf: (address: string) => string): Chart {
  const { min, max } = timelineBounds(series);
  return new Chart(canvas, {
    type: "line",
    data: {
      datasets: series.map((s, i) => ({
        label: nameOf(s.grantee),
        // From zero before the first use to the running total after the last, so each line reads as a step curve.
        data: [{ x: min, y: 0 }, ...s.points.map((p) => ({ x: p.t, y: p.total })), { x: max, y: s.points.at(-1)!.total }],
        pointRadius: [0, ...s.points.map(() => 3), 0],
        stepped: "before" as const,
        borderColor: COLOURS[i % COLOURS.length],
        backgroundColor: COLOURS[i % COLOURS.length],
      })),
    },
    options: {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      scales: {
        x: { type: "linear", min, max, title: { display: true, text: t("timeline.axisTime") }, ticks: { maxTicksLimit: 6, callback: (v) => tickTime(Number(v)) } },
        y: { type: "linear", beginAtZero: true, title: { display: true, text: t("timeline.axisUnits") } },
      },
      plugins: {
        tooltip: { callbacks: { title: (items) => formatTime(Number(items[0].parsed.x)), label: (item) => t("timeline.point", { grantee: item.dataset.label ?? "", units: item.parsed.y ?? 0 }) } },
        legend: { position: "bottom" },
      },
    },
  });
}

/** A tick's time, short: "11-27 09:10" (UTC), in any language. */
const tickTime = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString().slice(5, 16).replace("T", " ");

export const granteeName = (address: string) => shortHex(address, 6);
