/**
 * Runs out of file descriptors on purpose, then opens and reads the index at argv[2]: run by tests as
 * a second process under a low `ulimit -n`, to see how LevelDB's real "Too many open files" is told
 * apart from damage. Prints one JSON line: what each classifier and the API's mapping made of it.
 */
import { openSync } from "node:fs";
import { pathToFileURL } from "node:url";

import { describeError } from "../../server/api/errors.js";
import { isResourceExhaustion, isStorageFault, Store } from "../../server/store/store.js";

// Mocha loads every file under test/, this one included: it acts only when run as a program.
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  const held: number[] = [];
  try {
    for (;;) held.push(openSync("/dev/null", "r"));
  } catch {
    // every descriptor the limit allows is now taken
  }
  let error: unknown;
  try {
    const store = await Store.open(process.argv[2], { chainId: 31337, ledger: process.argv[3], deployBlock: 1 });
    await store.close();
  } catch (e) {
    error = e;
  }
  const described = error === undefined ? undefined : describeError(error);
  console.log(
    JSON.stringify({
      failed: error !== undefined,
      message: String((error as Error)?.message),
      exhaustion: isResourceExhaustion(error),
      storageFault: isStorageFault(error),
      status: described?.status,
      code: described?.code,
    }),
  );
}
