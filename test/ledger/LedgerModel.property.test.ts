/**
 * The invariant campaign: random sequences of register / derive / version / grant / sign / relay /
 * cancel / use / revoke / renounce / transfer / accept / retire / priced grants / caps / payments /
 * acknowledgements / objections, answers and rulings / time jumps run against the deployed
 * ledger and against a plain TypeScript model of the rules, written here from README's rules and not
 * from the contract's code. After every step: the outcome agrees (success with the model's events,
 * or the model's custom error with its arguments), and the status of every grant is the same in the
 * contract (grantStatus), in the API (the reducer and views over the same events) and in the model.
 * After every sequence: every grant and dataset (licences included) equals the model; used <= quota;
 * nonces and counters equal the model; and the state rebuilt from the emitted events alone equals
 * the contract's views. After every step, too, each priced grant owes what the model's sum of its
 * units and periods says (feesOf), never less than was paid, and never anything on a free class.
 *
 * Operations lean towards the deepest licensed datasets, so that sequences build lineages several
 * licences deep, and signed requests are signed into a pool and relayed later, in any order, across
 * transfers and cancellations. DPL_PROPERTY_RUNS sequences (200) of DPL_INVARIANT_CALLS calls each
 * (20 to 80 by default; `npm run test:faults` runs 1,000 of 100, from a random seed); DPL_PROPERTY_SEED replays a failure.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionResponse, Log, TypedDataDomain } from "ethers";
import { Interface, ZeroAddress, ZeroHash } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { type GrantRequest, grantRequestDomain, GRANT_REQUEST_TYPES } from "../../core/grant-request.js";
import { datasetId as computeDatasetId, grantId as computeGrantId, GrantState, LicenceLapse, ObjectionTarget, PurposeClass, UsageAction } from "../../core/ids.js";
import ledgerAbi from "../../core/ledger-abi.json" with { type: "json" };
import oversightAbi from "../../core/oversight-abi.json" with { type: "json" };
import type { Oversight, ProvenanceLedger } from "../../types/ethers-contracts/index.js";
import { owedByRules } from "../helpers/fee-model.js";
import { currency, deployLedger, deployToken, type FeeTermsInput, NO_CURRENCY, oversightOf, sha256 } from "../helpers/fixtures.js";
import { type Mirror, openMirror } from "../helpers/mirror.js";
import { testSeed } from "../helpers/seed.js";

const { ethers, networkHelpers } = await network.create();

const RUNS = Number(process.env.DPL_PROPERTY_RUNS ?? 200);
/** The campaign's seed: fixed unless DPL_PROPERTY_SEED says otherwise ("random", or a seed to replay). */
const SEED = testSeed(1);
const CALLS = process.env.DPL_INVARIANT_CALLS ? Number(process.env.DPL_INVARIANT_CALLS) : undefined;
const PURPOSE = "model purpose";
const URI = "data:,m";
const MAX_LICENCES = 32;
const OPERATE = 4;
/** Nonces are drawn from a small range, so that relays and cancellations meet spent ones. */
const NONCES = 6;

// ---- the model -------------------------------------------------------------------------------

interface MLicence {
  grantId: string;
  direct: boolean;
}

interface MDataset {
  id: string;
  holder: string;
  pending: string;
  retired: boolean;
  superseded: boolean;
  transfers: bigint;
  licences: MLicence[];
}

interface MGrant {
  id: string;
  datasetId: string;
  grantee: string;
  rights: number;
  validFrom: bigint;
  validUntil: bigint;
  quota: bigint;
  used: bigint;
  state: GrantState;
  /** For a grant issued with terms: the terms, what was paid, and when it ended. */
  fees?: { terms: FeeTermsInput; paid: bigint; endedAt?: bigint };
}

interface MObjection {
  id: bigint;
  kind: ObjectionTarget;
  target: string;
  state: "open" | "answered" | "upheld" | "rejected";
  answerDue: bigint;
}

interface MCap {
  token: string;
  currencyCode: string;
  maxUnitPrice: bigint;
  maxDailyFee: bigint;
}

interface Model {
  time: bigint;
  datasets: MDataset[];
  grants: MGrant[];
  /** Each holder's request counter (zero until it cancels all; then whatever the ledger drew). */
  counters: Map<string, bigint>;
  /** Each holder's spent nonces. */
  spent: Map<string, Set<bigint>>;
  /** Signed requests not yet relayed (or relayed: a relay may be tried again), with who signed. */
  requests: { request: GrantRequest; signer: HardhatEthersSigner }[];
  /** Each holder's appointed meters. */
  meters: Map<string, Set<string>>;
  /** Each holder's settled epochs. */
  settled: Map<string, Set<bigint>>;
  /** The authority's fee caps in force, by dataset. */
  caps: Map<string, MCap>;
  objections: MObjection[];
}

type Events = { name: string; args: unknown[] }[];
/** A predicted outcome: the custom error with its arguments, or the events in emission order. */
type Outcome = { error: string; args: unknown[] } | { events: Events; apply: (emitted: Events) => void };

const fail = (error: string, ...args: unknown[]): Outcome => ({ error, args });
const findDataset = (model: Model, id: string) => model.datasets.find((d) => d.id === id);
const findGrant = (model: Model, id: string) => model.grants.find((g) => g.id === id);
const spentOf = (model: Model, holder: string) => model.spent.get(holder) ?? new Set<bigint>();

/** The first licence of `d` that no longer holds, as the error a use, grant or derivation gets. */
function lapse(model: Model, d: MDataset): Outcome | undefined {
  for (const { grantId } of d.licences) {
    const l = findGrant(model, grantId)!;
    if (l.state === GrantState.Revoked) return fail("ProductLicenceLapsed", d.id, grantId, LicenceLapse.Revoked);
    if (l.state === GrantState.Renounced) return fail("ProductLicenceLapsed", d.id, grantId, LicenceLapse.Renounced);
    if (l.state === GrantState.Cancelled) return fail("ProductLicenceLapsed", d.id, grantId, LicenceLapse.Cancelled);
    if (model.time > l.validUntil) return fail("ProductLicenceLapsed", d.id, grantId, LicenceLapse.Expired);
    if (findDataset(model, l.datasetId)!.retired) return fail("ProductLicenceLapsed", d.id, grantId, LicenceLapse.DatasetRetired);
  }
  return undefined;
}

/** Whoever builds on `d` as its holder (derives from it, versions it) needs its licence to hold and be theirs. */
function licensedTo(model: Model, d: MDataset, account: string): Outcome | undefined {
  const lapsed = lapse(model, d);
  if (lapsed) return lapsed;
  for (const l of d.licences) {
    const licensee = findGrant(model, l.grantId)!.grantee;
    if (l.direct && licensee !== account) return fail("ProductLicenseeMismatch", d.id, l.grantId, licensee, account);
  }
  return undefined;
}

const RIGHT_FOR: Record<UsageAction, number> = { [UsageAction.Use]: 1, [UsageAction.Process]: 2, [UsageAction.Derive]: 2, [UsageAction.Operate]: 4 };

/** The checks of a use, in the order README gives them. */
function predictUse(model: Model, grantId: string, user: string, action: UsageAction, units: bigint, outputRef: string): Outcome {
  if (units === 0n) return fail("UsageUnitsZero");
  const g = findGrant(model, grantId);
  if (!g) return fail("GrantNotFound", grantId);
  if (g.grantee !== user) return fail("GrantUnauthorizedAccount", grantId, user);
  if (g.state !== GrantState.Active) return fail("GrantNotActive", grantId, g.state);
  if (model.time < g.validFrom || model.time > g.validUntil) return fail("UsageOutsideWindow", grantId, g.validFrom, g.validUntil, model.time);
  if ((g.rights & RIGHT_FOR[action]) === 0) return fail("UsageActionNotAllowed", grantId, action, g.rights);
  const dataset = findDataset(model, g.datasetId)!;
  if (dataset.retired) return fail("DatasetRetiredAlready", dataset.id);
  const lapsed = lapse(model, dataset);
  if (lapsed) return lapsed;
  if (g.quota !== 0n && g.used + units > g.quota) return fail("UsageQuotaExceeded", grantId, g.used, g.quota, units);
  return { events: [{ name: "UsageRecorded", args: [grantId, g.datasetId, user, action, units, outputRef] }], apply: () => void (g.used += units) };
}

