/** The pieces every page is built of: links to records, chain evidence, status badges, quota bars and paged tables. */
import type { MessageKey } from "../../core/i18n/translate.js";
import { get } from "./api.js";
import { h, type Child } from "./dom.js";
import { formatTime, formatUnits, shortHex } from "./format.js";
import { t, tNodes, tr } from "./i18n.js";
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
    children.push(c === "\uFFFD" ? h("mark", { class: "invalid-utf8", title: t("chain.invalidUtf8") }, "\uFFFD") : h("mark", { class: "bidi-control", title: t("chain.bidiControl", { code }) }, code));
  }
  if (plain) children.push(plain);
  return h("bdi", { class: "chain-text" }, ...children);
}

export const accountLink = (address: string) => h("a", { href: href({ page: "account", address }), title: address, class: "hex" }, shortHex(address));
export const datasetLink = (id: string, label?: string) =>
  h("a", { href: href({ page: "dataset", id }), title: id, class: label ? undefined : "hex" }, label === undefined ? shortHex(id) : chainText(label));
export const grantLink = (id: string) => h("a", { href: href({ page: "grant", id }), title: id, class: "hex" }, shortHex(id));
export const fileLink = (contentHash: string) => h("a", { href: href({ page: "file", contentHash }), title: contentHash, class: "hex" }, shortHex(contentHash, 10));
export const epochLink = (holder: string, epoch: string) => h("a", { href: href({ page: "epoch", holder, epoch }), title: t("epoch.ofHolder", { epoch, holder }) }, t("epoch.name", { epoch }));
export const objectionLink = (id: string) => h("a", { href: href({ page: "objection", id }) }, t("objection.name", { id }));
export const fullHex = (hex: string) => h("code", { class: "hex full" }, hex);

/** Where a fact sits on chain: block, transaction, time, and how final it is. */
export function evidence(e: EvidenceView): HTMLElement {
  return h(
    "span",
    { class: "evidence" },
    h("span", {}, t("evidence.block", { number: e.blockNumber })),
    " · ",
    h("span", { title: e.txHash }, t("evidence.tx", { hash: shortHex(e.txHash) })),
    " · ",
    h("time", { datetime: e.time }, formatTime(e.timestamp)),
    " · ",
    h("span", { class: e.final ? "final" : "pending" }, t(e.final ? "evidence.final" : "evidence.pending", { count: e.confirmations })),
  );
}

export function statusBadge(status: string): HTMLElement {
  return h("span", { class: `badge badge-${status}` }, tr().name("status", status));
}

/** Which upstream grant lapsed and why: "upstream grant 0x12…ab was revoked". */
export function lapseNote(lapse: Lapse): HTMLElement {
  const reason = t(`lapse.${lapse.reason}`);
  return h(
    "span",
    { class: "lapse" },
    ...(lapse.reason === "expired"
      ? tNodes("lapse.upstreamAt", { grant: grantLink(lapse.grantId), reason, time: formatTime(lapse.validUntil) })
      : tNodes("lapse.upstream", { grant: grantLink(lapse.grantId), reason })),
  );
}

/** Used against quota, as a native progress bar (announced by screen readers) and in words. */
export function quotaBar(g: Pick<Grant, "used" | "quota">): HTMLElement {
  if (g.quota === "0") return h("span", { class: "quota" }, t("quota.unmetered", { used: formatUnits(g.used) }));
  const label = t("quota.used", { used: formatUnits(g.used), quota: formatUnits(g.quota) });
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
export async function pagedTable<T>(args: { caption: string; headers: MessageKey[]; path: string; row: (item: T) => Child[]; empty: string; limit?: number }): Promise<PagedTable> {
  const tbody = h("tbody");
  const more = h("button", { type: "button", class: "more" }, t("table.more"));
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
  wrapper.append(h("table", {}, h("caption", { class: "visually-hidden" }, args.caption), h("thead", {}, h("tr", {}, ...args.headers.map((key) => h("th", { scope: "col" }, t(key))))), tbody), more);
  return { element: wrapper, paged: () => paged };
}

/** The first facts of a dataset or grant page: its id, its status (with the event that set it), and why it lapsed. */
export function standingFacts(idTerm: string, id: string, status: string, proof: EvidenceView | null, lapse: Lapse | null): HTMLElement[] {
  return [...fact(idTerm, fullHex(id)), ...fact(t("fact.status"), statusBadge(status), proof), ...(lapse ? fact(t("fact.lapsedBecause"), lapseNote(lapse), lapse.evidence) : [])];
}

/** A term and its value, for the fact lists of dataset and grant pages. */
export function fact(term: string, value: Child, proof?: EvidenceView | null): HTMLElement[] {
  return [h("dt", {}, term), h("dd", {}, value, proof ? h("div", { class: "proof" }, evidence(proof)) : null)];
}
