/**
 * The ledger's refusals in words: each custom error it reverts with, decoded from an ethers error
 * (at any depth of its cause chain) into one sentence. The CLI, the demo and any client share them.
 */
import type { Interface } from "ethers";

import { causeChain, DplError, type ErrorLike } from "./errors.js";
import { currencyCodeText, LAPSE_REASONS, LAPSE_WORDS, OBJECTION_STATE_NAMES, PURPOSE_CLASS_NAMES, rightNames, roleName, USAGE_ACTION_NAMES } from "./ids.js";

/** The ledger refused a transaction or a call: `errorName` and `args` are its custom error. */
export class LedgerRefusedError extends DplError {
  constructor(
    readonly errorName: string,
    readonly args: unknown[],
    sentence: string,
  ) {
    super("ledger_refused", `the ledger refused: ${sentence}`);
  }
}

const short = (hex: string) => `${hex.slice(0, 10)}…`;
const when = (unix: bigint | number) => new Date(Number(unix) * 1000).toISOString().replace(".000Z", "Z");
const STATES = ["none", "active", "revoked", "renounced", "cancelled"];

/** One sentence for each of the ledger's custom errors. */
// The arguments are the custom error's, decoded by ethers: each sentence knows its own error's types.
// biome-ignore lint/suspicious/noExplicitAny: one table for errors of every signature.
const SENTENCES: Record<string, (a: any[]) => string> = {
  DatasetContentHashZero: () => "a content hash of zero anchors nothing",
  DatasetAlreadyRegistered: ([id]) => `this account already anchored this content as dataset ${id}`,
  DatasetNotFound: ([id]) => `no dataset ${id} is anchored on this ledger`,
  DatasetUnauthorizedAccount: ([id, account]) => `${account} does not hold dataset ${short(id)}`,
  DatasetRetiredAlready: ([id]) => `dataset ${short(id)} is retired`,
  DatasetSuperseded: ([id]) => `dataset ${short(id)} already has a next version`,
  DatasetTooManyParents: ([count, max]) => `a dataset may name at most ${max} parents, not ${count}`,
  DatasetParentDuplicate: ([id]) => `parent ${short(id)} is named twice`,
  DatasetParentIsSelf: ([id]) => `dataset ${short(id)} cannot be its own parent`,
  DatasetTooManyLicences: ([id, max]) => `dataset ${short(id)} would rest on more than ${max} upstream grants; derive from fewer licensed parents`,
  DatasetParentGrantMismatch: ([parent, grant, covered]) => `grant ${short(grant)} covers dataset ${short(covered)}, not the parent ${short(parent)}`,
  HoldingInvalidReceiver: ([id, account]) => `${account} cannot take the holding of dataset ${short(id)}: it is not the account the holding was offered to, or it holds it already`,
  LedgerBatchLength: ([length, max]) => `a batch must carry 1 to ${max} entries, not ${length}`,
  GrantNotFound: ([id]) => `no grant ${id} was issued on this ledger`,
  GrantUnauthorizedAccount: ([id, account]) => `${account} is not the grantee of grant ${short(id)}`,
  GrantNotActive: ([id, state]) => `grant ${short(id)} is ${STATES[Number(state)] ?? "inactive"}`,
  GrantRightsInvalid: ([rights]) => `rights ${rights} are not a non-empty set of use, process and operate`,
  GrantGranteeZero: () => "a grant needs a grantee",
  GrantPurposeEmpty: () => "a grant needs a purpose",
  GrantWindowInvalid: ([from, until, now]) => `the window ${when(from)} to ${when(until)} is reversed or already over (now ${when(now)})`,
  GrantWindowBeyondLicence: ([licence, licenceUntil, until]) =>
    `a grant until ${when(until)} would outlast the licence ${short(licence)} it rests on, which ends ${when(licenceUntil)}; pass --until ${when(licenceUntil)} or earlier`,
  GrantSignatureExpired: ([deadline, now]) => `the signed request could be relayed until ${when(deadline)}; it is now ${when(now)}`,
  GrantSignatureInvalid: ([holder]) => `the signature is not ${holder}'s over this request on this chain and ledger`,
  GrantRequestNonceUsed: ([holder, nonce]) => `${holder} already spent nonce ${nonce}: this request was relayed or cancelled`,
  GrantRequestCounterStale: ([holder]) => `${holder} cancelled all its grant requests after this one was signed; ask for a new signature`,
  GrantRequestHoldingMoved: ([id, signed, now]) => `the holding of dataset ${short(id)} has moved since this request was signed (transfer ${signed}, now ${now}); the current holder must sign anew`,
  ProductLicenceLapsed: ([product, licence, reason]) =>
    `dataset ${short(product)} rests on grant ${short(licence)}, which ${LAPSE_WORDS[LAPSE_REASONS[Number(reason)]] ?? "no longer holds"}: nothing may be granted, used or derived on it any more`,
  ProductLicenseeMismatch: ([product, licence, licensee, account]) => `${account} may not operate dataset ${short(product)}: its licence, grant ${short(licence)}, was given to ${licensee}`,
  ProductLicenceNotOperable: ([product, licence, rights]) =>
    `dataset ${short(product)} may not be licensed to anyone: the grant ${short(licence)} it rests on carries ${rightsText(Number(rights))}, not operate-product`,
  UsageUnitsZero: () => "a use of zero units measures nothing",
  UsageActionReserved: () => "derive is recorded by anchoring a derived dataset (dpl anchor --parent), not by dpl use",
  UsageActionNotAllowed: ([id, action, rights]) => `grant ${short(id)} does not allow ${USAGE_ACTION_NAMES[Number(action)]} (its rights: ${rightsText(Number(rights))})`,
  UsageOutsideWindow: ([id, from, until, now]) => `grant ${short(id)} is valid from ${when(from)} to ${when(until)}; it is now ${when(now)}`,
  UsageQuotaExceeded: ([id, used, quota, units]) => `grant ${short(id)} allows ${quota} units; ${used} used; ${units} requested`,
  MeterZero: () => "the zero address cannot be a meter",
  SettlementUnauthorized: ([holder, account]) => `${account} may not settle the usage of ${holder}: it is neither the holder nor a meter the holder appointed`,
  SettlementEpochSettled: ([holder, epoch]) => `epoch ${epoch} of ${holder} is settled already`,
  SettlementNotHolder: ([grantId, datasetId, holder]) => `grant ${short(grantId)} is on dataset ${short(datasetId)}, which ${holder} does not hold`,
  SettlementReceiptsEmpty: () => "an epoch settles at least one receipt, under a non-zero root",
  FeePurposeUnclassified: () => "fee terms must name the purpose class: public-governance, public-welfare or commercial",
  FeeOnFreePurpose: ([purposeClass]) => `use for ${PURPOSE_CLASS_NAMES[Number(purposeClass)] ?? "this purpose"} is free: a grant for it may carry no fee`,
  FeeCurrencyInvalid: () => "fees need exactly one currency (an ERC-20 token or an ISO 4217 code such as CNY), and free terms none",
  FeePeriodInvalid: () => "a period fee needs a period, and a period a period fee",
  FeePeriodStartPast: ([from, now]) => `periods are billed from the window's start, ${when(from)}, which is past (now ${when(now)}): start a grant with a period fee from now on`,
  FeeCurrencyNotCapped: ([id, token, code]) => `the fees of dataset ${short(id)} are capped in ${currencyText(token, code)}: price its grants in that currency`,
  FeeUnitPriceAboveCap: ([id, price, cap]) => `a unit price of ${price} is above the cap of dataset ${short(id)}, ${cap}`,
  FeePeriodFeeAboveCap: ([id, fee, period, cap]) => `a fee of ${fee} every ${period} s is above the cap of dataset ${short(id)}, ${cap} a day`,
  FeeTermsMismatch: ([id]) => `these are not the fee terms grant ${short(id)} was issued with (or it was issued without terms)`,
  FeesPayableOffChain: ([id]) => `grant ${short(id)}'s fees are in an off-chain currency: pay the holder, who acknowledges the payment`,
  FeePaymentWrongToken: ([id, token, given]) => `grant ${short(id)}'s fees are paid in token ${token}, not ${given}`,
  FeePaymentAmountInvalid: ([id, amount, due]) => `a payment of ${amount} on grant ${short(id)}: ${due} is due now, and a payment may be neither zero nor more`,
  RulingUnauthorized: ([account]) => `${account} is not this ledger's oversight contract: only it carries rulings out`,
  OversightUnauthorizedAccount: ([account, role]) => `${account} may not do this: it lacks the ledger's ${roleName(role)} role`,
  OversightCurrencyInvalid: () => "a cap names at most one currency (an ERC-20 token or an ISO 4217 code), a ceiling exactly one",
  OversightDatasetUnknown: ([id]) => `no dataset ${id} is anchored on this ledger`,
  ObjectionTargetUnknown: ([kind, target]) => `no ${Number(kind) === 0 ? "dataset" : "grant"} ${target} is on this ledger`,
  ObjectionTextEmpty: () => "an objection needs a reason, an answer and a ruling a text",
  ObjectionNotFound: ([id]) => `no objection #${id} was filed`,
  ObjectionClosed: ([id, state]) => `objection #${id} is ${OBJECTION_STATE_NAMES[Number(state)] ?? "closed"}: it can no longer be answered or ruled on`,
  ObjectionAwaitingAnswer: ([id, due]) => `objection #${id} awaits the holder's answer until ${when(due)}`,
  ObjectionUnauthorizedHolder: ([id, holder, account]) => `${account} may not answer objection #${id}: ${holder} holds the dataset it is about`,
  EnforcedPause: () => "the ledger is paused: writes that give or carry rights are stopped until it is unpaused",
  AccessControlUnauthorizedAccount: ([account]) => `${account} may not do this (it lacks the role)`,
  AccessControlEnforcedDefaultAdminRules: () => "the admin role moves only by the two-step handover (begin, wait the delay, accept)",
  AccessControlEnforcedDefaultAdminDelay: ([schedule]) => `the admin handover may be accepted only after ${when(schedule)}`,
  AccessControlInvalidDefaultAdmin: ([account]) => `${account} is not the pending admin`,
};

