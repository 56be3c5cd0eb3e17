/**
 * Shared fixtures: a fresh ledger with named accounts, and small builders for the values tests pass.
 * Each test file creates its own in-process chain with `network.create()`.
 */
import type { HardhatEthers, HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { type ContractTransactionResponse, ZeroHash } from "ethers";
import { createHash } from "node:crypto";

import type { GrantRequest } from "../../core/grant-request.js";
import { currencyCodeHex, PurposeClass, Rights } from "../../core/ids.js";
import { NO_END } from "../../core/window.js";
import type { Oversight, ProvenanceLedger, TestToken } from "../../types/ethers-contracts/index.js";

export interface LedgerFixture {
  ledger: ProvenanceLedger;
  address: string;
  admin: HardhatEthersSigner;
  holder: HardhatEthersSigner;
  grantee: HardhatEthersSigner;
  stranger: HardhatEthersSigner;
  other: HardhatEthersSigner;
  signers: HardhatEthersSigner[];
}

/** The delay before a scheduled admin handover can be accepted, in the ledgers tests deploy (3 days). */
export const ADMIN_DELAY = 3n * 86_400n;

/** The oversight contract `ledger` created. */
export async function oversightOf(ethers: HardhatEthers, ledger: ProvenanceLedger): Promise<Oversight> {
  return (await ethers.getContractAt("Oversight", await ledger.oversight())) as unknown as Oversight;
}

/** A fresh TestToken, with `amount` minted to each of `holders` and the ledger approved to spend it. */
export async function deployToken(ethers: HardhatEthers, ledger: ProvenanceLedger, holders: HardhatEthersSigner[], amount = 10n ** 24n): Promise<TestToken> {
  const token = (await ethers.deployContract("TestToken", ["Test yuan", "TCNY"])) as unknown as TestToken;
  for (const h of holders) {
    await token.mint(h.address, amount);
    await token.connect(h).approve(await ledger.getAddress(), amount);
  }
  return token;
}

/** Fee terms as the ledger takes them (IGrantFees.FeeTerms); free commercial terms unless told. */
export interface FeeTermsInput {
  purposeClass: number;
  token: string;
  currencyCode: string;
  unitPrice: bigint;
  periodFee: bigint;
  period: bigint;
}

const NO_ADDRESS = "0x0000000000000000000000000000000000000000";

/** An ISO 4217 code as the ledger's bytes3. */
export const currency = (code: string) => currencyCodeHex(code);
export const NO_CURRENCY = currencyCodeHex(undefined);

export function feeTerms(terms: Partial<FeeTermsInput> = {}): FeeTermsInput {
  return { purposeClass: PurposeClass.Commercial, token: NO_ADDRESS, currencyCode: NO_CURRENCY, unitPrice: 0n, periodFee: 0n, period: 0n, ...terms };
}

export async function deployLedger(ethers: HardhatEthers): Promise<LedgerFixture> {
  const signers = await ethers.getSigners();
  const [admin, holder, grantee, stranger, other] = signers;
  const ledger = (await ethers.deployContract("ProvenanceLedger", [ADMIN_DELAY, admin.address])) as unknown as ProvenanceLedger;
  await ledger.waitForDeployment();
  return { ledger, address: await ledger.getAddress(), admin, holder, grantee, stranger, other, signers };
}

/** SHA-256 of `text`, as a 0x-prefixed bytes32: what `sha256sum` prints for a file with those bytes. */
export function sha256(text: string | Uint8Array): string {
  return "0x" + createHash("sha256").update(text).digest("hex");
}

export const METADATA_URI = "ipfs://bafybeigdyrzt5sfp7udm7hu76uh7y26nf3efuylqabf3oclgtqy55fbzdi";
export const ZERO_HASH = ZeroHash;
export const NO_PARENTS: { datasetId: string; grantId: string }[] = [];

/** The id returned by a transaction: read from the event the ledger emitted. */
export async function eventArg(ledger: ProvenanceLedger, tx: Promise<ContractTransactionResponse> | ContractTransactionResponse, eventName: string, arg: string): Promise<string> {
  const receipt = await (await tx).wait();
  for (const log of receipt!.logs) {
    const parsed = ledger.interface.parseLog(log);
    if (parsed?.name === eventName) return parsed.args[arg];
  }
  throw new Error(`no ${eventName} event`);
}

/** A far-future bound for grant windows that a test does not care about. */
export const FOREVER = BigInt(NO_END);

/** A grant request for the use right, open forever, counter and nonce 0: tests change what they test. */
export function useRequest(holder: string, datasetId: string, grantee: string, purpose: string): GrantRequest {
  return { holder, datasetId, transfers: 0n, grantee, rights: Rights.USE, purpose, validFrom: 0n, validUntil: FOREVER, quota: 0n, counter: 0n, nonce: 0n, deadline: FOREVER };
}

/** Anchors a dataset named `label` for `signer` and returns its id and hashes. */
export async function registerDataset(ledger: ProvenanceLedger, signer: HardhatEthersSigner, label: string, parents = NO_PARENTS): Promise<{ id: string; contentHash: string; merkleRoot: string }> {
  const contentHash = sha256(`content of ${label}`);
  const merkleRoot = sha256(`root of ${label}`);
  const tx = await ledger.connect(signer).register(contentHash, merkleRoot, 10n, METADATA_URI, parents);
  await tx.wait();
  return { id: await ledger.computeDatasetId(signer.address, contentHash), contentHash, merkleRoot };
}

export interface GrantOptions {
  rights?: number;
  purpose?: string;
  validFrom?: bigint;
  validUntil?: bigint;
  quota?: bigint;
}

/** Issues a grant from `holder` on `datasetId` to `grantee` and returns its id. */
export async function issueGrant(ledger: ProvenanceLedger, holder: HardhatEthersSigner, datasetId: string, grantee: string, options: GrantOptions = {}): Promise<string> {
  const tx = ledger
    .connect(holder)
    .grant(datasetId, grantee, options.rights ?? 7, options.purpose ?? "traffic forecasting", options.validFrom ?? 0n, options.validUntil ?? FOREVER, options.quota ?? 100n);
  return eventArg(ledger, tx, "GrantIssued", "grantId");
}
