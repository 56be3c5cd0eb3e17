/**
 * The language dpl speaks in a terminal: `--lang zh|en`, else the POSIX locale (LC_ALL, then
 * LC_MESSAGES, then LANG: zh_CN.UTF-8 gives Chinese), else English. Decided once, when the CLI
 * starts, because the help texts are written before the arguments are parsed.
 */
import type { Option } from "commander";

import { english, type Locale, localeOf, type MessageKey, type MessageValues, type Translator, translator } from "../../core/i18n/translate.js";

/** The locale `argv` and `env` ask for; an unknown --lang falls back to the environment. */
export function cliLocale(argv: readonly string[], env: NodeJS.ProcessEnv): Locale {
  const at = argv.findIndex((a) => a === "--lang" || a.startsWith("--lang="));
  const asked = at < 0 ? undefined : argv[at].startsWith("--lang=") ? argv[at].slice("--lang=".length) : argv[at + 1];
  // POSIX: the first of these that is set decides; "C" and "POSIX" mean no language in particular.
  const posix = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((v) => v !== undefined && v !== "");
  return localeOf([asked, posix]) ?? "en";
}

let current: Translator = english;

/** Switches the CLI's language (once, at start; tests may switch back). */
export function useCliLocale(locale: Locale): void {
  current = translator(locale);
}

/** The translator the CLI speaks with. */
export const tr = (): Translator => current;

export const t = (key: MessageKey, values?: MessageValues): string => current.t(key, values);

/**
 * An option's line in the help: its description, then its choices and default, in the CLI's language
 * (English keeps Commander's own words, `english`).
 */
export function optionDescription(option: Option, english: (option: Option) => string): string {
  if (current.locale === "en") return english(option);
  const extra: string[] = [];
  if (option.argChoices) extra.push(t("cli.help.choices", { choices: option.argChoices.map((c) => JSON.stringify(c)).join(", ") }));
  const showDefault = option.required || option.optional || (option.isBoolean() && typeof option.defaultValue === "boolean");
  if (showDefault && option.defaultValue !== undefined) extra.push(t("cli.help.default", { value: option.defaultValueDescription ?? JSON.stringify(option.defaultValue) }));
  return extra.length ? `${option.description}（${extra.join("；")}）` : option.description;
}

/**
 * A moment as the CLI shows it: in English the ISO 8601 form `iso` writes (what a user may paste
 * back into --from or --until), in Chinese the locale's date ("2026年11月30日 03:14:38 UTC").
 */
export function shownTime(unixSeconds: number | bigint, iso: (date: Date) => string = (d) => d.toISOString()): string {
  return current.locale === "en" ? iso(new Date(Number(unixSeconds) * 1000)) : current.time(Number(unixSeconds));
}

/** Commander's headings in the help ("Usage:", "Options:" …), in the CLI's language. */
export function helpTitle(title: string): string {
  const key = HELP_TITLES[title];
  return key ? t(key) : title;
}

const HELP_TITLES: Record<string, MessageKey> = {
  "Usage:": "cli.help.usage",
  "Options:": "cli.help.options",
  "Commands:": "cli.help.commands",
  "Arguments:": "cli.help.arguments",
  "Global Options:": "cli.help.globalOptions",
};

const didYouMean = (suggestion: string | undefined) => (suggestion ? t("cli.commander.didYouMean", { suggestion }) : "");

/** Commander's complaints about a command line, by their English pattern, each said from its parts. */
const COMMANDER_ERRORS: [RegExp, (parts: string[]) => string][] = [
  [/^error: unknown option '([^']*)'(?:\n\(Did you mean (.*)\?\))?/, ([option, maybe]) => t("cli.commander.unknownOption", { option, suggestion: didYouMean(maybe) })],
  [/^error: unknown command '([^']*)'(?:\n\(Did you mean (.*)\?\))?/, ([command, maybe]) => t("cli.commander.unknownCommand", { command, suggestion: didYouMean(maybe) })],
  [/^error: missing required argument '([^']*)'/, ([argument]) => t("cli.commander.missingArgument", { argument })],
  [/^error: option '([^']*)' argument missing/, ([option]) => t("cli.commander.optionMissingArgument", { option })],
  [/^error: required option '([^']*)' not specified/, ([option]) => t("cli.commander.missingOption", { option })],
  [/^error: option '([^']*)' argument '([^']*)' is invalid\. Allowed choices are (.*)\./, ([option, value, choices]) => t("cli.commander.invalidChoice", { option, value, choices })],
  [/^error: too many arguments(?: for '[^']*')?\. Expected (\d+) arguments? but got (\d+)\./, ([expected, got]) => t("cli.commander.tooManyArguments", { expected, got })],
];

/** Commander's complaint `text` ("error: unknown option '--x'") as dpl says it: "dpl: …", in the CLI's language. */
export function commanderMessage(text: string): string {
  // English keeps Commander's own words.
  if (current.locale === "en") return text.replace(/^error: /, "dpl: ");
  for (const [pattern, say] of COMMANDER_ERRORS) {
    const match = pattern.exec(text);
    if (match) return `dpl: ${say(match.slice(1).map((part) => part ?? ""))}\n`;
  }
  return text.replace(/^error: /, "dpl: ");
}
