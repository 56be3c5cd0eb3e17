/**
 * Writing to the ledger from TypeScript: one function per action, typed parameters, a result that
 * carries what the transaction created (read from its events), and the ledger's refusals as
 * `LedgerRefusedError`s with a sentence and the custom error's name and arguments.
 */
import { Contract, type ContractRunner, type ContractTransactionResponse, Interface, JsonRpcProvider, type LogDescription, type Signer, type TransactionReceipt, ZeroAddress, ZeroHash } from "ethers";

import { DplError } from "../core/errors.js";
import { GRANT_REQUEST_TYPES, type GrantRequest, grantRequestDomain } from "../core/grant-request.js";
import {
  currencyCodeHex,
  ObjectionTarget,
  oversightAddressOf,
  PURPOSE_CLASS_NAMES,
  type PurposeClassName,
  RIGHT_NAMES,
  type RightName,
  USAGE_ACTION_NAMES,
  type UsageActionName,
} from "../core/ids.js";
import ledgerAbi from "../core/ledger-abi.json" with { type: "json" };
import oversightAbi from "../core/oversight-abi.json" with { type: "json" };
import { decodeRevert, type LedgerRefusedError } from "../core/revert.js";
import { NO_END } from "../core/window.js";
import type { Oversight, ProvenanceLedger } from "../types/ethers-contracts/index.js";

/**
 * The ledger's ABI with its oversight contract's events, errors and functions (the two share no
 * name): one interface reads the logs and the refusals of both.
 */
export const LEDGER_INTERFACE = new Interface([...ledgerAbi, ...oversightAbi.filter((f) => f.type !== "constructor")]);

/** A transaction that did not reach a dpl ledger: nothing lives at the address, or something else does. */
export class NotALedgerError extends DplError {
  constructor(
    readonly address: string,
    readonly txHash: string,
    readonly expected: string,
    readonly nothingThere: boolean,
  ) {
    super(
      nothingThere ? "no_contract" : "not_a_ledger",
      nothingThere ? `no contract lives at ${address}: transaction ${txHash} did nothing` : `${address} is not a dpl ledger: transaction ${txHash} was mined but emitted no ${expected}`,
    );
  }
}

/** A mined transaction: its hash, block and receipt, and the ledger's events it emitted, decoded. */
export interface Mined {
  tx: string;
  block: number;
  receipt: TransactionReceipt;
  events: LogDescription[];
}

export interface LedgerClientOptions {
  /** Hears of each transaction once it is sent, before it is mined. */
  onSent?: (txHash: string) => void;
}

/** A dataset's parent: one you hold (no grant), or one you derive from under your grant on it. */
export interface Parent {
  datasetId: string;
  grantId?: string;
}

/** A grant's terms, as `grant` and `prepareGrantRequest` take them. */
export interface GrantArgs {
  datasetId: string;
  grantee: string;
  rights: RightName[];
  purpose: string;
  /** Unix seconds; default now (0: from the start). */
  validFrom?: number;
  /** Unix seconds, inclusive; default no end. */
  validUntil?: number;
  /** Metered units allowed; 0 (the default) is unlimited. */
  quota?: bigint;
}

/** An epoch of gateway receipts to settle: its root and count, and each grant's total of each action. */
export interface SettlementArgs {
  holder: string;
  epoch: bigint | string;
  receiptsRoot: string;
  receiptCount: number;
  entries: { grantId: string; action: number; units: bigint | string }[];
}

/** A grant's purpose class and fees, as `grantWithTerms`, `payFees` and `feesOf` take them. */
export interface FeeTermsArgs {
  purposeClass: PurposeClassName;
  /** The ERC-20 token fees are paid in through the ledger; omit for an off-chain currency. */
  token?: string;
  /** The ISO 4217 code of an off-chain currency ("CNY"); omit with a token. */
  currencyCode?: string;
  /** In the currency's smallest unit. */
  unitPrice?: bigint;
  periodFee?: bigint;
  /** Seconds. */
  period?: number;
}

/** The terms as the ledger's FeeTerms tuple. */
export function feeTermsTuple(t: FeeTermsArgs) {
  return {
    purposeClass: PURPOSE_CLASS_NAMES.indexOf(t.purposeClass),
    token: t.token ?? ZeroAddress,
    currencyCode: currencyCodeHex(t.currencyCode),
    unitPrice: t.unitPrice ?? 0n,
    periodFee: t.periodFee ?? 0n,
    period: BigInt(t.period ?? 0),
  };
}