/**
 * Predicts a settlement of `holder`'s `epoch` sent by `caller`, written from IMeterSettlement's rules:
 * the caller, the entries' count, the root, the epoch; then each entry in turn, quotas on the running
 * totals; all or nothing.
 */
function predictSettle(model: Model, caller: string, holder: string, epoch: bigint, root: string, receipts: number, entries: { grantId: string; action: UsageAction; units: bigint }[]): Outcome {
  if (caller !== holder && !model.meters.get(holder)?.has(caller)) return fail("SettlementUnauthorized", holder, caller);
  if (receipts === 0) return fail("SettlementReceiptsEmpty");
  if (model.settled.get(holder)?.has(epoch)) return fail("SettlementEpochSettled", holder, epoch);
  const total = entries.reduce((sum, e) => sum + e.units, 0n);
  const events: Events = [{ name: "EpochSettled", args: [holder, epoch, caller, root, receipts, entries.length, total] }];
  const used = new Map<string, bigint>();
  for (const { grantId, action, units } of entries) {
    if (action === UsageAction.Derive) return fail("UsageActionReserved", action);
    if (units === 0n) return fail("UsageUnitsZero");
    const g = findGrant(model, grantId);
    if (!g) return fail("GrantNotFound", grantId);
    if (findDataset(model, g.datasetId)!.holder !== holder) return fail("SettlementNotHolder", grantId, g.datasetId, holder);
    if ((g.rights & RIGHT_FOR[action]) === 0) return fail("UsageActionNotAllowed", grantId, action, g.rights);
    const before = used.get(grantId) ?? g.used;
    if (g.quota !== 0n && before + units > g.quota) return fail("UsageQuotaExceeded", grantId, before, g.quota, units);
    used.set(grantId, before + units);
    events.push({ name: "UsageRecorded", args: [grantId, g.datasetId, g.grantee, action, units, root] });
  }
  return {
    events,
    apply: () => {
      for (const [grantId, total] of used) findGrant(model, grantId)!.used = total;
      model.settled.set(holder, new Set([...(model.settled.get(holder) ?? []), epoch]));
    },
  };
}

/** A grant's status, by the same checks: what grantStatus, the API and this model must all say. */
function modelStatus(model: Model, g: MGrant): string {
  if (g.state === GrantState.Revoked) return "revoked";
  if (g.state === GrantState.Renounced) return "renounced";
  if (g.state === GrantState.Cancelled) return "cancelled";
  if (model.time < g.validFrom) return "pending";
  if (model.time > g.validUntil) return "expired";
  const d = findDataset(model, g.datasetId)!;
  if (d.retired) return "retired";
  if (lapse(model, d)) return "lapsed";
  if (g.quota !== 0n && g.used >= g.quota) return "exhausted";
  return "active";
}
const STATUS_NAMES = ["none", "pending", "active", "expired", "exhausted", "revoked", "renounced", "retired", "lapsed", "cancelled"];

/** Predicts a grant by `grantor` on `d`, as `grant` and (after its signature checks) `grantBySig` make it. */
function predictGrant(model: Model, d: MDataset, grantor: string, grantee: string, rights: number, validFrom: bigint, validUntil: bigint, quota: bigint): Outcome {
  if (d.holder !== grantor) return fail("DatasetUnauthorizedAccount", d.id, grantor);
  if (d.retired) return fail("DatasetRetiredAlready", d.id);
  const lapsed = lapse(model, d);
  if (lapsed) return lapsed;
  for (const l of d.licences) {
    const licence = findGrant(model, l.grantId)!;
    if (l.direct && licence.grantee !== grantor) return fail("ProductLicenseeMismatch", d.id, l.grantId, licence.grantee, grantor);
    if ((licence.rights & OPERATE) === 0) return fail("ProductLicenceNotOperable", d.id, l.grantId, licence.rights);
    if (validUntil > licence.validUntil) return fail("GrantWindowBeyondLicence", l.grantId, licence.validUntil, validUntil);
  }
  if (rights === 0) return fail("GrantRightsInvalid", rights);
  if (validFrom > validUntil || validUntil < model.time) return fail("GrantWindowInvalid", validFrom, validUntil, model.time);
  const terms = { grantor, datasetId: d.id, grantee, rights, purpose: PURPOSE, validFrom, validUntil, quota };
  let bump = 0n;
  let id = computeGrantId(terms, bump);
  while (findGrant(model, id)) id = computeGrantId(terms, ++bump);
  const g: MGrant = { id, datasetId: d.id, grantee, rights, validFrom, validUntil, quota, used: 0n, state: GrantState.Active };
  return {
    events: [{ name: "GrantIssued", args: [id, d.id, grantee, grantor, rights, undefined, PURPOSE, validFrom, validUntil, quota, bump] }],
    apply: () => void model.grants.push(g),
  };
}

const DAY = 86_400n;
const ANSWER_PERIOD = 15n * DAY;

/** What `g` owes at the model's time, by the rules (test/helpers/fee-model.ts). */
const owedNow = (model: Model, g: MGrant) => owedByRules({ used: g.used, terms: g.fees!.terms, validFrom: g.validFrom, validUntil: g.validUntil, endedAt: g.fees!.endedAt, now: model.time });

/** Whether `terms` may ride on a grant over `d`, by IGrantFees' rules, in their order; undefined when they may. */
function termsRefusal(model: Model, d: MDataset, terms: FeeTermsInput, validFrom: bigint): Outcome | undefined {
  if (terms.purposeClass === PurposeClass.Unclassified) return fail("FeePurposeUnclassified");
  const free = terms.unitPrice === 0n && terms.periodFee === 0n;
  if (!free && terms.purposeClass !== PurposeClass.Commercial) return fail("FeeOnFreePurpose", terms.purposeClass);
  const hasToken = terms.token !== ZeroAddress;
  const hasCode = terms.currencyCode !== NO_CURRENCY;
  if (free ? hasToken || hasCode : hasToken === hasCode) return fail("FeeCurrencyInvalid");
  if ((terms.periodFee === 0n) !== (terms.period === 0n)) return fail("FeePeriodInvalid");
  const cap = model.caps.get(d.id);
  if (!free && cap) {
    if (cap.token.toLowerCase() !== terms.token.toLowerCase() || cap.currencyCode !== terms.currencyCode) return fail("FeeCurrencyNotCapped", d.id, cap.token, cap.currencyCode);
    if (terms.unitPrice > cap.maxUnitPrice) return fail("FeeUnitPriceAboveCap", d.id, terms.unitPrice, cap.maxUnitPrice);
    if (terms.periodFee * DAY > cap.maxDailyFee * terms.period) return fail("FeePeriodFeeAboveCap", d.id, terms.periodFee, terms.period, cap.maxDailyFee);
  }
  if (terms.periodFee !== 0n && validFrom < model.time) return fail("FeePeriodStartPast", validFrom, model.time);
  return undefined;
}

/** Predicts a payment (through the ledger, or acknowledged by `caller` as holder) of `amount` on `grantId` under `terms`. */
function predictPayment(model: Model, kind: "pay" | "acknowledge", caller: string, grantId: string, terms: FeeTermsInput, token: string, amount: bigint): Outcome {
  const g = findGrant(model, grantId);
  const same = (a: FeeTermsInput, b: FeeTermsInput) => JSON.stringify(Object.values(a).map(String)).toLowerCase() === JSON.stringify(Object.values(b).map(String)).toLowerCase();
  if (!g?.fees || !same(g.fees.terms, terms)) return fail("FeeTermsMismatch", grantId);
  const d = findDataset(model, g.datasetId)!;
  if (kind === "pay") {
    if (terms.token === ZeroAddress) return fail("FeesPayableOffChain", grantId);
    if (token.toLowerCase() !== terms.token.toLowerCase()) return fail("FeePaymentWrongToken", grantId, terms.token, token);
  } else if (d.holder !== caller) return fail("DatasetUnauthorizedAccount", d.id, caller);
  const owed = owedNow(model, g);
  const due = owed > g.fees.paid ? owed - g.fees.paid : 0n;
  if (amount === 0n || amount > due) return fail("FeePaymentAmountInvalid", grantId, amount, due);
  const paidTotal = g.fees.paid + amount;
  const event = kind === "pay" ? { name: "FeesPaid", args: [grantId, caller, d.holder, token, amount, paidTotal] } : { name: "FeesAcknowledged", args: [grantId, caller, amount, paidTotal, ZeroHash] };
  return { events: [event], apply: () => void (g.fees!.paid = paidTotal) };
}

