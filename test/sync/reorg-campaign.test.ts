/**
 * A campaign of random reorganisations on anvil (anvil_reorg): each round writes 1 to 12 blocks of
 * ledger events (new datasets, grants, uses, among them a grant whose uses are indexed before the
 * reorganisation drops it), indexes them, then replaces the last 1 to 10 blocks with other
 * transactions. After every round the live index must equal a fresh index of the canonical chain:
 * the same digest and cursor and, key for key, the same dump (so no orphaned key survives).
 * Meanwhile a reader checks, snapshot after snapshot, that a grant's used units and use count equal
 * the uses listed under it: a read that mixed state from before and after a rollback would not.
 * DPL_REORGS sets the number of rounds (default 100); DPL_PROPERTY_SEED replays one campaign.
 */
import { expect } from "chai";

import { Rights, UsageAction } from "../../core/ids.js";
import { openReader } from "../../server/store/reads.js";
import { startAnvil } from "../helpers/chain.js";
import { FOREVER, issueGrant, registerDataset, sha256 } from "../helpers/fixtures.js";
import { freshLedger, dumpOf, indexerThrough, referenceIndex } from "../helpers/system.js";
import { testSeed } from "../helpers/seed.js";

const ROUNDS = Number(process.env.DPL_REORGS ?? 100);

/** A small seeded generator, so that a failing campaign can be replayed. */
function random(seed: number) {
  let s = seed >>> 0 || 1;
  return (n: number) => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) % n;
  };
}

describe("reorganisation campaign", function () {
  it(`equals a fresh index of the canonical chain after each of ${ROUNDS} random reorganisations of depth 1 to 10`, async function () {
    // A campaign's length is set by its size (`npm run test:faults` runs the large ones), not by mocha's default.
    this.timeout(0);
    const seed = testSeed(20261127);
    const rand = random(seed);
    const { chain, ledger } = await freshLedger(startAnvil);
    let reading = true;
    try {
      const { ledger: contract, holder, grantee, stranger, ethers } = ledger;
      // Survives every reorganisation: the grant replacement blocks use.
      const base = await registerDataset(contract, holder, "campaign base");
      const baseGrant = await issueGrant(contract, holder, base.id, grantee.address, { rights: Rights.USE | Rights.PROCESS, quota: 0n });
      const { store, indexer } = await indexerThrough(chain.url, ledger, { label: "campaign", options: { reorgWindow: 32 } });
      await indexer.syncOnce();

      let dropped = 0;
      let droppedGrantsWithUses = 0;
      // The concurrent reader: each snapshot must agree with itself.
      let snapshots = 0;
      const reader = (async () => {
        while (reading) {
          const r = openReader(store);
          try {
            const g = await r.grant(baseGrant.toLowerCase());
            let units = 0n;
            let uses = 0;
            for (let cursor: string | undefined, more = true; more; ) {
              const page = await r.usageOfGrant(baseGrant.toLowerCase(), { limit: 3, cursor });
              for (const u of page.items) units += BigInt(u.units);
              uses += page.items.length;
              cursor = page.next ?? undefined;
              more = page.next !== null;
            }
            expect({ used: BigInt(g!.used), uses: g!.uses }, `snapshot ${snapshots}`).to.deep.equal({ used: units, uses });
            snapshots++;
          } finally {
            await r.close();
          }
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      for (let round = 0; round < ROUNDS; round++) {
        const blocks = 1 + rand(12);
        const depth = Math.min(blocks, 1 + rand(10));
        // Every block gets a ledger event; the first issues a grant that later blocks use.
        const dataset = await registerDataset(contract, holder, `round ${round}`);
        let grant: string | undefined;
        let usesOfGrant = 0;
        if (blocks > 1) grant = await issueGrant(contract, holder, dataset.id, grantee.address, { rights: Rights.USE, quota: 1_000n, validUntil: FOREVER, purpose: `round ${round}` });
        for (let b = 2; b < blocks; b++) {
          const kind = rand(3);
          if (kind === 0 || !grant) await registerDataset(contract, stranger, `round ${round} block ${b}`);
          else {
            await (await contract.connect(grantee).recordUsage(grant, UsageAction.Use, BigInt(1 + rand(9)), sha256(`use ${round}/${b}`))).wait();
            usesOfGrant++;
          }
        }
        const indexed = await indexer.syncOnce();

        // Replace the last `depth` blocks: uses of the base grant, new datasets, and now and then a
        // use of the round's own grant, which reverts when the reorganisation dropped the grant.
        const replacements: [unknown, number][] = [];
        for (let i = 0, n = rand(4); i < n; i++) {
          const pick = rand(3);
          const tx =
            pick === 0
              ? {
                  from: grantee.address,
                  to: ledger.address,
                  gas: "0x100000",
                  data: contract.interface.encodeFunctionData("recordUsage", [baseGrant, UsageAction.Process, BigInt(1 + rand(50)), sha256(`replacement ${round}/${i}`)]),
                }
              : pick === 1 || !grant
                ? {
                    from: holder.address,
                    to: ledger.address,
                    gas: "0x100000",
                    data: contract.interface.encodeFunctionData("register", [sha256(`replacement ${round}/${i}`), sha256(`root ${round}/${i}`), 1n, "", []]),
                  }
                : {
                    from: grantee.address,
                    to: ledger.address,
                    gas: "0x100000",
                    data: contract.interface.encodeFunctionData("recordUsage", [grant, UsageAction.Use, 1n, sha256(`late ${round}/${i}`)]),
                  };
          replacements.push([tx, rand(depth)]);
        }
        await ethers.provider.send("anvil_reorg", [depth, replacements]);
        dropped += depth;
        if (grant && depth >= blocks - 1 && usesOfGrant > 0) droppedGrantsWithUses++;

        const after = await indexer.syncOnce();
        const fresh = await referenceIndex(chain.url, ledger, "campaign-fresh");
        const reference = (await fresh.state())!;
        const where = `round ${round} (seed ${seed}): ${blocks} blocks, reorg depth ${depth}, ${replacements.length} replacements`;
        expect(after.reorgs, where).to.equal(indexed.reorgs + 1);
        expect({ digest: after.digest, events: after.events, cursor: after.cursor }, where).to.deep.equal({ digest: reference.digest, events: reference.events, cursor: reference.cursor });
        expect(await dumpOf(store), where).to.deep.equal(await dumpOf(fresh));
        await fresh.close();
      }
      reading = false;
      await reader;
      console.log(
        `      ${ROUNDS} reorganisations, ${dropped} blocks dropped, ${droppedGrantsWithUses} of them taking a grant whose uses were indexed; ${snapshots} consistent snapshots read meanwhile; seed ${seed}`,
      );
      expect(snapshots).to.be.greaterThan(ROUNDS);
      expect(droppedGrantsWithUses).to.be.greaterThan(0);
      await store.close();
    } finally {
      reading = false;
      await ledger.close();
      await chain.close();
    }
  });
});
