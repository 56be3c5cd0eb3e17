#!/usr/bin/env node
// The dpl command. It runs the CLI as one JavaScript bundle (dist/cli/dpl.mjs), so that a start costs
// a Node start and no TypeScript compilation. `npm install` builds the bundle; a source under cli/,
// core/ or sdk/ newer than it has it rebuilt here first (about a second), so there is no step to remember.
import module from "node:module";
import { stat } from "node:fs/promises";
import { pathToFileURL } from "node:url";

import { BUNDLE, buildCli, newestSource } from "./build-cli.js";

// V8 keeps the bundle's compiled code between runs (Node >= 22.1): a start then skips compiling it.
module.enableCompileCache?.();
const built = await stat(BUNDLE).then(
  (s) => s.mtimeMs,
  () => 0,
);
if (built < (await newestSource())) {
  try {
    await buildCli();
  } catch (error) {
    // A tree that cannot be written to (an install owned by another user) or that does not compile:
    // run the bundle there is, saying so, or say in one sentence why there is none.
    const why = error?.errors?.[0]?.text ?? error?.message ?? String(error);
    if (!built) {
      console.error(`dpl cannot build its command line into ${BUNDLE}: ${why}`);
      process.exit(5);
    }
    console.error(`warning: dpl runs its last build; rebuilding it from the sources failed: ${why}`);
  }
}
await import(pathToFileURL(BUNDLE).href);
