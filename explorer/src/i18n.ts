/**
 * The explorer's language, as the pages use it: `t` gives every word at the moment a page draws, so
 * switching the language and redrawing is all a switch takes. Which language to start in is
 * `preferredLocale`'s choice: the reader's saved choice, else the one the server negotiated from
 * Accept-Language, else the browser's preferred languages, else English. No DOM here: the tests run
 * it in Node.
 */
import { english, LOCALES, type Locale, localeOf, type MessageKey, type MessageValues, type Translator, translator } from "../../core/i18n/translate.js";

let current: Translator = english;

/** The translator the page draws with now. */
export const tr = (): Translator => current;

export const t = (key: MessageKey, values?: MessageValues): string => current.t(key, values);

/** Draws in `locale` from now on; returns its BCP 47 tag for `<html lang>`. */
export function useLocale(locale: Locale): string {
  current = translator(locale);
  return current.tag;
}

/** The locale to start in: a saved choice, else the first of the browser's languages dpl speaks, else English. */
export function preferredLocale(saved: string | null, browser: readonly (string | undefined)[]): Locale {
  return (LOCALES as readonly string[]).includes(saved ?? "") ? (saved as Locale) : (localeOf(browser) ?? "en");
}

/** Marks a placeholder's place in a formatted message: private-use characters no message contains. */
const MARK = /\uE000(\d+)\uE001/;

/**
 * A message whose placeholders include elements (links, badges): the message is formatted with a
 * marker for each element and split at the markers, so the words keep the language's own order.
 */
export function tNodes<N extends object>(key: MessageKey, values: Record<string, N | string | number | bigint>): (N | string)[] {
  const nodes: N[] = [];
  const plain: MessageValues = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "object") {
      plain[name] = `\uE000${nodes.length}\uE001`;
      nodes.push(value);
    } else plain[name] = value;
  }
  return t(key, plain)
    .split(new RegExp(MARK.source, "g"))
    .map((part, i) => (i % 2 === 1 ? nodes[Number(part)] : part))
    .filter((part) => part !== "");
}
