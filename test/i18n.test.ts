/**
 * The catalogues: both languages have the same keys, each message parses as ICU MessageFormat and
 * asks for the same placeholders in both (a translation that drops `{amount}` or adds `{amout}` is
 * caught here), and no Chinese message was left in English. Also the choice of language from
 * browsers, Accept-Language and POSIX locales, and the locale's dates and digits.
 */
import { parse, TYPE, type MessageFormatElement } from "@formatjs/icu-messageformat-parser";
import { expect } from "chai";

import ledgerAbi from "../core/ledger-abi.json" with { type: "json" };
import oversightAbi from "../core/oversight-abi.json" with { type: "json" };
import { en } from "../core/i18n/en.js";
import { CATALOGUES, LOCALES, localeOf, localeOfAcceptLanguage, translator } from "../core/i18n/translate.js";
import { zh } from "../core/i18n/zh.js";
import { refusalSentence } from "../core/revert.js";
import { preferredLocale } from "../explorer/src/i18n.js";

/** Each placeholder of a parsed message as "name:kind", and each plural's categories, sorted. */
function placeholders(elements: MessageFormatElement[], into: Set<string> = new Set()): Set<string> {
  for (const e of elements) {
    if (e.type === TYPE.argument) into.add(`${e.value}:text`);
    else if (e.type === TYPE.number || e.type === TYPE.date || e.type === TYPE.time) into.add(`${e.value}:${TYPE[e.type]}`);
    else if (e.type === TYPE.plural || e.type === TYPE.select) {
      into.add(`${e.value}:${TYPE[e.type]}`);
      for (const option of Object.values(e.options)) placeholders(option.value, into);
    }
  }
  return into;
}

/** The plural categories each plural of a message offers. */
function pluralCategories(elements: MessageFormatElement[]): string[][] {
  return elements.flatMap((e) => (e.type === TYPE.plural ? [Object.keys(e.options).sort(), ...Object.values(e.options).flatMap((o) => pluralCategories(o.value))] : []));
}

