/**
 * Opens the index at argv[2] for chain 31337 and ledger argv[3], and prints what happened: run by
 * tests as a second process to see how a locked store is refused.
 */
import { pathToFileURL } from "node:url";

import { DplError } from "../../core/errors.js";
import { Store } from "../../server/store/store.js";

// Mocha loads every file under test/, this one included: it acts only when run as a program, or it
// would open a store at argv[2] ("test").
if (import.meta.url === pathToFileURL(process.argv[1]).href) {
  try {
    const store = await Store.open(process.argv[2], { chainId: 31337, ledger: process.argv[3], deployBlock: 1 });
    console.log("opened");
    await store.close();
  } catch (error) {
    console.log(error instanceof DplError ? `${error.code}: ${error.message}` : `unexpected: ${String(error)}`);
    process.exit(1);
  }
}
