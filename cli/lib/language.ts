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

/** Commander's complaints about a command line, by their English pattern, each with the catalogue entry that says it. */
const COMMANDER_ERRORS: [RegExp, MessageKey][] = [
  [/^error: unknown option '([^']*)'(?:\n\(Did you mean (.*)\?\))?/, "cli.commander.unknownOption"],
  [/^error: unknown command '([^']*)'(?:\n\(Did you mean (.*)\?\))?/, "cli.commander.unknownCommand"],
  [/^error: missing required argument '([^']*)'/, "cli.commander.missingArgument"],
  [/^error: option '([^']*)' argument missing/, "cli.commander.optionMissingArgument"],
  [/^error: required option '([^']*)' not specified/, "cli.commander.missingOption"],
  [/^error: option '([^']*)' argument '([^']*)' is invalid\. Allowed choices are (.*)\./, "cli.commander.invalidChoice"],
  [/^error: too many arguments(?: for '([^']*)')?\. Expected (\d+) arguments? but got (\d+)\./, "cli.commander.tooManyArguments"],
];

/** Commander's complaint `text` ("error: unknown option '--x'") as dpl says it: "dpl: …", in the CLI's language. */
export function commanderMessage(text: string): string {
  // English keeps Commander's own words.
  if (current.locale === "en") return text.replace(/^error: /, "dpl: ");
  for (const [pattern, key] of COMMANDER_ERRORS) {
    const match = pattern.exec(text);
    if (match) {
      const [, a = "", b = "", c = ""] = match;
      const suggestion = b ? t("cli.commander.didYouMean", { suggestion: b }) : "";
      return `dpl: ${t(key, { a, b, c, suggestion })}\n`;
    }
  }
  return text.replace(/^error: /, "dpl: ");
}
