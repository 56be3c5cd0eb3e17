/**
 * The ledger's refusals in words: each custom error it reverts with, decoded from an ethers error
 * (at any depth of its cause chain) into one sentence, in English or Chinese (catalogue keys
 * `revert.*`). The CLI, the demo and any client share them.
 */
import type { Interface } from "ethers";

import { causeChain, DplError, type ErrorLike } from "./errors.js";
import { english, type MessageKey, type MessageValues, type Translator } from "./i18n/translate.js";
import { currencyCodeText, LAPSE_REASONS, OBJECTION_STATE_NAMES, PURPOSE_CLASS_NAMES, rightNames, roleName, USAGE_ACTION_NAMES } from "./ids.js";

/** The ledger refused a transaction or a call: `errorName` and `args` are its custom error. Its message is English; `refusalSentence` says it in another language. */
export class LedgerRefusedError extends DplError {
  constructor(
    readonly errorName: string,
    readonly args: unknown[],
  ) {
    super("ledger_refused", english.t("revert.refused", { sentence: refusalSentence(errorName, args) }));
  }
}

const short = (hex: string) => `${hex.slice(0, 10)}…`;
const when = (unix: bigint | number) => new Date(Number(unix) * 1000).toISOString().replace(".000Z", "Z");
const STATES = ["none", "active", "revoked", "renounced", "cancelled"];

/**
 * The placeholders of each custom error's sentence (catalogue key `revert.<ErrorName>`), from its
 * arguments as ethers decodes them: each entry knows its own error's types. Ids are shortened,
 * times written as ISO 8601 (a CLI user may paste them into --until), names kept as the CLI spells them.
 */