/** Ends `g` at the model's time (revoked, renounced or cancelled): its period fees stop. */
function endGrant(model: Model, g: MGrant, state: GrantState): void {
  g.state = state;
  if (g.fees) g.fees.endedAt = model.time;
}

/** The holder who answers for an objection's target (zero when unknown), as the oversight contract asks the ledger. */
function holderFor(model: Model, kind: ObjectionTarget, target: string): string {
  if (kind === ObjectionTarget.Dataset) return findDataset(model, target)?.holder ?? ZeroAddress;
  const g = findGrant(model, target);
  return g ? findDataset(model, g.datasetId)!.holder : ZeroAddress;
}

/**
 * Predicts a registration by `registrant` of `contentHash` with `parents` (and, for a version, the
 * previous version), metering grants and gathering the licence in order.
 */
function predictRegistration(model: Model, registrant: string, contentHash: string, parents: { datasetId: string; grantId: string }[], previousId?: string): Outcome {
  const previous = previousId === undefined ? undefined : findDataset(model, previousId)!;
  if (previous) {
    if (previous.holder !== registrant) return fail("DatasetUnauthorizedAccount", previous.id, registrant);
    if (previous.superseded) return fail("DatasetSuperseded", previous.id);
  }
  const id = computeDatasetId(registrant, contentHash);
  if (findDataset(model, id)) return fail("DatasetAlreadyRegistered", id);
  const events: Events = [{ name: "DatasetRegistered", args: [id, registrant, contentHash, contentHash, 1n, URI] }];
  const licences: MLicence[] = [];
  const add = (grantId: string, direct: boolean): Outcome | undefined => {
    const found = licences.find((l) => l.grantId === grantId);
    if (found) found.direct ||= direct;
    else if (licences.length === MAX_LICENCES) return fail("DatasetTooManyLicences", id, MAX_LICENCES);
    else licences.push({ grantId, direct });
    return undefined;
  };
  // Each parent's grant is metered before the next parent is checked: predict on a scratch copy.
  const scratch: Model = { ...model, grants: model.grants.map((g) => ({ ...g })) };
  for (const [i, link] of parents.entries()) {
    if (link.datasetId === id) return fail("DatasetParentIsSelf", id);
    if (parents.slice(0, i).some((p) => p.datasetId === link.datasetId)) return fail("DatasetParentDuplicate", link.datasetId);
    const parent = findDataset(model, link.datasetId)!;
    if (link.grantId === ZeroHash) {
      if (parent.holder !== registrant) return fail("DatasetUnauthorizedAccount", parent.id, registrant);
      if (parent.retired) return fail("DatasetRetiredAlready", parent.id);
      if (parent.licences.length > 0) {
        const refused = licensedTo(scratch, parent, registrant);
        if (refused) return refused;
      }
      for (const l of parent.licences) {
        const refused = add(l.grantId, l.direct);
        if (refused) return refused;
      }
    } else {
      const g = findGrant(scratch, link.grantId)!;
      if (g.grantee !== registrant) return fail("GrantUnauthorizedAccount", g.id, registrant);
      if (g.datasetId !== parent.id) return fail("DatasetParentGrantMismatch", parent.id, g.id, g.datasetId);
      const use = predictUse(scratch, g.id, registrant, UsageAction.Derive, 1n, id);
      if ("error" in use) return use;
      use.apply([]);
      events.push(...use.events);
      for (const [grantId, direct] of [[g.id, true], ...parent.licences.map((l) => [l.grantId, false])] as [string, boolean][]) {
        const refused = add(grantId, direct);
        if (refused) return refused;
      }
    }
    events.push({ name: "DatasetDerived", args: [id, parent.id, link.grantId] });
  }
  if (previous) {
    if (previous.licences.length > 0) {
      const refused = licensedTo(scratch, previous, registrant);
      if (refused) return refused;
    }
    for (const l of previous.licences) {
      const refused = add(l.grantId, l.direct);
      if (refused) return refused;
    }
    events.push({ name: "DatasetVersioned", args: [id, previous.id, registrant] });
  }
  for (const l of licences) events.push({ name: "DatasetLicensed", args: [id, l.grantId, l.direct] });
  return {
    events,
    apply: () => {
      model.grants = scratch.grants;
      if (previous) previous.superseded = true;
      model.datasets.push({ id, holder: registrant, pending: ZeroAddress, retired: false, superseded: false, transfers: 0n, licences });
    },
  };
}

// ---- random operations ------------------------------------------------------------------------

const actor = fc.integer({ min: 0, max: 3 });
/** Mostly true: most operations are sent by the account entitled to them, so that sequences go deep. */
const mostly = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const pick = fc.nat({ max: 1000 });
/** What a grant (plain or signed) is about: the dataset, the grantee, the window around now and the quota. */
const grantTerms = {
  dataset: pick,
  deep: mostly,
  grantee: actor,
  from: fc.integer({ min: -30, max: 8 }),
  length: fc.oneof({ weight: 3, arbitrary: fc.integer({ min: 0, max: 400 }) }, { weight: 1, arbitrary: fc.integer({ min: 400, max: 5000 }) }),
  quota: fc.integer({ min: 0, max: 6 }),
};
const parentArb = fc.record({ dataset: pick, grant: fc.option(pick, { nil: undefined }) });
/** The operations of the rights: datasets, lineages, grants (plain and signed), uses, settlement, holdings. */
const rightsOps = [
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("register" as const), actor, content: fc.integer({ min: 0, max: 9 }) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("derive" as const),
      actor,
      content: fc.integer({ min: 0, max: 9 }),
      asEntitled: mostly,
      deep: mostly,
      /** Now and then the dataset names itself as a parent. */
      self: fc.oneof({ weight: 30, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      parents: fc.array(parentArb, { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("version" as const),
      actor,
      content: fc.integer({ min: 0, max: 9 }),
      asHolder: mostly,
      deep: mostly,
      dataset: pick,
      parents: fc.array(parentArb, { maxLength: 1 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("grant" as const),
      asHolder: mostly,
      actor,
      rights: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 9, arbitrary: fc.integer({ min: 1, max: 7 }) }),
      ...grantTerms,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("use" as const),
      asGrantee: mostly,
      live: mostly,
      actor,
      grant: pick,
      action: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0, 1, 3) }, { weight: 1, arbitrary: fc.constant(2) }),
      units: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) }),
    }),
  },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("settle" as const),
      /** Mostly by the holder of the first entry's dataset or a meter it appointed. */
      asMeter: mostly,
      actor,
      epoch: fc.oneof({ weight: 4, arbitrary: fc.integer({ min: 0, max: 3 }) }, { weight: 1, arbitrary: fc.integer({ min: 250, max: 260 }) }),
      receipts: fc.oneof({ weight: 20, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: fc.constant(0) }),
      entries: fc.array(
        fc.record({
          grant: fc.oneof({ weight: 30, arbitrary: pick }, { weight: 1, arbitrary: fc.constant(-1) }),
          action: fc.oneof({ weight: 8, arbitrary: fc.constantFrom(0, 1, 3) }, { weight: 1, arbitrary: fc.constant(2) }),
          units: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 12, arbitrary: fc.integer({ min: 1, max: 4 }) }),
        }),
        { minLength: 1, maxLength: 2 },
      ),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("meter" as const), appoint: mostly, actor, meter: actor }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revoke" as const), asHolder: mostly, actor, grant: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("renounce" as const), asGrantee: mostly, actor, grant: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("transfer" as const), asHolder: mostly, actor, dataset: pick, to: fc.option(actor, { nil: undefined }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("accept" as const), asPending: mostly, actor, dataset: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retire" as const), asHolder: mostly, actor, dataset: pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("sign" as const),
      asHolder: mostly,
      actor,
      rights: fc.integer({ min: 1, max: 7 }),
      ...grantTerms,
      nonce: fc.integer({ min: 0, max: NONCES - 1 }),
      /** Now and then: a stale or future counter or holding, a passed deadline, another account's signature. */
      flaw: fc.oneof(
        { weight: 12, arbitrary: fc.constant("none" as const) },
        { weight: 1, arbitrary: fc.constantFrom("counter" as const, "transfers" as const, "deadline" as const, "forged" as const) },
      ),
    }),
  },
  { weight: 3, arbitrary: fc.record({ kind: fc.constant("relay" as const), actor, request: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), actor, nonce: fc.integer({ min: 0, max: NONCES - 1 }) }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancelAll" as const), actor }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("jump" as const), seconds: fc.integer({ min: 1, max: 150 }) }) },
];

