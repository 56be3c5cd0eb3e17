/**
 * Reading the dpl API from TypeScript, typed by the API's own contract (core/api-answers.ts): one
 * method per route, and the API's errors as `ApiError`s with its stable code and sentence.
 */
import type { Activity, Anchors, Dataset, Grant, Lineage, Objection, Page, Payment, ReadAt, Statement, Status, Usage } from "../core/api-answers.js";
import { DplError, RetryableError } from "../core/errors.js";

/** The API answered with an error: `status` is the HTTP status, `code` the API's stable code. */
export class ApiError extends DplError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** Where a list starts and how much of it a page holds. */
export interface PageArgs {
  limit?: number;
  /** The `next` of the page before. */
  cursor?: string;
}

const query = (args: Record<string, string | number | undefined>) => {
  const entries = Object.entries(args).filter((e): e is [string, string | number] => e[1] !== undefined);
  return entries.length ? `?${new URLSearchParams(entries.map(([k, v]): [string, string] => [k, String(v)])).toString()}` : "";
};

/** The API at `url` (for example http://127.0.0.1:8080). Ids go into paths encoded: an id is never a path. */
export class ApiClient {
  private readonly headers: Record<string, string>;

  /**
   * `url` may carry a path (a proxy's prefix): routes are appended to it. `language` (a BCP 47 tag,
   * "zh-CN") asks for the API's error sentences in that language; their codes are the same in all.
   */
  constructor(
    readonly url: string,
    options: { language?: string } = {},
  ) {
    this.url = url.replace(/\/+$/, "");
    this.headers = options.language ? { "accept-language": options.language } : {};
  }

  /** GET `path`: the answer, or an ApiError with the API's code (a RetryableError when the API cannot be reached). */
  async get<T>(path: string): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.url + path, { headers: this.headers });
    } catch (error) {
      throw new RetryableError("api_unreachable", `cannot reach the API at ${this.url}`, { cause: error });
    }
    const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
    if (!response.ok) throw new ApiError(response.status, body?.error?.code ?? "http_error", body?.error?.message ?? "no reason given");
    return body as T;
  }

  /** The chain, the ledger, how far the index is, its digest, and who holds the roles. */
  status(): Promise<Status> {
    return this.get("/v1/status");
  }

  /** Datasets newest first: all, or those `holder` holds now. */
  datasets(args: PageArgs & { holder?: string } = {}): Promise<Page<Dataset>> {
    return this.get(`/v1/datasets${query({ ...args })}`);
  }

  async dataset(id: string): Promise<Dataset> {
    return (await this.get<{ readAt: ReadAt; dataset: Dataset }>(`/v1/datasets/${encodeURIComponent(id)}`)).dataset;
  }

  /** Every anchor of a content hash (SHA-256 of the file, or a private anchor's commitment). */
  anchors(contentHash: string): Promise<Anchors> {
    return this.get(`/v1/verify/${encodeURIComponent(contentHash)}`);
  }

  grantsOfDataset(datasetId: string, args: PageArgs = {}): Promise<Page<Grant>> {
    return this.get(`/v1/datasets/${encodeURIComponent(datasetId)}/grants${query({ ...args })}`);
  }

  async grant(id: string): Promise<Grant> {
    return (await this.get<{ readAt: ReadAt; grant: Grant }>(`/v1/grants/${encodeURIComponent(id)}`)).grant;
  }

  usageOfGrant(grantId: string, args: PageArgs = {}): Promise<Page<Usage>> {
    return this.get(`/v1/grants/${encodeURIComponent(grantId)}/usage${query({ ...args })}`);
  }

  /** Uses of a dataset newest first, optionally by one grantee and between two block times (Unix seconds). */
  usageOfDataset(datasetId: string, args: PageArgs & { grantee?: string; from?: number; to?: number } = {}): Promise<Page<Usage>> {
    return this.get(`/v1/datasets/${encodeURIComponent(datasetId)}/usage${query({ ...args })}`);
  }

  lineage(datasetId: string, args: { direction?: "ancestors" | "descendants"; depth?: number; limit?: number; cursor?: string } = {}): Promise<Lineage> {
    return this.get(`/v1/datasets/${encodeURIComponent(datasetId)}/lineage${query({ ...args })}`);
  }

  activity(account: string, args: PageArgs = {}): Promise<Page<Activity>> {
    return this.get(`/v1/accounts/${encodeURIComponent(account.toLowerCase())}/activity${query({ ...args })}`);
  }

  grantsOfAccount(account: string, args: PageArgs & { role?: "grantee" | "grantor" } = {}): Promise<Page<Grant>> {
    return this.get(`/v1/accounts/${encodeURIComponent(account.toLowerCase())}/grants${query({ ...args })}`);
  }

  /** Payments towards a grant's fees, newest first. */
  paymentsOf(grantId: string, args: PageArgs = {}): Promise<Page<Payment>> {
    return this.get(`/v1/grants/${encodeURIComponent(grantId)}/payments${query({ ...args })}`);
  }

  /** An account's statement for a year, month or day of the UTC+8 calendar ("2026", "2026-11", "2026-11-29"). */
  statement(account: string, period: string, role: "grantee" | "holder" = "grantee"): Promise<Statement> {
    return this.get(`/v1/accounts/${encodeURIComponent(account.toLowerCase())}/statements/${encodeURIComponent(period)}${query({ role })}`);
  }

  /** Objections newest first: all, or those against one dataset or grant. */
  objections(args: PageArgs & { target?: string } = {}): Promise<Page<Objection>> {
    return this.get(`/v1/objections${query({ ...args })}`);
  }

  async objection(id: bigint | string): Promise<Objection> {
    return (await this.get<{ readAt: ReadAt; objection: Objection }>(`/v1/objections/${encodeURIComponent(String(id))}`)).objection;
  }

  /** The dataset's lineage and usage as a W3C PROV-JSON document. */
  prov(datasetId: string): Promise<Record<string, unknown>> {
    return this.get(`/v1/datasets/${encodeURIComponent(datasetId)}/prov`);
  }

  /** Every item of a list, page after page: `pages(cursor => api.usageOfGrant(id, { cursor, limit: 500 }))`. */
  async *all<T>(page: (cursor: string | undefined) => Promise<Page<T>>): AsyncGenerator<T> {
    for (let cursor: string | undefined, next: string | null = ""; next !== null; cursor = next ?? undefined) {
      const answer = await page(cursor);
      yield* answer.items;
      next = answer.next;
    }
  }
}
