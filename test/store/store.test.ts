import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdir, stat } from "node:fs/promises";
import path from "node:path";
import { promisify } from "node:util";

import { expect } from "chai";

import { Level } from "level";

import { StoreError } from "../../core/errors.js";
import { openIndex } from "../../server/indexing.js";
import { SCHEMA_VERSION } from "../../server/store/layout.js";
import { DEFAULT_INDEX_CACHE_MB, DEFAULT_INDEX_COMPRESSION, Store, TABLE_FILE_BYTES, TABLE_FILES_OPEN } from "../../server/store/store.js";
import { capturingLogger, tempDir } from "../helpers/system.js";

const run = promisify(execFile);
const LEDGER = "0x5fbdb2315678afecb367f032d93f642f64180aa3";

/** 6,144 values of `value()`, written in four batches of keys across the whole range, then compacted. */
async function writeValues(store: Store, value: () => string): Promise<void> {
  for (let part = 0; part < 4; part++) {
    const batch = store.db.batch();
    for (let i = part; i < 6_144; i += 4) batch.put(`!datasets!${i.toString().padStart(6, "0")}`, value(), { valueEncoding: "utf8" });
    await batch.write();
  }
  await (store.db as unknown as { compactRange(start: string, end: string): Promise<void> }).compactRange("!", "~");
}

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
    // 16 MiB that does not compress; the files the write buffer flushes overlap, so compaction must
    // rewrite them into table files.
    await writeValues(store, () => randomBytes(2_048).toString("base64"));
    await store.close();
    const sizes = await Promise.all((await readdir(dir)).filter((name) => name.endsWith(".ldb")).map(async (name) => (await stat(path.join(dir, name))).size));
    expect(Math.max(...sizes), "the largest table file")
      .to.be.above(4 * 2 ** 20)
      .and.at.most(TABLE_FILE_BYTES + 2 ** 20);
    expect(TABLE_FILES_OPEN * TABLE_FILE_BYTES, "an index of 10,000,000 events (some 10 GiB uncompressed) fits in the files held open").to.be.above(10 * 2 ** 30);
  });

  it("rebuilds an index an older dpl wrote, with one log line, and refuses one a newer dpl wrote, deleting nothing", async function () {
    const dir = await tempDir("schema");
    const identity = { chainId: 31337, ledger: LEDGER, deployBlock: 1 };
    const writtenAt = async (schema: number) => {
      const store = await Store.open(dir, identity);
      await store.sub("datasets").put("0xkept", { id: "0xkept" });
      await store.close();
      const raw = new Level<string, unknown>(dir, { valueEncoding: "json" });
      await raw.put("!meta!identity", { ...identity, schema });
      await raw.close();
    };
    await writtenAt(SCHEMA_VERSION - 1);
    const outdated = await Store.open(dir, identity).catch((e) => e);
    expect([outdated.code, outdated.message]).to.deep.equal([
      "store_outdated",
      `the index at ${dir} was written by an older dpl (schema ${SCHEMA_VERSION - 1}; this one writes schema ${SCHEMA_VERSION})`,
    ]);
    const log = capturingLogger();
    const rebuilt = await openIndex(dir, identity, {}, log.logger);
    try {
      expect(rebuilt.identity.schema).to.equal(SCHEMA_VERSION);
      expect(await rebuilt.sub("datasets").keys().all(), "the old index's records").to.deep.equal([]);
      expect(log.lines).to.deep.equal([`${outdated.message}: rebuilding it from the chain`]);
    } finally {
      await rebuilt.close();
    }
    await writtenAt(SCHEMA_VERSION + 1);
    const newer = await openIndex(dir, identity, {}, log.logger).catch((e) => e);
    expect(newer.code).to.equal("store_mismatch");
    expect(newer.message).to.include(`schema ${SCHEMA_VERSION + 1}; this is chain 31337, ledger ${LEDGER}, schema ${SCHEMA_VERSION}`);
    const raw = new Level<string, unknown>(dir, { valueEncoding: "json" });
    expect(await raw.get("!datasets!0xkept"), "the newer index's records").to.deep.equal({ id: "0xkept" });
    await raw.close();
  });

  it("writes table files uncompressed unless INDEX_COMPRESSION=snappy, and reads either kind back the same", async function () {
    const identity = { chainId: 31337, ledger: LEDGER, deployBlock: 1 };
    // Values that compress about eightfold, as repeated JSON field names do.
    const values = Array.from({ length: 6_144 }, () => randomBytes(128).toString("hex").repeat(8));
    let next = 0;
    const tableBytes = async (compression?: "none" | "snappy") => {
      const dir = await tempDir(`compression-${compression ?? "default"}`);
      const store = await Store.open(dir, identity, compression ? { compression } : {});
      next = 0;
      await writeValues(store, () => values[next++]);
      await store.close();
      const reopened = await Store.open(dir, identity, { compression: compression === "snappy" ? "none" : "snappy" });
      try {
        const read = await reopened.sub("datasets").values({ valueEncoding: "utf8" }).all();
        expect(read.length, `values read back (${compression ?? "default"})`).to.equal(values.length);
        expect(new Set(read), `values read back (${compression ?? "default"})`).to.deep.equal(new Set(values));
      } finally {
        await reopened.close();
      }
      const sizes = await Promise.all((await readdir(dir)).filter((name) => name.endsWith(".ldb")).map(async (name) => (await stat(path.join(dir, name))).size));
      return sizes.reduce((a, b) => a + b, 0);
    };
    const raw = values.reduce((n, v) => n + v.length, 0);
    expect(DEFAULT_INDEX_COMPRESSION).to.equal("none");
    expect(await tableBytes(), "the default, uncompressed").to.be.above(raw);
    expect(await tableBytes("snappy"), "INDEX_COMPRESSION=snappy").to.be.below(raw / 4);
  });

  it("keeps INDEX_CACHE_MB of blocks read, not LevelDB's 8 MiB, so pages across many lists are not decompressed again", async function () {
    const dir = await tempDir("block-cache");
    const identity = { chainId: 31337, ledger: LEDGER, deployBlock: 1 };
    // LevelDB keeps only blocks it had to decompress (an uncompressed block is read in place from
    // the memory-mapped file): 12 MiB as read, stored compressed.
    const written = await Store.open(dir, identity, { compression: "snappy" });
    await writeValues(written, () => randomBytes(128).toString("hex").repeat(8));
    await written.close();
    // LevelDB counts the block cache's contents in its memory usage (with the write buffer, empty here).
    const memoryAfterReadingAll = async (cacheMb?: number) => {
      const store = await Store.open(dir, identity, cacheMb === undefined ? {} : { cacheMb });
      try {
        for (const key of await store.sub("datasets").keys().all()) store.sub("datasets").getSync(key, { valueEncoding: "utf8" });
        return Number((store.db as unknown as { getProperty(name: string): string }).getProperty("leveldb.approximate-memory-usage"));
      } finally {
        await store.close();
      }
    };
    expect(DEFAULT_INDEX_CACHE_MB).to.equal(256);
    expect(await memoryAfterReadingAll(), "the default keeps every block read").to.be.above(10 * 2 ** 20);
    expect(await memoryAfterReadingAll(1), "INDEX_CACHE_MB=1").to.be.below(2 * 2 ** 20);
  });
});
