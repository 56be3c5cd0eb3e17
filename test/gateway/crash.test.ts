/**
 * The gateway SIGKILLed during load: dpl (index, API and gateway, one process) runs against anvil,
 * several clients fetch records without pause, and the process group is killed at a random moment,
 * again and again; epochs are one second long, so kills land in sealing and settlement too. After a
 * last start has settled everything: every answer a client received in full is settled, once; every
 * settled delivery's answer can be had again by its receipt; no receipt left void is in any root;
 * and the ledger's count for the grant is exactly the units of the settled receipts.
 * DPL_GATEWAY_KILLS sets the campaign (2 by default; `npm run test:faults` kills it 50 times).
 */
import { createHash } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { devAccount, Rights } from "../../core/ids.js";
import { fingerprint } from "../../core/manifest.js";
import { buildRecordTree } from "../../core/merkle.js";
import type { ReceiptProof, SignedReceipt } from "../../core/receipts.js";
import { GatewayClient, receiptOf, verifyReceipt } from "../../sdk/gateway.js";
import { startAnvil } from "../helpers/chain.js";
import { issueGrant } from "../helpers/fixtures.js";
import { CSV } from "../helpers/gateway.js";
import { closeAll, freshLedger, startProcess, type StartedProcess, tempDir } from "../helpers/system.js";

const KILLS = Number(process.env.DPL_GATEWAY_KILLS ?? 2);
const CLIENTS = 6;
const sha256 = (bytes: Buffer) => "0x" + createHash("sha256").update(bytes).digest("hex");

interface Attempt {
  sequence?: string;
  completed: boolean;
  bodyHash?: string;
}

