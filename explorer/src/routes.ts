/**
 * The explorer's pages, addressed by the URL fragment (`#/dataset/0x…`), so that the server serves
 * one page and every view can be bookmarked and shared. Pure functions.
 */
export type Route =
  | { page: "home" }
  | { page: "dataset"; id: string }
  | { page: "grant"; id: string }
  | { page: "account"; address: string }
  | { page: "file"; contentHash: string }
  | { page: "search"; query: string }
  | { page: "epoch"; holder: string; epoch: string }
  | { page: "objection"; id: string }
  | { page: "unknown"; path: string };

const HASH = /^0x[0-9a-f]{64}$/;
const ADDRESS = /^0x[0-9a-f]{40}$/;

export function parseRoute(fragment: string): Route {
  const path = fragment.replace(/^#/, "");
  if (path === "" || path === "/") return { page: "home" };
  const [, page, rawValue = "", extra] = path.split("/");
  let value: string;
  try {
    value = decodeURIComponent(rawValue);
  } catch {
    return { page: "unknown", path };
  }
  const lower = value.toLowerCase();
  if (extra === undefined) {
    if (page === "dataset" && HASH.test(lower)) return { page, id: lower };
    if (page === "grant" && HASH.test(lower)) return { page, id: lower };
    if (page === "file" && HASH.test(lower)) return { page, contentHash: lower };
    if (page === "account" && ADDRESS.test(lower)) return { page, address: lower };
    if (page === "search") return { page, query: value };
    if (page === "objection" && /^[1-9]\d{0,19}$/.test(value)) return { page, id: value };
  } else if (page === "epoch" && ADDRESS.test(lower) && /^(0|[1-9]\d{0,19})$/.test(extra) && path.split("/").length === 4) return { page, holder: lower, epoch: extra };
  return { page: "unknown", path };
}

export function href(route: Exclude<Route, { page: "unknown" }>): string {
  switch (route.page) {
    case "home":
      return "#/";
    case "dataset":
      return `#/dataset/${route.id}`;
    case "grant":
      return `#/grant/${route.id}`;
    case "account":
      return `#/account/${route.address}`;
    case "file":
      return `#/file/${route.contentHash}`;
    case "search":
      return `#/search/${encodeURIComponent(route.query)}`;
    case "epoch":
      return `#/epoch/${route.holder}/${route.epoch}`;
    case "objection":
      return `#/objection/${route.id}`;
  }
}
