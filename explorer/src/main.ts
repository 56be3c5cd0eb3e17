/**
 * The explorer's shell: the header (search, the indexer's block, lag and digest, live, and the
 * language switch), the router that draws one page per URL fragment, and the server-sent events
 * that keep both current.
 */
import type { Locale, MessageKey } from "../../core/i18n/translate.js";
import { ApiError, find, get } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { formatUnits, shortHex } from "./format.js";
import { preferredLocale, t, tr, useLocale } from "./i18n.js";
import type { AppliedEvent, Status } from "./model.js";
import { href, parseRoute, type Route } from "./routes.js";
import { classifyQuery, pageForHash } from "./search.js";
import { accountView } from "./views/account.js";
import { datasetView } from "./views/dataset.js";
import { epochView } from "./views/epoch.js";
import { fileView, type HashedFile } from "./views/file.js";
import { grantView } from "./views/grant.js";
import { homeView } from "./views/home.js";
import { objectionView } from "./views/objection.js";
import type { View } from "./views/view.js";
import { message } from "./widgets.js";

const main = document.getElementById("main")!;
const statusBox = document.getElementById("status")!;
const announcer = document.getElementById("announcer")!;
const searchForm = document.getElementById("search") as HTMLFormElement;
const searchInput = document.getElementById("search-input") as HTMLInputElement;

let current: View | undefined;
let hashed: HashedFile | undefined;
let rendering = 0;

async function viewFor(route: Route): Promise<View> {
  switch (route.page) {
    case "home":
      return homeView((file) => (hashed = file));
    case "dataset":
      return datasetView(route.id);
    case "grant":
      return grantView(route.id);
    case "account":
      return accountView(route.address);
    case "file":
      return fileView(route.contentHash, hashed);
    case "search":
      return searchView(route.query);
    case "epoch":
      return epochView(route.holder, route.epoch);
    case "objection":
      return objectionView(route.id);
    case "unknown":
      return messageView(t("page.notFound"), t("page.noPageAt", { path: route.path }));
  }
}

function messageView(title: string, text: string): View {
  return { title, node: h("article", {}, h("h1", {}, title), message("info", text)), paged: () => false };
}

/** A search: an address opens its account; a hash opens the dataset, grant or file it names. */
async function searchView(query: string): Promise<View> {
  const q = classifyQuery(query, tr());
  if (q.kind === "invalid") return messageView(t("search.nothing"), q.message);
  // The search's own URL is replaced by the page it found, so Back skips it; hashchange draws that page.
  if (q.kind === "address") return redirect({ page: "account", address: q.address });
  const [dataset, grant, anchors] = await Promise.all([find(`/v1/datasets/${q.hash}`), find(`/v1/grants/${q.hash}`), find(`/v1/verify/${q.hash}`)]);
  const target = pageForHash(q.hash, { dataset: dataset !== undefined, grant: grant !== undefined, anchored: anchors !== undefined });
  if (!target) return messageView(t("page.notFoundShort"), t("search.noMatch", { hash: q.hash }));
  return redirect(target.page === "file" ? { page: "file", contentHash: target.value } : { page: target.page, id: target.value });
}

function redirect(route: Parameters<typeof href>[0]): View {
  location.replace(href(route));
  return { ...messageView(t("page.opening"), ""), redirected: true };
}

/** Draws the page of the current URL fragment. A newer navigation wins over a slower older one. */
async function render(options: { quiet?: boolean; navigated?: boolean } = {}): Promise<void> {
  const ticket = ++rendering;
  const route = parseRoute(location.hash);
  if (!options.quiet) main.setAttribute("aria-busy", "true");
  let view: View;
  try {
    view = await viewFor(route);
  } catch (error) {
    view = messageView(t(error instanceof ApiError && error.status === 404 ? "page.notFoundShort" : "page.loadFailed"), error instanceof Error ? error.message : String(error));
  }
  if (ticket !== rendering || view.redirected) return view.dispose?.();
  current?.dispose?.();
  current = view;
  const scroll = window.scrollY;
  replaceChildren(main, view.node);
  view.attached?.();
  main.removeAttribute("aria-busy");
  document.title = `${view.title} · dpl`;
  if (options.quiet) window.scrollTo(0, scroll);
  // After a navigation, a screen reader starts on the new page; on first load, the header comes first.
  if (options.navigated) main.focus({ preventScroll: true });
}

searchForm.addEventListener("submit", (event) => {
  event.preventDefault();
  const query = searchInput.value.trim();
  const target = href({ page: "search", query });
  // Busy from the keypress on: the hash changes now, the page a moment later.
  main.setAttribute("aria-busy", "true");
  if (location.hash === target) void render({ navigated: true });
  else location.hash = target;
});
window.addEventListener("hashchange", () => {
  newEvents.hidden = true;
  void render({ navigated: true });
});

