/**
 * The explorer's shell: the header (search, and the indexer's block, lag and digest, live), the
 * router that draws one page per URL fragment, and the server-sent events that keep both current.
 */
import { ApiError, find, get } from "./api.js";
import { h, replaceChildren } from "./dom.js";
import { shortHex } from "./format.js";
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
      return messageView("Page not found", `There is no page at “${route.path}”. Search for a dataset, grant, file hash or account above.`);
  }
}

function messageView(title: string, text: string): View {
  return { title, node: h("article", {}, h("h1", {}, title), message("info", text)), paged: () => false };
}

/** A search: an address opens its account; a hash opens the dataset, grant or file it names. */
async function searchView(query: string): Promise<View> {
  const q = classifyQuery(query);
  if (q.kind === "invalid") return messageView("Nothing to look up", q.message);
  // The search's own URL is replaced by the page it found, so Back skips it; hashchange draws that page.
  if (q.kind === "address") return redirect({ page: "account", address: q.address });
  const [dataset, grant, anchors] = await Promise.all([find(`/v1/datasets/${q.hash}`), find(`/v1/grants/${q.hash}`), find(`/v1/verify/${q.hash}`)]);
  const target = pageForHash(q.hash, { dataset: dataset !== undefined, grant: grant !== undefined, anchored: anchors !== undefined });
  if (!target) return messageView("Not found", `Nothing on this ledger has the id or content hash ${q.hash}: no dataset, no grant and no anchored file.`);
  return redirect(target.page === "file" ? { page: "file", contentHash: target.value } : { page: target.page, id: target.value });
}

function redirect(route: Parameters<typeof href>[0]): View {
  location.replace(href(route));
  return { ...messageView("Opening…", ""), redirected: true };
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
    view = messageView(error instanceof ApiError && error.status === 404 ? "Not found" : "Could not load this page", error instanceof Error ? error.message : String(error));
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
  "New events were indexed. ",
  h(
    "button",
    {
      type: "button",
      onclick: () => {
        newEvents.hidden = true;
        void render({ quiet: true });
      },
    },
    "Show them",
  ),
);
main.before(newEvents);

function showStatus(s: Pick<Status, "chainId" | "indexed" | "lag" | "digest" | "events">, live: boolean): void {
  replaceChildren(
    statusBox,
    h("span", { id: "status-block" }, `block ${s.indexed.number}`),
    h("span", { id: "status-lag" }, s.lag === null ? "lag unknown" : `lag ${s.lag}`),
    h("span", { id: "status-events" }, `${s.events} events`),
    h("span", { id: "status-digest", title: `State digest ${s.digest}` }, `digest ${shortHex(s.digest)}`),
    h("span", { id: "status-live", class: live ? "live" : "offline" }, live ? "live" : "reconnecting"),
  );
}

let lastStatus: Status | undefined;
async function refreshStatus(live: boolean): Promise<void> {
  try {
    lastStatus = await get<Status>("/v1/status");
    showStatus(lastStatus, live);
  } catch (error) {
    replaceChildren(statusBox, h("span", { class: "offline" }, error instanceof Error ? error.message : "status unavailable"));
  }
}

let redraw: ReturnType<typeof setTimeout> | undefined;
function follow(): void {
  const source = new EventSource("/v1/events");
  source.addEventListener("open", () => void refreshStatus(true));
  source.addEventListener("error", () => lastStatus && showStatus(lastStatus, false));
  source.addEventListener("applied", (message) => {
    const event = JSON.parse((message as MessageEvent<string>).data) as AppliedEvent;
    if (lastStatus) showStatus({ ...lastStatus, indexed: event.indexed, digest: event.digest, events: event.total }, true);
    void refreshStatus(true);
    if (event.events === 0) return;
    announcer.textContent = `${event.events} new event${event.events === 1 ? "" : "s"} indexed up to block ${event.indexed.number}.`;
    // Redraw at most every half second; a reader who paged on gets a button instead of losing their place.
    if (current?.paged()) newEvents.hidden = false;
    else {
      clearTimeout(redraw);
      redraw = setTimeout(() => void render({ quiet: true }), 500);
    }
  });
  source.addEventListener("reorg", () => {
    announcer.textContent = "The chain reorganised; the page shows the new canonical chain.";
    void render({ quiet: true });
  });
}

void refreshStatus(false);
void render();
follow();
