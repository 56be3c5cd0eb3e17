/**
 * Ledger events applied straight to a store, one block each, as the indexer's apply path writes them,
 * with made-up evidence: for tests of what the index keeps and reads, without a chain.
 */
import { keccak256 } from "ethers";

import type { LedgerEventBody } from "../../core/ledger-events.js";
import type { Evidence, SyncState } from "../../server/store/records.js";
import { applyEvent } from "../../server/store/reduce.js";
import type { Store } from "../../server/store/store.js";

const hash = (label: string) => keccak256(Buffer.from(label));

/** Applies events to `store`, each in a block of its own; `commit` writes what was applied since the last one. */
export function eventApplier(store: Store) {
  let block = 0;
  let writes = store.writeSet(Number.MAX_SAFE_INTEGER);
  return {
    get block() {
      return block;
    },
    async apply(event: LedgerEventBody, timestamp = 1_800_000_000 + block) {
      block++;
      const evidence: Evidence = { txHash: hash(`tx ${block}`), blockNumber: block, blockHash: hash(`b ${block}`), txIndex: 0, logIndex: 0, timestamp };
      writes.atBlock(block);
      await applyEvent(writes, event, evidence);
    },
    async commit() {
      const state: SyncState = { cursor: { number: block, hash: hash(`b ${block}`) }, digest: hash("d"), events: block, reorgs: 0 };
      await store.commit(writes, state, [], 0);
      writes = store.writeSet(Number.MAX_SAFE_INTEGER);
    },
  };
}

/** A free grant of the first right (bit 1), with no quota, for purpose "p". */
export function grantIssued(fields: { grantId: string; datasetId: string; grantor: string; grantee: string; validFrom: number; validUntil: number }): LedgerEventBody {
  return { kind: "GrantIssued", rights: 1, purposeHash: hash("p"), purpose: "p", quota: 0n, bump: 0n, ...fields };
}
