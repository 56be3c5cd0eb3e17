/** The pieces every page is built of: links to records, chain evidence, status badges, quota bars and paged tables. */
import { LAPSE_WORDS } from "../../core/lapse.js";
import { get } from "./api.js";
import { h, type Child } from "./dom.js";
import { formatTime, formatUnits, shortHex } from "./format.js";
import type { EvidenceView, Grant, Lapse, Page } from "./model.js";
import { href } from "./routes.js";

/** Bidirectional marks, embeddings, overrides and isolates: shown by name, never applied. */
const BIDI_CONTROLS = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;

/**
 * Text that came from the chain (a purpose, a title, metadata): anyone wrote it. It goes in a <bdi>,
 * so that its direction cannot reorder what surrounds it; a bidirectional control inside is shown
 * by its code point instead of being applied (so "audit <RLO>etadpu" cannot read "audit update");
 * and each U+FFFD (where the chain held bytes that are not UTF-8) is marked as such.
 */
export function chainText(text: string): HTMLElement {
  const children: Child[] = [];
  let plain = "";
  for (const c of text) {
    if (c !== "\uFFFD" && !BIDI_CONTROLS.test(c)) {
      plain += c;
      continue;
    }
    if (plain) children.push(plain);
    plain = "";
    const code = `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
    children.push(
      c === "\uFFFD"
        ? h("mark", { class: "invalid-utf8", title: "bytes that are not UTF-8 on chain" }, "\uFFFD")
        : h("mark", { class: "bidi-control", title: `a bidirectional control character (${code}) in the chain text, shown and not applied` }, code),
    );
  }
  if (plain) children.push(plain);
  return h("bdi", { class: "chain-text" }, ...children);
}

export const accountLink = (address: string) => h("a", { href: href({ page: "account", address }), title: address, class: "hex" }, shortHex(address));
export const datasetLink = (id: string, label?: string) =>
  h("a", { href: href({ page: "dataset", id }), title: id, class: label ? undefined : "hex" }, label === undefined ? shortHex(id) : chainText(label));
export const grantLink = (id: string) => h("a", { href: href({ page: "grant", id }), title: id, class: "hex" }, shortHex(id));
export const fileLink = (contentHash: string) => h("a", { href: href({ page: "file", contentHash }), title: contentHash, class: "hex" }, shortHex(contentHash, 10));
export const epochLink = (holder: string, epoch: string) => h("a", { href: href({ page: "epoch", holder, epoch }), title: `epoch ${epoch} of ${holder}` }, `epoch ${epoch}`);
export const objectionLink = (id: string) => h("a", { href: href({ page: "objection", id }) }, `objection #${id}`);
export const fullHex = (hex: string) => h("code", { class: "hex full" }, hex);

/** Where a fact sits on chain: block, transaction, time, and how final it is. */
export function evidence(e: EvidenceView): HTMLElement {
  return h(
    "span",
    { class: "evidence" },
    h("span", {}, `block ${e.blockNumber}`),
    " · ",
    h("span", { title: e.txHash }, `tx ${shortHex(e.txHash)}`),
    " · ",
    h("time", { datetime: e.time }, formatTime(e.timestamp)),
    " · ",
    h("span", { class: e.final ? "final" : "pending" }, e.final ? `final (${e.confirmations} confirmations)` : `pending (${e.confirmations} confirmation${e.confirmations === 1 ? "" : "s"})`),
  );
}

export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge badge-${status}` }, status);
}

/** Which upstream grant lapsed and why: "upstream grant 0x12…ab was revoked". */
export function lapseNote(lapse: Lapse): HTMLElement {
  return h("span", { class: "lapse" }, "upstream grant ", grantLink(lapse.grantId), ` ${LAPSE_WORDS[lapse.reason]}`, lapse.reason === "expired" ? ` at ${formatTime(lapse.validUntil)}` : "");
}

/** Used against quota, as a native progress bar (announced by screen readers) and in words. */
export function quotaBar(g: Pick<Grant, "used" | "quota">): HTMLElement {
  if (g.quota === "0") return h("span", { class: "quota" }, `${formatUnits(g.used)} used · no quota`);
  const label = `${formatUnits(g.used)} of ${formatUnits(g.quota)} units used`;
  return h("span", { class: "quota" }, h("progress", { max: Number(g.quota), value: Number(g.used), "aria-label": label }), h("span", {}, label));
}

export function section(title: string, id: string, ...children: Child[]): HTMLElement {
  return h("section", { "aria-labelledby": `${id}-title`, id }, h("h2", { id: `${id}-title` }, title), ...children);
}

export function message(kind: "info" | "error", text: string): HTMLElement {
  return h("p", { class: `message message-${kind}`, role: kind === "error" ? "alert" : "status" }, text);
}

export interface PagedTable {
  element: HTMLElement;
  /** Whether the reader has asked for more than the first page. */
  paged(): boolean;
}

/**
 * A table filled a page at a time from a paginated API route, with a "Show more" button while the
 * API has a next page.
 */
export async function pagedTable<T>(args: { caption: string; headers: string[]; path: string; row: (item: T) => Child[]; empty: string; limit?: number }): Promise<PagedTable> {
  const tbody = h("tbody");
  const more = h("button", { type: "button", class: "more" }, "Show more");
  const wrapper = h("div", { class: "table-wrap" });
  let paged = false;
  let cursor: string | null = null;
  const sep = args.path.includes("?") ? "&" : "?";
  const load = async () => {
    const page: Page<T> = await get(`${args.path}${sep}limit=${args.limit ?? 25}${cursor ? `&cursor=${cursor}` : ""}`);
    for (const item of page.items) tbody.appendChild(h("tr", {}, ...args.row(item).map((cell) => h("td", {}, cell))));
    cursor = page.next;
    more.hidden = cursor === null;
    return page.items.length;
  };
  more.addEventListener("click", async () => {
    paged = true;
    more.disabled = true;
    try {
      await load();
    } finally {
      more.disabled = false;
    }
  });
  const count = await load();
  if (count === 0) return { element: message("info", args.empty), paged: () => false };
  wrapper.append(h("table", {}, h("caption", { class: "visually-hidden" }, args.caption), h("thead", {}, h("tr", {}, ...args.headers.map((t) => h("th", { scope: "col" }, t)))), tbody), more);
  return { element: wrapper, paged: () => paged };
}

/** The first facts of a dataset or grant page: its id, its status (with the event that set it), and why it lapsed. */
export function standingFacts(idTerm: string, id: string, status: string, proof: EvidenceView | null, lapse: Lapse | null): HTMLElement[] {
  return [...fact(idTerm, fullHex(id)), ...fact("Status", statusBadge(status), proof), ...(lapse ? fact("Lapsed because", lapseNote(lapse), lapse.evidence) : [])];
}

/** A term and its value, for the fact lists of dataset and grant pages. */
export function fact(term: string, value: Child, proof?: EvidenceView | null): HTMLElement[] {
  return [h("dt", {}, term), h("dd", {}, value, proof ? h("div", { class: "proof" }, evidence(proof)) : null)];
}
