/**
 * `npm run bench:gas`: gas of each ledger operation on the in-process chain, its floor and the
 * peer figures of the Ethereum Attestation Service, deployed in the same run from its npm package.
 *
 * Floor = 21,000 + calldata (4 a zero byte, 16 a non-zero byte) + 22,100 per storage slot the
 * transaction takes from zero to non-zero (counted in its trace) + log cost (375 + 375 a topic + 8 a
 * data byte), divided by the entries of a batch.
 * Writes bench/results/gas.json and the gas table of bench/README.md.
 */
import { readFile, writeFile, mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";

import type { Log, TransactionReceipt, TransactionResponse } from "ethers";
import { AbiCoder, ContractFactory, ZeroAddress, ZeroHash } from "ethers";
import { network } from "hardhat";

import { grantRequestDomain, GRANT_REQUEST_TYPES } from "../core/grant-request.js";
import { ObjectionTarget, Rights, UsageAction } from "../core/ids.js";
import { currency, deployLedger, deployToken, eventArg, feeTerms, FOREVER, METADATA_URI, NO_PARENTS, oversightOf, sha256 } from "../test/helpers/fixtures.js";
import { replaceSection } from "./report.js";

const require = createRequire(import.meta.url);
const here = path.dirname(fileURLToPath(import.meta.url));

interface Measured {
  gas: number;
  floor: number;
  slots: number;
  note?: string;
}

function calldataGas(data: string): number {
  const bytes = Buffer.from(data.slice(2), "hex");
  let gas = 0;
  for (const b of bytes) gas += b === 0 ? 4 : 16;
  return gas;
}

function logGas(logs: readonly Log[]): number {
  return logs.reduce((sum, log) => sum + 375 + 375 * log.topics.length + 8 * ((log.data.length - 2) / 2), 0);
}

/** Storage slots a transaction took from zero to non-zero: its SSTOREs that cost 20,000 gas or more. */
async function newSlots(provider: { send(method: string, params: unknown[]): Promise<any> }, hash: string): Promise<number> {
  const trace = await provider.send("debug_traceTransaction", [hash, { disableStack: true, disableMemory: true }]);
  return trace.structLogs.filter((s: { op: string; gasCost: number }) => s.op === "SSTORE" && s.gasCost >= 20_000).length;
}

async function run(): Promise<void> {
  const { ethers, networkHelpers } = await network.create();
  const { ledger, address, admin, holder, grantee, other, signers } = await deployLedger(ethers);
  const ops: Record<string, Measured> = {};
  /** Gas and floor of one transaction, per entry when it carries `entries` of a batch. */
  const measure = async (sent: { tx: TransactionResponse; receipt: TransactionReceipt }, entries = 1, note?: string): Promise<Measured> => {
    const slots = await newSlots(ethers.provider, sent.tx.hash);
    const floor = 21_000 + calldataGas(sent.tx.data) + 22_100 * slots + logGas(sent.receipt.logs);
    return { gas: Math.round(Number(sent.receipt.gasUsed) / entries), floor: Math.round(floor / entries), slots: slots / entries, note };
  };
  const send = async (txp: Promise<TransactionResponse>) => {
    const tx = await txp;
    return { tx, receipt: (await tx.wait())! };
  };
  const now = BigInt(await networkHelpers.time.latest());
  let n = 0;
  const nextHash = () => sha256(`bench record ${n++}`);

  // register: the dataset slot and the root slot.
  const content = nextHash();
  let r = await send(ledger.connect(holder).register(content, nextHash(), 1000n, METADATA_URI, NO_PARENTS));
  ops.register = await measure(r);
  const datasetId = await ledger.computeDatasetId(holder.address, content);

  // registerInBatchOf100: one slot per dataset; the roots share one data contract.
  const batch = Array.from({ length: 100 }, () => ({
    contentHash: nextHash(),
    merkleRoot: nextHash(),
    recordCount: 1000n,
    metadataURI: METADATA_URI,
    parents: NO_PARENTS,
  }));
  r = await send(ledger.connect(holder).registerBatch(batch));
  ops.registerInBatchOf100 = await measure(r, 100, "roots kept as one data contract (6,400 gas a root) instead of a slot each");

  // grant: three slots. The first grant and later ones cost the same (no counter).
  const grantArgs = (i: number) => [datasetId, signers[5 + (i % 10)].address, Rights.USE | Rights.PROCESS, `bench purpose ${i}`, now, FOREVER, 1_000_000n] as const;
  r = await send(ledger.connect(holder).grant(...grantArgs(0)));
  ops.grant = await measure(r);
  const grantId0 = await eventArg(ledger, Promise.resolve(r.tx as never), "GrantIssued", "grantId");

  // grantBySig: nonces are a bitmap of 256 a word; the first request of a word makes it non-zero.
  const { chainId } = await ethers.provider.getNetwork();
  const domain = grantRequestDomain(chainId, address);
  const bySig = async (nonce: bigint, note?: string) => {
    const request = {
      holder: holder.address,
      datasetId,
      transfers: 0n,
      grantee: grantee.address,
      rights: Rights.USE,
      purpose: `signed purpose ${nonce}`,
      validFrom: now,
      validUntil: FOREVER,
      quota: 1000n,
      counter: await ledger.grantRequestCounter(holder.address),
      nonce,
      deadline: now + 86_400n,
    };
    const signature = await holder.signTypedData(domain, GRANT_REQUEST_TYPES, request);
    const sent = await send(ledger.connect(other).grantBySig(request, signature));
    return measure(sent, 1, note);
  };
  ops.grantBySigNewNonceWord = await bySig(0n, "first nonce of a 256-nonce word: one more new slot (a random nonce always pays it)");
  ops.grantBySig = await bySig(1n);

  // recordUsage: the first use and later ones (the quota shares the slot of `used`, so neither adds a slot).
  const granteeOf0 = signers[5];
  r = await send(ledger.connect(granteeOf0).recordUsage(grantId0, UsageAction.Use, 10n, ZeroHash));
  ops.recordUsageFirstOfGrant = await measure(r, 1, "first use: the quota already made the slot non-zero");
  r = await send(ledger.connect(granteeOf0).recordUsage(grantId0, UsageAction.Use, 10n, nextHash()));
  ops.recordUsage = await measure(r);

  // recordUsageInBatchOf100 on 100 distinct grants, each used once before.
  const batchGrantee = signers[16];
  const grantIds: string[] = [];
  for (let i = 0; i < 100; i++) {
    const tx = ledger.connect(holder).grant(datasetId, batchGrantee.address, Rights.USE, `batch purpose ${i}`, now, FOREVER, 1_000_000n);
    grantIds.push(await eventArg(ledger, tx, "GrantIssued", "grantId"));
  }
  const entries = (withOutput: boolean) => grantIds.map((grantId) => ({ grantId, action: UsageAction.Use, units: 1n, outputRef: withOutput ? nextHash() : ZeroHash }));
  r = await send(ledger.connect(batchGrantee).recordUsageBatch(entries(false)));
  ops.recordUsageInBatchOf100FirstOfGrant = await measure(r, 100, "first use of each grant");
  r = await send(ledger.connect(batchGrantee).recordUsageBatch(entries(true)));
  ops.recordUsageInBatchOf100 = await measure(r, 100);

  // settleUsage: a gateway's epoch. Settled epochs are bits, 256 to a slot: the first of a word adds one.
  const settle = (epoch: bigint, ids: string[], receipts: number) =>
    send(
      ledger.connect(holder).settleUsage(
        holder.address,
        epoch,
        nextHash(),
        receipts,
        ids.map((grantId) => ({ grantId, action: UsageAction.Use, units: 3n })),
      ),
    );
  ops.settleEpochNewWord = await measure(await settle(0n, grantIds.slice(0, 1), 10), 1, "first epoch of a 256-epoch word: one more new slot");
  ops.settleEpochOfOneGrant = await measure(await settle(1n, grantIds.slice(0, 1), 10), 1, "one grant's deliveries of the epoch, whatever their number");
  ops.settleEpochOf100Grants = await measure(await settle(2n, grantIds, 1000), 100, "per grant: its total added once, one UsageRecorded");

  // Fees: the terms' hash shares the grantee's slot, so a priced grant takes no slot more than a free
  // one; a capped one reads the cap from the oversight contract. The first payment opens the grant's
  // fee account. Objections live in the oversight contract; an upheld one calls back into the ledger.
  const oversight = await oversightOf(ethers, ledger);
  await send(ledger.connect(admin).grantRole(ethers.id("AUTHORITY_ROLE"), admin.address));
  await send(ledger.connect(admin).grantRole(ethers.id("ARBITER_ROLE"), admin.address));
  const token = await deployToken(ethers, ledger, [grantee]);
  const unitTerms = feeTerms({ token: await token.getAddress(), unitPrice: 10n ** 16n });
  const withTerms = (terms: ReturnType<typeof feeTerms>, i: number, from = now) =>
    ledger.connect(holder).grantWithTerms(datasetId, grantee.address, Rights.USE, `priced purpose ${i}`, from, FOREVER, 1_000_000n, terms);
  r = await send(withTerms(unitTerms, 0));
  ops.grantWithTerms = await measure(r, 1, "commercial, a price a unit in an ERC-20: the terms' hash shares the grantee's slot");
  const pricedId = await eventArg(ledger, Promise.resolve(r.tx as never), "GrantIssued", "grantId");
  r = await send(oversight.connect(admin).setFeeCap(datasetId, { token: ZeroAddress, currencyCode: currency("CNY"), maxUnitPrice: 500n, maxDailyFee: 10_000n }));
  ops.setFeeCap = await measure(r, 1, "in the oversight contract");
  const future = BigInt(await networkHelpers.time.latest()) + 3_600n;
  r = await send(withTerms(feeTerms({ currencyCode: currency("CNY"), unitPrice: 300n, periodFee: 50_000n, period: 30n * 86_400n }), 1, future));
  ops.grantWithTermsCapped = await measure(r, 1, "a unit price and a monthly fee in CNY, within the cap read from the oversight contract");
  await send(ledger.connect(grantee).recordUsage(pricedId, UsageAction.Use, 30n, ZeroHash));
  r = await send(ledger.connect(grantee).payFees(pricedId, unitTerms, await token.getAddress(), 10n ** 17n));
  ops.payFeesFirst = await measure(r, 1, "opens the grant's fee account; one ERC-20 transferFrom");
  r = await send(ledger.connect(grantee).payFees(pricedId, unitTerms, await token.getAddress(), 10n ** 17n));
  ops.payFees = await measure(r);
  r = await send(ledger.connect(holder).acknowledgeFees(pricedId, unitTerms, 10n ** 16n, sha256("bank reference")));
  ops.acknowledgeFees = await measure(r);
  r = await send(oversight.connect(other).fileObjection(ObjectionTarget.Grant, pricedId, "the purpose is not what was published", sha256("evidence")));
  ops.fileObjection = await measure(r, 1, "two slots and the counter; the reason lives in the event");
  const objectionId = 1n;
  r = await send(oversight.connect(holder).answerObjection(objectionId, "the purpose is the published one", sha256("answer")));
  ops.answerObjection = await measure(r);
  r = await send(oversight.connect(admin).ruleOnObjection(objectionId, true, "upheld"));
  ops.ruleOnObjectionUpheld = await measure(r, 1, "cancels the grant in the ledger and stops its period fees");

  // Derivation, versions, revocation and holding.
  const derivedGrant = await eventArg(ledger, ledger.connect(holder).grant(datasetId, other.address, Rights.PROCESS | Rights.OPERATE_PRODUCT, "derive", now, FOREVER, 100n), "GrantIssued", "grantId");
  r = await send(ledger.connect(other).register(nextHash(), nextHash(), 10n, METADATA_URI, [{ datasetId, grantId: derivedGrant }]));
  ops.registerDerivedFromOneParent = await measure(r, 1, "dataset, root, licence entry and the grant's licence slot; meters one DERIVE unit");

  // Products: a chain of licences three deep (bureau -> company -> bank -> carol), a grant on each
  // product and two uses of a grant on the first and on the last. The second use is measured.
  const [company, bank, carol, user] = [signers[15], signers[17], signers[18], signers[19]];
  const PO = Rights.USE | Rights.PROCESS | Rights.OPERATE_PRODUCT;
  const grantOn = async (grantor: typeof holder, onDataset: string, to: string, label: string) => {
    const sent = await send(ledger.connect(grantor).grant(onDataset, to, PO, label, now, FOREVER, 1_000_000n));
    return { sent, id: await eventArg(ledger, Promise.resolve(sent.tx as never), "GrantIssued", "grantId") };
  };
  const deriveUnder = async (registrant: typeof holder, parentId: string, grantId: string) => {
    const contentHash = nextHash();
    const sent = await send(ledger.connect(registrant).register(contentHash, nextHash(), 10n, METADATA_URI, [{ datasetId: parentId, grantId }]));
    return { sent, id: await ledger.computeDatasetId(registrant.address, contentHash) };
  };
  const twoUses = async (grantor: typeof holder, productId: string) => {
    const { id } = await grantOn(grantor, productId, user.address, `use of ${productId}`);
    await send(ledger.connect(user).recordUsage(id, UsageAction.Operate, 1n, ZeroHash));
    return send(ledger.connect(user).recordUsage(id, UsageAction.Operate, 1n, nextHash()));
  };
  const g1 = await grantOn(holder, datasetId, company.address, "licence 1");
  const d1 = await deriveUnder(company, datasetId, g1.id);
  const g2 = await grantOn(company, d1.id, bank.address, "licence 2");
  ops.grantOnProduct = await measure(g2.sent, 1, "checks one licence: its state, window, rights, dataset and licensee");
  ops.recordUsageOnProduct = await measure(await twoUses(company, d1.id), 1, "one upstream licence: three more reads");
  const d2 = await deriveUnder(bank, d1.id, g2.id);
  ops.registerDerivedFromProduct = await measure(d2.sent, 1, "inherits one licence: two licence entries, checked as the grant is used");
  const g3 = await grantOn(bank, d2.id, carol.address, "licence 3");
  const d3 = await deriveUnder(carol, d2.id, g3.id);
  ops.recordUsageOnProductDepth3 = await measure(await twoUses(carol, d3.id), 1, "three upstream licences");
  r = await send(ledger.connect(holder).revoke(g1.id));
  ops.revokeLicence = await measure(r, 1, "a grant products rest on: its licence slot follows; every product downstream lapses at once");

  r = await send(ledger.connect(holder).registerVersion(datasetId, nextHash(), nextHash(), 1000n, METADATA_URI, NO_PARENTS));
  ops.registerVersion = await measure(r);
  r = await send(ledger.connect(holder).revoke(grantId0));
  ops.revoke = await measure(r);
  r = await send(ledger.connect(holder).transferHolding(datasetId, other.address));
  ops.transferHolding = await measure(r);
  r = await send(ledger.connect(other).acceptHolding(datasetId));
  ops.acceptHolding = await measure(r);
  r = await send(ledger.connect(other).retire(datasetId));
  ops.retire = await measure(r, 1, "marks the retirement where licence checks look for it: one more new slot");

  // The peer: EAS from its npm package's artifacts.
  const easArtifacts = path.dirname(require.resolve("@ethereum-attestation-service/eas-contracts/package.json"));
  const artifact = async (name: string) => JSON.parse(await readFile(path.join(easArtifacts, "artifacts/contracts", `${name}.sol`, `${name}.json`), "utf8"));
  const registryArtifact = await artifact("SchemaRegistry");
  const easArtifact = await artifact("EAS");
  const registry = await new ContractFactory(registryArtifact.abi, registryArtifact.bytecode, holder).deploy();
  await registry.waitForDeployment();
  const eas = await new ContractFactory(easArtifact.abi, easArtifact.bytecode, holder).deploy(await registry.getAddress());
  await eas.waitForDeployment();
  const schema = "bytes32 contentHash,bytes32 merkleRoot,uint64 recordCount,string metadataURI";
  const schemaReceipt = await (await (registry as any).register(schema, ZeroAddress, true)).wait();
  const schemaUid = registry.interface.parseLog(schemaReceipt.logs[0])!.args.uid as string;
  const attest = () =>
    (eas as any).attest({
      schema: schemaUid,
      data: {
        recipient: ZeroAddress,
        expirationTime: 0n,
        revocable: true,
        refUID: ZeroHash,
        data: AbiCoder.defaultAbiCoder().encode(["bytes32", "bytes32", "uint64", "string"], [nextHash(), nextHash(), 1000n, METADATA_URI]),
        value: 0n,
      },
    });
  await send(attest()); // warms the attester's nonce-free paths the way a steady user sees them
  r = await send(attest());
  ops.easAttest = await measure(r, 1, "EAS stores the attestation struct and its data");
  r = await send((eas as any).timestamp(nextHash()));
  ops.easTimestamp = await measure(r);

  const gasJson = { operations: Object.fromEntries(Object.entries(ops).map(([k, v]) => [k, { gas: v.gas, floor: v.floor }])) };
  await mkdir(path.join(here, "results"), { recursive: true });
  await writeFile(path.join(here, "results/gas.json"), JSON.stringify(gasJson, null, 2) + "\n");

  const rows = Object.entries(ops).map(([name, m]) => `| ${name} | ${m.gas.toLocaleString("en")} | ${m.floor.toLocaleString("en")} | ${(m.gas / m.floor).toFixed(2)} | ${m.slots} | ${m.note ?? ""} |`);
  const table = ["| operation | gas | floor | gas / floor | new slots | note |", "| --- | ---: | ---: | ---: | ---: | --- |", ...rows].join("\n");
  await replaceSection(path.join(here, "README.md"), "gas", table);
  console.log(table);
}

await run();
