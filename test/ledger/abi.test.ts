import { readFile } from "node:fs/promises";

import { expect } from "chai";

import { EVENT_TOPICS } from "../../core/ledger-events.js";

describe("the committed ABI and event topics", function () {
  for (const [committedPath, artifactPath] of [
    ["core/ledger-abi.json", "artifacts/contracts/ProvenanceLedger.sol/ProvenanceLedger.json"],
    ["core/oversight-abi.json", "artifacts/contracts/oversight/Oversight.sol/Oversight.json"],
  ]) {
    it(`${committedPath} equals the compiled contract's ABI (run scripts/export-abi.ts after a change)`, async function () {
      const artifact = JSON.parse(await readFile(artifactPath, "utf8"));
      const committed = JSON.parse(await readFile(committedPath, "utf8"));
      expect(committed).to.deep.equal(artifact.abi);
    });
  }

  it("the indexer's hand-written event signatures match the ABIs' events", async function () {
    const { Interface } = await import("ethers");
    const abis = await Promise.all(["core/ledger-abi.json", "core/oversight-abi.json"].map(async (file) => JSON.parse(await readFile(file, "utf8"))));
    const iface = new Interface(abis.flat());
    for (const [kind, topic] of Object.entries(EVENT_TOPICS)) expect(iface.getEvent(kind)!.topicHash, kind).to.equal(topic);
  });
});