// biome-ignore lint/suspicious/noExplicitAny: one table for errors of every signature.
const PLACEHOLDERS: Record<string, (a: any[], tr: Translator) => MessageValues> = {
  DatasetContentHashZero: () => ({}),
  DatasetAlreadyRegistered: ([id]) => ({ id }),
  DatasetNotFound: ([id]) => ({ id }),
  DatasetUnauthorizedAccount: ([id, account]) => ({ account, id: short(id) }),
  DatasetRetiredAlready: ([id]) => ({ id: short(id) }),
  DatasetSuperseded: ([id]) => ({ id: short(id) }),
  DatasetTooManyParents: ([count, max]) => ({ count, max }),
  DatasetParentDuplicate: ([id]) => ({ id: short(id) }),
  DatasetParentIsSelf: ([id]) => ({ id: short(id) }),
  DatasetTooManyLicences: ([id, max]) => ({ id: short(id), max }),
  DatasetParentGrantMismatch: ([parent, grant, covered]) => ({ grant: short(grant), covered: short(covered), parent: short(parent) }),
  HoldingInvalidReceiver: ([id, account]) => ({ account, id: short(id) }),
  LedgerBatchLength: ([length, max]) => ({ length, max }),
  GrantNotFound: ([id]) => ({ id }),
  GrantUnauthorizedAccount: ([id, account]) => ({ account, id: short(id) }),
  GrantNotActive: ([id, state], tr) => ({ id: short(id), state: tr.name("status", STATES[Number(state)] ?? "inactive") }),
  GrantRightsInvalid: ([rights]) => ({ rights }),
  GrantGranteeZero: () => ({}),
  GrantPurposeEmpty: () => ({}),
  GrantWindowInvalid: ([from, until, now]) => ({ from: when(from), until: when(until), now: when(now) }),
  GrantWindowBeyondLicence: ([licence, licenceUntil, until]) => ({ until: when(until), licence: short(licence), licenceUntil: when(licenceUntil) }),
  GrantSignatureExpired: ([deadline, now]) => ({ deadline: when(deadline), now: when(now) }),
  GrantSignatureInvalid: ([holder]) => ({ holder }),
  GrantRequestNonceUsed: ([holder, nonce]) => ({ holder, nonce }),
  GrantRequestCounterStale: ([holder]) => ({ holder }),
  GrantRequestHoldingMoved: ([id, signed, now]) => ({ id: short(id), signed, now }),
  ProductLicenceLapsed: ([product, licence, reason], tr) => {
    const name = LAPSE_REASONS[Number(reason)];
    return { product: short(product), licence: short(licence), lapse: name ? tr.t(`lapse.${name}`) : tr.t("revert.noLongerHolds") };
  },
  ProductLicenseeMismatch: ([product, licence, licensee, account]) => ({ account, product: short(product), licence: short(licence), licensee }),
  ProductLicenceNotOperable: ([product, licence, rights], tr) => ({ product: short(product), licence: short(licence), rights: rightsText(Number(rights), tr) }),
  UsageUnitsZero: () => ({}),
  UsageActionReserved: () => ({}),
  UsageActionNotAllowed: ([id, action, rights], tr) => ({ id: short(id), action: USAGE_ACTION_NAMES[Number(action)] ?? String(action), rights: rightsText(Number(rights), tr) }),
  UsageOutsideWindow: ([id, from, until, now]) => ({ id: short(id), from: when(from), until: when(until), now: when(now) }),
  UsageQuotaExceeded: ([id, used, quota, units]) => ({ id: short(id), quota, used, units }),
  MeterZero: () => ({}),
  SettlementUnauthorized: ([holder, account]) => ({ account, holder }),
  SettlementEpochSettled: ([holder, epoch]) => ({ epoch, holder }),
  SettlementNotHolder: ([grantId, datasetId, holder]) => ({ grant: short(grantId), dataset: short(datasetId), holder }),
  SettlementReceiptsEmpty: () => ({}),
  FeePurposeUnclassified: () => ({}),
  FeeOnFreePurpose: ([purposeClass], tr) => ({ purpose: PURPOSE_CLASS_NAMES[Number(purposeClass)] ?? tr.t("revert.thisPurpose") }),
  FeeCurrencyInvalid: () => ({}),
  FeePeriodInvalid: () => ({}),
  FeePeriodStartPast: ([from, now]) => ({ from: when(from), now: when(now) }),
  FeeCurrencyNotCapped: ([id, token, code], tr) => ({ id: short(id), currency: currencyText(token, code, tr) }),
  FeeUnitPriceAboveCap: ([id, price, cap]) => ({ price, id: short(id), cap }),
  FeePeriodFeeAboveCap: ([id, fee, period, cap]) => ({ fee, period, id: short(id), cap }),
  FeeTermsMismatch: ([id]) => ({ id: short(id) }),
  FeesPayableOffChain: ([id]) => ({ id: short(id) }),
  FeePaymentWrongToken: ([id, token, given]) => ({ id: short(id), token, given }),
  FeePaymentAmountInvalid: ([id, amount, due]) => ({ amount, id: short(id), due }),
  RulingUnauthorized: ([account]) => ({ account }),
  OversightUnauthorizedAccount: ([account, role]) => ({ account, role: roleName(role) }),
  OversightCurrencyInvalid: () => ({}),
  OversightDatasetUnknown: ([id]) => ({ id }),
  ObjectionTargetUnknown: ([kind, target]) => ({ kind: Number(kind) === 0 ? "dataset" : "grant", target }),
  ObjectionTextEmpty: () => ({}),
  ObjectionNotFound: ([id]) => ({ id }),
  ObjectionClosed: ([id, state], tr) => ({ id, state: tr.name("status", OBJECTION_STATE_NAMES[Number(state)] ?? "closed") }),
  ObjectionAwaitingAnswer: ([id, due]) => ({ id, due: when(due) }),
  ObjectionUnauthorizedHolder: ([id, holder, account]) => ({ account, id, holder }),
  EnforcedPause: () => ({}),
  AccessControlUnauthorizedAccount: ([account]) => ({ account }),
  AccessControlEnforcedDefaultAdminRules: () => ({}),
  AccessControlEnforcedDefaultAdminDelay: ([schedule]) => ({ schedule: when(schedule) }),
  AccessControlInvalidDefaultAdmin: ([account]) => ({ account }),
  AccessControlBadConfirmation: () => ({}),
  ExpectedPause: () => ({}),
  RootPagesWriteFailed: () => ({}),
  SafeCastOverflowedUintDowncast: ([bits, value]) => ({ bits, value }),
  SafeERC20FailedOperation: ([token]) => ({ token }),
  InvalidShortString: () => ({}),
  StringTooLong: ([text]) => ({ text }),
};

/** The ledger's refusal `errorName(args)` in one sentence, in `tr`'s language. */
export function refusalSentence(errorName: string, args: readonly unknown[], tr: Translator = english): string {
  const placeholders = PLACEHOLDERS[errorName];
  return placeholders ? tr.t(`revert.${errorName}` as MessageKey, placeholders([...args], tr)) : `${errorName}(${args.join(", ")})`;
}

/** A currency in words: an ISO 4217 code ("CNY"), or "token 0x…". */
export function currencyText(token: string, code: string, tr: Translator = english): string {
  if (/^0x0*$/.test(token)) return currencyCodeText(code);
  return tr.t("revert.token", { token });
}

/** A bit set of rights as the CLI names them: "use, process, operate-product", or "none". */
export function rightsText(rights: number, tr: Translator = english): string {
  return rightNames(rights).join(", ") || tr.t("right.none");
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
          return new LedgerRefusedError(parsed.name, args);
        }
      } catch {
        // not one of the ledger's errors
      }
    }
  }
  return undefined;
}