describe("gateway crash safety", function () {
  it(`settles exactly what was answered across ${KILLS} SIGKILLs during load`, async function () {
    this.timeout(0);
    const { chain, ledger } = await freshLedger(startAnvil);
    let dpl: StartedProcess | undefined;
    try {
      const served = path.join(await tempDir("gateway-crash-files"), "served");
      await mkdir(served, { recursive: true });
      const file = path.join(served, "traffic.csv");
      await writeFile(file, CSV);
      const fp = await fingerprint(file, undefined);
      await (await ledger.ledger.connect(ledger.holder).register(fp.sha256, (await buildRecordTree(fp.recordHashes)).root, fp.recordHashes.length, "", [])).wait();
      const datasetId = (await ledger.ledger.computeDatasetId(ledger.holder.address, fp.sha256)).toLowerCase();
      const grant = await issueGrant(ledger.ledger, ledger.holder, datasetId, ledger.grantee.address, { rights: Rights.USE, quota: 0n });
      const env = {
        ...process.env,
        RPC_URL: chain.url,
        LEDGER_ADDRESS: ledger.address,
        START_BLOCK: String(ledger.deployBlock),
        DATA_DIR: await tempDir("gateway-crash"),
        API_PORT: "0",
        GATEWAY_PORT: "0",
        GATEWAY_KEY: devAccount(1).privateKey,
        GATEWAY_DIR: served,
        EPOCH_SECONDS: "1",
        POLL_MS: "50",
        LOG_LEVEL: "error",
      };
      const start = async () => {
        const started = await startProcess(env);
        for (let i = 0; !/Gateway\s+http/.test(started.output()); i++) {
          if (i > 500) throw new Error(`no gateway: ${started.output()}`);
          await new Promise((r) => setTimeout(r, 10));
        }
        const url = /Gateway\s+(http:\/\/[\d.:]+)\//.exec(started.output())![1];
        return { started, url };
      };

      const attempts: Attempt[] = [];
      let served404 = 0;
      for (let round = 0; round < KILLS; round++) {
        const { started, url } = await start();
        dpl = started;
        const client = new GatewayClient(url);
        await client.signIn(devAccount(2));
        const token = (client as unknown as { token: string }).token;
        let stop = false;
        const worker = async () => {
          while (!stop) {
            const from = Math.floor(Math.random() * 80);
            const attempt: Attempt = { completed: false };
            try {
              const response = await fetch(`${url}/v1/datasets/${datasetId}/records?grant=${grant}&from=${from}&to=${from + Math.floor(Math.random() * 10)}`, {
                headers: { authorization: `Bearer ${token}` },
              });
              if (response.status === 404 || response.status === 403) {
                // Not indexed yet after a start: the dataset or the grant a moment later.
                served404++;
                await response.arrayBuffer();
                await new Promise((r) => setTimeout(r, 20));
                continue;
              }
              attempt.sequence = receiptOf(response)?.receipt.sequence;
              attempts.push(attempt);
              const body = Buffer.from(await response.arrayBuffer());
              if (response.status === 200) {
                attempt.completed = true;
                attempt.bodyHash = sha256(body);
              }
            } catch {
              // Killed mid-answer, or not listening any more: the attempt stays incomplete.
            }
          }
        };
        const workers = Array.from({ length: CLIENTS }, worker);
        await new Promise((r) => setTimeout(r, 300 + Math.random() * 900));
        await started.killDpl();
        stop = true;
        await Promise.all(workers);
      }

      // A last start: it seals what the kills left open and settles every epoch.
      const { started, url } = await start();
      dpl = started;
      const client = new GatewayClient(url);
      await client.signIn(devAccount(2));
      for (let i = 0; ; i++) {
        const { items } = (await (await fetch(`${url}/v1/epochs`)).json()) as { items: { status: string }[] };
        if (items.every((e) => e.status === "indexed" || e.status === "empty")) break;
        if (i > 600) throw new Error(`epochs not settled: ${JSON.stringify(items)}`);
        await new Promise((r) => setTimeout(r, 100));
      }
      const receipts: (SignedReceipt & { state: string })[] = [];
      for (let before: string | undefined; ; ) {
        const page = await client.receipts({ limit: 500, before });
        receipts.push(...page.items);
        if (!page.next) break;
        before = page.next;
      }
      const bySequence = new Map(receipts.map((r) => [r.receipt.sequence, r]));
      expect(
        receipts.filter((r) => r.state === "reserved"),
        "receipts left reserved",
      ).to.deep.equal([]);

      // Every answer received in full is a delivered receipt naming that very body.
      const completed = attempts.filter((a) => a.completed);
      expect(completed.length).to.be.greaterThan(KILLS);
      for (const a of completed) {
        const r = bySequence.get(a.sequence!);
        expect(r?.state, `receipt ${a.sequence}`).to.equal("delivered");
        expect(r!.receipt.responseHash).to.equal(a.bodyHash);
      }

      // Every delivered receipt is in the root the ledger recorded for its epoch; each epoch settled once.
      const delivered = receipts.filter((r) => r.state === "delivered");
      const roots = new Map<string, { root: string; meter: string }>();
      for (const epoch of new Set(delivered.map((r) => r.receipt.epoch))) {
        const events = await ledger.ledger.queryFilter(ledger.ledger.filters.EpochSettled(ledger.holder.address, epoch));
        expect(events, `settlements of epoch ${epoch}`).to.have.length(1);
        roots.set(epoch, { root: events[0].args.receiptsRoot, meter: events[0].args.meter });
      }
      let recovered = 0;
      for (const r of delivered) {
        const proof = (await client.receipt(r.receipt.sequence)) as ReceiptProof;
        const { root, meter } = roots.get(r.receipt.epoch)!;
        await verifyReceipt(proof, { chainId: ledger.chainId, ledger: ledger.address, signers: [ledger.holder.address, meter], root });
        if (!completed.some((a) => a.sequence === r.receipt.sequence)) {
          // Settled but cut short before its last byte: the grantee can have the answer again.
          expect(sha256(await client.answer(r.receipt.sequence))).to.equal(r.receipt.responseHash);
          recovered++;
        }
      }
      // A void receipt is in no tree: it has no proof, and the ledger never counted it.
      const voided = receipts.filter((r) => r.state === "void");
      for (const r of voided) expect((await client.receipt(r.receipt.sequence)).proof, `void receipt ${r.receipt.sequence}`).to.equal(undefined);
      const units = delivered.reduce((n, r) => n + BigInt(r.receipt.units), 0n);
      expect((await ledger.ledger.grantOf(grant)).used).to.equal(units);
      console.log(
        `      ${KILLS} kills; ${attempts.length} deliveries begun, ${completed.length} answered in full, ${voided.length} void, ${recovered} settled but cut short (given again by receipt); ${roots.size} epochs settled once each; ${units} units on chain`,
      );
      void served404;
    } finally {
      await dpl?.kill();
      await closeAll(ledger, chain);
    }
  });
});
