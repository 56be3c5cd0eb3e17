/**
 * A grant's running totals (units used, amount paid) at any moment, as statements and disclosures
 * read them: month ends from the monthly checkpoints (with the months without a use filled in), other
 * moments from the per-second series, the last total from the grant itself. Checked against the sum of
 * the events up to that moment, over uses and payments spread across fourteen months, with gaps,
 * across a range committed in several batches.
 */
import { expect } from "chai";
import { keccak256 } from "ethers";

import type { LedgerEventBody } from "../../core/ledger-events.js";
import { isMonthEnd, parsePeriod } from "../../core/period.js";
import { openReader } from "../../server/store/reads.js";
import { Store } from "../../server/store/store.js";
import { eventApplier, grantIssued } from "../helpers/apply-events.js";
import { testSeed } from "../helpers/seed.js";
import { tempDir } from "../helpers/system.js";

const hash = (label: string) => keccak256(Buffer.from(label));
const HOLDER = "0x00000000000000000000000000000000000000aa";
const GRANTEE = "0x00000000000000000000000000000000000000bb";

/** A small deterministic generator: the test's draws repeat with its seed. */
function random(seed: number) {
  let x = seed >>> 0 || 1;
  return (n: number) => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
}

describe("a grant's running totals by any moment", function () {
  it("equal the sum of its uses and payments up to that moment, at every month end and at random moments", async function () {
    const draw = random(testSeed(7));
    const store = await Store.open(await tempDir("fee-series"), { chainId: 31337, ledger: HOLDER, deployBlock: 1 });
    const start = parsePeriod("2026-01").from;
    const datasetId = hash("dataset");
    const grantId = hash("grant");
    // Several ranges, so that checkpoints are read back across batches too.
    const applier = eventApplier(store);
    const apply = async (event: LedgerEventBody, timestamp: number) => {
      await applier.apply(event, timestamp);
      if (applier.block % 17 === 0) await applier.commit();
    };
    await apply({ kind: "DatasetRegistered", datasetId, holder: HOLDER, contentHash: hash("c"), merkleRoot: hash("r"), recordCount: 1n, metadataURI: "" }, start);
    await apply(grantIssued({ grantId, datasetId, grantee: GRANTEE, grantor: HOLDER, validFrom: start, validUntil: start + 500 * 86_400 }), start);
    await apply({ kind: "GrantFeeTerms", grantId, purposeClass: 3, token: "0x0000000000000000000000000000000000000000", currencyCode: "0x434e59", unitPrice: 2n, periodFee: 0n, period: 0 }, start);
    // Uses and payments in time order, in bursts with gaps of up to three months.
    const uses: [number, bigint][] = [];
    const payments: [number, bigint][] = [];
    let time = start + 20 * 86_400;
    let paid = 0n;
    while (time < start + 420 * 86_400) {
      time += draw(40) === 0 ? draw(75 * 86_400) : draw(2 * 86_400);
      const units = BigInt(1 + draw(5));
      uses.push([time, units]);
      await apply({ kind: "UsageRecorded", grantId, datasetId, grantee: GRANTEE, action: 0, units, outputRef: hash(`o ${time}`) }, time);
      if (draw(4) === 0) {
        const amount = BigInt(1 + draw(7));
        paid += amount;
        payments.push([time, amount]);
        await apply({ kind: "FeesAcknowledged", grantId, holder: HOLDER, amount, paidTotal: paid, paymentRef: hash(`ref ${time}`) }, time);
      }
    }
    await applier.commit();

    const sumBy = (events: [number, bigint][], t: number) => events.filter(([at]) => at <= t).reduce((s, [, x]) => s + x, 0n);
    // Every month end from before the first use to after the last, and as many random moments.
    const moments: number[] = [];
    for (let m = 0; m < 16; m++) moments.push(parsePeriod(`${2025 + Math.floor((m + 11) / 12)}-${String(((m + 11) % 12) + 1).padStart(2, "0")}`).to);
    for (let i = 0; i < 60; i++) moments.push(start + draw(440 * 86_400));
    const reader = openReader(store);
    try {
      const g = (await reader.grant(grantId))!;
      let monthEnds = 0;
      for (const t of moments) {
        if (isMonthEnd(t)) monthEnds++;
        expect(await reader.usedBy(g, t), `used by ${new Date(t * 1000).toISOString()}`).to.equal(sumBy(uses, t));
        expect(await reader.paidBy(g, t), `paid by ${new Date(t * 1000).toISOString()}`).to.equal(sumBy(payments, t));
      }
      expect(monthEnds).to.be.at.least(16);
      expect(uses.length).to.be.greaterThan(100);
    } finally {
      await reader.close();
      await store.close();
    }
  });
});