/** The operations of public-data operation: priced grants, caps, payments, objections, and a jump past an answer period. */
const publicDataOps = [
  /** Past an objection's answer period (and most grants' windows). */
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("jump" as const), seconds: fc.constant(Number(ANSWER_PERIOD) + 1) }) },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("priced" as const),
      asHolder: mostly,
      actor,
      rights: fc.integer({ min: 1, max: 7 }),
      ...grantTerms,
      purposeClass: fc.oneof(
        { weight: 6, arbitrary: fc.constant(PurposeClass.Commercial) },
        { weight: 3, arbitrary: fc.constantFrom(PurposeClass.PublicGovernance, PurposeClass.PublicWelfare) },
        { weight: 1, arbitrary: fc.constant(PurposeClass.Unclassified) },
      ),
      unitPrice: fc.constantFrom(0n, 1n, 3n, 7n),
      periodFee: fc.constantFrom(0n, 0n, 5n, 20n),
      period: fc.oneof({ weight: 8, arbitrary: fc.constant("matching" as const) }, { weight: 1, arbitrary: fc.constantFrom(0n, 40n) }),
      currency: fc.oneof({ weight: 8, arbitrary: fc.constantFrom("token" as const, "CNY" as const) }, { weight: 1, arbitrary: fc.constantFrom("none" as const, "both" as const, "USD" as const) }),
      startLater: mostly,
    }),
  },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("cap" as const),
      asAuthority: mostly,
      actor,
      dataset: pick,
      currency: fc.oneof({ weight: 6, arbitrary: fc.constantFrom("token" as const, "CNY" as const) }, { weight: 1, arbitrary: fc.constantFrom("none" as const, "both" as const) }),
      maxUnitPrice: fc.constantFrom(0n, 3n, 10n),
      maxDailyFee: fc.constantFrom(0n, 10_000n, 100_000n),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constantFrom("pay" as const, "acknowledge" as const),
      asHolder: mostly,
      actor,
      grant: pick,
      amount: fc.constantFrom("due" as const, "due" as const, "due" as const, "less" as const, "more" as const, "zero" as const),
      flaw: fc.oneof({ weight: 10, arbitrary: fc.constant("none" as const) }, { weight: 1, arbitrary: fc.constantFrom("token" as const, "terms" as const) }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("object" as const),
      actor,
      onGrant: fc.boolean(),
      target: pick,
      unknown: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
      empty: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
  {
    weight: 8,
    arbitrary: fc.record({
      kind: fc.constantFrom("answer" as const, "rule" as const),
      entitled: mostly,
      actor,
      objection: pick,
      upheld: fc.boolean(),
      empty: fc.oneof({ weight: 12, arbitrary: fc.constant(false) }, { weight: 1, arbitrary: fc.constant(true) }),
    }),
  },
];

const opArb = fc.oneof(...rightsOps);
/** Both kinds, the public-data ones weighted up: the fee and objection campaign. */
const publicDataOpArb = fc.oneof(...rightsOps, ...publicDataOps.map((op) => ({ ...op, weight: op.weight * 2 })));
type Op = typeof publicDataOpArb extends fc.Arbitrary<infer T> ? T : never;

// ---- running one step against both --------------------------------------------------------------

interface Env {
  ledger: ProvenanceLedger;
  oversight: Oversight;
  /** The token priced grants are paid in; every actor has plenty and allowed the ledger to spend it. */
  token: string;
  /** The accounts with the ledger's authority and arbiter roles. */
  authority: HardhatEthersSigner;
  arbiter: HardhatEthersSigner;
  actors: HardhatEthersSigner[];
  model: Model;
  domain: TypedDataDomain;
  mirror: Mirror;
  /** Block timestamps, for the mirror's evidence. */
  blockTimes: Map<number, number>;
  /** Every log the ledger emitted in this sequence, in order. */
  logs: Log[];
}

const byAddress = (env: Env, address: string) => env.actors.find((a) => a.address === address)!;
const at = <T>(list: T[], i: number) => (list.length === 0 ? undefined : list[i % list.length]);
/**
 * With `deep`, the live dataset (not retired, licence holding) that rests on the most licences, the
 * newest among equals; else any. This steers generation only: the outcome is still predicted.
 */
function pickDataset(model: Model, i: number, deep: boolean): MDataset | undefined {
  const live = deep ? model.datasets.filter((d) => !d.retired && !lapse(model, d)) : [];
  if (live.length === 0) return at(model.datasets, i);
  return live.reduce((a, b) => (b.licences.length >= a.licences.length ? b : a));
}

/** The live PROCESS grant on the live dataset with the most licences: what extends a lineage deepest. */
function deepestUsable(model: Model): MGrant | undefined {
  let best: MGrant | undefined;
  let depth = -1;
  for (const g of model.grants) {
    if (g.state !== GrantState.Active || model.time < g.validFrom || model.time > g.validUntil || (g.rights & 2) === 0) continue;
    const d = findDataset(model, g.datasetId)!;
    if (d.retired || lapse(model, d) || d.licences.length < depth) continue;
    best = g;
    depth = d.licences.length;
  }
  return best;
}

/** With `deep`, a window cut to end with the licence of `d`, so that grants on products mostly pass. */
function fitWindow(model: Model, d: MDataset, validUntil: bigint, deep: boolean): bigint {
  if (!deep) return validUntil;
  // biome-ignore lint/complexity/useMathMinMax: these are bigints, which Math.min does not take.
  return d.licences.reduce((end, l) => (findGrant(model, l.grantId)!.validUntil < end ? findGrant(model, l.grantId)!.validUntil : end), validUntil);
}

interface Plan {
  signer: HardhatEthersSigner;
  send: () => Promise<ContractTransactionResponse>;
  outcome: Outcome;
}

