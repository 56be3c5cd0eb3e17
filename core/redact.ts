/**
 * URLs as dpl shows them: a node's URL often carries a provider's key (in its path, its query or its
 * user info), and a key shown in /v1/status, /ready, a banner or a log is a key given away. Only the
 * scheme, host and port are shown; whatever followed is replaced by "…".
 */

/** `https://user:pw@host:8545/v2/KEY?apikey=K` → `https://host:8545/…`. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return "(a URL that does not parse)";
  }
  const hidden = parsed.username !== "" || parsed.password !== "" || (parsed.pathname !== "/" && parsed.pathname !== "") || parsed.search !== "" || parsed.hash !== "";
  return `${parsed.protocol}//${parsed.host}${hidden ? "/…" : ""}`;
}

/** `text` with every appearance of `url` (as given, or as a URL parser writes it back) redacted. */
export function redactIn(text: string, url: string): string {
  let out = text;
  const shown = redactUrl(url);
  for (const form of new Set([url, safeHref(url)])) if (form) out = out.split(form).join(shown);
  return out;
}

function safeHref(url: string): string | undefined {
  try {
    return new URL(url).href;
  } catch {
    return undefined;
  }
}
