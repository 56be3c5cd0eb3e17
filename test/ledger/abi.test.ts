import { readFile } from "node:fs/promises";

import { expect } from "chai";

import { EVENT_TOPICS } from "../../core/ledger-events.js";

describe("the committed ABI and event topics", function () {
  it("core/ledger-abi.json equals the compiled contract's ABI (run scripts/export-abi.ts after a change)", async function () {
    const artifact = JSON.parse(await readFile("artifacts/contracts/ProvenanceLedger.sol/ProvenanceLedger.json", "utf8"));
    const committed = JSON.parse(await readFile("core/ledger-abi.json", "utf8"));
    expect(committed).to.deep.equal(artifact.abi);
  });

  it("the indexer's hand-written event signatures match the ABI's events", async function () {
    const { Interface } = await import("ethers");
    const iface = new Interface(JSON.parse(await readFile("core/ledger-abi.json", "utf8")));
    for (const [kind, topic] of Object.entries(EVENT_TOPICS)) expect(iface.getEvent(kind)!.topicHash, kind).to.equal(topic);
  });
});