/** Predicts `op` on the model, and says how to send it; undefined when the op sends nothing. */
function plan(env: Env, op: Op): Plan | undefined {
  const { ledger, actors, model } = env;
  const signer = "actor" in op ? actors[op.actor] : actors[0];
  switch (op.kind) {
    case "register":
    case "derive":
    case "version": {
      // A parent is named with no grant (held), or with one of the grants on it (most often).
      const parents =
        op.kind === "register"
          ? []
          : op.parents.flatMap((p, i) => {
              const deepest = i === 0 && op.deep && p.grant !== undefined ? deepestUsable(model) : undefined;
              if (deepest) return [{ datasetId: deepest.datasetId, grantId: deepest.id }];
              const d = i === 0 && op.deep ? pickDataset(model, p.dataset, true) : at(model.datasets, p.dataset);
              if (!d) return [];
              const onParent = model.grants.filter((g) => g.datasetId === d.id);
              const g = p.grant === undefined ? undefined : (at(onParent, p.grant) ?? at(model.grants, p.grant));
              return [{ datasetId: d.id, grantId: g ? g.id : ZeroHash }];
            });
      if (op.kind === "derive" && parents.length === 0) return undefined;
      const previous = op.kind === "version" ? pickDataset(model, op.dataset, op.deep) : undefined;
      if (op.kind === "version" && !previous) return undefined;
      // Sent, when entitled, by the grantee of the first grant named, else the holder of the first parent (or version).
      const firstGrant = model.grants.find((g) => parents.some((p) => p.grantId === g.id));
      const entitled = firstGrant ? firstGrant.grantee : (previous?.holder ?? (parents[0] && findDataset(model, parents[0].datasetId)!.holder));
      const wantsEntitled = op.kind === "derive" ? op.asEntitled : op.kind === "version" ? op.asHolder : false;
      const registrant = wantsEntitled && entitled ? byAddress(env, entitled) : signer;
      const contentHash = sha256(`content ${op.content} ${model.datasets.length}`);
      if (op.kind === "derive" && op.self) parents.push({ datasetId: computeDatasetId(registrant.address, contentHash), grantId: ZeroHash });
      const send = () =>
        previous
          ? ledger.connect(registrant).registerVersion(previous.id, contentHash, contentHash, 1n, URI, parents)
          : ledger.connect(registrant).register(contentHash, contentHash, 1n, URI, parents);
      return { signer: registrant, send, outcome: predictRegistration(model, registrant.address, contentHash, parents, previous?.id) };
    }
    case "grant": {
      const d = pickDataset(model, op.dataset, op.deep);
      if (!d) return undefined;
      const grantor = op.asHolder ? byAddress(env, d.holder) : signer;
      const grantee = actors[op.grantee];
      // Deep grants mostly carry every right, so that the next product can be licensed on in turn.
      const rights = op.deep && op.rights !== 0 && op.grantee % 2 === 0 ? 7 : op.rights;
      const validFrom = BigInt(Math.max(0, Number(model.time) + op.from));
      const validUntil = fitWindow(model, d, validFrom + BigInt(op.length), op.deep);
      const quota = BigInt(op.quota);
      const send = () => ledger.connect(grantor).grant(d.id, grantee.address, rights, PURPOSE, validFrom, validUntil, quota);
      return { signer: grantor, send, outcome: predictGrant(model, d, grantor.address, grantee.address, rights, validFrom, validUntil, quota) };
    }
    case "sign": {
      // Signing is off the chain: the request joins the pool, to be relayed later in any order.
      const d = pickDataset(model, op.dataset, op.deep);
      if (!d) return undefined;
      const holder = op.asHolder ? byAddress(env, d.holder) : signer;
      const validFrom = BigInt(Math.max(0, Number(model.time) + op.from));
      const counter = model.counters.get(holder.address) ?? 0n;
      const request: GrantRequest = {
        holder: holder.address,
        datasetId: d.id,
        transfers: op.flaw === "transfers" ? d.transfers + 1n : d.transfers,
        grantee: actors[op.grantee].address,
        rights: op.rights,
        purpose: PURPOSE,
        validFrom,
        validUntil: fitWindow(model, d, validFrom + BigInt(op.length), op.deep),
        quota: BigInt(op.quota),
        counter: op.flaw === "counter" ? counter + 1n : counter,
        nonce: BigInt(op.nonce),
        deadline: op.flaw === "deadline" ? model.time - 1n : model.time + 600n,
      };
      model.requests.push({ request, signer: op.flaw === "forged" ? actors.find((a) => a.address !== holder.address)! : holder });
      return undefined;
    }
    case "relay": {
      const entry = at(model.requests, op.request);
      if (!entry) return undefined;
      const { request } = entry;
      const holder = request.holder;
      const d = findDataset(model, request.datasetId)!;
      const send = async () => ledger.connect(signer).grantBySig(request, await entry.signer.signTypedData(env.domain, GRANT_REQUEST_TYPES, request));
      const outcome = ((): Outcome => {
        if (model.time > request.deadline) return fail("GrantSignatureExpired", request.deadline, model.time);
        const counter = model.counters.get(holder) ?? 0n;
        if (request.counter !== counter) return fail("GrantRequestCounterStale", holder, request.counter, counter);
        if (request.transfers !== d.transfers) return fail("GrantRequestHoldingMoved", d.id, request.transfers, d.transfers);
        if (spentOf(model, holder).has(request.nonce)) return fail("GrantRequestNonceUsed", holder, request.nonce);
        if (entry.signer.address !== holder) return fail("GrantSignatureInvalid", holder);
        const granted = predictGrant(model, d, holder, request.grantee, request.rights, request.validFrom, request.validUntil, request.quota);
        if ("error" in granted) return granted;
        return {
          events: granted.events,
          apply: (e) => {
            granted.apply(e);
            model.spent.set(holder, spentOf(model, holder).add(request.nonce));
          },
        };
      })();
      return { signer, send, outcome };
    }
    case "cancel": {
      const nonce = BigInt(op.nonce);
      const outcome: Outcome = spentOf(model, signer.address).has(nonce)
        ? fail("GrantRequestNonceUsed", signer.address, nonce)
        : { events: [{ name: "GrantRequestCancelled", args: [signer.address, nonce] }], apply: () => void model.spent.set(signer.address, spentOf(model, signer.address).add(nonce)) };
      return { signer, send: () => ledger.connect(signer).cancelGrantRequest(nonce), outcome };
    }
    case "cancelAll":
      // The new counter is drawn by the ledger: the model learns it from the event.
      return {
        signer,
        send: () => ledger.connect(signer).cancelAllGrantRequests(),
        outcome: { events: [{ name: "GrantRequestsCancelled", args: [signer.address, undefined] }], apply: (e) => void model.counters.set(signer.address, e[0].args[1] as bigint) },
      };
    case "use": {
      // Mostly a grant that is live now, so that sequences meter deep into quotas.
      const live = model.grants.filter((x) => x.state === GrantState.Active && model.time >= x.validFrom && model.time <= x.validUntil);
      const g = op.live && live.length > 0 ? at(live, op.grant) : at(model.grants, op.grant);
      if (!g) return undefined;
      const user = op.asGrantee ? byAddress(env, g.grantee) : signer;
      const action = op.action as UsageAction;
      const units = BigInt(op.units);
      const outputRef = sha256(`output ${model.time}`);
      const send = () => ledger.connect(user).recordUsage(g.id, action, units, outputRef);
      const outcome = action === UsageAction.Derive ? fail("UsageActionReserved", action) : predictUse(model, g.id, user.address, action, units, outputRef);
      return { signer: user, send, outcome };
    }
    case "meter": {
      const meter = actors[op.meter].address;
      const name = op.appoint ? "MeterAppointed" : "MeterDismissed";
      const apply = () => {
        const meters = new Set(model.meters.get(signer.address) ?? []);
        if (op.appoint) meters.add(meter);
        else meters.delete(meter);
        model.meters.set(signer.address, meters);
      };
      const send = () => (op.appoint ? ledger.connect(signer).appointMeter(meter) : ledger.connect(signer).dismissMeter(meter));
      return { signer, send, outcome: { events: [{ name, args: [signer.address, meter] }], apply } };
    }
    case "settle": {
      const entries = op.entries.map((e) => ({ grantId: e.grant < 0 ? sha256(`no grant ${model.time}`) : at(model.grants, e.grant)?.id, action: e.action as UsageAction, units: BigInt(e.units) }));
      if (entries.some((e) => e.grantId === undefined)) return undefined;
      const first = findGrant(model, entries[0].grantId!);
      const holder = first ? findDataset(model, first.datasetId)!.holder : signer.address;
      // The holder itself, one of its meters, or whoever the actor is.
      const meters = [holder, ...(model.meters.get(holder) ?? [])];
      const caller = op.asMeter ? byAddress(env, at(meters, op.actor)!) : signer;
      const epoch = BigInt(op.epoch);
      const root = sha256(`receipts ${epoch}`);
      const settlement = entries as { grantId: string; action: UsageAction; units: bigint }[];
      const send = () => ledger.connect(caller).settleUsage(holder, epoch, root, op.receipts, settlement);
      return { signer: caller, send, outcome: predictSettle(model, caller.address, holder, epoch, root, op.receipts, settlement) };
    }
    case "revoke":
    case "renounce": {
      const g = at(model.grants, op.grant);
      if (!g) return undefined;
      const d = findDataset(model, g.datasetId)!;
      const who = op.kind === "revoke" ? (op.asHolder ? byAddress(env, d.holder) : signer) : op.asGrantee ? byAddress(env, g.grantee) : signer;
      const send = () => (op.kind === "revoke" ? ledger.connect(who).revoke(g.id) : ledger.connect(who).renounce(g.id));
      const outcome = ((): Outcome => {
        if (g.state !== GrantState.Active) return fail("GrantNotActive", g.id, g.state);
        if (op.kind === "revoke") {
          if (d.holder !== who.address) return fail("DatasetUnauthorizedAccount", d.id, who.address);
          return { events: [{ name: "GrantRevoked", args: [g.id, d.id, who.address] }], apply: () => endGrant(model, g, GrantState.Revoked) };
        }
        if (g.grantee !== who.address) return fail("GrantUnauthorizedAccount", g.id, who.address);
        return { events: [{ name: "GrantRenounced", args: [g.id, d.id, who.address] }], apply: () => endGrant(model, g, GrantState.Renounced) };
      })();
      return { signer: who, send, outcome };
    }
    case "transfer": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const from = op.asHolder ? byAddress(env, d.holder) : signer;
      const to = op.to === undefined ? ZeroAddress : actors[op.to].address;
      const send = () => ledger.connect(from).transferHolding(d.id, to);
      const outcome = ((): Outcome => {
        if (d.holder !== from.address) return fail("DatasetUnauthorizedAccount", d.id, from.address);
        if (to === from.address) return fail("HoldingInvalidReceiver", d.id, to);
        return { events: [{ name: "HoldingTransferOffered", args: [d.id, from.address, to] }], apply: () => void (d.pending = to) };
      })();
      return { signer: from, send, outcome };
    }
    case "accept": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const who = op.asPending && d.pending !== ZeroAddress ? byAddress(env, d.pending) : signer;
      const send = () => ledger.connect(who).acceptHolding(d.id);
      const outcome: Outcome =
        d.pending !== who.address
          ? fail("HoldingInvalidReceiver", d.id, who.address)
          : {
              events: [{ name: "HoldingTransferred", args: [d.id, d.holder, who.address] }],
              apply: () => {
                d.holder = who.address;
                d.pending = ZeroAddress;
                d.transfers += 1n;
              },
            };
      return { signer: who, send, outcome };
    }
    case "retire": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const who = op.asHolder ? byAddress(env, d.holder) : signer;
      const send = () => ledger.connect(who).retire(d.id);
      const outcome: Outcome =
        d.holder !== who.address
          ? fail("DatasetUnauthorizedAccount", d.id, who.address)
          : d.retired
            ? fail("DatasetRetiredAlready", d.id)
            : { events: [{ name: "DatasetRetired", args: [d.id, who.address] }], apply: () => void (d.retired = true) };
      return { signer: who, send, outcome };
    }
    case "priced": {
      const d = pickDataset(model, op.dataset, op.deep);
      if (!d) return undefined;
      const grantor = op.asHolder ? byAddress(env, d.holder) : signer;
      const grantee = actors[op.grantee];
      const validFrom = op.startLater ? model.time + BigInt(Math.abs(op.from)) : BigInt(Math.max(0, Number(model.time) + op.from));
      const validUntil = fitWindow(model, d, validFrom + BigInt(op.length), op.deep);
      const quota = BigInt(op.quota);
      const code = { token: NO_CURRENCY, CNY: currency("CNY"), USD: currency("USD"), none: NO_CURRENCY, both: currency("CNY") }[op.currency];
      const terms: FeeTermsInput = {
        purposeClass: op.purposeClass,
        token: op.currency === "token" || op.currency === "both" ? env.token : ZeroAddress,
        currencyCode: code,
        unitPrice: op.unitPrice,
        periodFee: op.periodFee,
        period: op.period === "matching" ? (op.periodFee === 0n ? 0n : 30n) : op.period,
      };
      const send = () => ledger.connect(grantor).grantWithTerms(d.id, grantee.address, op.rights, PURPOSE, validFrom, validUntil, quota, terms);
      const outcome = ((): Outcome => {
        const granted = predictGrant(model, d, grantor.address, grantee.address, op.rights, validFrom, validUntil, quota);
        if ("error" in granted) return granted;
        const refused = termsRefusal(model, d, terms, validFrom);
        if (refused) return refused;
        const id = granted.events[0].args[0] as string;
        return {
          events: [...granted.events, { name: "GrantFeeTerms", args: [id, terms.purposeClass, terms.token, terms.currencyCode, terms.unitPrice, terms.periodFee, terms.period] }],
          apply: (e) => {
            granted.apply(e);
            findGrant(model, id)!.fees = { terms, paid: 0n };
          },
        };
      })();
      return { signer: grantor, send, outcome };
    }
    case "cap": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const who = op.asAuthority ? env.authority : signer;
      const cap: MCap = {
        token: op.currency === "token" || op.currency === "both" ? env.token : ZeroAddress,
        currencyCode: op.currency === "CNY" || op.currency === "both" ? currency("CNY") : NO_CURRENCY,
        maxUnitPrice: op.maxUnitPrice,
        maxDailyFee: op.maxDailyFee,
      };
      const send = () => env.oversight.connect(who).setFeeCap(d.id, cap);
      const outcome = ((): Outcome => {
        if (who.address !== env.authority.address) return fail("OversightUnauthorizedAccount", who.address, ethers.id("AUTHORITY_ROLE"));
        if (op.currency === "both") return fail("OversightCurrencyInvalid");
        return {
          events: [{ name: "FeeCapSet", args: [d.id, who.address, cap.token, cap.currencyCode, cap.maxUnitPrice, cap.maxDailyFee] }],
          apply: () => void (op.currency === "none" ? model.caps.delete(d.id) : model.caps.set(d.id, cap)),
        };
      })();
      return { signer: who, send, outcome };
    }
    case "pay":
    case "acknowledge": {
      // Mostly a grant with something due (in a token, to pay through the ledger): steering only.
      const priced = model.grants.filter((g) => g.fees);
      const owing = priced.filter((g) => owedNow(model, g) > g.fees!.paid && (op.kind === "acknowledge" || g.fees!.terms.token !== ZeroAddress));
      const g = (op.asHolder ? at(owing, op.grant) : undefined) ?? at(priced, op.grant) ?? at(model.grants, op.grant);
      if (!g) return undefined;
      const holder = findDataset(model, g.datasetId)!.holder;
      const who = op.kind === "acknowledge" && op.asHolder ? byAddress(env, holder) : signer;
      const own = g.fees?.terms ?? { purposeClass: PurposeClass.Commercial, token: ZeroAddress, currencyCode: NO_CURRENCY, unitPrice: 0n, periodFee: 0n, period: 0n };
      const terms = op.flaw === "terms" ? { ...own, unitPrice: own.unitPrice + 1n } : own;
      const token = op.flaw === "token" ? actors[0].address : terms.token;
      const owed = g.fees ? owedNow(model, g) : 0n;
      const due = g.fees && owed > g.fees.paid ? owed - g.fees.paid : 0n;
      const amount = { due, less: due > 1n ? due - 1n : due, more: due + 1n, zero: 0n }[op.amount];
      const send = () => (op.kind === "pay" ? ledger.connect(who).payFees(g.id, terms, token, amount) : ledger.connect(who).acknowledgeFees(g.id, terms, amount, ZeroHash));
      return { signer: who, send, outcome: predictPayment(model, op.kind, who.address, g.id, terms, token, amount) };
    }
    case "object": {
      const kind = op.onGrant ? ObjectionTarget.Grant : ObjectionTarget.Dataset;
      const active = model.grants.filter((g) => g.state === GrantState.Active);
      const known = op.onGrant ? (at(active, op.target) ?? at(model.grants, op.target))?.id : at(model.datasets, op.target)?.id;
      const target = op.unknown ? sha256(`nothing ${model.time}`) : known;
      if (!target) return undefined;
      const reason = op.empty ? "" : "model objection";
      const send = () => env.oversight.connect(signer).fileObjection(kind, target, reason, ZeroHash);
      const outcome = ((): Outcome => {
        if (holderFor(model, kind, target) === ZeroAddress) return fail("ObjectionTargetUnknown", kind, target);
        if (op.empty) return fail("ObjectionTextEmpty");
        const id = BigInt(model.objections.length + 1);
        const answerDue = model.time + ANSWER_PERIOD;
        return {
          events: [{ name: "ObjectionFiled", args: [id, target, signer.address, kind, reason, ZeroHash, answerDue] }],
          apply: () => void model.objections.push({ id, kind, target, state: "open", answerDue }),
        };
      })();
      return { signer, send, outcome };
    }
    case "answer":
    case "rule": {
      // Entitled, mostly one that can move on: open to be answered, answered to be ruled on.
      const ready = model.objections.filter((x) => x.state === (op.kind === "answer" ? "open" : "answered"));
      const o = (op.entitled ? at(ready, op.objection) : undefined) ?? at(model.objections, op.objection);
      if (!o) return undefined;
      const holder = holderFor(model, o.kind, o.target);
      const who = op.entitled ? (op.kind === "answer" ? byAddress(env, holder) : env.arbiter) : signer;
      const text = op.empty ? "" : `${op.kind} ${o.id}`;
      const STATES = { open: 1, answered: 2, upheld: 3, rejected: 4 };
      const send = () => (op.kind === "answer" ? env.oversight.connect(who).answerObjection(o.id, text, ZeroHash) : env.oversight.connect(who).ruleOnObjection(o.id, op.upheld, text));
      const outcome = ((): Outcome => {
        if (op.kind === "answer") {
          if (o.state !== "open") return fail("ObjectionClosed", o.id, STATES[o.state]);
          if (holder !== who.address) return fail("ObjectionUnauthorizedHolder", o.id, holder, who.address);
          if (op.empty) return fail("ObjectionTextEmpty");
          return { events: [{ name: "ObjectionAnswered", args: [o.id, o.target, who.address, text, ZeroHash] }], apply: () => void (o.state = "answered") };
        }
        if (who.address !== env.arbiter.address) return fail("OversightUnauthorizedAccount", who.address, ethers.id("ARBITER_ROLE"));
        if (o.state === "open" && model.time <= o.answerDue) return fail("ObjectionAwaitingAnswer", o.id, o.answerDue);
        if (o.state === "upheld" || o.state === "rejected") return fail("ObjectionClosed", o.id, STATES[o.state]);
        if (op.empty) return fail("ObjectionTextEmpty");
        const events: Events = [{ name: "ObjectionRuled", args: [o.id, o.target, who.address, op.upheld, text] }];
        const d = o.kind === ObjectionTarget.Dataset ? findDataset(model, o.target)! : undefined;
        const g = o.kind === ObjectionTarget.Grant ? findGrant(model, o.target)! : undefined;
        if (op.upheld && d && !d.retired) events.push({ name: "DatasetCancelled", args: [d.id, o.id] });
        if (op.upheld && g && g.state === GrantState.Active) events.push({ name: "GrantCancelled", args: [g.id, g.datasetId, o.id] });
        return {
          events,
          apply: () => {
            o.state = op.upheld ? "upheld" : "rejected";
            if (events.length === 1) return;
            if (d) d.retired = true;
            if (g) endGrant(model, g, GrantState.Cancelled);
          },
        };
      })();
      return { signer: who, send, outcome };
    }
    case "jump":
      return undefined;
  }
}

