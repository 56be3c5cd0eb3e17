/**
 * The API's answers: zod schemas that document them in the OpenAPI document, and the TypeScript types
 * inferred from the same schemas, which the server's views, the explorer and the CLI are written
 * against. One contract: an answer that changes shape changes here, and every reader's types follow.
 */
import { z } from "zod";

import { LAPSE_REASONS, OBJECTION_STATE_NAMES, PURPOSE_CLASS_NAMES, RIGHT_NAMES, type RightName, USAGE_ACTION_NAMES } from "./ids.js";

export const Evidence = z
  .object({
    txHash: z.string(),
    blockNumber: z.number().int(),
    blockHash: z.string(),
    txIndex: z.number().int(),
    logIndex: z.number().int(),
    timestamp: z.number().int().meta({ description: "Block time, Unix seconds" }),
    time: z.string().meta({ description: "Block time, ISO 8601" }),
    confirmations: z.number().int().meta({ description: "Blocks on top of this one, itself included, at the chain head" }),
    final: z.boolean().meta({ description: "confirmations >= the configured finality depth" }),
  })
  .meta({ id: "Evidence", description: "Where a fact sits on chain, and how final it is" });

export const ReadAt = z.object({ number: z.number().int(), hash: z.string() }).meta({ id: "ReadAt", description: "The indexed block this answer was read at" });

export const Lapse = z
  .object({
    grantId: z.string().meta({ description: "The upstream grant that no longer holds" }),
    reason: z.enum(LAPSE_REASONS).meta({ description: "Revoked, renounced or cancelled by a ruling, its window ended, or its dataset was retired" }),
    evidence: Evidence.nullable().meta({ description: "The event that ended it; null when its window ran out" }),
    validUntil: z.number().int().meta({ description: "The licence's last valid second" }),
  })
  .meta({ id: "Lapse", description: "Which licence of a dataset no longer holds, and why" });

export const Dataset = z
  .object({
    id: z.string(),
    holder: z.string(),
    registrant: z.string(),
    contentHash: z.string(),
    merkleRoot: z.string(),
    recordCount: z.string(),
    metadataURI: z.string(),
    status: z.enum(["active", "retired", "lapsed"]).meta({ description: "lapsed: a grant of its licence no longer holds (see lapse)" }),
    pendingHolder: z.string().nullable(),
    parents: z.array(z.object({ datasetId: z.string(), grantId: z.string().nullable(), evidence: Evidence })),
    licences: z
      .array(z.object({ grantId: z.string(), direct: z.boolean().meta({ description: "Whoever operates the dataset must be this grant's grantee" }), evidence: Evidence }))
      .meta({ description: "The upstream grants it rests on, transitively; empty for data held outright" }),
    lapse: Lapse.nullable(),
    versions: z.object({ previous: z.string().nullable(), next: z.string().nullable() }),
    transfers: z.array(z.object({ from: z.string(), to: z.string(), evidence: Evidence })),
    registered: Evidence,
    retired: Evidence.nullable(),
    cancelledBy: z.string().nullable().meta({ description: "The objection whose upheld ruling retired it; null when it was not cancelled" }),
  })
  .meta({ id: "Dataset" });

const Amount = z.string().meta({ description: "In the currency's smallest unit (the token's base unit; fen for CNY), decimal" });

export const Currency = z
  .object({
    token: z.string().nullable().meta({ description: "The ERC-20 token paid through the ledger; null for an off-chain currency" }),
    currencyCode: z.string().nullable().meta({ description: 'The ISO 4217 code ("CNY") of an off-chain currency; null for a token' }),
  })
  .meta({ id: "Currency" });

export const FeeTerms = Currency.extend({
  purposeClass: z.enum(PURPOSE_CLASS_NAMES).meta({ description: "public-governance and public-welfare use is free" }),
  unitPrice: Amount,
  periodFee: Amount,
  period: z.number().int().meta({ description: "Seconds between period fees (each due when its period starts); 0 without one" }),
}).meta({ id: "FeeTerms", description: "A grant's purpose class and fees, as issued" });

