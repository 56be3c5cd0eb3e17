/**
 * `npm run verify-index`: reads every index under DATA_DIR back in full, in the foreground, with a
 * progress bar: what `npm start` does in the background after opening. Needs no node and no running
 * dpl (stop it first: LevelDB allows one process). Exit 0 when every index reads back whole, 1 when
 * one is damaged (the sentence names `npm run reindex`), 2 on wrong use.
 */
import { readdir } from "node:fs/promises";
import path from "node:path";

import { SingleBar } from "cli-progress";

import { DplError, InvalidInputError } from "../core/errors.js";
import { readConfig } from "../server/config.js";
import { Store } from "../server/store/store.js";

async function main(): Promise<number> {
  if (process.argv.length > 2) throw new InvalidInputError(`verify-index takes no arguments (it reads DATA_DIR), not ${process.argv.slice(2).join(" ")}`);
  const { dataDir } = readConfig();
  const dirs: string[] = [];
  for (const entry of await readdir(dataDir, { withFileTypes: true }).catch(() => [])) {
    if (entry.isDirectory() && /^\d+-0x[0-9a-f]{40}$/.test(entry.name)) dirs.push(path.join(dataDir, entry.name, "index"));
  }
  if (dirs.length === 0) throw new InvalidInputError(`no index under ${dataDir}: run \`npm start\` or \`npm run index\` first, or set DATA_DIR`);
  let damaged = 0;
  for (const dir of dirs) {
    const bar = process.stderr.isTTY ? new SingleBar({ format: `${path.basename(path.dirname(dir))} {value} keys read`, stream: process.stderr }) : undefined;
    let store: Store | undefined;
    try {
      store = await Store.openRecorded(dir);
      bar?.start(0, 0);
      const { keys, seconds } = await store.verify({ onProgress: (n) => bar?.update(n) });
      bar?.stop();
      console.log(`${dir}: whole, ${keys} keys read back in ${seconds.toFixed(1)} s`);
    } catch (error) {
      bar?.stop();
      if (!(error instanceof DplError)) throw error;
      console.log(`${dir}: ${error.message}`);
      damaged++;
    } finally {
      await store?.close();
    }
  }
  return damaged > 0 ? 1 : 0;
}

try {
  process.exitCode = await main();
} catch (error) {
  if (!(error instanceof DplError)) throw error;
  console.error(`dpl: ${error.message}`);
  process.exit(error instanceof InvalidInputError ? 2 : 1);
}