/** The ledger's and its oversight contract's ABIs in one: their events and errors. */
const BOTH = new Interface([...ledgerAbi, ...oversightAbi.filter((f) => f.type !== "constructor")]);

/** The ledger's (or its oversight contract's) custom error in a failed call, decoded. */
function decodeError(error: unknown): { name: string; args: unknown[] } {
  let e: any = error;
  while (e) {
    const data = typeof e.data === "string" ? e.data : typeof e.data?.data === "string" ? e.data.data : undefined;
    if (data && data.length >= 10) {
      const parsed = BOTH.parseError(data);
      if (parsed) return { name: parsed.name, args: [...parsed.args] };
    }
    e = e.error ?? e.cause;
  }
  throw error;
}

/** The events of the ledger and its oversight contract among `logs` (a payment's token transfer is neither's). */
function decodeEvents(env: Pick<Env, "ledger" | "oversight">, logs: readonly Log[]): Events {
  const ours = [env.ledger.target, env.oversight.target].map((a) => String(a).toLowerCase());
  return logs
    .filter((log) => ours.includes(log.address.toLowerCase()))
    .map((log) => {
      const parsed = BOTH.parseLog(log)!;
      return { name: parsed.name, args: [...parsed.args] };
    });
}

const normalise = (values: unknown[]) => values.map((v) => (typeof v === "number" ? BigInt(v) : typeof v === "string" ? v.toLowerCase() : v));

