/**
 * Priced grants, payments, statements, caps and objections as a user runs them (bin/dpl.js in a
 * child process) against anvil and an indexed API: what the ledger then says (its own views), and
 * the sentences and exit codes of what goes wrong.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";

import { devAccount } from "../../core/ids.js";
import { yearOf } from "../../core/period.js";
import { startAnvil, type TestChain } from "../helpers/chain.js";
import { runDpl } from "../helpers/cli.js";
import { deployToken, feeTerms, oversightOf, registerDataset } from "../helpers/fixtures.js";
import { closeAll, freshLedger, indexAndServe, type IndexedApi, type LedgerOnChain, tempDir } from "../helpers/system.js";

describe("dpl and public-data fees and objections", function () {
  let chain: TestChain;
  let ledger: LedgerOnChain;
  let api: IndexedApi;
  let dir: string;
  let datasetId: string;
  /** 0 is the admin, authority and arbiter; 1 the holder; 2 the grantee; 3 a stranger. */
  const envOf = (account: number) => ({
    ...process.env,
    RPC_URL: chain.url,
    LEDGER_ADDRESS: ledger.address,
    API_URL: api.url,
    DPL_PRIVATE_KEY: devAccount(account).privateKey,
    DATA_DIR: path.join(dir, "no-deployment"),
  });
  const dpl = (account: number, ...args: string[]) => runDpl(envOf(account), args);
  const json = async (account: number, ...args: string[]) => {
    const r = await dpl(account, "--json", ...args);
    expect(r.code, r.stderr).to.equal(0);
    return JSON.parse(r.stdout);
  };

  before(async function () {
    ({ chain, ledger } = await freshLedger(startAnvil));
    api = await indexAndServe({ chain, ledger });
    dir = await tempDir("fees-cli");
    datasetId = (await registerDataset(ledger.ledger, ledger.holder, "bus arrivals")).id;
    for (const role of ["AUTHORITY_ROLE", "ARBITER_ROLE"]) await (await ledger.ledger.connect(ledger.admin).grantRole(ledger.ethers.id(role), ledger.admin.address)).wait();
  });

  after(() => closeAll(api, ledger, chain));

  it("caps a dataset's fees as the authority, and refuses a priced grant above the cap in one sentence", async function () {
    const cap = await dpl(0, "cap", datasetId, "--currency", "CNY", "--max-unit-price", "50", "--max-daily-fee", "1000");
    expect(cap.code, cap.stderr).to.equal(0);
    expect(cap.stdout).to.include(`capped the fees of dataset ${datasetId}: 0.50 CNY a unit, 10.00 CNY a day of period`);
    const above = await dpl(1, "grant", datasetId, ledger.grantee.address, "--rights", "use", "--purpose", "forecasting", "--class", "commercial", "--unit-price", "60", "--currency", "CNY");
    expect(above.code).to.equal(4);
    expect(above.stderr).to.equal(`dpl: the ledger refused: a unit price of 60 is above the cap of dataset ${datasetId.slice(0, 10)}…, 50\n`);
    const stranger = await dpl(3, "cap", datasetId, "--currency", "CNY", "--max-unit-price", "1");
    expect(stranger.code).to.equal(4);
    expect(stranger.stderr).to.equal(`dpl: the ledger refused: ${ledger.stranger.address} may not do this: it lacks the ledger's authority role\n`);
  });

  it("speaks Chinese under a Chinese locale or --lang zh: refusals, usage errors, help and statements, with the same exit codes", async function () {
    // The ledger's refusal, decoded from the same custom error as in English.
    const stranger = await runDpl(envOf(3), ["cap", datasetId, "--currency", "CNY", "--max-unit-price", "1"], "zh_CN.UTF-8");
    expect(stranger.code).to.equal(4);
    expect(stranger.stderr).to.equal(`dpl: 账本拒绝：${ledger.stranger.address} 无权执行此操作：它没有账本的 authority 角色\n`);
    const above = await dpl(1, "--lang", "zh", "grant", datasetId, ledger.grantee.address, "--rights", "use", "--purpose", "p", "--class", "commercial", "--unit-price", "60", "--currency", "CNY");
    expect(above.code).to.equal(4);
    expect(above.stderr).to.equal(`dpl: 账本拒绝：单价 60 高于数据集 ${datasetId.slice(0, 10)}… 的上限 50\n`);
    // A usage error of dpl's own, and one of Commander's.
    const leisure = await dpl(1, "--lang", "zh", "grant", datasetId, ledger.grantee.address, "--rights", "use", "--purpose", "x", "--class", "leisure");
    expect(leisure.code).to.equal(2);
    expect(leisure.stderr).to.equal("dpl: --class 须为 public-governance、public-welfare 或 commercial，而非“leisure”\n");
    const unknown = await runDpl(envOf(1), ["status", "--colour"], "zh_CN.UTF-8");
    expect(unknown.code).to.equal(2);
    expect(unknown.stderr).to.equal("dpl: 未知选项 '--colour'\n");
    // --lang wins over the locale; an unknown language is refused by name.
    const english = await runDpl(envOf(1), ["--lang", "en", "status", "--colour"], "zh_CN.UTF-8");
    expect(english.stderr).to.equal("dpl: unknown option '--colour'\n");
    const klingon = await dpl(1, "--lang", "tlh", "status");
    expect(klingon.code).to.equal(2);
    const help = await runDpl(envOf(1), ["grant", "--help"], "zh_CN.UTF-8");
    expect(help.code).to.equal(0);
    expect(help.stdout).to.include("用法： dpl grant").and.include("在您持有的数据集上授予权利").and.include('（默认："now"）');
  });

  it("says what a priced grant needs before sending anything", async function () {
    for (const [args, sentence] of [
      [["--unit-price", "5"], "fees need a purpose class: add --class commercial (public-governance and public-welfare use is free)"],
      [["--class", "commercial", "--unit-price", "5"], "fees need a currency: --currency CNY (paid off the ledger) or --currency <token address> (paid through it)"],
      [["--class", "leisure"], '--class must be public-governance, public-welfare or commercial, not "leisure"'],
      [["--class", "commercial", "--period-fee", "5", "--currency", "CNY"], "--period-fee and --period go together: a fee every period"],
      [["--class", "commercial", "--unit-price", "5", "--currency", "yuan"], '--currency must be an ISO 4217 code in capitals (CNY) or an ERC-20 token\'s address, not "yuan"'],
    ] as const) {
      const r = await dpl(1, "grant", datasetId, ledger.grantee.address, "--rights", "use", "--purpose", "x", ...args);
      expect(r.code, r.stderr).to.equal(2);
      expect(r.stderr).to.equal(`dpl: ${sentence}\n`);
    }
    const free = await dpl(1, "grant", datasetId, ledger.grantee.address, "--rights", "use", "--purpose", "x", "--class", "public-welfare", "--unit-price", "5", "--currency", "CNY");
    expect(free.code).to.equal(4);
    expect(free.stderr).to.equal("dpl: the ledger refused: use for public-welfare is free: a grant for it may carry no fee\n");
  });

  it("grants per unit in CNY, states what the grantee owes, and takes the holder's acknowledgement up to what is due", async function () {
    const granted = await json(1, "grant", datasetId, ledger.grantee.address, "--rights", "use", "--purpose", "forecasting", "--class", "commercial", "--unit-price", "30", "--currency", "CNY");
    expect(granted.fees).to.deep.equal({ purposeClass: "commercial", token: null, currencyCode: "CNY", unitPrice: "30", periodFee: "0", period: 0 });
    const use = await dpl(2, "use", granted.grantId, "--units", "4");
    expect(use.code, use.stderr).to.equal(0);
    await api.indexer.syncOnce();
    const head = (await ledger.ethers.provider.getBlock("latest"))!.timestamp;
    const statement = await json(2, "statement", "--period", String(yearOf(head)));
    const line = statement.lines.find((l: any) => l.grantId === granted.grantId);
    const terms = feeTerms({ currencyCode: "0x434e59", unitPrice: 30n });
    const [owed] = await ledger.ledger.feesOf(granted.grantId, terms);
    expect({ units: line.units, charged: line.charged, outstanding: line.outstanding }).to.deep.equal({ units: "4", charged: owed.toString(), outstanding: owed.toString() });
    const text = await dpl(2, "statement", "--period", String(yearOf(head)));
    expect(text.stdout).to.include("4 unit(s), 0 period(s): charged 1.20 CNY; paid 0.00 CNY").and.include("total: charged 1.20 CNY, paid 0.00 CNY, outstanding 1.20 CNY");
    const chinese = await dpl(2, "--lang", "zh", "statement", "--period", String(yearOf(head)));
    expect(chinese.stdout)
      .to.include(`${ledger.grantee.address.toLowerCase()} 的 ${yearOf(head)}（UTC+8）对账单：逐个授权列出应付费用`)
      .and.include("商业用途、每单位 0.30 CNY")
      .and.include("4 单位，0 个周期：应收 1.20 CNY；已付 0.00 CNY")
      .and.include("合计：应收 1.20 CNY，已付 0.00 CNY，未付 1.20 CNY");

    const tooMuch = await dpl(1, "acknowledge", granted.grantId, "--amount", "121");
    expect(tooMuch.code).to.equal(4);
    expect(tooMuch.stderr).to.equal(`dpl: the ledger refused: a payment of 121 on grant ${granted.grantId.slice(0, 10)}…: 120 is due now, and a payment may be neither zero nor more\n`);
    const notHolder = await dpl(2, "acknowledge", granted.grantId, "--amount", "120");
    expect(notHolder.code).to.equal(4);
    const ack = await dpl(1, "acknowledge", granted.grantId, "--amount", "120", "--ref", "bank transfer 4471");
    expect(ack.code, ack.stderr).to.equal(0);
    expect(ack.stdout).to.include(`acknowledged 1.20 CNY paid for grant ${granted.grantId}; 1.20 CNY paid in all`);
    expect(await ledger.ledger.feesOf(granted.grantId, terms)).to.deep.equal([120n, 120n]);
    const offLedger = await dpl(2, "pay", granted.grantId);
    expect(offLedger.stderr).to.equal(`dpl: grant ${granted.grantId}'s fees are in CNY, paid off the ledger: pay the holder, who acknowledges it with dpl acknowledge\n`);
  });

  it("pays a grant priced in a token through the ledger, approving it first, and says when nothing is due", async function () {
    const token = await deployToken(ledger.ethers, ledger.ledger, []);
    await (await token.mint(ledger.grantee.address, 10n ** 18n)).wait();
    const tokenAddress = await token.getAddress();
    const other = await registerDataset(ledger.ledger, ledger.holder, "tram arrivals");
    const granted = await json(1, "grant", other.id, ledger.grantee.address, "--rights", "use", "--purpose", "apps", "--class", "commercial", "--unit-price", "1000", "--currency", tokenAddress);
    await dpl(2, "use", granted.grantId, "--units", "7");
    await api.indexer.syncOnce();
    const paid = await json(2, "pay", granted.grantId);
    expect(paid.amount).to.equal("7000");
    expect(await token.balanceOf(ledger.holder.address)).to.equal(7000n);
    await api.indexer.syncOnce();
    const again = await dpl(2, "pay", granted.grantId);
    expect(again.code).to.equal(2);
    expect(again.stderr).to.match(/^dpl: nothing is due on grant 0x[0-9a-f]{64}: 7000 of token 0x[0-9a-f]{4}…[0-9a-f]{4} owed, all of it paid\n$/);
  });

  it("files, answers and rules on an objection; upheld, the grant is cancelled; only an arbiter rules", async function () {
    const granted = await json(1, "grant", datasetId, ledger.stranger.address, "--rights", "use", "--purpose", "route study", "--class", "public-governance");
    const filed = await json(3, "object", granted.grantId, "--reason", "the study names private addresses");
    expect(filed).to.include({ objection: "1", target: granted.grantId, targetKind: "grant" });
    const early = await dpl(0, "rule", "1", "--uphold", "--text", "too early");
    expect(early.code).to.equal(4);
    expect(early.stderr).to.match(/^dpl: the ledger refused: objection #1 awaits the holder's answer until \d{4}-\d\d-\d\dT/);
    expect((await dpl(2, "answer", "1", "--text", "not mine")).code).to.equal(4);
    expect((await dpl(1, "answer", "1", "--text", "the addresses are public bus stops")).code).to.equal(0);
    const notArbiter = await dpl(3, "rule", "1", "--uphold", "--text", "upheld");
    expect(notArbiter.stderr).to.equal(`dpl: the ledger refused: ${ledger.stranger.address} may not do this: it lacks the ledger's arbiter role\n`);
    const ruled = await dpl(0, "rule", "1", "--uphold", "--text", "upheld: the purpose exceeds the catalogue");
    expect(ruled.code, ruled.stderr).to.equal(0);
    expect(ruled.stdout).to.include(`upheld objection #1; grant ${granted.grantId} is cancelled`);
    expect(await ledger.ledger.grantStatus(granted.grantId)).to.equal(9n);
    await api.indexer.syncOnce();
    const shown = await dpl(3, "objections", "1");
    expect(shown.stdout).to.include("objection #1 (upheld) against grant").and.include("upheld by").and.include('"upheld: the purpose exceeds the catalogue"');
    const unknown = await dpl(3, "objections", "7");
    expect(unknown.stderr).to.equal("dpl: no objection #7 was filed on this ledger\n");
    const badPeriod = await dpl(2, "statement", "--period", "2026-13");
    expect(badPeriod.stderr).to.equal('dpl: --period must be a year (2026), a month (2026-11) or a day (2026-11-29) of the calendar in UTC+8, not "2026-13"\n');
    expect((await oversightOf(ledger.ethers, ledger.ledger).then((o) => o.objectionOf(1n)))[2]).to.equal(3n);
  });

  it("writes the holder's yearly disclosure as the API's JSON and HTML, and says when there is nothing to disclose", async function () {
    await api.indexer.syncOnce();
    const year = yearOf((await ledger.ethers.provider.getBlock("latest"))!.timestamp);
    const base = path.join(dir, "disclosure");
    const r = await dpl(3, "report", "--operator", ledger.holder.address, "--year", String(year), "--out", base);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(`wrote ${ledger.holder.address.toLowerCase()}'s disclosure for ${year}`).and.include("revenue 1.20 CNY (paid 1.20 CNY)");
    const operator = ledger.holder.address.toLowerCase();
    const json: any = await (await fetch(`${api.url}/v1/disclosures/${operator}/${year}`)).json();
    expect(JSON.parse(await readFile(`${base}.json`, "utf8"))).to.deep.equal(json);
    expect(await readFile(`${base}.html`, "utf8")).to.equal(await (await fetch(`${api.url}/v1/disclosures/${operator}/${year}?format=html`)).text());
    expect(json.objections.map((o: any) => [o.id, o.state])).to.deep.equal([["1", "upheld"]]);
    const nobody = await dpl(3, "report", "--operator", ledger.stranger.address, "--year", String(year));
    expect(nobody.code).to.equal(2);
    expect(nobody.stderr).to.equal(`dpl: ${ledger.stranger.address.toLowerCase()} has nothing to disclose for ${year}: it held no dataset and received no operate-product grant in force that year\n`);
    const badYear = await fetch(`${api.url}/v1/disclosures/${operator}/26`);
    expect(badYear.status).to.equal(400);
    expect(((await badYear.json()) as any).error.message).to.equal("path parameter year must be a year such as 2026");
  });
});
