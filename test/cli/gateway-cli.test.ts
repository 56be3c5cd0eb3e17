/**
 * dpl fetch, receipts, verify-receipt and meter, as a user runs them (bin/dpl.js in a child process)
 * against a holder's gateway on a real chain: what lands in the files, what is metered, and the
 * sentences and exit codes of what goes wrong.
 */
import { readFile, writeFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { devAccount, Rights } from "../../core/ids.js";
import { GatewayClient } from "../../sdk/gateway.js";
import { runDpl } from "../helpers/cli.js";
import { issueGrant } from "../helpers/fixtures.js";
import { CSV, LINES, type ServedLedger, servedLedger } from "../helpers/gateway.js";
import { tempDir } from "../helpers/system.js";

describe("dpl and the data gateway", function () {
  let served: ServedLedger;
  let dir: string;
  let grant: string;
  let theirs: string;

  /** Runs dpl as development account `account` (1 is the holder, 2 the grantee). */
  const dpl = (account: number, ...args: string[]) =>
    runDpl(
      {
        ...process.env,
        RPC_URL: served.chain.url,
        LEDGER_ADDRESS: served.ledger.address,
        API_URL: served.api.url,
        GATEWAY_URL: served.gateway.url,
        DPL_PRIVATE_KEY: devAccount(account).privateKey,
        DATA_DIR: path.join(dir, "no-deployment"),
      },
      args,
    );

  before(async function () {
    served = await servedLedger();
    dir = await tempDir("gateway-cli");
    const { ledger } = served;
    grant = await issueGrant(ledger.ledger, ledger.holder, served.datasetId, ledger.grantee.address, { rights: Rights.USE, quota: 0n });
    theirs = await issueGrant(ledger.ledger, ledger.holder, served.datasetId, ledger.stranger.address, { rights: Rights.USE, quota: 0n });
    await served.api.indexer.syncOnce();
  });

  after(() => served?.close());

  it("fetches a range into a file with its header, keeps the receipts beside it, and says what was metered", async function () {
    const out = path.join(dir, "range.csv");
    const r = await dpl(2, "fetch", served.datasetId, "--grant", grant, "--records", "3-7", "--out", out);
    expect(r.code, r.stderr).to.equal(0);
    expect(await readFile(out, "utf8")).to.equal(["time,road,vehicles", ...LINES.slice(2, 7)].join("\n") + "\n");
    const receipts = JSON.parse(await readFile(`${out}.receipts.json`, "utf8"));
    expect(receipts.map((x: any) => [x.receipt.grantId, x.receipt.units])).to.deep.equal([[grant, "5"]]);
    expect(r.stderr).to.equal(
      `fetched 5 record(s), each proven against the anchored root into ${out} (receipts in ${out}.receipts.json); 5 unit(s) metered under grant ${grant} in 1 receipt(s): ${receipts[0].receipt.sequence}\n`,
    );
  });

  it("fetches by a column's value as JSON, and a whole file checked against its anchor", async function () {
    const r = await dpl(2, "--json", "fetch", served.datasetId, "--grant", grant, "--where", "road=Station St");
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout).data).to.deep.equal(LINES.filter((l) => l.split(",")[1] === "Station St"));
    const out = path.join(dir, "whole.csv");
    const whole = await dpl(2, "fetch", served.datasetId, "--grant", grant, "--file", "--out", out);
    expect(whole.code, whole.stderr).to.equal(0);
    expect(await readFile(out, "utf8")).to.equal(CSV);
  });

  it("verifies a receipt once its epoch is settled, and not before; a tampered receipt is not proven", async function () {
    const out = path.join(dir, "to-verify.csv");
    await dpl(2, "fetch", served.datasetId, "--grant", grant, "--records", "1-2", "--out", out);
    const [{ receipt }] = JSON.parse(await readFile(`${out}.receipts.json`, "utf8"));
    const early = await dpl(2, "verify-receipt", receipt.sequence);
    expect([early.code, early.stderr]).to.deep.equal([1, `dpl: receipt ${receipt.sequence} is not in a sealed epoch yet (epoch ${receipt.epoch}): it has no proof until its epoch closes\n`]);
    await served.gateway.settleNow();
    const ok = await dpl(2, "verify-receipt", receipt.sequence);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.stdout).to.match(
      new RegExp(`^receipt ${receipt.sequence} is settled: 2 unit\\(s\\) of grant ${grant}, signed by ${served.ledger.holder.address.toLowerCase()}, in epoch ${receipt.epoch}`),
    );
    // Anyone holding the receipt and its proof can check it, with no gateway at all.
    const client = new GatewayClient(served.gateway.url);
    await client.signIn(devAccount(2));
    const proof = await client.receipt(receipt.sequence);
    const file = path.join(dir, "proof.json");
    await writeFile(file, JSON.stringify(proof));
    expect((await dpl(3, "verify-receipt", file)).code).to.equal(0);
    await writeFile(file, JSON.stringify({ ...proof, receipt: { ...proof.receipt, units: "1" } }));
    const forged = await dpl(3, "verify-receipt", file);
    expect(forged.code).to.equal(1);
    expect(forged.stderr).to.match(/^dpl: the gateway's answer is not proven: the receipt is signed by 0x[0-9a-f]{40}, who neither holds the data nor settled the epoch\n$/);
  });

  it("finds the caller's one live grant on the dataset when --grant is left out, and says so when there is none", async function () {
    await served.api.indexer.syncOnce();
    const r = await dpl(2, "--json", "fetch", served.datasetId, "--records", "4");
    expect(r.code, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout)).to.include({ grant });
    const none = await dpl(4, "fetch", served.datasetId, "--records", "4");
    expect([none.code, none.stderr]).to.deep.equal([
      2,
      `dpl: ${served.ledger.other.address.toLowerCase()} holds no live grant on dataset ${served.datasetId}: ask its holder for one, or name one with --grant\n`,
    ]);
  });

  it("lists the grantee's receipts, newest first", async function () {
    const r = await dpl(2, "--json", "receipts", "--limit", "2");
    expect(r.code, r.stderr).to.equal(0);
    const items = JSON.parse(r.stdout);
    expect(items).to.have.length(2);
    expect(BigInt(items[0].receipt.sequence)).to.be.greaterThan(BigInt(items[1].receipt.sequence));
    expect(items.every((x: any) => x.receipt.grantee === served.ledger.grantee.address.toLowerCase())).to.equal(true);
  });

  it("lets the holder appoint and dismiss a meter", async function () {
    const meter = served.ledger.other.address;
    expect((await dpl(1, "meter", "appoint", meter)).code).to.equal(0);
    expect(await served.ledger.ledger.isMeter(served.ledger.holder.address, meter)).to.equal(true);
    expect((await dpl(1, "meter", "dismiss", meter)).code).to.equal(0);
    expect(await served.ledger.ledger.isMeter(served.ledger.holder.address, meter)).to.equal(false);
  });

  it("says in one sentence what went wrong, with the documented exit code", async function () {
    const cases: [number, string[], number, RegExp][] = [
      [2, ["fetch", served.datasetId, "--grant", theirs], 4, /^dpl: the gateway refused: grant 0x[0-9a-f]{64} was given to 0x[0-9a-f]{40}, not to 0x[0-9a-f]{40}\n$/],
      [2, ["fetch", served.datasetId, "--grant", grant, "--records", "0"], 2, /^dpl: --records counts from 1/],
      [2, ["fetch", served.datasetId, "--grant", grant, "--records", "5-2"], 2, /^dpl: --records counts from 1 and a range must not run backwards, not "5-2"\n$/],
      [2, ["fetch", served.datasetId, "--grant", grant, "--records", `1-${LINES.length + 1}`], 2, new RegExp(`^dpl: the gateway refused: the dataset has ${LINES.length} records`)],
      [2, ["fetch", served.datasetId, "--grant", grant, "--file", "--records", "1"], 2, /^dpl: --file fetches the whole file: it takes neither --records nor --where\n$/],
      [2, ["fetch", served.datasetId, "--grant", grant, "--where", "nothing"], 2, /^dpl: --where takes field=value, not "nothing"\n$/],
      [2, ["fetch", "0x" + "ab".repeat(32), "--grant", grant], 2, /^dpl: no dataset 0x(ab){32} is anchored on this ledger\n$/],
      [2, ["verify-receipt", "no-such-file"], 2, /^dpl: no-such-file is neither a receipt number nor a readable file\n$/],
    ];
    for (const [account, args, code, message] of cases) {
      const r = await dpl(account, ...args);
      expect([r.code, r.stderr], args.join(" ")).to.satisfy(([c, e]: [number, string]) => c === code && message.test(e));
    }
  });
});