/** How often each outcome happened, so the run can show that it exercised every rule. */
const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
let statusChecks = 0;
let deepest = 0;
const statusesSeen = new Set<string>();

/**
 * The status of every grant, three ways, at the latest block's time: the contract's grantStatus, the
 * API's views over the events so far, and the model.
 */
async function checkStatuses(env: Env): Promise<void> {
  const time = Number(env.model.time) - 1;
  const saved = env.model.time;
  env.model.time = BigInt(time);
  try {
    const fromApi = await env.mirror.read(time, async (views, reader) => {
      const statuses: string[] = [];
      for (const g of env.model.grants) statuses.push(views.grant((await reader.grant(g.id))!).status);
      return statuses;
    });
    for (const [i, g] of env.model.grants.entries()) {
      const expected = modelStatus(env.model, g);
      const onChain = STATUS_NAMES[Number(await env.ledger.grantStatus(g.id))];
      expect(onChain, `grantStatus of ${g.id} at ${time}`).to.equal(expected);
      expect(fromApi[i], `the API's status of ${g.id} at ${time}`).to.equal(expected);
      statusesSeen.add(expected);
      statusChecks++;
    }
  } finally {
    env.model.time = saved;
  }
}

async function step(env: Env, op: Op): Promise<void> {
  if (op.kind === "jump") {
    env.model.time += BigInt(op.seconds);
    return;
  }
  const planned = plan(env, op);
  if (!planned) return;
  await networkHelpers.time.setNextBlockTimestamp(env.model.time);
  const { outcome } = planned;
  let receipt: Awaited<ReturnType<Awaited<ReturnType<typeof planned.send>>["wait"]>>;
  try {
    receipt = await (await planned.send()).wait();
  } catch (error) {
    const got = decodeError(error);
    expect("error" in outcome, `${op.kind}: the ledger refused with ${got.name}(${got.args.join(", ")}) but the model accepts`).to.equal(true);
    const want = outcome as { error: string; args: unknown[] };
    expect(got.name, `${op.kind}: error`).to.equal(want.error);
    expect(normalise(got.args), `${op.kind}: ${want.error} arguments`).to.deep.equal(normalise(want.args));
    count(`${op.kind} refused: ${got.name}`);
    return;
  }
  if ("error" in outcome) throw new Error(`${op.kind}: the ledger accepted but the model predicts ${outcome.error}(${outcome.args.join(", ")})`);
  env.logs.push(...receipt!.logs);
  env.blockTimes.set(receipt!.blockNumber, Number(env.model.time));
  await env.mirror.apply(receipt!.logs, (n) => env.blockTimes.get(n)!);
  const events = decodeEvents(env, receipt!.logs);
  expect(
    events.map((e) => e.name),
    `${op.kind}: events`,
  ).to.deep.equal(outcome.events.map((e) => e.name));
  events.forEach((event, i) => {
    const want = outcome.events[i].args;
    // An undefined expectation (the purpose hash, a drawn counter) is checked elsewhere; skip it here.
    const got = event.args.map((v, j) => (want[j] === undefined ? undefined : v));
    expect(normalise(got), `${op.kind}: ${event.name} arguments`).to.deep.equal(normalise(want));
  });
  outcome.apply(events);
  env.model.time += 1n;
  count(`${op.kind} accepted`);
  for (const d of env.model.datasets) deepest = Math.max(deepest, d.licences.length);
  await checkStatuses(env);
  await checkFees(env);
}

let feeChecks = 0;

/** Each priced grant owes what the model's sum says, at the latest block's time; never less than it was paid; nothing on a free class. */
async function checkFees(env: Env): Promise<void> {
  const saved = env.model.time;
  env.model.time -= 1n;
  try {
    for (const g of env.model.grants) {
      if (!g.fees) continue;
      const [owed, paid] = await env.ledger.feesOf(g.id, g.fees.terms);
      expect([owed, paid], `fees of ${g.id} at ${env.model.time}`).to.deep.equal([owedNow(env.model, g), g.fees.paid]);
      expect(owed >= paid && paid >= 0n, "paid <= owed").to.equal(true);
      if (g.fees.terms.purposeClass !== PurposeClass.Commercial) expect(owed, "a free class owes nothing").to.equal(0n);
      feeChecks++;
    }
  } finally {
    env.model.time = saved;
  }
}

/**
 * Datasets and grants as the emitted events alone describe them: what an indexer knows. (Counters
 * are not in them when nothing was cancelled, and nonces a relay spends have no event: both are
 * checked against the model instead.)
 */
