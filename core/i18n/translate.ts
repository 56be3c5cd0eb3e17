/**
 * dpl's words in Simplified Chinese and English. Every message is an ICU MessageFormat string in
 * one catalogue per language (en.ts, zh.ts), formatted by FormatJS's intl-messageformat: plurals,
 * numbers and selects follow the locale's own rules rather than string concatenation. Pure: the
 * explorer's bundle, the CLI and the server each hold their own translator.
 */
import { IntlMessageFormat } from "intl-messageformat";

import { en, type MessageKey } from "./en.js";
import { zh } from "./zh.js";

export type { MessageKey };

export const LOCALES = ["en", "zh"] as const;
export type Locale = (typeof LOCALES)[number];

/** Each language's catalogue: zh is typed by en's keys, so a key missing in either fails the build. */
export const CATALOGUES: Record<Locale, Record<MessageKey, string>> = { en, zh };

/** The BCP 47 tag of each locale: for `<html lang>` and the Intl formatters. */
export const LANGUAGE_TAGS: Record<Locale, string> = { en: "en", zh: "zh-CN" };

/** What a placeholder may be given. A bigint is shown exactly, as its decimal digits. */
export type MessageValues = Record<string, string | number | bigint>;

export interface Translator {
  readonly locale: Locale;
  /** The BCP 47 tag: "en" or "zh-CN". */
  readonly tag: string;
  /** The message `key` in this locale, with its placeholders filled. */
  t(key: MessageKey, values?: MessageValues): string;
  /** The message `${group}.${name}` when the catalogue has one, else `name` as it is (a name the API added later). */
  name(group: string, name: string): string;
  /** A whole number of any size with the locale's digit grouping: "1,234,567". */
  integer(value: string | number | bigint): string;
  /** A block time: "2026-11-27 09:10:11 UTC" in English, "2026年11月27日 09:10:11 UTC" in Chinese. */
  time(unixSeconds: number): string;
}

/** The locale of the first of `tags` (BCP 47 or POSIX, best first) that dpl speaks; undefined if none. */
export function localeOf(tags: readonly (string | undefined)[]): Locale | undefined {
  for (const tag of tags) {
    const primary = tag
      ?.trim()
      .toLowerCase()
      .split(/[-_.@;]/)[0];
    if (primary === "zh") return "zh";
    if (primary === "en") return "en";
  }
  return undefined;
}

/** The locale an Accept-Language header prefers ("zh-CN,zh;q=0.9,en;q=0.8"), by its q values. */
export function localeOfAcceptLanguage(header: string | undefined): Locale | undefined {
  if (!header) return undefined;
  const ranked = header
    .split(",")
    .map((part, i) => {
      const [tag, ...params] = part.split(";");
      const q = Number(
        params
          .find((p) => p.trim().startsWith("q="))
          ?.trim()
          .slice(2) ?? 1,
      );
      return { tag: tag.trim(), q: Number.isFinite(q) ? q : 0, i };
    })
    .filter((r) => r.q > 0)
    .sort((a, b) => b.q - a.q || a.i - b.i);
  return localeOf(ranked.map((r) => r.tag));
}

/** A message of text and `{name}` placeholders only: no plural, select, number format or quote. */
const SIMPLE = /^(?:[^{}']|\{\w+\})*$/;
const PLACEHOLDER = /\{(\w+)\}/g;

const translators = new Map<Locale, Translator>();

/** The translator of `locale`; formatters are compiled once per message and kept. */
export function translator(locale: Locale): Translator {
  let found = translators.get(locale);
  if (!found) translators.set(locale, (found = createTranslator(locale)));
  return found;
}

/** English: the default wherever no language was asked for, and the language of logs and the API's codes. */
export const english: Translator = translator("en");

function createTranslator(locale: Locale): Translator {
  const tag = LANGUAGE_TAGS[locale];
  const catalogue = CATALOGUES[locale];
  const compiled = new Map<string, IntlMessageFormat>();
  const numbers = new Intl.NumberFormat(tag);
  const dates = new Intl.DateTimeFormat(tag, { dateStyle: "long", timeStyle: "medium", timeZone: "UTC", hourCycle: "h23" });
  const t = (key: MessageKey, values?: MessageValues): string => {
    const message = catalogue[key] ?? en[key] ?? key;
    // Most messages are text with simple placeholders and no quotes: filled in directly, as ICU
    // would fill them, without compiling a formatter (the CLI's help is ~50 of them at each start).
    if (SIMPLE.test(message)) return message.replace(PLACEHOLDER, (_, name: string) => String(values?.[name] ?? `{${name}}`));
    let format = compiled.get(key);
    if (!format) {
      // ignoreTag: "<n>" in a message is text, not markup.
      format = new IntlMessageFormat(message, tag, undefined, { ignoreTag: true });
      compiled.set(key, format);
    }
    const plain: Record<string, string | number> = {};
    for (const [name, value] of Object.entries(values ?? {})) plain[name] = typeof value === "bigint" ? value.toString() : value;
    return String(format.format(plain));
  };
  return {
    locale,
    tag,
    t,
    name: (group, name) => {
      const key = `${group}.${name}`;
      return key in catalogue ? t(key as MessageKey) : name;
    },
    integer: (value) => {
      const text = String(value);
      return /^-?\d+$/.test(text) ? numbers.format(BigInt(text)) : text;
    },
    time: (unixSeconds) =>
      locale === "en"
        ? new Date(unixSeconds * 1000)
            .toISOString()
            .replace("T", " ")
            .replace(/\.\d+Z$/, " UTC")
        : `${dates.format(new Date(unixSeconds * 1000))} UTC`,
  };
}