describe("i18n catalogues", function () {
  it("English and Chinese have exactly the same keys", function () {
    expect(Object.keys(zh).sort()).to.deep.equal(Object.keys(en).sort());
    expect(Object.keys(en).length).to.be.greaterThan(300);
  });

  it("every message parses, and asks for the same placeholders in both languages", function () {
    const mismatched: string[] = [];
    for (const key of Object.keys(en) as (keyof typeof en)[]) {
      const [a, b] = [en[key], zh[key]].map((m) => [...placeholders(parse(m, { ignoreTag: true }))].sort());
      if (JSON.stringify(a) !== JSON.stringify(b)) mismatched.push(`${key}: en ${a.join(" ")} / zh ${b.join(" ")}`);
    }
    expect(mismatched).to.deep.equal([]);
  });

  it("every placeholder reaches the text (none is swallowed by an ICU quote such as '{name}')", function () {
    for (const locale of LOCALES) {
      const tr = translator(locale);
      for (const [key, message] of Object.entries(CATALOGUES[locale])) {
        const wanted = [...placeholders(parse(message, { ignoreTag: true }))].map((p) => p.split(":"));
        const values = Object.fromEntries(wanted.map(([name, kind]) => [name, kind === "plural" ? 2 : kind === "select" ? "other" : `⟦${name}⟧`]));
        const text = tr.t(key as keyof typeof en, values);
        for (const [name, kind] of wanted) if (kind === "text") expect(text, `${locale} ${key}`).to.include(`⟦${name}⟧`);
        expect(text, `${locale} ${key}`).to.not.match(/[{}]/);
      }
    }
  });

  it("plurals: English says one and other, Chinese (which has no plural forms) other", function () {
    for (const [key, message] of Object.entries(en)) for (const categories of pluralCategories(parse(message, { ignoreTag: true }))) expect(categories, key).to.deep.equal(["one", "other"]);
    for (const [key, message] of Object.entries(zh)) for (const categories of pluralCategories(parse(message, { ignoreTag: true }))) expect(categories, key).to.deep.equal(["other"]);
  });

  it("no Chinese message was left in English: each is in Chinese, or has no English words outside its placeholders", function () {
    // Names every language writes alike: codes, formats, and the CLI's own words (commands, options, values).
    const alike = /\b(dpl|UTC|SHA-256|UTF-8|W3C|PROV-JSON|JSON|HTML|API|CNY|ISO|ERC-20|RPC_URL|LEDGER_ADDRESS|API_URL|LANG|tx)\b|--[a-z-]+|`[^`]*`/g;
    const leftovers = Object.entries(zh).filter(([, message]) => {
      if (/[\u4e00-\u9fff]/.test(message)) return false;
      const words = message.replace(/\{[^{}]*\}/g, "").replace(alike, "");
      return /[A-Za-z]{3,}/.test(words);
    });
    expect(leftovers).to.deep.equal([]);
  });

  it("every custom error of the ledger and its oversight contract is one sentence in each language", function () {
    const errors = [...ledgerAbi, ...oversightAbi].filter((item) => item.type === "error") as { name: string; inputs: { type: string }[] }[];
    expect(errors.length).to.be.greaterThan(50);
    // Arguments of each input's type: an id, an address, a number (a state, a reason, an amount).
    const sample = (type: string) => (type === "address" ? `0x${"ab".repeat(20)}` : type.startsWith("bytes") ? `0x${"cd".repeat(32)}` : 1n);
    for (const { name, inputs } of errors) {
      for (const locale of LOCALES) {
        const sentence = refusalSentence(
          name,
          inputs.map((i) => sample(i.type)),
          translator(locale),
        );
        expect(sentence, `${name} in ${locale}`).to.not.match(new RegExp(`^${name}\\(|[{}]`));
        if (locale === "zh") expect(sentence, name).to.match(/[\u4e00-\u9fff]/);
      }
    }
  });

  it("formats with the locale's plural rules, dates and digit grouping", function () {
    const [english, chinese] = LOCALES.map((l) => translator(l));
    expect(english.t("file.anchored", { count: 1 })).to.equal("Anchored once on this ledger.");
    expect(english.t("file.anchored", { count: 3 })).to.equal("Anchored 3 times on this ledger.");
    expect(chinese.t("file.anchored", { count: 3 })).to.equal("已在本账本上锚定 3 次。");
    expect(english.t("evidence.pending", { count: 1 })).to.equal("pending (1 confirmation)");
    // 2025-11-27 08:00:00 UTC, written out by hand in each language's convention.
    expect(english.time(1_764_230_400)).to.equal("2025-11-27 08:00:00 UTC");
    expect(chinese.time(1_764_230_400)).to.equal("2025年11月27日 08:00:00 UTC");
    expect(chinese.integer("1208925819614629174706175")).to.equal("1,208,925,819,614,629,174,706,175");
    expect(english.name("status", "revoked")).to.equal("revoked");
    expect(chinese.name("status", "revoked")).to.equal("已撤销");
    // A name the API adds later is shown as it is rather than as a missing key.
    expect(chinese.name("status", "frozen")).to.equal("frozen");
    expect(Object.keys(CATALOGUES)).to.deep.equal([...LOCALES]);
  });

  it("chooses the language from the browser's list, Accept-Language and POSIX locales", function () {
    expect(localeOf(["fr-FR", "zh-TW", "en"])).to.equal("zh");
    expect(localeOf(["de"])).to.equal(undefined);
    expect(localeOf(["zh_CN.UTF-8"])).to.equal("zh");
    expect(localeOf(["C.UTF-8"])).to.equal(undefined);
    expect(localeOfAcceptLanguage("en;q=0.5, zh-CN;q=0.9, fr")).to.equal("zh");
    expect(localeOfAcceptLanguage("fr, en-GB;q=0.8, zh;q=0.7")).to.equal("en");
    expect(localeOfAcceptLanguage("zh;q=0, en")).to.equal("en");
    expect(localeOfAcceptLanguage(undefined)).to.equal(undefined);
    // Malformed headers choose nothing rather than fail: English then.
    for (const garbage of ["", ";;;,,,", "zh;q=abc", "zh;q=-1", "*", "x".repeat(10_000), "en;q=0, zh;q=0"]) expect(localeOfAcceptLanguage(garbage), garbage.slice(0, 20)).to.equal(undefined);
    // The explorer: a saved choice wins over the browser; something else saved is ignored.
    expect(preferredLocale("en", ["zh-CN"])).to.equal("en");
    expect(preferredLocale(null, ["zh-CN", "en"])).to.equal("zh");
    expect(preferredLocale("xx", ["fr"])).to.equal("en");
  });
});