export const GrantStatus = z
  .enum(["pending", "active", "expired", "exhausted", "revoked", "renounced", "cancelled", "retired", "lapsed"])
  .meta({ description: "At the chain head's time, as the ledger's grantStatus: retired (its dataset is), lapsed (a licence its dataset rests on no longer holds)" });

export const Grant = z
  .object({
    id: z.string(),
    datasetId: z.string(),
    grantor: z.string(),
    grantee: z.string(),
    rights: z.array(z.enum(Object.keys(RIGHT_NAMES) as [RightName, ...RightName[]])),
    purpose: z.string(),
    purposeHash: z.string(),
    validFrom: z.number().int(),
    validUntil: z.number().int(),
    quota: z.string().meta({ description: 'Units allowed; "0" means unlimited' }),
    used: z.string(),
    remaining: z.string().nullable().meta({ description: "null for an unlimited grant" }),
    uses: z.number().int(),
    status: GrantStatus,
    lapse: Lapse.nullable(),
    issued: Evidence,
    ended: Evidence.nullable(),
    cancelledBy: z.string().nullable().meta({ description: "The objection whose upheld ruling cancelled it" }),
    fees: FeeTerms.nullable().meta({ description: "null for a grant issued without terms" }),
    owed: Amount.nullable().meta({ description: "Everything owed at the chain head's time: units used x unit price + the period fees due (the ledger's feesOf)" }),
    paid: Amount.nullable().meta({ description: "Paid through the ledger or acknowledged by the holder, in all" }),
  })
  .meta({ id: "Grant" });

export const Payment = z
  .object({
    grantId: z.string(),
    kind: z.enum(["paid", "acknowledged"]).meta({ description: "paid through the ledger in a token, or acknowledged by the holder as paid off it" }),
    payer: z.string().nullable(),
    holder: z.string().meta({ description: "Who received it: the holder of the grant's dataset at the time" }),
    token: z.string().nullable(),
    amount: Amount,
    paidTotal: Amount,
    paymentRef: z.string().nullable().meta({ description: "The holder's reference for an acknowledged payment" }),
    evidence: Evidence,
  })
  .meta({ id: "Payment" });

export const FeeCap = Currency.extend({
  datasetId: z.string(),
  authority: z.string(),
  maxUnitPrice: Amount,
  maxDailyFee: Amount.meta({ description: "Highest period fee per 86,400 seconds of period" }),
  evidence: Evidence,
}).meta({ id: "FeeCap", description: "The authority's cap on the fees of a dataset's or product's grants" });

export const RevenueCeiling = Currency.extend({
  operator: z.string(),
  year: z.number().int().meta({ description: "Calendar year in UTC+8" }),
  authority: z.string(),
  ceiling: Amount,
  evidence: Evidence,
}).meta({ id: "RevenueCeiling" });

export const Objection = z
  .object({
    id: z.string().meta({ description: "Objections are numbered from 1 in filing order" }),
    targetKind: z.enum(["dataset", "grant"]),
    target: z.string(),
    datasetId: z.string().meta({ description: "The dataset the target is or is on: its holder answers" }),
    objector: z.string(),
    reason: z.string(),
    evidenceHash: z.string().nullable(),
    answerDue: z.number().int().meta({ description: "Unix seconds: after it the arbiter may rule without the holder's answer" }),
    state: z.enum(OBJECTION_STATE_NAMES.filter((n) => n !== "none") as ["open", "answered", "upheld", "rejected"]),
    filed: Evidence,
    answer: z.object({ holder: z.string(), text: z.string(), evidenceHash: z.string().nullable(), evidence: Evidence }).nullable(),
    ruling: z.object({ arbiter: z.string(), upheld: z.boolean(), text: z.string(), evidence: Evidence }).nullable(),
  })
  .meta({ id: "Objection", description: "An objection to a registration or a grant, the holder's answer and the arbiter's ruling" });