/** A currency in words: an ISO 4217 code ("CNY"), or "token 0x…". */
export function currencyText(token: string, code: string): string {
  if (/^0x0*$/.test(token)) return currencyCodeText(code);
  return `token ${token}`;
}

/** A bit set of rights in words: "use, process, operate-product", or "none". */
export function rightsText(rights: number): string {
  return rightNames(rights).join(", ") || "none";
}

/** Revert data where ethers and the nodes put it: on the error, in its `data`, or in its `error`. */
function revertDataOf(e: ErrorLike): string | undefined {
  for (const candidate of [e.data, (e.data as ErrorLike | undefined)?.data, (e.error as ErrorLike | undefined)?.data]) if (typeof candidate === "string") return candidate;
  return undefined;
}

/** Finds the ledger's revert data in an ethers error and says it in words, or returns undefined. */
export function decodeRevert(iface: Interface, error: unknown): LedgerRefusedError | undefined {
  for (const e of causeChain(error, 6)) {
    const data = revertDataOf(e);
    if (data && data.length >= 10) {
      try {
        const parsed = iface.parseError(data);
        if (parsed) {
          const args = [...parsed.args];
          return new LedgerRefusedError(parsed.name, args, SENTENCES[parsed.name]?.(args) ?? `${parsed.name}(${args.join(", ")})`);
        }
      } catch {
        // not one of the ledger's errors
      }
    }
  }
  return undefined;
}