function rebuildFromEvents(env: Pick<Env, "ledger" | "oversight">, logs: readonly Log[]) {
  const datasets = new Map<string, { holder: string; pending: string; retired: boolean; transfers: bigint; licences: [string, boolean][] }>();
  const grants = new Map<string, { datasetId: string; grantee: string; rights: bigint; validFrom: bigint; validUntil: bigint; quota: bigint; used: bigint; state: GrantState }>();
  for (const { name, args } of decodeEvents(env, logs)) {
    const a = args as any[];
    if (name === "DatasetRegistered") datasets.set(a[0], { holder: a[1], pending: ZeroAddress, retired: false, transfers: 0n, licences: [] });
    else if (name === "DatasetLicensed") datasets.get(a[0])!.licences.push([a[1], a[2]]);
    else if (name === "HoldingTransferOffered") datasets.get(a[0])!.pending = a[2];
    else if (name === "HoldingTransferred") Object.assign(datasets.get(a[0])!, { holder: a[2], pending: ZeroAddress, transfers: datasets.get(a[0])!.transfers + 1n });
    else if (name === "DatasetRetired" || name === "DatasetCancelled") datasets.get(a[0])!.retired = true;
    else if (name === "GrantIssued") grants.set(a[0], { datasetId: a[1], grantee: a[2], rights: a[4], validFrom: a[7], validUntil: a[8], quota: a[9], used: 0n, state: GrantState.Active });
    else if (name === "GrantRevoked") grants.get(a[0])!.state = GrantState.Revoked;
    else if (name === "GrantRenounced") grants.get(a[0])!.state = GrantState.Renounced;
    else if (name === "GrantCancelled") grants.get(a[0])!.state = GrantState.Cancelled;
    else if (name === "UsageRecorded") grants.get(a[0])!.used += a[4];
  }
  return { datasets, grants };
}

/** Every grant and dataset of the model equals the ledger's views, and so does the state rebuilt from events. */
async function checkAll(env: Env): Promise<void> {
  const rebuilt = rebuildFromEvents(env, env.logs);
  expect(rebuilt.grants.size, "grants in the events").to.equal(env.model.grants.length);
  expect(rebuilt.datasets.size, "datasets in the events").to.equal(env.model.datasets.length);
  for (const [id, g] of rebuilt.grants) {
    const v = await env.ledger.grantOf(id);
    expect([v.datasetId, v.grantee, v.rights, v.validFrom, v.validUntil, v.quota, v.used, v.state], `grant ${id} from events`).to.deep.equal([
      g.datasetId,
      g.grantee,
      g.rights,
      g.validFrom,
      g.validUntil,
      g.quota,
      g.used,
      BigInt(g.state),
    ]);
  }
  for (const [id, d] of rebuilt.datasets) {
    const v = await env.ledger.datasetOf(id);
    expect([v.holder, v.pendingHolder, v.retired, v.transfers, v.licensed], `dataset ${id} from events`).to.deep.equal([d.holder, d.pending, d.retired, d.transfers, d.licences.length > 0]);
    expect((await env.ledger.licencesOf(id)).map((l) => [l.grantId, l.direct])).to.deep.equal(d.licences);
  }
  for (const a of env.actors) {
    expect(await env.ledger.grantRequestCounter(a.address), `counter of ${a.address}`).to.equal(env.model.counters.get(a.address) ?? 0n);
    for (let nonce = 0n; nonce < BigInt(NONCES); nonce++) {
      expect(await env.ledger.isGrantNonceUsed(a.address, nonce), `nonce ${nonce} of ${a.address}`).to.equal(spentOf(env.model, a.address).has(nonce));
    }
  }
  for (const g of env.model.grants) {
    const onChain = await env.ledger.grantOf(g.id);
    expect([onChain.used, onChain.state, onChain.grantee, onChain.datasetId], `grant ${g.id}`).to.deep.equal([g.used, BigInt(g.state), g.grantee, g.datasetId]);
    if (g.quota !== 0n) expect(onChain.used <= onChain.quota, "used <= quota").to.equal(true);
  }
  for (const d of env.model.datasets) {
    const info = await env.ledger.datasetOf(d.id);
    expect([info.holder, info.pendingHolder, info.retired, info.superseded, info.transfers, info.licensed], `dataset ${d.id}`).to.deep.equal([
      d.holder,
      d.pending,
      d.retired,
      d.superseded,
      d.transfers,
      d.licences.length > 0,
    ]);
    expect(
      (await env.ledger.licencesOf(d.id)).map((l) => ({ grantId: l.grantId, direct: l.direct })),
      `licence of ${d.id}`,
    ).to.deep.equal(d.licences);
  }
}

/** Runs `RUNS` sequences of `arb`'s operations from `seed`, checking every step; resets and then fills the run's counters. */
async function campaign(arb: fc.Arbitrary<Op>, seed: number): Promise<{ steps: number; accepted: number }> {
  outcomes.clear();
  statusesSeen.clear();
  statusChecks = 0;
  feeChecks = 0;
  deepest = 0;
  {
    const { ledger, signers, address, admin } = await deployLedger(ethers);
    const actors = signers.slice(1, 5);
    const oversight = await oversightOf(ethers, ledger);
    const [authority, arbiter] = actors;
    await ledger.connect(admin).grantRole(ethers.id("AUTHORITY_ROLE"), authority.address);
    await ledger.connect(admin).grantRole(ethers.id("ARBITER_ROLE"), arbiter.address);
    const token = await (await deployToken(ethers, ledger, actors)).getAddress();
    const domain = grantRequestDomain((await ethers.provider.getNetwork()).chainId, address);
    const mirror = await openMirror("model", address);
    const snapshot = await networkHelpers.takeSnapshot();
    let steps = 0;
    let accepted = 0;
    try {
      await fc.assert(
        fc.asyncProperty(fc.array(arb, { minLength: CALLS ?? 20, maxLength: CALLS ?? 80 }), async (ops) => {
          await snapshot.restore();
          await mirror.reset();
          const model: Model = {
            time: BigInt(await networkHelpers.time.latest()) + 1n,
            datasets: [],
            grants: [],
            counters: new Map(),
            spent: new Map(),
            requests: [],
            meters: new Map(),
            settled: new Map(),
            caps: new Map(),
            objections: [],
          };
          const env: Env = { ledger, oversight, token, authority, arbiter, actors, domain, mirror, blockTimes: new Map(), logs: [], model };
          for (const op of ops) {
            const before = env.model.time;
            await step(env, op);
            steps++;
            if (env.model.time > before && op.kind !== "jump") accepted++;
          }
          await checkAll(env);
        }),
        // A fixed seed by default: the campaign asserts it built every status, so it must not hang on luck.
        // DPL_PROPERTY_SEED=random draws a new one (printed on failure); a number replays that one.
        { numRuns: RUNS, seed },
      );
    } finally {
      await mirror.close();
    }
    return { steps, accepted };
  }
}

/** Prints what a campaign exercised. */
function report({ steps, accepted }: { steps: number; accepted: number }): void {
  console.log(`      ${RUNS} sequences, ${steps} calls, ${accepted} accepted transactions; ${statusChecks} grant statuses compared three ways; deepest licence ${deepest} grants`);
  console.log(`      statuses seen: ${[...statusesSeen].sort().join(", ")}; ${feeChecks} priced grants' fees compared with the model`);
  for (const [key, n] of [...outcomes].sort()) console.log(`        ${key}: ${n}`);
  expect(accepted).to.be.greaterThan(RUNS);
}

describe("ProvenanceLedger against its model", function () {
  // A campaign's length is set by its size (`npm run test:faults` runs the large ones), not by mocha's default.
  this.timeout(0);

  it(`agrees with the model on ${RUNS} random sequences of ${CALLS ?? "20 to 80"} calls, grant statuses included after every step, and its events rebuild its state`, async function () {
    report(await campaign(opArb, SEED));
    if (RUNS >= 200) {
      // The campaign did build what it is meant to check: lineages licences deep, and every status.
      expect(deepest, "deepest licence").to.be.at.least((CALLS ?? 0) >= 100 ? 3 : 2);
      expect([...statusesSeen].sort()).to.deep.equal(["active", "exhausted", "expired", "lapsed", "pending", "renounced", "retired", "revoked"]);
    }
  });

  it(`agrees with the model on ${RUNS} sequences with priced grants, caps, payments and objections: what each grant owes after every step, and no use of a cancelled grant`, async function () {
    report(await campaign(publicDataOpArb, SEED + 1));
    if (RUNS >= 200) {
      expect([...statusesSeen], "statuses").to.include.members(["active", "cancelled", "expired", "revoked"]);
      for (const key of [
        "priced accepted",
        "pay accepted",
        "acknowledge accepted",
        "cap accepted",
        "object accepted",
        "answer accepted",
        "rule accepted",
        "pay refused: FeePaymentAmountInvalid",
        "priced refused: FeeOnFreePurpose",
      ]) {
        expect(outcomes.get(key) ?? 0, key).to.be.greaterThan(0);
      }
      expect(feeChecks, "priced grants' fees compared").to.be.greaterThan(RUNS);
    }
  });
});
