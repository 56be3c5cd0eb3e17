/**
 * Reorganisations on anvil (anvil_reorg): blocks that carried ledger events are replaced by blocks
 * that carry others. Afterwards the index must equal a fresh index of the canonical chain (digest
 * and full dump) and mention no orphaned transaction.
 */
import { expect } from "chai";

import { createRpcClient } from "../../server/chain/rpc.js";
import { ReorgTooDeepError } from "../../core/errors.js";
import { Rights, UsageAction } from "../../core/ids.js";
import { Store } from "../../server/store/store.js";
import { createIndexer } from "../../server/sync/indexer.js";
import { startAnvil } from "../helpers/chain.js";
import { startRpcProxy } from "../helpers/rpc-proxy.js";
import { issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";
import { freshLedger, dumpOf, indexerThrough, withFreshLedger, quietLogger, referenceIndex, tempDir } from "../helpers/system.js";

describe("reorganisations", function () {
  for (const depth of [1, 5, 30]) {
    it(`rolls back a ${depth}-block reorganisation that replaced ledger events, and equals a fresh index`, async function () {
      await withFreshLedger(startAnvil, async (ledger, chain) => {
        const { ledger: contract, holder, grantee, ethers } = ledger;
        const data = await registerDataset(contract, holder, "base");
        const grantId = await issueGrant(contract, holder, data.id, grantee.address, { rights: Rights.USE, quota: 0n });
        await (await contract.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, sha256("before"))).wait();

        const store = await Store.open(await tempDir("reorg"), { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock });
        const indexer = createIndexer({ common: { logger: quietLogger() }, rpc: createRpcClient({ url: chain.url }), store, ledger: ledger.address, deployBlock: ledger.deployBlock });
        await indexer.syncOnce();

        // `depth` blocks with ledger events (uses of the indexed grant, new datasets), all indexed.
        const orphaned: string[] = [];
        for (let i = 0; i < depth; i++) {
          const tx =
            i % 2 === 0
              ? await contract.connect(grantee).recordUsage(grantId, UsageAction.Use, BigInt(10 + i), sha256(`orphan use ${i}`))
              : await contract.connect(holder).register(sha256(`orphan ${i}`), sha256(`orphan root ${i}`), 1n, "", []);
          orphaned.push((await tx.wait())!.hash.toLowerCase());
        }
        const indexedBefore = await indexer.syncOnce();
        // The deployment's three (two RoleGranted, LedgerDeployed), the three above, and `depth`.
        expect(indexedBefore.events).to.equal(6 + depth);

        // Replace them: other uses of the same grant and another dataset, in other blocks.
        const replacements: [unknown, number][] = [
          [{ from: grantee.address, to: ledger.address, gas: "0x200000", data: contract.interface.encodeFunctionData("recordUsage", [grantId, UsageAction.Use, 999n, sha256("canonical use")]) }, 0],
          [
            {
              from: holder.address,
              to: ledger.address,
              gas: "0x200000",
              data: contract.interface.encodeFunctionData("register", [sha256("canonical"), sha256("canonical root"), 2n, "ipfs://canonical", []]),
            },
            depth - 1,
          ],
        ];
        await ethers.provider.send("anvil_reorg", [depth, replacements]);

        const after = await indexer.syncOnce();
        expect(after.reorgs).to.equal(1);
        const fresh = await referenceIndex(chain.url, ledger, "fresh");
        const reference = (await fresh.state())!;
        expect(after.digest).to.equal(reference.digest);
        expect(after.events).to.equal(reference.events);
        expect(after.cursor).to.deep.equal(reference.cursor);
        const dump = await dumpOf(store);
        expect(dump).to.deep.equal(await dumpOf(fresh));
        const text = dump.join("\n");
        for (const hash of orphaned) expect(text, `orphaned ${hash}`).to.not.include(hash);
        expect(text).to.include(sha256("canonical").slice(2));
        await fresh.close();
        await store.close();
      });
    });
  }

  it("stops with ReorgTooDeepError when the reorganisation is deeper than the window, touching nothing", async function () {
    await withFreshLedger(startAnvil, async (ledger, chain) => {
      const { ledger: contract, holder, ethers } = ledger;
      const { store, indexer } = await indexerThrough(chain.url, ledger, { label: "deep", options: { reorgWindow: 4 } });
      for (let i = 0; i < 12; i++) await registerDataset(contract, holder, `deep ${i}`);
      const before = await indexer.syncOnce();
      const dumpBefore = await dumpOf(store);
      await ethers.provider.send("anvil_reorg", [
        12,
        [[{ from: holder.address, to: ledger.address, gas: "0x200000", data: contract.interface.encodeFunctionData("register", [sha256("other"), sha256("r"), 1n, "", []]) }, 0]],
      ]);
      let thrown: unknown;
      try {
        await indexer.syncOnce();
      } catch (error) {
        thrown = error;
      }
      expect(thrown).to.be.instanceOf(ReorgTooDeepError);
      // 12 blocks of datasets under a window of 4: the index remembers the last 4 blocks and the one below.
      expect((thrown as ReorgTooDeepError).undoable).to.equal(before.cursor.number - (await store.marks()).at(-1)!.number);
      expect((thrown as Error).message).to.equal(
        `the chain reorganised at least ${(thrown as ReorgTooDeepError).undoable + 1} blocks deep, and this index can undo only its last ${(thrown as ReorgTooDeepError).undoable} (REORG_WINDOW is 4): stop dpl and run \`npm run reindex\` to rebuild the index from the chain`,
      );
      expect(await store.state()).to.deep.equal(before);
      expect(await dumpOf(store)).to.deep.equal(dumpBefore);
      await store.close();
    });
  });

  it("waits, deleting nothing, while the node's head is behind the index (a node still syncing)", async function () {
    const { chain, ledger } = await freshLedger(startAnvil);
    const proxy = await startRpcProxy(chain.url);
    try {
      const { ledger: contract, holder } = ledger;
      for (let i = 0; i < 6; i++) await registerDataset(contract, holder, `synced ${i}`);
      const store = await Store.open(await tempDir("behind"), { chainId: ledger.chainId, ledger: ledger.address, deployBlock: ledger.deployBlock });
      const indexer = createIndexer({ common: { logger: quietLogger() }, rpc: createRpcClient({ url: proxy.url }), store, ledger: ledger.address, deployBlock: ledger.deployBlock });
      const indexed = await indexer.syncOnce();
      const dump = await dumpOf(store);

      // The node restarts and resyncs from scratch: its head is now 4 blocks behind our cursor.
      proxy.lagTo(indexed.cursor.number - 4);
      for (let poll = 0; poll < 5; poll++) expect(await indexer.syncOnce()).to.deep.equal(indexed);
      expect(await store.state()).to.deep.equal(indexed);
      expect(await dumpOf(store)).to.deep.equal(dump);
      expect(indexer.status().head!.number).to.equal(indexed.cursor.number - 4);

      // It catches up and the chain grows: indexing resumes where it stopped, with no reorganisation.
      proxy.lagTo(undefined);
      await registerDataset(contract, holder, "after the resync");
      const resumed = await indexer.syncOnce();
      expect(resumed.events).to.equal(indexed.events + 1);
      expect(resumed.reorgs).to.equal(0);
      const fresh = await referenceIndex(chain.url, ledger, "behind-fresh");
      expect(await dumpOf(store)).to.deep.equal(await dumpOf(fresh));
      await fresh.close();
      await store.close();
    } finally {
      await proxy.close();
      await ledger.close();
      await chain.close();
    }
  });
});
