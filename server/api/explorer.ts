/**
 * Serves the explorer (explorer/): its page, its stylesheet, and its TypeScript bundled by esbuild
 * in memory on first request, so there is no build step and no build output to keep in step.
 */
import { readFile } from "node:fs/promises";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

import { build } from "esbuild";
import type { Express } from "express";

import { LANGUAGE_TAGS, localeOfAcceptLanguage } from "../../core/i18n/translate.js";

const root = fileURLToPath(new URL("../../explorer/", import.meta.url));

let bundled: Promise<string> | undefined;
let gzipped: Promise<Buffer> | undefined;

/** The explorer's script, bundled once per process (a few hundred milliseconds). */
export function explorerBundle(): Promise<string> {
  bundled ??= build({
    entryPoints: [root + "src/main.ts"],
    bundle: true,
    minify: true,
    format: "esm",
    target: "es2022",
    write: false,
    legalComments: "none",
    logLevel: "silent",
  }).then(
    (result) => result.outputFiles[0].text,
    (error: unknown) => {
      bundled = undefined;
      throw error;
    },
  );
  return bundled;
}

export function serveExplorer(app: Express): void {
  const file = (name: string) => readFile(root + name, "utf8");
  // The page starts in the language Accept-Language prefers, when dpl speaks it: `<html lang>` is
  // right before any script runs, and the explorer takes it over the browser's own list.
  app.get("/", async (req, res) => {
    const locale = localeOfAcceptLanguage(req.get("accept-language"));
    const html = await file("index.html");
    res
      .type("html")
      .set({ "cache-control": "no-cache", vary: "accept-language" })
      .send(locale ? html.replace('<html lang="en">', `<html lang="${LANGUAGE_TAGS[locale]}" data-language="${locale}">`) : html);
  });
  app.get("/explorer/style.css", async (_req, res) => {
    res
      .type("css")
      .set("cache-control", "no-cache")
      .send(await file("style.css"));
  });
  // 640 KiB of script, 190 KiB gzipped once: worth it for an explorer opened from afar.
  app.get("/explorer/app.js", async (req, res) => {
    res.type("js").set({ "cache-control": "no-cache", vary: "accept-encoding" });
    if (!/\bgzip\b/.test(req.headers["accept-encoding"] ?? "")) return res.send(await explorerBundle());
    gzipped ??= explorerBundle().then(
      (js) => gzipSync(js, { level: 9 }),
      (error: unknown) => {
        gzipped = undefined;
        throw error;
      },
    );
    res.set("content-encoding", "gzip").send(await gzipped);
  });
}
