import { execFile } from "node:child_process";
import { promisify } from "node:util";

import { expect } from "chai";

import { StoreError } from "../../core/errors.js";
import { Store } from "../../server/store/store.js";
import { tempDir } from "../helpers/system.js";

const run = promisify(execFile);
const LEDGER = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

describe("Store.open", function () {
  it("refuses a second process on the same index with a clear message", async function () {
    const dir = await tempDir("lock");
    const store = await Store.open(dir, { chainId: 31337, ledger: LEDGER, deployBlock: 1 });
    try {
      const result = await run(process.execPath, ["--import", "tsx", "test/helpers/open-store.ts", dir, LEDGER]).catch((e) => e);
      expect(result.code).to.equal(1);
      expect(result.stdout).to.match(/^store_locked: the index at .* is in use by another dpl process/);
    } finally {
      await store.close();
    }
    const { stdout } = await run(process.execPath, ["--import", "tsx", "test/helpers/open-store.ts", dir, LEDGER]);
    expect(stdout.trim()).to.equal("opened");
  });

  it("refuses an index built for another chain or ledger", async function () {
    const dir = await tempDir("mismatch");
    await (await Store.open(dir, { chainId: 31337, ledger: LEDGER, deployBlock: 1 })).close();
    for (const other of [
      { chainId: 1, ledger: LEDGER, deployBlock: 1 },
      { chainId: 31337, ledger: "0x" + "11".repeat(20), deployBlock: 1 },
      { chainId: 31337, ledger: LEDGER, deployBlock: 7 },
    ]) {
      const error = await Store.open(dir, other).catch((e) => e);
      expect(error).to.be.instanceOf(StoreError);
      expect(error.code).to.equal("store_mismatch");
      expect(error.message).to.match(/was built for chain 31337, ledger 0x5fbdb/);
    }
    const reopened = await Store.open(dir, { chainId: 31337, ledger: LEDGER.toUpperCase().replace("0X", "0x"), deployBlock: 1 });
    expect(reopened.identity.ledger).to.equal(LEDGER);
    await reopened.close();
  });
});