// ---- live: the indexer's state in the header, and pages that follow new events ------------------

const newEvents = h(
  "p",
  { class: "new-events", hidden: true },
  h("span", { "data-i18n": "live.newEvents" }, t("live.newEvents")),
  " ",
  h(
    "button",
    {
      type: "button",
      onclick: () => {
        newEvents.hidden = true;
        void render({ quiet: true });
      },
    },
    h("span", { "data-i18n": "live.show" }, t("live.show")),
  ),
);
main.before(newEvents);

function showStatus(s: Pick<Status, "chainId" | "indexed" | "lag" | "digest" | "events">, live: boolean): void {
  replaceChildren(
    statusBox,
    h("span", { id: "status-block" }, t("live.block", { number: s.indexed.number })),
    h("span", { id: "status-lag" }, s.lag === null ? t("live.lagUnknown") : t("live.lag", { lag: s.lag })),
    h("span", { id: "status-events" }, t("live.events", { count: s.events, shown: formatUnits(String(s.events)) })),
    h("span", { id: "status-digest", title: t("live.digestTitle", { digest: s.digest }) }, t("live.digest", { digest: shortHex(s.digest) })),
    h("span", { id: "status-live", class: live ? "live" : "offline" }, t(live ? "live.live" : "live.reconnecting")),
  );
}

let lastStatus: Status | undefined;
let lastLive = false;
async function refreshStatus(live: boolean): Promise<void> {
  try {
    lastStatus = await get<Status>("/v1/status");
    lastLive = live;
    showStatus(lastStatus, live);
  } catch (error) {
    replaceChildren(statusBox, h("span", { class: "offline" }, error instanceof Error ? error.message : t("live.unavailable")));
  }
}

let redraw: ReturnType<typeof setTimeout> | undefined;
function follow(): void {
  const source = new EventSource("/v1/events");
  source.addEventListener("open", () => void refreshStatus(true));
  source.addEventListener("error", () => {
    lastLive = false;
    if (lastStatus) showStatus(lastStatus, false);
  });
  source.addEventListener("applied", (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as AppliedEvent;
    if (lastStatus) showStatus({ ...lastStatus, indexed: event.indexed, digest: event.digest, events: event.total }, true);
    void refreshStatus(true);
    if (event.events === 0) return;
    announcer.textContent = t("live.announce", { count: event.events, block: event.indexed.number });
    // Redraw at most every half second; a reader who paged on gets a button instead of losing their place.
    if (current?.paged()) newEvents.hidden = false;
    else {
      clearTimeout(redraw);
      redraw = setTimeout(() => void render({ quiet: true }), 500);
    }
  });
  source.addEventListener("reorg", () => {
    announcer.textContent = t("live.reorg");
    void render({ quiet: true });
  });
}

// ---- language: the switch in the header, and the words of the page's fixed frame ------------------

/** The words index.html carries (marked data-i18n), in the current language. */
function translateFrame(): void {
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n]")) el.textContent = t(el.dataset.i18n as MessageKey);
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n-placeholder]")) el.setAttribute("placeholder", t(el.dataset.i18nPlaceholder as MessageKey));
  for (const el of document.querySelectorAll<HTMLElement>("[data-i18n-aria-label]")) el.setAttribute("aria-label", t(el.dataset.i18nAriaLabel as MessageKey));
  for (const button of document.querySelectorAll<HTMLButtonElement>("[data-locale]")) button.setAttribute("aria-pressed", String(button.dataset.locale === tr().locale));
}

const LOCALE_KEY = "dpl.lang";

/** Draws in `locale` from now on, and marks the document with it. */
function setLocale(locale: Locale): void {
  document.documentElement.lang = useLocale(locale);
}

function savedLocale(): string | null {
  try {
    return localStorage.getItem(LOCALE_KEY);
  } catch {
    return null; // storage blocked: the browser's languages decide
  }
}

for (const button of document.querySelectorAll<HTMLButtonElement>("[data-locale]")) {
  button.addEventListener("click", () => {
    if (button.dataset.locale === tr().locale) return;
    setLocale(button.dataset.locale as Locale);
    try {
      localStorage.setItem(LOCALE_KEY, tr().locale);
    } catch {
      // not remembered: the switch still holds for this page
    }
    translateFrame();
    if (lastStatus) showStatus(lastStatus, lastLive);
    else replaceChildren(statusBox, t("header.connecting"));
    void render({ quiet: true });
  });
}

// A saved choice, else the language the server negotiated from Accept-Language, else the browser's list.
setLocale(preferredLocale(savedLocale(), [document.documentElement.dataset.language, ...(navigator.languages ?? [navigator.language])]));
translateFrame();
replaceChildren(statusBox, t("header.connecting"));
void refreshStatus(false);
void render();
follow();
