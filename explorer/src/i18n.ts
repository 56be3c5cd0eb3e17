/**
 * The explorer's language: the reader's choice (the switch in the header, kept in localStorage),
 * else the browser's preferred languages (what it sends as Accept-Language), else English. Pages
 * ask `t` for every word at the moment they draw, so a switch redraws in the other language.
 */
import { english, LOCALES, type Locale, localeOf, type MessageKey, type MessageValues, type Translator, translator } from "../../core/i18n/translate.js";
import type { Child } from "./dom.js";

const STORAGE_KEY = "dpl.lang";

let current: Translator = english;

/** The translator the page draws with now. */
export const tr = (): Translator => current;

export const t = (key: MessageKey, values?: MessageValues): string => current.t(key, values);

/** The locale to start in: a saved choice, else the first of the browser's languages dpl speaks. */
export function preferredLocale(saved: string | null, browser: readonly string[]): Locale {
  return (LOCALES as readonly string[]).includes(saved ?? "") ? (saved as Locale) : (localeOf(browser) ?? "en");
}

function savedChoice(): string | null {
  try {
    return localStorage.getItem(STORAGE_KEY);
  } catch {
    return null; // storage blocked: the browser's languages decide
  }
}

/** Starts in the reader's language and marks the document with it. */
export function startLocale(): Locale {
  return useLocale(preferredLocale(savedChoice(), navigator.languages ?? [navigator.language]));
}

/** Switches to `locale`, remembers the choice and marks the document (`<html lang>`). */
export function chooseLocale(locale: Locale): void {
  try {
    localStorage.setItem(STORAGE_KEY, locale);
  } catch {
    // not remembered: the switch still applies to this page
  }
  useLocale(locale);
}

function useLocale(locale: Locale): Locale {
  current = translator(locale);
  document.documentElement.lang = current.tag;
  return locale;
}

/**
 * A message whose placeholders are elements (links, badges): the message is formatted with a marker
 * for each, and the text between markers is kept as text, so word order stays the language's own.
 */
export function tNodes(key: MessageKey, values: Record<string, Child | string | number | bigint>): Child[] {
  const nodes: Child[] = [];
  const plain: MessageValues = {};
  for (const [name, value] of Object.entries(values)) {
    if (typeof value === "string" || typeof value === "number" || typeof value === "bigint") plain[name] = value;
    else {
      plain[name] = `\u0000${nodes.length}\u0000`;
      nodes.push(value);
    }
  }
  return t(key, plain)
    .split(/\u0000(\d+)\u0000/)
    .map((part, i) => (i % 2 === 1 ? nodes[Number(part)] : part))
    .filter((part) => part !== "");
}