/** A signed grant request: anyone may relay it with `grantBySig` until its deadline. */
export interface SignedGrantRequest {
  request: GrantRequest;
  signature: string;
}

/**
 * A provider for the node at `url` that caches nothing: ethers otherwise answers a second
 * transaction's nonce from a cache a quarter of a second old, and an account that sends
 * back-to-back transactions (anchor, then grant) is told "nonce too low".
 */
export function jsonRpcProvider(url: string): JsonRpcProvider {
  return new JsonRpcProvider(url, undefined, { cacheTimeout: -1 });
}

const rightBits = (rights: RightName[]) => rights.reduce((bits, name) => bits | RIGHT_NAMES[name], 0);

/** The ledger at `address`, through `runner`: a Signer to write, a Provider to read. */
export class LedgerClient {
  readonly contract: ProvenanceLedger;
  /** The oversight contract the ledger created: fee caps, revenue ceilings, objections. */
  readonly oversight: Oversight;

  constructor(
    readonly address: string,
    readonly runner: ContractRunner,
    private readonly options: LedgerClientOptions = {},
  ) {
    this.contract = new Contract(address, ledgerAbi, runner) as unknown as ProvenanceLedger;
    this.oversight = new Contract(oversightAddressOf(address), oversightAbi, runner) as unknown as Oversight;
  }

  /**
   * Waits for `sent` to be mined and decodes the ledger's events in it. A transaction to an address
   * that is not the ledger succeeds without doing anything, so the event `expected` must be there.
   */
  async confirm(sent: Promise<ContractTransactionResponse>, expected: string): Promise<Mined> {
    const tx = await refusals(sent);
    this.options.onSent?.(tx.hash);
    const receipt = (await refusals(tx.wait()))!;
    const ours = [this.address.toLowerCase(), oversightAddressOf(this.address)];
    const events = receipt.logs
      .filter((l) => ours.includes(l.address.toLowerCase()))
      .map((l) => LEDGER_INTERFACE.parseLog(l))
      .filter((e): e is LogDescription => e !== null);
    if (!events.some((e) => e.name === expected)) {
      const code = await this.contract.runner!.provider!.getCode(this.address);
      throw new NotALedgerError(this.address, tx.hash, expected, code === "0x");
    }
    return { tx: tx.hash, block: receipt.blockNumber, receipt, events };
  }

  /** Anchors a dataset: its content hash, Merkle root and record count, and what it derives from. */
  async anchor(args: { contentHash: string; merkleRoot: string; recordCount: bigint | number; metadataURI?: string; parents?: Parent[] }): Promise<Mined & { datasetId: string }> {
    const parents = (args.parents ?? []).map((p) => ({ datasetId: p.datasetId, grantId: p.grantId ?? ZeroHash }));
    const mined = await this.confirm(this.contract.register(args.contentHash, args.merkleRoot, BigInt(args.recordCount), args.metadataURI ?? "", parents), "DatasetRegistered");
    return { ...mined, datasetId: eventArgs(mined, "DatasetRegistered").datasetId };
  }

  /** Grants rights on a dataset the signer holds. */
  async grant(args: GrantArgs): Promise<Mined & { grantId: string }> {
    const mined = await this.confirm(
      this.contract.grant(args.datasetId, args.grantee, rightBits(args.rights), args.purpose, args.validFrom ?? 0, args.validUntil ?? NO_END, args.quota ?? 0n),
      "GrantIssued",
    );
    return { ...mined, grantId: eventArgs(mined, "GrantIssued").grantId };
  }

  /**
   * The request a holder signs for `grantBySig`, bound to the dataset's holding as it is now and to
   * the holder's request counter; `nonce` is any number not used before (default: a random one).
   */
  async prepareGrantRequest(holder: string, args: GrantArgs & { deadline: number; nonce?: bigint }): Promise<GrantRequest> {
    const nonce = args.nonce ?? BigInt(`0x${Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("hex")}`);
    return {
      holder,
      datasetId: args.datasetId,
      transfers: (await this.contract.datasetOf(args.datasetId)).transfers,
      grantee: args.grantee,
      rights: rightBits(args.rights),
      purpose: args.purpose,
      validFrom: BigInt(args.validFrom ?? 0),
      validUntil: BigInt(args.validUntil ?? NO_END),
      quota: args.quota ?? 0n,
      counter: await this.contract.grantRequestCounter(holder),
      nonce,
      deadline: BigInt(args.deadline),
    };
  }

