// Bundles the dpl CLI (cli/, core/ and sdk/, TypeScript) into one JavaScript module with esbuild, its
// packages included (one file to parse rather than hundreds to find): `npm install` runs it (prepare), and bin/dpl.js runs it again
// whenever a source is newer than the bundle. Run directly: `node bin/build-cli.js`.
import { mkdir, readdir, rename, stat, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const BUNDLE = path.join(ROOT, "dist", "cli", "dpl.mjs");
/** What the bundle is built from: a change under these makes it stale. */
export const SOURCES = ["cli", "core", "sdk"];

/** The newest modification time (ms) among the bundle's sources. */
export async function newestSource() {
  let newest = 0;
  for (const dir of SOURCES) {
    for (const entry of await readdir(path.join(ROOT, dir), { withFileTypes: true, recursive: true })) {
      if (entry.isFile()) newest = Math.max(newest, (await stat(path.join(entry.parentPath, entry.name))).mtimeMs);
    }
  }
  return newest;
}

/** Builds the bundle; written whole to a temporary file and renamed, so a concurrent dpl never reads half of it. */
export async function buildCli() {
  const { build } = await import("esbuild");
  const result = await build({
    entryPoints: [path.join(ROOT, "cli", "dpl.ts")],
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node22",
    // CommonJS packages in the bundle require Node's built-in modules: give them a require.
    banner: { js: 'import { createRequire as __createRequire } from "node:module"; const require = __createRequire(import.meta.url);' },
    write: false,
    logLevel: "silent",
  });
  await mkdir(path.dirname(BUNDLE), { recursive: true });
  const temporary = `${BUNDLE}.${process.pid}.tmp`;
  await writeFile(temporary, result.outputFiles[0].contents);
  await rename(temporary, BUNDLE);
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await buildCli();
