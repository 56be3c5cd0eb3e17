/**
 * `npm run bench:lapse`: a revocation at the top of a lineage with 10,000 grants downstream, on anvil.
 * The bureau grants the company a licence; the company derives product D and grants on it; the bank
 * derives E from D and grants on E: 10,000 grants in all, resting on the bureau's grant one or two
 * licences deep. Then the bureau revokes its grant, and this measures, in one run:
 *   - the range that indexes the revocation: how long it takes to apply, and what it writes;
 *   - reading every one of the 10,000 grants through the API afterwards, each of which must say
 *     "lapsed" and name the bureau's grant, next to the same reads before the revocation;
 *   - the reference: what an index that pushed the lapse into every grant record would write, a
 *     LevelDB batch of 10,000 rewritten records, timed on the same machine.
 * Writes bench/results/lapse.json and the lapse table of bench/README.md.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { Level } from "level";

import { Rights } from "../core/ids.js";
import type { AppliedRange } from "../server/sync/indexer.js";
import { startAnvil } from "../test/helpers/chain.js";
import { issueGrant, registerDataset } from "../test/helpers/fixtures.js";
import { allPages, indexAndServe, ledgerOn, tempDir } from "../test/helpers/system.js";
import { replaceSection } from "./report.js";

const here = path.dirname(fileURLToPath(import.meta.url));
const DOWNSTREAM = Number(process.env.BENCH_DOWNSTREAM ?? 10_000);
const PO = Rights.USE | Rights.PROCESS | Rights.OPERATE_PRODUCT;

async function main(): Promise<void> {
  const chain = await startAnvil();
  const ledger = await ledgerOn(chain);
  const { ledger: contract, signers } = ledger;
  const [, bureau, company, bank] = signers;
  try {
    const until = BigInt((await ledger.ethers.provider.getBlock("latest"))!.timestamp) + 365n * 86_400n;
    const source = await registerDataset(contract, bureau, "lapse source");
    const g1 = await issueGrant(contract, bureau, source.id, company.address, { rights: PO, validUntil: until, quota: 0n, purpose: "licence" });
    const D = await registerDataset(contract, company, "lapse D", [{ datasetId: source.id, grantId: g1 }]);
    const g2 = await issueGrant(contract, company, D.id, bank.address, { rights: PO, validUntil: until, quota: 0n, purpose: "licence of D" });
    const E = await registerDataset(contract, bank, "lapse E", [{ datasetId: D.id, grantId: g2 }]);

    // Half the downstream grants on D (one licence deep), half on E (two): sent with explicit nonces,
    // many at a time, so that the setup takes seconds rather than minutes.
    console.log(`issuing ${DOWNSTREAM} grants downstream of the bureau's grant…`);
    const issue = async (grantor: HardhatEthersSigner, datasetId: string, count: number) => {
      let nonce = await ledger.ethers.provider.getTransactionCount(grantor.address, "pending");
      for (let done = 0; done < count; ) {
        const batch = Math.min(500, count - done);
        const sent = await Promise.all(
          Array.from({ length: batch }, (_, i) =>
            contract.connect(grantor).grant(datasetId, signers[4 + ((done + i) % 6)].address, Rights.USE, `downstream ${done + i}`, 0n, until, 0n, { nonce: nonce++, gasLimit: 400_000 }),
          ),
        );
        await Promise.all(sent.map((tx) => tx.wait()));
        done += batch;
      }
    };
    await issue(company, D.id, DOWNSTREAM / 2);
    await issue(bank, E.id, DOWNSTREAM / 2);

    const api = await indexAndServe({ chain, ledger });
    try {
      await api.indexer.syncOnce();
      const readAll = async () => {
        const began = performance.now();
        const grants = [...(await allPages(api, `/v1/datasets/${D.id}/grants`, 500)), ...(await allPages(api, `/v1/datasets/${E.id}/grants`, 500))];
        return { grants, ms: performance.now() - began };
      };
      const before = await readAll();
      const downstream = before.grants.filter((g) => g.id !== g2.toLowerCase());
      if (downstream.length !== DOWNSTREAM || downstream.some((g) => g.status !== "active")) throw new Error("the downstream grants are not all active before the revocation");

      // The revocation, and the one range that indexes it.
      let range: AppliedRange | undefined;
      api.indexer.events.on("applied", (r: AppliedRange) => (range = r));
      const revoked = await (await contract.connect(bureau).revoke(g1)).wait();
      const began = performance.now();
      await api.indexer.syncOnce();
      const applyMs = performance.now() - began;
      if (!range || range.to < revoked!.blockNumber) throw new Error("the revocation was not indexed");
      const head = revoked!.blockNumber;

      const after = await readAll();
      const lapsed = after.grants.filter((g) => g.id !== g2.toLowerCase());
      const named = lapsed.filter((g) => g.status === "lapsed" && g.lapse?.grantId === g1.toLowerCase() && g.lapse.reason === "revoked" && g.lapse.evidence.blockNumber === head);
      if (named.length !== DOWNSTREAM) throw new Error(`${named.length} of ${DOWNSTREAM} grants show the lapse`);

      // The reference: rewriting every downstream grant record, as a push model would, in one batch.
      const refDir = await tempDir("lapse-push");
      const db = new Level<string, unknown>(refDir, { valueEncoding: "json" });
      await db.open();
      const records = lapsed.map((g) => ({ ...g, status: "lapsed" }));
      await db.batch(records.map((g) => ({ type: "put" as const, key: `grants!${g.id}`, value: g })));
      const pushBegan = performance.now();
      await db.batch(records.map((g) => ({ type: "put" as const, key: `grants!${g.id}`, value: { ...g, lapse: { grantId: g1 } } })));
      const pushMs = performance.now() - pushBegan;
      await db.close();
      await rm(refDir, { recursive: true, force: true });

      const result = {
        downstreamGrants: DOWNSTREAM,
        revocationRange: { blocks: range.to - range.from + 1, events: range.events, applyMs: Math.round(applyMs), writes: "one grant record, one undo entry, the cursor" },
        readAllMs: { before: Math.round(before.ms), after: Math.round(after.ms) },
        pushReferenceMs: Math.round(pushMs),
      };
      await mkdir(path.join(here, "results"), { recursive: true });
      await writeFile(path.join(here, "results/lapse.json"), JSON.stringify(result, null, 2) + "\n");
      const table = [
        `Node: anvil. ${DOWNSTREAM.toLocaleString("en")} grants downstream of the revoked grant: half on a product one licence deep, half on a product of that product (two deep).`,
        "",
        "| figure | value |",
        "| --- | ---: |",
        `| range that indexed the revocation: blocks, events | ${result.revocationRange.blocks}, ${result.revocationRange.events} |`,
        `| time to apply and commit it (syncOnce, fetch included) | ${result.revocationRange.applyMs} ms |`,
        `| grants showing "lapsed", naming the revoked grant and its block, right after that range | ${named.length.toLocaleString("en")} of ${DOWNSTREAM.toLocaleString("en")} |`,
        `| reading all ${DOWNSTREAM.toLocaleString("en")} grants through the API (pages of 500), before / after | ${result.readAllMs.before} ms / ${result.readAllMs.after} ms (${(after.ms / before.ms).toFixed(2)}x) |`,
        `| reference: one LevelDB batch rewriting ${DOWNSTREAM.toLocaleString("en")} grant records (what pushing the lapse would write) | ${result.pushReferenceMs} ms |`,
      ].join("\n");
      await replaceSection(path.join(here, "README.md"), "lapse", table);
      console.log(table);
    } finally {
      await api.close();
    }
  } finally {
    await ledger.close();
    await chain.close();
  }
}

await main();
