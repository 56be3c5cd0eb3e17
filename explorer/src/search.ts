/**
 * What the search box was given. An address names an account; a 32-byte hash is a dataset id, a
 * grant id or a file's content hash, which only the index can tell apart. Pure.
 */
import { english, type Translator } from "../../core/i18n/translate.js";

export type Query = { kind: "address"; address: string } | { kind: "hash"; hash: string } | { kind: "invalid"; message: string };

export function classifyQuery(raw: string, tr: Translator = english): Query {
  const text = raw.trim();
  if (text === "") return { kind: "invalid", message: tr.t("search.empty") };
  const hex = /^(0x)?[0-9a-fA-F]+$/.test(text) ? (text.startsWith("0x") ? text : "0x" + text).toLowerCase() : undefined;
  if (hex?.length === 66) return { kind: "hash", hash: hex };
  if (hex?.length === 42) return { kind: "address", address: hex };
  const shown = text.length > 80 ? text.slice(0, 77) + "…" : text;
  return {
    kind: "invalid",
    message: tr.t("search.malformed", { text: shown }),
  };
}

/** Which page a 32-byte hash opens, given what the index knows of it: a dataset first, then a grant, then a file. */
export function pageForHash(hash: string, found: { dataset: boolean; grant: boolean; anchored: boolean }): { page: "dataset" | "grant" | "file"; value: string } | undefined {
  if (found.dataset) return { page: "dataset", value: hash };
  if (found.grant) return { page: "grant", value: hash };
  if (found.anchored) return { page: "file", value: hash };
  return undefined;
}
