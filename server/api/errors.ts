/**
 * Every error the API can meet, as a status, a stable code and one sentence: the one mapping the
 * error handler uses. The HTTP-only errors are here; the rest are core's (core/errors.ts).
 */
import { DplError, InvalidInputError, messageIn, NotFoundError, RetryableError, StoreError } from "../../core/errors.js";
import { english, type Translator } from "../../core/i18n/translate.js";
import { exhaustedResources, isResourceExhaustion } from "../store/store.js";

export class PayloadTooLargeError extends DplError {
  constructor(limit: number) {
    super("payload_too_large", `the body is larger than the ${limit} bytes this server accepts (VERIFY_MAX_BYTES)`);
  }
}

/** An error that names its own HTTP status (the gateway's 401, 403, 409 and 503 refusals, a stream cap's 429). */
export class StatusError extends DplError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** A live event stream over the cap: 429 for one client's own cap, 503 when the server is full. */
export class TooManyStreamsError extends StatusError {}

export class UnsupportedMediaTypeError extends DplError {
  constructor(type: string | undefined) {
    super("unsupported_media_type", `send the file's bytes with Content-Type: application/octet-stream, not ${type ?? "without one"}`);
  }
}

/** A known path asked with a method it does not take: 405, with the methods it does take in Allow. */
export class MethodNotAllowedError extends DplError {
  constructor(
    method: string,
    readonly allow: string[],
  ) {
    super("method_not_allowed", `${method} is not allowed here; use ${allow.join(" or ")}`);
  }
}

/**
 * Maps any error to a status, a code and one sentence: in `tr`'s language where the error carries
 * catalogue words (the others, validation's among them, are said in English).
 */
export function describeError(error: unknown, tr: Translator = english): { status: number; code: string; message: string } {
  // Out of file descriptors is no fault of the request nor of the index: 503, try again.
  if (isResourceExhaustion(error) && !(error instanceof RetryableError)) error = exhaustedResources(error);
  const status = statusOf(error);
  if (status !== undefined) return { status, code: (error as DplError).code, message: messageIn(error as DplError, tr) };
  if (error instanceof URIError) return { status: 400, code: "malformed_url", message: tr.t("api.malformedUrl") };
  const e = error as { status?: number; type?: string; expose?: boolean; message?: string };
  if (typeof e?.status === "number" && e.status >= 400 && e.status < 500) {
    return { status: e.status, code: e.type?.replace(/\./g, "_") ?? "bad_request", message: e.expose && e.message ? e.message : tr.t("api.unreadable") };
  }
  return { status: 500, code: "internal_error", message: tr.t("api.internal") };
}

/** The status of one of dpl's own errors; undefined for anything else. */
function statusOf(error: unknown): number | undefined {
  if (error instanceof InvalidInputError) return 400;
  if (error instanceof NotFoundError) return 404;
  if (error instanceof PayloadTooLargeError) return 413;
  if (error instanceof UnsupportedMediaTypeError) return 415;
  if (error instanceof StatusError) return error.status;
  if (error instanceof MethodNotAllowedError) return 405;
  if (error instanceof RetryableError || error instanceof StoreError) return 503;
  return undefined;
}