  /** Signs `request` with EIP-712 for this ledger on `signer`'s chain. */
  async signGrantRequest(signer: Signer, request: GrantRequest): Promise<SignedGrantRequest> {
    const { chainId } = await signer.provider!.getNetwork();
    return { request, signature: await signer.signTypedData(grantRequestDomain(chainId, this.address), GRANT_REQUEST_TYPES, request) };
  }

  /** Grants as `grant` does, with a purpose class and fees (within the dataset's cap, if the authority set one). */
  async grantWithTerms(args: GrantArgs & { terms: FeeTermsArgs }): Promise<Mined & { grantId: string }> {
    const mined = await this.confirm(
      this.contract.grantWithTerms(args.datasetId, args.grantee, rightBits(args.rights), args.purpose, args.validFrom ?? 0, args.validUntil ?? NO_END, args.quota ?? 0n, feeTermsTuple(args.terms)),
      "GrantFeeTerms",
    );
    return { ...mined, grantId: eventArgs(mined, "GrantIssued").grantId };
  }

  /** What a priced grant owes now and what was paid, as the ledger computes it. */
  async feesOf(grantId: string, terms: FeeTermsArgs): Promise<{ owed: bigint; paid: bigint }> {
    const [owed, paid] = await refusals(this.contract.feesOf(grantId, feeTermsTuple(terms)));
    return { owed, paid };
  }

  /** Pays `amount` of the grant's token towards what it owes (the signer must have approved the ledger). */
  payFees(grantId: string, terms: FeeTermsArgs, amount: bigint): Promise<Mined> {
    return this.confirm(this.contract.payFees(grantId, feeTermsTuple(terms), terms.token ?? ZeroAddress, amount), "FeesPaid");
  }

  /** As the holder, acknowledges `amount` paid off the ledger; `paymentRef` is the holder's reference (a hash). */
  acknowledgeFees(grantId: string, terms: FeeTermsArgs, amount: bigint, paymentRef = ZeroHash): Promise<Mined> {
    return this.confirm(this.contract.acknowledgeFees(grantId, feeTermsTuple(terms), amount, paymentRef), "FeesAcknowledged");
  }

  /** As the authority, caps the fees of grants on `datasetId` (no currency: lifts the cap). */
  setFeeCap(datasetId: string, cap: { token?: string; currencyCode?: string; maxUnitPrice: bigint; maxDailyFee: bigint }): Promise<Mined> {
    const { token, currencyCode } = feeTermsTuple({ purposeClass: "commercial", ...cap });
    return this.confirm(this.oversight.setFeeCap(datasetId, { token, currencyCode, maxUnitPrice: cap.maxUnitPrice, maxDailyFee: cap.maxDailyFee }), "FeeCapSet");
  }

  /** As the authority, sets `operator`'s revenue ceiling for `year` (UTC+8). */
  setRevenueCeiling(operator: string, year: number, ceiling: { token?: string; currencyCode?: string; amount: bigint }): Promise<Mined> {
    const { token, currencyCode } = feeTermsTuple({ purposeClass: "commercial", ...ceiling });
    return this.confirm(this.oversight.setRevenueCeiling(operator, year, token, currencyCode, ceiling.amount), "RevenueCeilingSet");
  }

  /** Objects to a dataset's registration or to a grant; returns the objection's number. */
  async fileObjection(target: { dataset: string } | { grant: string }, reason: string, evidenceHash = ZeroHash): Promise<Mined & { objectionId: bigint }> {
    const [kind, id] = "dataset" in target ? [ObjectionTarget.Dataset, target.dataset] : [ObjectionTarget.Grant, target.grant];
    const mined = await this.confirm(this.oversight.fileObjection(kind, id, reason, evidenceHash), "ObjectionFiled");
    return { ...mined, objectionId: eventArgs(mined, "ObjectionFiled").objectionId };
  }

  /** As the holder of the target's dataset, answers an objection. */
  answerObjection(objectionId: bigint, answer: string, evidenceHash = ZeroHash): Promise<Mined> {
    return this.confirm(this.oversight.answerObjection(objectionId, answer, evidenceHash), "ObjectionAnswered");
  }

