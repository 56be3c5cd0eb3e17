/**
 * Uses and activity entries are served from their stored text with their finality spliced in
 * (views.withFinality): the text must be exactly what JSON.stringify writes for the view built the
 * ordinary way, for any record and any head.
 */
import { expect } from "chai";
import fc from "fast-check";

import { activityView, usageView, withFinality, type Finality } from "../../server/api/views.js";
import type { ActivityRecord, UsageRecord } from "../../server/store/records.js";

const hex = (bytes: number) => fc.uint8Array({ minLength: bytes, maxLength: bytes }).map((b) => "0x" + Buffer.from(b).toString("hex"));
const evidence = fc
  .record({
    txHash: hex(32),
    blockNumber: fc.integer({ min: 0, max: 2 ** 40 }),
    blockHash: hex(32),
    txIndex: fc.integer({ min: 0, max: 5000 }),
    logIndex: fc.integer({ min: 0, max: 5000 }),
    timestamp: fc.integer({ min: 0, max: 2 ** 34 }),
  })
  .map((e) => ({ ...e, time: new Date(e.timestamp * 1000).toISOString() }));
const finality = (block: number) =>
  fc.record({ head: fc.integer({ min: Math.max(0, block - 5), max: block + 200 }), headTime: fc.integer({ min: 0, max: 2 ** 34 }), finalityDepth: fc.integer({ min: 1, max: 100 }) });

/** For any record `records` makes and any head, the stored text with finality spliced in is JSON.stringify of `view`. */
function expectSplicedIsView<T extends { evidence: { blockNumber: number } }>(records: fc.Arbitrary<T>, view: (record: T, f: Finality) => unknown): void {
  fc.assert(
    fc.property(
      records.chain((r) => fc.tuple(fc.constant(r), finality(r.evidence.blockNumber))),
      ([r, f]) => {
        expect(withFinality(JSON.stringify(r), r.evidence.blockNumber, f)).to.equal(JSON.stringify(view(r, f)));
      },
    ),
    { numRuns: 500 },
  );
}

describe("views written from stored text", function () {
  it("a use: the spliced text equals JSON.stringify of its view", function () {
    const usage: fc.Arbitrary<UsageRecord> = fc.record({
      grantId: hex(32),
      datasetId: hex(32),
      grantee: hex(20),
      action: fc.constantFrom("use", "process", "derive", "operate"),
      units: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String),
      outputRef: fc.option(hex(32), { nil: null }),
      evidence,
    });
    expectSplicedIsView(usage, usageView);
  });

  it("an activity entry: the spliced text equals JSON.stringify of its view", function () {
    const activity: fc.Arbitrary<ActivityRecord> = fc
      .record(
        {
          account: hex(20),
          kind: fc.constantFrom("registered", "granted", "used", "dataset-used", "role-granted"),
          datasetId: hex(32),
          grantId: hex(32),
          counterparty: hex(20),
          units: fc.bigInt({ min: 1n, max: 2n ** 64n - 1n }).map(String),
          role: fc.constantFrom("admin", "pauser"),
          evidence,
        },
        { requiredKeys: ["account", "kind", "evidence"] },
      )
      .map((a) => {
        // The reducer writes evidence last.
        const { evidence: e, ...rest } = a;
        return { ...rest, evidence: e } as ActivityRecord;
      });
    expectSplicedIsView(activity, activityView);
  });
});
