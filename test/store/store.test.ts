import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { StoreError } from "../../core/errors.js";
import { Store, TABLE_FILE_BYTES, TABLE_FILES_OPEN } from "../../server/store/store.js";
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

  it("writes table files of TABLE_FILE_BYTES, not LevelDB's 2 MiB, so TABLE_FILES_OPEN holds a national index", async function () {
    const dir = await tempDir("table-files");
    const store = await Store.open(dir, { chainId: 31337, ledger: LEDGER, deployBlock: 1 });
    // 16 MiB of values that do not compress, in four batches of keys across the whole range (so the
    // files the write buffer flushes overlap, and compaction must rewrite them into table files).
    for (let part = 0; part < 4; part++) {
      const batch = store.db.batch();
      for (let i = part; i < 6_144; i += 4) batch.put(`!datasets!${i.toString().padStart(6, "0")}`, randomBytes(2_048).toString("base64"), { valueEncoding: "utf8" });
      await batch.write();
    }
    await (store.db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange("!", "~");
    await store.close();
    const sizes = await Promise.all((await readdir(dir)).filter((name) => name.endsWith(".ldb")).map(async (name) => (await stat(path.join(dir, name))).size));
    expect(Math.max(...sizes), "the largest table file")
      .to.be.above(4 * 2 ** 20)
      .and.at.most(TABLE_FILE_BYTES + 2 ** 20);
    expect(TABLE_FILES_OPEN * TABLE_FILE_BYTES, "an index of 10,000,000 events (5.6 GiB) fits in the files held open").to.be.above(5.6 * 2 ** 30);
  });
});