export const StatementLine = z
  .object({
    grantId: z.string(),
    datasetId: z.string(),
    holder: z.string().meta({ description: "The dataset's holder now: who is paid" }),
    status: GrantStatus,
    fees: FeeTerms,
    units: z.string().meta({ description: "Units recorded in the period (a gateway's deliveries when their epoch settled)" }),
    periods: z.number().int().meta({ description: "Periods that started in the period" }),
    charged: Amount.meta({ description: "units x unit price + periods x period fee" }),
    paidInPeriod: Amount,
    owedToDate: Amount.meta({ description: "Everything owed by the end of the period" }),
    paidToDate: Amount,
    outstanding: Amount.meta({ description: "owedToDate - paidToDate, never negative" }),
  })
  .meta({ id: "StatementLine", description: "One grant's fees in a statement" });

export const Statement = z
  .object({
    readAt: ReadAt,
    account: z.string(),
    role: z.enum(["grantee", "holder"]).meta({ description: "grantee: what it owes; holder: what its grants bring in" }),
    period: z.object({ label: z.string(), from: z.number().int(), to: z.number().int() }).meta({ description: "Both ends inclusive, Unix seconds; calendar periods are in UTC+8" }),
    lines: z.array(StatementLine),
    totals: z.array(Currency.extend({ charged: Amount, paidInPeriod: Amount, outstanding: Amount })).meta({ description: "Per currency" }),
    truncated: z.boolean().meta({ description: "True when the account has more priced grants than one statement covers" }),
  })
  .meta({ id: "Statement", description: "Fees per grant in a period, from the index" });

export const Usage = z
  .object({
    grantId: z.string(),
    datasetId: z.string(),
    grantee: z.string(),
    action: z.enum(USAGE_ACTION_NAMES),
    units: z.string(),
    outputRef: z.string().nullable().meta({ description: "What the use produced; for a delivery settled by a gateway, its epoch's receipts root" }),
    settlement: z.object({ holder: z.string(), epoch: z.string() }).optional().meta({ description: "Present when the holder's gateway metered the use: the epoch it was settled in" }),
    evidence: Evidence,
  })
  .meta({ id: "Usage" });

export const Epoch = z
  .object({
    holder: z.string(),
    epoch: z.string().meta({ description: "The epoch's number (uint64, decimal)" }),
    meter: z.string().meta({ description: "The account that settled it: the holder or a meter it appointed" }),
    receiptsRoot: z.string().meta({ description: "Merkle root of the epoch's signed delivery receipts" }),
    receiptCount: z.number().int(),
    entryCount: z.number().int().meta({ description: "Grant and action totals settled (each a use in the epoch's usage list)" }),
    units: z.string().meta({ description: "The sum of the entries' units" }),
    evidence: Evidence,
  })
  .meta({ id: "Epoch", description: "An epoch of a holder's gateway deliveries, settled on chain" });

export const Meter = z.object({ holder: z.string(), meter: z.string(), appointed: Evidence }).meta({ id: "Meter", description: "An account a holder appointed to settle its gateway's usage" });

export const Activity = z
  .object({
    account: z.string(),
    kind: z.string(),
    datasetId: z.string().optional(),
    grantId: z.string().optional(),
    counterparty: z.string().optional(),
    units: z.string().optional(),
    role: z.string().optional(),
    epoch: z.string().optional(),
    amount: z.string().optional().meta({ description: "A payment's or a ceiling's amount, in its currency's smallest unit" }),
    currency: Currency.optional(),
    objectionId: z.string().optional(),
    evidence: Evidence,
  })
  .meta({ id: "Activity" });

export const Roles = z
  .object({
    admin: z.string().nullable().meta({ description: "The one account with DEFAULT_ADMIN_ROLE" }),
    pausers: z.array(z.string()).meta({ description: "Accounts with PAUSER_ROLE" }),
    adminDelay: z.number().int().nullable().meta({ description: "Seconds a scheduled admin handover waits, at the chain head's time" }),
    pendingAdmin: z.object({ account: z.string(), acceptAfter: z.number().int().meta({ description: "Unix seconds; it may be accepted in any later block" }), evidence: Evidence }).nullable(),
    pendingDelay: z.object({ delay: z.number().int(), effectiveAfter: z.number().int(), evidence: Evidence }).nullable(),
  })
  .meta({ id: "Roles", description: "Who administers the ledger and who may pause it, from its role events" });

