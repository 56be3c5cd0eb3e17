/**
 * Settlement when the chain misbehaves: unreachable (deliveries go on until the backlog of unsettled
 * epochs is full, then stop, and resume once they settle), and a settlement reorganised away (sent
 * again, counted once).
 */
import { expect } from "chai";

import { devAccount, Rights } from "../../core/ids.js";
import { GatewayClient, type GatewayError } from "../../sdk/gateway.js";
import { issueGrant } from "../helpers/fixtures.js";
import type { ServedLedger } from "../helpers/gateway.js";
import { servedLedger } from "../helpers/gateway.js";
import { type RpcProxy, startRpcProxy } from "../helpers/rpc-proxy.js";
import { capturingLogger } from "../helpers/system.js";

describe("gateway settlement under chain faults", function () {
  let served: ServedLedger;
  let proxy: RpcProxy;
  let grant: string;
  const log = capturingLogger();

  before(async function () {
    served = await servedLedger(log.logger, {
      maxBacklog: 2,
      gatewayRpc: async (url) => {
        proxy = await startRpcProxy(url);
        return proxy.url;
      },
    });
    const { ledger } = served;
    grant = await issueGrant(ledger.ledger, ledger.holder, served.datasetId, ledger.grantee.address, { rights: Rights.USE, quota: 0n });
    await served.api.indexer.syncOnce();
  });

  after(async function () {
    await served?.close();
    await proxy?.close();
  });

  const fetchOne = async (client: GatewayClient, at: number) => (await client.records(served.datasetId, { grant, from: at, to: at })).receipt!;
  const settled = (epoch: string) => served.ledger.ledger.queryFilter(served.ledger.ledger.filters.EpochSettled(served.ledger.holder.address, epoch));

  it("delivers while the chain is unreachable until GATEWAY_MAX_BACKLOG epochs wait, then refuses with 503, and settles all once it is back", async function () {
    const client = new GatewayClient(served.gateway.url);
    await client.signIn(devAccount(2));
    const before = (await served.ledger.ledger.grantOf(grant)).used;
    await proxy.stop();
    const receipts = [];
    for (let i = 0; i < 3; i++) {
      receipts.push(await fetchOne(client, i));
      await served.gateway.settleNow();
    }
    expect(log.lines.filter((l) => l.startsWith("settlement waits: the chain cannot be reached"))).to.have.length(1);
    const refused = await fetchOne(client, 9).then(
      () => expect.fail("delivered past the backlog"),
      (e: GatewayError) => e,
    );
    expect([refused.status, refused.code, refused.message]).to.deep.equal([
      503,
      "settlement_behind",
      "3 epochs wait to be settled (GATEWAY_MAX_BACKLOG is 2): the chain cannot be reached or refuses them; deliveries resume once they settle",
    ]);
    await proxy.start();
    await served.gateway.settleNow();
    for (const r of receipts) expect(await settled(r.receipt.epoch), `epoch ${r.receipt.epoch}`).to.have.length(1);
    expect((await served.ledger.ledger.grantOf(grant)).used - before).to.equal(3n);
    await fetchOne(client, 10);
  });

  it("sends again a settlement that a reorganisation took off the chain, and the ledger counts it once", async function () {
    const client = new GatewayClient(served.gateway.url);
    await client.signIn(devAccount(2));
    // What earlier tests delivered settles first.
    await served.gateway.settleNow();
    const before = (await served.ledger.ledger.grantOf(grant)).used;
    const receipt = await fetchOne(client, 20);
    await served.gateway.settleNow();
    const [first] = await settled(receipt.receipt.epoch);
    expect(first).to.not.equal(undefined);
    // The block holding the settlement is replaced by an empty one.
    const provider = served.ledger.ethers.provider;
    const depth = (await provider.getBlockNumber()) - first.blockNumber + 1;
    await provider.send("anvil_reorg", [depth, []]);
    expect(await served.ledger.ledger.isEpochSettled(served.ledger.holder.address, receipt.receipt.epoch)).to.equal(false);
    // One pass sees it gone and puts it back; the next sends it again.
    await served.gateway.settleNow();
    await served.gateway.settleNow();
    const events = await settled(receipt.receipt.epoch);
    expect(events).to.have.length(1);
    expect(events[0].transactionHash).to.not.equal(first.transactionHash);
    expect((await served.ledger.ledger.grantOf(grant)).used - before).to.equal(1n);
  });
});
