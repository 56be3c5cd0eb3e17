/**
 * Chain text (purposes, metadata) as the terminal may show it: anyone can put any bytes on chain, and
 * a control character (an escape sequence hiding the rows after it) or a bidirectional override
 * (making text read backwards) in a purpose must not act on the user's terminal. Each is shown
 * escaped instead: `\x1b`, `\n`, `\u202e`.
 */

const NAMED: Record<string, string> = { "\n": "\\n", "\r": "\\r", "\t": "\\t" };

/** C0 and C1 controls, DEL, and the bidirectional marks, embeddings, overrides and isolates. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is this pattern's job.
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

export function printable(text: string): string {
  return text.replace(UNSAFE, (c) => NAMED[c] ?? (c.charCodeAt(0) <= 0xff ? `\\x${c.charCodeAt(0).toString(16).padStart(2, "0")}` : `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`));
}
