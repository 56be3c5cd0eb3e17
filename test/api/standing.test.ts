/**
 * grantStanding and licenceLapse, table-driven, without a chain: every branch, in the ledger's order
 * of checks. (The end-to-end tests compare them with the contract's grantStatus at the same block.)
 */
import { expect } from "chai";

import { grantStanding, licenceLapse, type LicenceFacts } from "../../server/api/standing.js";
import type { Evidence, GrantState } from "../../server/store/records.js";

const at = (blockNumber: number): Evidence => ({ txHash: "0x" + "ab".repeat(32), blockNumber, blockHash: "0x" + "cd".repeat(32), txIndex: 0, logIndex: 0, timestamp: 1_000 + blockNumber });

const licence = (id: string, state: GrantState, validUntil: number, retired: Evidence | null = null, ended: Evidence | null = null): LicenceFacts => ({
  grant: { id, state, validUntil, ended },
  dataset: { retired },
});

const grant = (over: Partial<{ state: GrantState; validFrom: number; validUntil: number; quota: string; used: string }> = {}) => ({
  state: "active" as GrantState,
  validFrom: 100,
  validUntil: 200,
  quota: "10",
  used: "3",
  ...over,
});

describe("licenceLapse", function () {
  const cases: { name: string; licences: LicenceFacts[]; time: number; expected: ReturnType<typeof licenceLapse> }[] = [
    { name: "no licences: nothing lapses", licences: [], time: 150, expected: null },
    { name: "every licence holds", licences: [licence("0x1", "active", 300), licence("0x2", "active", 150)], time: 150, expected: null },
    {
      name: "a revoked licence, with its evidence",
      licences: [licence("0x1", "revoked", 300, null, at(7))],
      time: 150,
      expected: { grantId: "0x1", reason: "revoked", evidence: at(7), validUntil: 300 },
    },
    { name: "a renounced licence", licences: [licence("0x1", "renounced", 300, null, at(8))], time: 150, expected: { grantId: "0x1", reason: "renounced", evidence: at(8), validUntil: 300 } },
    {
      name: "an expired licence has no evidence, only its end",
      licences: [licence("0x1", "active", 149)],
      time: 150,
      expected: { grantId: "0x1", reason: "expired", evidence: null, validUntil: 149 },
    },
    { name: "a licence at its last second still holds (windows are inclusive)", licences: [licence("0x1", "active", 150)], time: 150, expected: null },
    {
      name: "a licence over a retired dataset, with the retirement's evidence",
      licences: [licence("0x1", "active", 300, at(9))],
      time: 150,
      expected: { grantId: "0x1", reason: "retired", evidence: at(9), validUntil: 300 },
    },
    {
      name: "the first that no longer holds is named, in the ledger's order",
      licences: [licence("0x1", "active", 300), licence("0x2", "active", 100), licence("0x3", "revoked", 300, null, at(3))],
      time: 150,
      expected: { grantId: "0x2", reason: "expired", evidence: null, validUntil: 100 },
    },
    {
      name: "revoked before expired before retired, for one licence",
      licences: [licence("0x1", "revoked", 100, at(2), at(4))],
      time: 150,
      expected: { grantId: "0x1", reason: "revoked", evidence: at(4), validUntil: 100 },
    },
    { name: "expired before retired, for one licence", licences: [licence("0x1", "active", 100, at(2))], time: 150, expected: { grantId: "0x1", reason: "expired", evidence: null, validUntil: 100 } },
  ];
  for (const c of cases) {
    it(c.name, function () {
      expect(licenceLapse(c.licences, c.time)).to.deep.equal(c.expected);
    });
  }
});

describe("grantStanding", function () {
  const lapsed = [licence("0xl", "revoked", 300, null, at(5))];
  const cases: { name: string; g: ReturnType<typeof grant>; retired?: boolean; licences?: LicenceFacts[]; time: number; status: string; lapse?: boolean }[] = [
    { name: "active inside its window", g: grant(), time: 150, status: "active" },
    { name: "revoked, whatever else", g: grant({ state: "revoked" }), retired: true, licences: lapsed, time: 10, status: "revoked" },
    { name: "renounced, whatever else", g: grant({ state: "renounced" }), time: 999, status: "renounced" },
    { name: "pending before its window", g: grant(), time: 99, status: "pending" },
    { name: "active at the first second of its window", g: grant(), time: 100, status: "active" },
    { name: "active at the last second of its window", g: grant(), time: 200, status: "active" },
    { name: "expired after its window, even on a retired dataset", g: grant(), retired: true, time: 201, status: "expired" },
    { name: "retired with its dataset, before any licence", g: grant(), retired: true, licences: lapsed, time: 150, status: "retired" },
    { name: "lapsed with a licence, before its quota", g: grant({ used: "10" }), licences: lapsed, time: 150, status: "lapsed", lapse: true },
    { name: "exhausted at its quota", g: grant({ used: "10" }), time: 150, status: "exhausted" },
    { name: "never exhausted without a quota", g: grant({ quota: "0", used: "1000000000000000000000" }), time: 150, status: "active" },
    { name: "active when every licence holds", g: grant(), licences: [licence("0x1", "active", 300)], time: 150, status: "active" },
  ];
  for (const c of cases) {
    it(c.name, function () {
      const standing = grantStanding(c.g, { retired: c.retired ? at(1) : null }, c.licences ?? [], c.time);
      expect(standing.status).to.equal(c.status);
      expect(standing.lapse !== null).to.equal(c.lapse ?? false);
    });
  }
});
