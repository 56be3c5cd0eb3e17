/**
 * The CLI runs as one bundle that nobody has to remember to build: a source under cli/, core/ or sdk/
 * newer than the bundle has it rebuilt before the command runs.
 */
import { execFile } from "node:child_process";
import { stat, utimes } from "node:fs/promises";
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";

import { expect } from "chai";

const run = promisify(execFile);
const BUNDLE = "dist/cli/dpl.mjs";

describe("the CLI's bundle", function () {
  this.timeout(60_000);

  for (const source of ["cli/dpl.ts", "core/ids.ts", "sdk/ledger.ts"]) {
    it(`is rebuilt before a command when ${source} is newer than it`, async function () {
      await run(process.execPath, ["bin/dpl.js", "--help"]);
      const before = (await stat(BUNDLE)).mtimeMs;
      // Touch the source (its content stays), just after the bundle was written.
      const touched = new Date(before + 500);
      await utimes(source, touched, touched);
      await sleep(600);
      // In English whatever this machine's locale.
      const { stdout } = await run(process.execPath, ["bin/dpl.js", "--help"], { env: { ...process.env, LC_ALL: "C.UTF-8" } });
      expect(stdout).to.match(/^Usage: dpl/);
      expect((await stat(BUNDLE)).mtimeMs).to.be.at.least(touched.getTime());
    });
  }
});
