/**
 * No operation's cost grows with the ledger: a use and a revocation cost the same gas (within 5%)
 * with 1 and with 10,000 existing grants. Gas is deterministic, so this is a test, not a benchmark.
 */
import { expect } from "chai";
import { ZeroHash } from "ethers";
import { network } from "hardhat";

import { Rights, UsageAction } from "../../core/ids.js";
import { deployLedger, FOREVER, issueGrant, registerDataset } from "../helpers/fixtures.js";

const { ethers } = await network.create();
const GRANTS = Number(process.env.DPL_SCALING_GRANTS ?? 10_000);

describe("cost does not grow with the ledger", function () {
  it(`recordUsage and revoke cost the same with 1 and with ${GRANTS.toLocaleString("en")} existing grants`, async function () {
    const { ledger, holder, grantee } = await deployLedger(ethers);
    const { id } = await registerDataset(ledger, holder, "scaling");
    const measure = async () => {
      const grantId = await issueGrant(ledger, holder, id, grantee.address, { rights: Rights.USE, purpose: `measured ${Math.random()}`, quota: 1_000n });
      await (await ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash)).wait();
      const use = (await (await ledger.connect(grantee).recordUsage(grantId, UsageAction.Use, 1n, ZeroHash)).wait())!.gasUsed;
      const revoke = (await (await ledger.connect(holder).revoke(grantId)).wait())!.gasUsed;
      return { use, revoke };
    };
    const small = await measure();
    for (let i = 0; i < GRANTS; i++) {
      await ledger.connect(holder).grant(id, grantee.address, Rights.USE, `filler ${i}`, 0n, FOREVER, 10n);
    }
    const large = await measure();
    const within = (a: bigint, b: bigint) => Number(a > b ? a - b : b - a) / Number(a) <= 0.05;
    expect(within(small.use, large.use), `use ${small.use} vs ${large.use}`).to.equal(true);
    expect(within(small.revoke, large.revoke), `revoke ${small.revoke} vs ${large.revoke}`).to.equal(true);
    console.log(`      use ${small.use} → ${large.use} gas; revoke ${small.revoke} → ${large.revoke} gas`);
  });
});
