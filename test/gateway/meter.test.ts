/**
 * A gateway that signs and settles with a meter's key, not the holder's: until the holder appoints
 * the meter the ledger refuses its epochs (kept with the refusal, asked again each minute); once
 * appointed, they settle, and receipts prove against the root with the meter as signer.
 */
import { expect } from "chai";

import { devAccount, Rights } from "../../core/ids.js";
import type { ReceiptProof } from "../../core/receipts.js";
import { GatewayClient, verifyReceipt } from "../../sdk/gateway.js";
import { issueGrant } from "../helpers/fixtures.js";
import { type ServedLedger, servedLedger } from "../helpers/gateway.js";
import { capturingLogger } from "../helpers/system.js";

describe("a gateway with an appointed meter", function () {
  let served: ServedLedger;
  // The gateway's clock, moved on by the test; it starts at the real time when the suite starts.
  let clock = 0;
  const log = capturingLogger();
  const meter = devAccount(4);

  before(async function () {
    clock = Math.floor(Date.now() / 1000);
    served = await servedLedger(log.logger, { key: meter.privateKey, holder: devAccount(1).address.toLowerCase(), now: () => clock });
  });

  after(() => served?.close());

  it("serves the holder's data, and settles once the holder appoints its meter", async function () {
    const { ledger, gateway } = served;
    expect(log.lines).to.include(
      `the gateway's key ${meter.address.toLowerCase()} is not a meter of ${ledger.holder.address.toLowerCase()}: it serves, but cannot settle until the holder appoints it (dpl meter appoint ${meter.address.toLowerCase()})`,
    );
    const grant = await issueGrant(ledger.ledger, ledger.holder, served.datasetId, ledger.grantee.address, { rights: Rights.USE, quota: 0n });
    await served.api.indexer.syncOnce();
    const client = new GatewayClient(gateway.url);
    await client.signIn(devAccount(2));
    const { receipt } = await client.records(served.datasetId, { grant, from: 0, to: 3 });
    await gateway.settleNow();
    const epochs = async () => ((await (await fetch(`${gateway.url}/v1/epochs`)).json()) as { items: { epoch: string; status: string; refusal?: string }[] }).items;
    const [refused] = await epochs();
    expect(refused).to.include({ epoch: receipt!.receipt.epoch, status: "refused" });
    expect(refused.refusal).to.equal(`the ledger refused: ${meter.address} may not settle the usage of ${ledger.holder.address}: it is neither the holder nor a meter the holder appointed`);
    await (await ledger.ledger.connect(ledger.holder).appointMeter(meter.address)).wait();
    // Asked again a minute later.
    clock += 61;
    await gateway.settleNow();
    expect((await epochs()).find((e) => e.epoch === receipt!.receipt.epoch)?.status).to.equal("settled");
    const [event] = await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled(ledger.holder.address, receipt!.receipt.epoch));
    expect(event.args.meter).to.equal(meter.address);
    expect((await ledger.ledger.grantOf(grant)).used).to.equal(4n);
    const proof = (await client.receipt(receipt!.receipt.sequence)) as ReceiptProof;
    expect(await verifyReceipt(proof, { chainId: ledger.chainId, ledger: ledger.address, signers: [event.args.holder, event.args.meter], root: event.args.receiptsRoot })).to.equal(
      meter.address.toLowerCase(),
    );
    expect(log.lines.filter((l) => l.startsWith(`epoch ${receipt!.receipt.epoch} cannot be settled`))).to.have.length(1);
  });
});
