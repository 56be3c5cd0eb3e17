/** The explorer's only door to the data: requests to the provenance API on the same origin. */
import { t, tr } from "./i18n.js";

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function get<T>(path: string): Promise<T> {
  return send<T>(path, { headers: { accept: "application/json", "accept-language": tr().tag } });
}

/** POSTs `body` as JSON: for the API's checks (a receipt), which read nothing but what they are sent. */
export async function post<T>(path: string, body: unknown): Promise<T> {
  return send<T>(path, { method: "POST", headers: { accept: "application/json", "accept-language": tr().tag, "content-type": "application/json" }, body: JSON.stringify(body) });
}

async function send<T>(path: string, init: RequestInit): Promise<T> {
  let response: Response;
  try {
    response = await fetch(path, init);
  } catch {
    throw new ApiError(0, "unreachable", t("api.unreachable"));
  }
  const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
  if (!response.ok) throw new ApiError(response.status, body?.error?.code ?? "http_error", body?.error?.message ?? t("api.status", { status: response.status }));
  return body as T;
}

/** `get`, or undefined on a 404: for lookups where "not there" is an answer. */
export async function find<T>(path: string): Promise<T | undefined> {
  try {
    return await get<T>(path);
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** Up to `max` items of a paginated list, following `next`; says whether more were left. */
export async function getAll<T>(path: string, max: number): Promise<{ items: T[]; truncated: boolean }> {
  const items: T[] = [];
  const sep = path.includes("?") ? "&" : "?";
  let cursor: string | null = null;
  do {
    const page: { items: T[]; next: string | null } = await get(`${path}${sep}limit=${Math.min(500, max - items.length)}${cursor ? `&cursor=${cursor}` : ""}`);
    items.push(...page.items);
    cursor = page.next;
  } while (cursor && items.length < max);
  return { items, truncated: cursor !== null };
}
