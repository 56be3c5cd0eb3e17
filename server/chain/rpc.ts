/**
 * A small JSON-RPC client over fetch, with batches, timeouts and errors sorted by what a caller
 * should do about them: retry (RetryableError), ask for a smaller block range (RangeTooLargeError),
 * or give up (RpcError). ethers' provider does much more; the indexer needs only this, fast.
 */
import { DplError, RetryableError } from "../../core/errors.js";
import { redactUrl } from "../../core/redact.js";

export class RpcError extends DplError {
  constructor(
    readonly rpcCode: number | undefined,
    message: string,
    options?: { cause?: unknown },
  ) {
    super("rpc_error", message, options);
  }
}

/** The node refused a log query as too large; `suggested` is the range it proposed, when it did. */
export class RangeTooLargeError extends DplError {
  constructor(
    message: string,
    readonly suggested?: { from: number; to: number },
  ) {
    super("rpc_range_too_large", message);
  }
}

export interface RpcCall {
  method: string;
  params: unknown[];
}

export interface RpcClient {
  /** The node's URL as it may be shown: scheme, host and port (see common/redact.ts). */
  readonly url: string;
  request<T = unknown>(method: string, params: unknown[]): Promise<T>;
  /** Sends the calls as one JSON-RPC batch; results in the order of `calls`. */
  batch<T = unknown>(calls: RpcCall[]): Promise<T[]>;
}

const RANGE_MESSAGES = [
  /more than \d+ results/i,
  /query returned more than/i,
  /block range/i,
  /range (is )?too (large|wide|big)/i,
  /too many (blocks|results|logs)/i,
  /limit exceeded/i,
  /response size (is )?(too large|exceeded)/i,
  /exceed(s|ed)? (the )?max(imum)? (block )?range/i,
  /retry with (the|this) range/i,
];

/** The range a node suggests in its error message ("retry with the range 0x10-0x20", "[0x10, 0x20]"). */
export function suggestedRange(message: string): { from: number; to: number } | undefined {
  const m = /(0x[0-9a-f]+|\d+)\s*(?:-|,|\.\.)\s*(0x[0-9a-f]+|\d+)\]?\s*$/i.exec(message.trim()) ?? /range\s*\[?\s*(0x[0-9a-f]+|\d+)\s*(?:-|,)\s*(0x[0-9a-f]+|\d+)/i.exec(message);
  if (!m) return undefined;
  const from = Number(m[1]);
  const to = Number(m[2]);
  return Number.isSafeInteger(from) && Number.isSafeInteger(to) && to >= from ? { from, to } : undefined;
}

/** Sorts a JSON-RPC error object into the error a caller acts on. */
export function classifyRpcError(error: { code?: number; message?: string; data?: unknown }): Error {
  const message = String(error.message ?? "unknown JSON-RPC error");
  const code = error.code;
  if (code === -32005 || RANGE_MESSAGES.some((re) => re.test(message))) {
    return new RangeTooLargeError(message, suggestedRange(message));
  }
  if (code === -32602 && /range|block|results/i.test(message)) return new RangeTooLargeError(message, suggestedRange(message));
  if (code === 429 || code === -32029 || /rate limit|too many requests/i.test(message)) {
    return new RetryableError("rpc_rate_limited", `the node is rate-limiting requests: ${message}`);
  }
  if (code === -32603 || /header not found|timeout|temporarily|unavailable|try again/i.test(message)) {
    return new RetryableError("rpc_unavailable", `the node could not answer now: ${message}`);
  }
  return new RpcError(code, message);
}

function classifyHttp(status: number, body: string): Error {
  if (status === 413) return new RangeTooLargeError(`HTTP 413 from the node: ${body.slice(0, 200)}`);
  if (status === 429) return new RetryableError("rpc_rate_limited", "the node answered HTTP 429 (rate limited)");
  if (status >= 500) return new RetryableError("rpc_unavailable", `the node answered HTTP ${status}`);
  return new RpcError(undefined, `the node answered HTTP ${status}: ${body.slice(0, 200)}`);
}

export function createRpcClient(args: { url: string; timeoutMs?: number }): RpcClient {
  const timeoutMs = args.timeoutMs ?? 30_000;
  let nextId = 1;
  // fetch refuses a URL with user info: a provider's basic-auth credentials travel as a header.
  const target = new URL(args.url);
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (target.username !== "" || target.password !== "") {
    headers.authorization = `Basic ${Buffer.from(`${decodeURIComponent(target.username)}:${decodeURIComponent(target.password)}`).toString("base64")}`;
    target.username = "";
    target.password = "";
  }
  const endpoint = target.href;
  const shown = redactUrl(args.url);

  async function post(payload: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await fetch(endpoint, {
        method: "POST",
        headers,
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (cause) {
      throw new RetryableError("rpc_unavailable", `cannot reach the node at ${shown}`, { cause });
    }
    let text: string;
    try {
      text = await response.text();
    } catch (cause) {
      throw new RetryableError("rpc_unavailable", "the node's answer was cut off", { cause });
    }
    if (!response.ok) throw classifyHttp(response.status, text);
    try {
      return JSON.parse(text);
    } catch (cause) {
      throw new RetryableError("rpc_bad_response", "the node's answer is not valid JSON", { cause });
    }
  }

  function unwrap<T>(reply: any): T {
    if (reply === null || typeof reply !== "object") throw new RetryableError("rpc_bad_response", "the node's answer has no result");
    if (reply.error) throw classifyRpcError(reply.error);
    if (!("result" in reply)) throw new RetryableError("rpc_bad_response", "the node's answer has no result");
    return reply.result as T;
  }

  return {
    url: shown,
    async request<T>(method: string, params: unknown[]): Promise<T> {
      return unwrap<T>(await post({ jsonrpc: "2.0", id: nextId++, method, params }));
    },
    async batch<T>(calls: RpcCall[]): Promise<T[]> {
      if (calls.length === 0) return [];
      const first = nextId;
      nextId += calls.length;
      const replies = await post(calls.map((c, i) => ({ jsonrpc: "2.0", id: first + i, method: c.method, params: c.params })));
      if (!Array.isArray(replies)) {
        // Some nodes answer a whole batch with one error object (e.g. a batch-size limit).
        throw (replies as any)?.error ? classifyRpcError((replies as any).error) : new RetryableError("rpc_bad_response", "the node's batch answer is not an array");
      }
      const byId = new Map<number, unknown>(replies.map((r: any) => [r?.id, r]));
      return calls.map((_, i) => {
        const reply = byId.get(first + i);
        if (reply === undefined) throw new RetryableError("rpc_bad_response", "the node's batch answer misses a reply");
        return unwrap<T>(reply);
      });
    },
  };
}