export const ReceiptCheck = z
  .object({
    readAt: ReadAt,
    valid: z.boolean().meta({ description: "Signed by the holder or the meter that settled, and its proof leads to the root the ledger recorded for its epoch" }),
    signer: z.string().nullable().meta({ description: "Who signed the receipt (null when the signature cannot be read)" }),
    root: z.string().nullable().meta({ description: "The root its proof leads to" }),
    epoch: Epoch.nullable().meta({ description: "Its epoch as settled on chain; null when not settled (or not indexed yet)" }),
    reason: z.string().nullable().meta({ description: "Why it is not valid, in one sentence; null when valid" }),
  })
  .meta({ id: "ReceiptCheck", description: "Whether a gateway's delivery receipt was settled on chain" });

export const pageOf = <T extends z.ZodType>(item: T, name: string) => z.object({ readAt: ReadAt, items: z.array(item), next: z.string().nullable() }).meta({ id: name });

export const Status = z
  .object({
    chainId: z.number().int(),
    ledger: z.string(),
    deployBlock: z.number().int(),
    head: z.number().int().nullable(),
    indexed: ReadAt.meta({ description: "The last block indexed: before the first one, /v1/status answers 503 index_not_ready" }),
    lag: z.number().int().nullable(),
    events: z.number().int(),
    digest: z.string(),
    reorgs: z.number().int(),
    paused: z.boolean(),
    roles: Roles,
    confirmations: z.number().int(),
    finalityDepth: z.number().int(),
    lastError: z.string().nullable(),
    stalled: z.string().nullable().meta({ description: "Why the indexer stopped for good, if it has: the answers are then the index as it was" }),
  })
  .meta({ id: "Status" });

/** A fact's place on chain, as a disclosure cites it: no confirmations, so that replicas at one block agree byte for byte. */
export const ChainRef = z.object({ txHash: z.string(), blockNumber: z.number().int(), logIndex: z.number().int(), time: z.string() }).meta({ id: "ChainRef" });

const CurrencyTotals = Currency.extend({ charged: Amount, paid: Amount });

export const Disclosure = z
  .object({
    readAt: ReadAt,
    operator: z.string(),
    year: z.number().int(),
    period: z.object({ from: z.number().int(), to: z.number().int() }).meta({ description: "The calendar year in UTC+8, Unix seconds, both ends inclusive" }),
    asOf: z.number().int().meta({ description: "Fees are counted up to this second: the year's end, or the chain head's time in a year still running" }),
    resources: z
      .array(
        z.object({
          grantId: z.string(),
          datasetId: z.string(),
          grantor: z.string(),
          rights: z.array(z.string()),
          purpose: z.string(),
          validFrom: z.number().int(),
          validUntil: z.number().int(),
          state: z.string().meta({ description: "active, revoked, renounced or cancelled (as of the block read)" }),
          issued: ChainRef,
        }),
      )
      .meta({ description: "Public data the operator was authorised to operate: the grants it received with the operate-product right, in force during the year" }),
    products: z
      .array(
        z.object({
          datasetId: z.string(),
          metadataURI: z.string(),
          registered: ChainRef,
          retired: ChainRef.nullable(),
          licences: z.array(z.string()).meta({ description: "The upstream grants the product rests on" }),
          cap: z.object({ token: z.string().nullable(), currencyCode: z.string().nullable(), maxUnitPrice: Amount, maxDailyFee: Amount, set: ChainRef }).nullable(),
          grants: z.array(
            z.object({
              grantId: z.string(),
              grantee: z.string(),
              state: z.string(),
              fees: FeeTerms.nullable(),
              units: z.string().meta({ description: "Units recorded in the year" }),
              charged: Amount,
              paid: Amount,
              issued: ChainRef,
            }),
          ),
          units: z.string(),
          revenue: z.array(CurrencyTotals),
        }),
      )
      .meta({ description: "The datasets and products the operator holds, with the grants on them in force during the year" }),
    revenue: z
      .array(
        CurrencyTotals.extend({
          ceiling: Amount.nullable(),
          ceilingSet: ChainRef.nullable(),
          excess: Amount.meta({ description: "Charged over the ceiling: carried into next year as a deduction" }),
          carriedIn: Amount.meta({ description: "Last year's excess, deducted this year" }),
        }),
      )
      .meta({ description: "Per currency: charged and paid in the year, the ceiling, any excess, and last year's excess carried in" }),
    objections: z
      .array(
        z.object({
          id: z.string(),
          targetKind: z.enum(["dataset", "grant"]),
          target: z.string(),
          objector: z.string(),
          reason: z.string(),
          state: z.string(),
          filed: ChainRef,
          answer: z.object({ text: z.string(), at: ChainRef }).nullable(),
          ruling: z.object({ upheld: z.boolean(), text: z.string(), at: ChainRef }).nullable(),
        }),
      )
      .meta({ description: "Objections to the operator's datasets and grants filed or ruled in the year" }),
  })
  .meta({ id: "Disclosure", description: "An operator's yearly disclosure, from the index" });