  /** As an arbiter, rules on an objection; upheld, the ledger cancels its target. */
  ruleOnObjection(objectionId: bigint, upheld: boolean, ruling: string): Promise<Mined> {
    return this.confirm(this.oversight.ruleOnObjection(objectionId, upheld, ruling), "ObjectionRuled");
  }

  /** Relays a signed grant request: from any account, the grant is the holder's. */
  async grantBySig(signed: SignedGrantRequest): Promise<Mined & { grantId: string }> {
    const mined = await this.confirm(this.contract.grantBySig(signed.request, signed.signature), "GrantIssued");
    return { ...mined, grantId: eventArgs(mined, "GrantIssued").grantId };
  }

  /** Records a metered use under a grant the signer holds; `outputRef` names what it produced. */
  async use(args: { grantId: string; action: Exclude<UsageActionName, "derive">; units: bigint | number; outputRef?: string }): Promise<Mined & { datasetId: string }> {
    const mined = await this.confirm(this.contract.recordUsage(args.grantId, USAGE_ACTION_NAMES.indexOf(args.action), BigInt(args.units), args.outputRef ?? ZeroHash), "UsageRecorded");
    return { ...mined, datasetId: eventArgs(mined, "UsageRecorded").datasetId };
  }

  /** Revokes a grant on a dataset the signer holds: every use, grant and product downstream stops. */
  revoke(grantId: string): Promise<Mined> {
    return this.confirm(this.contract.revoke(grantId), "GrantRevoked");
  }

  /** Lets `meter` settle the usage of the datasets the signer holds (its gateway's signing account). */
  appointMeter(meter: string): Promise<Mined> {
    return this.confirm(this.contract.appointMeter(meter), "MeterAppointed");
  }

  /** Stops `meter` settling for the signer. */
  dismissMeter(meter: string): Promise<Mined> {
    return this.confirm(this.contract.dismissMeter(meter), "MeterDismissed");
  }

  /**
   * Settles `holder`'s epoch of gateway receipts (the signer is the holder or its meter). With
   * `dryRun`, only asks the ledger whether it would accept it: its refusal, in words, is thrown.
   */
  async settleUsage(args: SettlementArgs, dryRun = false): Promise<Mined | undefined> {
    const entries = args.entries.map((e) => ({ grantId: e.grantId, action: e.action, units: BigInt(e.units) }));
    const call = [args.holder, BigInt(args.epoch), args.receiptsRoot, args.receiptCount, entries] as const;
    if (dryRun) {
      await refusals(this.contract.settleUsage.staticCall(...call));
      return undefined;
    }
    return this.confirm(this.contract.settleUsage(...call), "EpochSettled");
  }

  /** Whether `holder`'s epoch is settled on chain. */
  isEpochSettled(holder: string, epoch: bigint | string): Promise<boolean> {
    return this.contract.isEpochSettled(holder, BigInt(epoch));
  }

  /** Whether `account` may settle `holder`'s usage (it is the holder or a meter the holder appointed). */
  isMeter(holder: string, account: string): Promise<boolean> {
    return this.contract.isMeter(holder, account);
  }

  /** Whether `user` could record this use now, and if not, the ledger's refusal (nothing is sent). */
  async canUse(grantId: string, user: string, action: UsageActionName, units: bigint | number): Promise<{ allowed: true } | { allowed: false; refusal: LedgerRefusedError | undefined; data: string }> {
    const [allowed, data] = await this.contract.canUse(grantId, user, USAGE_ACTION_NAMES.indexOf(action), BigInt(units));
    return allowed ? { allowed: true } : { allowed: false, refusal: decodeRevert(LEDGER_INTERFACE, { data }), data };
  }
}

/** The arguments of the first event `name` of a mined transaction (`confirm` made sure there is one). */
export function eventArgs(mined: Mined, name: string): LogDescription["args"] {
  return mined.events.find((e) => e.name === name)!.args;
}

/** `pending`, with the ledger's custom error, when it reverts with one, as a LedgerRefusedError. */
async function refusals<T>(pending: Promise<T>): Promise<T> {
  try {
    return await pending;
  } catch (error) {
    throw decodeRevert(LEDGER_INTERFACE, error) ?? error;
  }
}
