/**
 * What the CLI tells a user when something goes wrong: one sentence and a documented exit code,
 * never a stack trace. Contract reverts are decoded from their custom errors into words.
 */
import type { Interface } from "ethers";

import { DplError, InvalidInputError, messageIn, RetryableError } from "../../core/errors.js";
import { decodeRevert, LedgerRefusedError, refusalSentence } from "../../core/revert.js";
import { t, tr } from "./language.js";

/** Exit codes, as README documents them. */
export const EXIT = {
  ok: 0,
  /** verify / verify-proof: not anchored, not valid, or undone by a reorganisation. */
  negative: 1,
  /** The command was used wrongly: a missing file, a malformed or unknown id, a bad option. */
  usage: 2,
  /** The node or the API could not be reached, or is on another network. */
  network: 3,
  /** The ledger refused the transaction (the reason is printed). */
  refused: 4,
  /** Anything else. */
  failure: 5,
} as const;

/** The stable code of each exit code, for a CliError's `code`. */
const EXIT_CODES: Record<number, string> = { 1: "negative", 2: "usage", 3: "network", 4: "ledger_refused", 5: "failure" };

/** What a command tells its user: one sentence, and the exit code it ends with. */
export class CliError extends DplError {
  constructor(
    message: string,
    readonly exitCode: number = EXIT.usage,
  ) {
    super(EXIT_CODES[exitCode] ?? "failure", message);
  }
}

/** Codes that answer a verification in the negative (exit 1) rather than report a failure. */
const NEGATIVE_CODES = new Set(["not_registered", "bundle_invalid"]);

/** The ledger's refusal as the CLI says it: "the ledger refused: …", in the CLI's language. */
const refusalText = (refusal: LedgerRefusedError) => t("revert.refused", { sentence: refusalSentence(refusal.errorName, refusal.args, tr()) });

/** Any error, as the sentence and exit code the user gets, in the CLI's language where the error has catalogue words. */
export function describe(iface: Interface, error: unknown): CliError {
  if (error instanceof CliError) return error;
  const revert = error instanceof LedgerRefusedError ? error : decodeRevert(iface, error);
  if (revert) return new CliError(refusalText(revert), EXIT.refused);
  if (error instanceof InvalidInputError) return new CliError(messageIn(error, tr()), EXIT.usage);
  if (error instanceof DplError && NEGATIVE_CODES.has(error.code)) return new CliError(messageIn(error, tr()), EXIT.negative);
  if (error instanceof RetryableError) return new CliError(messageIn(error, tr()), EXIT.network);
  if (error instanceof DplError) return new CliError(messageIn(error, tr()), EXIT.failure);
  const e = error as { code?: string; message?: string; shortMessage?: string };
  if (e?.code === "ENOENT" || e?.code === "EACCES" || e?.code === "EISDIR") return new CliError(e.message ?? String(error), EXIT.usage);
  if (e?.code === "ECONNREFUSED" || e?.code === "NETWORK_ERROR" || /ECONNREFUSED|fetch failed|getaddrinfo/.test(e?.message ?? "")) {
    return new CliError(t("cli.error.unreachable", { reason: e.shortMessage ?? e.message ?? "" }), EXIT.network);
  }
  if (e?.code === "BAD_DATA" && /value="0x"/.test(e.message ?? "")) {
    return new CliError(t("cli.error.noLedger"), EXIT.network);
  }
  if (e?.code === "INVALID_ARGUMENT" || e?.code === "BAD_DATA") return new CliError(e.shortMessage ?? e.message ?? String(error), EXIT.usage);
  return new CliError(t("cli.error.failed", { reason: e?.shortMessage ?? e?.message ?? String(error) }), EXIT.failure);
}
