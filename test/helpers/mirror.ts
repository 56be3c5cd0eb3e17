/**
 * An index fed straight with the logs a test collected from an in-process chain (no RPC, no
 * indexer loop): the reducer and the API's views over exactly those events, for tests that compare
 * the API's answers with the contract and a model after every step.
 */
import { rm } from "node:fs/promises";

import type { Log } from "ethers";

import { viewsOf } from "../../server/api/views.js";
import { decodeLedgerLog, type RawLog } from "../../core/ledger-events.js";
import { openReader } from "../../server/store/reads.js";
import { applyEvent } from "../../server/store/reduce.js";
import { Store } from "../../server/store/store.js";
import { tempDir } from "./system.js";

export interface Mirror {
  /** Forgets everything applied so far. */
  reset(): Promise<void>;
  /** Applies the ledger's logs among `logs`, in order, as one committed range. */
  apply(logs: readonly Log[], timestampOf: (blockNumber: number) => number): Promise<void>;
  /** Reads through the API's views at `headTime`; `use` runs inside one snapshot. */
  read<T>(headTime: number, use: (views: ReturnType<typeof viewsOf>, reader: ReturnType<typeof openReader>) => Promise<T> | T): Promise<T>;
  close(): Promise<void>;
}

const toRawLog = (log: Log): RawLog => ({
  address: log.address,
  topics: [...log.topics],
  data: log.data,
  blockNumber: String(log.blockNumber),
  blockHash: log.blockHash,
  transactionHash: log.transactionHash,
  transactionIndex: String(log.transactionIndex),
  logIndex: String(log.index),
});

export async function openMirror(label: string, ledger: string): Promise<Mirror> {
  const dir = await tempDir(label);
  const store = await Store.open(dir, { chainId: 31337, ledger, deployBlock: 0 });
  let events = 0;
  return {
    async reset() {
      await store.db.clear();
      events = 0;
    },
    async apply(logs, timestampOf) {
      if (logs.length === 0) return;
      const writes = store.writeSet(Number.MAX_SAFE_INTEGER);
      for (const log of logs) {
        const body = decodeLedgerLog(toRawLog(log));
        if (!body) continue;
        writes.atBlock(log.blockNumber);
        const evidence = {
          txHash: log.transactionHash,
          blockNumber: log.blockNumber,
          blockHash: log.blockHash,
          txIndex: log.transactionIndex,
          logIndex: log.index,
          timestamp: timestampOf(log.blockNumber),
        };
        await applyEvent(writes, body, evidence);
        events++;
      }
      const last = logs[logs.length - 1];
      await store.commit(writes, { cursor: { number: last.blockNumber, hash: last.blockHash }, digest: "0x" + "00".repeat(32), events, reorgs: 0 }, [], 0);
    },
    async read(headTime, use) {
      const reader = openReader(store);
      try {
        return await use(viewsOf(reader, { head: 0, headTime, finalityDepth: 1 }), reader);
      } finally {
        await reader.close();
      }
    },
    async close() {
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