export const ErrorBody = z.object({ error: z.object({ code: z.string(), message: z.string() }) }).meta({ id: "Error", description: "Every error: a stable code and one sentence" });

export const Lineage = z
  .object({
    readAt: ReadAt,
    root: z.string(),
    direction: z.enum(["ancestors", "descendants"]),
    depth: z.number().int(),
    truncated: z.boolean(),
    nodes: z.array(Dataset),
    edges: z.array(z.object({ parent: z.string(), child: z.string(), grantId: z.string().nullable() })).meta({ description: "Each edge once, on the page of its later-found end" }),
    next: z.string().nullable().meta({ description: "Pass back as cursor for the next page of datasets; null on the last" }),
  })
  .meta({ id: "Lineage" });

export const Anchors = z.object({ readAt: ReadAt, contentHash: z.string(), anchors: z.array(Dataset) }).meta({ id: "Anchors" });

/** The payload of a live `applied` event (GET /v1/events). */
export const AppliedEvent = z.object({ from: z.number().int(), to: z.number().int(), events: z.number().int(), indexed: ReadAt, digest: z.string(), total: z.number().int() });

export type Evidence = z.output<typeof Evidence>;
export type Disclosure = z.output<typeof Disclosure>;
export type Lapse = z.output<typeof Lapse>;
export type Dataset = z.output<typeof Dataset>;
export type GrantStatus = z.output<typeof GrantStatus>;
export type Grant = z.output<typeof Grant>;
export type Usage = z.output<typeof Usage>;
export type Epoch = z.output<typeof Epoch>;
export type Meter = z.output<typeof Meter>;
export type ReceiptCheck = z.output<typeof ReceiptCheck>;
export type Activity = z.output<typeof Activity>;
export type Roles = z.output<typeof Roles>;
export type ReadAt = z.output<typeof ReadAt>;
export type Status = z.output<typeof Status>;
export type Lineage = z.output<typeof Lineage>;
export type Anchors = z.output<typeof Anchors>;
export type AppliedEvent = z.output<typeof AppliedEvent>;
export type ErrorBody = z.output<typeof ErrorBody>;
/** A page of a list: its items, where it was read, and the cursor of the next page (null on the last). */
export interface Page<T> {
  readAt: ReadAt;
  items: T[];
  next: string | null;
}
export type FeeTerms = z.output<typeof FeeTerms>;
export type Payment = z.output<typeof Payment>;
export type FeeCap = z.output<typeof FeeCap>;
export type RevenueCeiling = z.output<typeof RevenueCeiling>;
export type Objection = z.output<typeof Objection>;
export type StatementLine = z.output<typeof StatementLine>;
export type Statement = z.output<typeof Statement>;
