/**
 * dpl's error hierarchy. Callers decide by type, never by message: a RetryableError is worth trying
 * again (a node that is down, rate-limited or slow), a DplError is not. The API and the CLI turn
 * `code` and the message into a status or an exit code; neither ever shows a stack trace to a user.
 * A message given as catalogue words (`Words`) can be said in the user's language (`messageIn`).
 */
import { english, type MessageKey, type MessageValues, type Translator } from "./i18n/translate.js";

export class DplError extends Error {
  /** A stable machine-readable code, e.g. "dataset_not_found". */
  readonly code: string;
  /** The message as a catalogue entry, when it has one: a user's language can then be used to say it. */
  readonly words?: Words;
  /** `message` is English text, or a catalogue entry (its English text becomes the message). */
  constructor(code: string, message: string | Words, options?: { cause?: unknown }) {
    super(typeof message === "string" ? message : english.t(message.key, message.values), options);
    this.name = new.target.name;
    this.code = code;
    if (typeof message !== "string") this.words = message;
  }
}

/** A message by its catalogue key and placeholders. */
export interface Words {
  key: MessageKey;
  values?: MessageValues;
}

/** What `error` says, in `tr`'s language when it carries catalogue words, else its own message. */
export function messageIn(error: Error, tr: Translator): string {
  const words = (error as DplError).words;
  return words ? tr.t(words.key, words.values) : error.message;
}

/** What an error may carry, read without trusting its type: Node's, LevelDB's and ethers' errors differ. */
export interface ErrorLike {
  code?: unknown;
  message?: unknown;
  data?: unknown;
  error?: unknown;
  info?: { error?: unknown };
  cause?: unknown;
}

/**
 * An error and each one it wraps, outermost first: through `cause`, and through ethers' `error` and
 * `info.error`, at most `depth` deep. The one walk every caller that looks for a code or revert data uses.
 */
export function* causeChain(error: unknown, depth = 8): Generator<ErrorLike> {
  let e = error as ErrorLike | undefined;
  for (let i = 0; e && typeof e === "object" && i < depth; i++) {
    yield e;
    e = (e.error ?? e.info?.error ?? e.cause) as ErrorLike | undefined;
  }
}

/** A transient failure: the same request may succeed later. */
export class RetryableError extends DplError {}

/** The user asked for something malformed: a 400, or exit code 2 in the CLI. */
export class InvalidInputError extends DplError {
  constructor(message: string | Words, code = "invalid_input") {
    super(code, message);
  }
}

/** What was asked for does not exist: a 404. */
export class NotFoundError extends DplError {
  constructor(message: string | Words, code = "not_found") {
    super(code, message);
  }
}

/** The index cannot be trusted or used as it is (corrupt, locked, from another chain). */
export class StoreError extends DplError {}

/**
 * The chain reorganised below the oldest block the index remembers: it stops rather than mix chains.
 * The message states what this index could really undo (`cursor - oldest` blocks), which is less than
 * REORG_WINDOW while the index is young or its blocks carried few ledger events.
 */
export class ReorgTooDeepError extends DplError {
  constructor(
    readonly depthAtLeast: number,
    readonly undoable: number,
    readonly window: number,
  ) {
    super(
      "reorg_too_deep",
      `the chain reorganised at least ${depthAtLeast} blocks deep, and this index can undo only its last ${undoable} (REORG_WINDOW is ${window}): stop dpl and run \`npm run reindex\` to rebuild the index from the chain`,
    );
  }
}
