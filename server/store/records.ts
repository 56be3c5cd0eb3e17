/**
 * What the index keeps: one record per dataset, grant, use and account activity, each with the chain
 * evidence of the facts it states. Numbers beyond 2^53 travel as decimal strings.
 */

import type { PurposeClassName, UsageActionName } from "../../core/ids.js";

/** The chain evidence of a fact: where the event sits and when its block was made. */
export interface Evidence {
  txHash: string;
  blockNumber: number;
  blockHash: string;
  txIndex: number;
  logIndex: number;
  /** Block timestamp, seconds since the epoch. */
  timestamp: number;
}

/** Evidence with its time already written as the API writes it (ISO 8601): for records served as stored. */
export interface TimedEvidence extends Evidence {
  time: string;
}

export interface ParentRecord {
  datasetId: string;
  /** The grant the registrant derived under, or the zero hash when it held the parent. */
  grantId: string;
  evidence: Evidence;
}

/** An upstream grant a dataset rests on (see IDatasetRegistry): it lapses when that grant does. */
export interface LicenceRecord {
  grantId: string;
  /** Whoever operates the dataset must be the grantee of this grant. */
  direct: boolean;
  evidence: Evidence;
}

export interface TransferRecord {
  from: string;
  to: string;
  evidence: Evidence;
}

export interface DatasetRecord {
  id: string;
  holder: string;
  registrant: string;
  contentHash: string;
  merkleRoot: string;
  recordCount: string;
  metadataURI: string;
  parents: ParentRecord[];
  /** The upstream grants it rests on, in the ledger's order; empty when it rests on none. */
  licences: LicenceRecord[];
  previousVersion: string | null;
  nextVersion: string | null;
  pendingHolder: string | null;
  retired: Evidence | null;
  /** The objection whose upheld ruling retired it, when that is how it was retired. */
  cancelledBy?: string;
  transfers: TransferRecord[];
  registered: Evidence;
  /** Key of this dataset in the by-holder index (it moves when holding does). */
  holderKey: string;
}

/** What a grant's standing needs of its dataset (api/standing.ts). */
export type DatasetStanding = Pick<DatasetRecord, "id" | "retired" | "licences">;

export type GrantState = "active" | "revoked" | "renounced" | "cancelled";

/** A currency: an ERC-20 token paid through the ledger, or an ISO 4217 code paid off it. */
export interface Currency {
  token: string | null;
  currencyCode: string | null;
}

/** A grant's purpose class and fee terms (IGrantFees.FeeTerms); amounts in the currency's smallest unit. */
export interface FeeTermsRecord extends Currency {
  purposeClass: PurposeClassName;
  unitPrice: string;
  periodFee: string;
  /** Seconds; zero without a period fee. */
  period: number;
}

export interface GrantRecord {
  id: string;
  datasetId: string;
  grantor: string;
  grantee: string;
  rights: number;
  purposeHash: string;
  purpose: string;
  validFrom: number;
  validUntil: number;
  quota: string;
  used: string;
  uses: number;
  bump: string;
  state: GrantState;
  issued: Evidence;
  ended: Evidence | null;
  /** The objection whose upheld ruling cancelled it. */
  cancelledBy?: string;
  /** Present for a grant issued with terms (grantWithTerms). */
  fees?: FeeTermsRecord;
  /** Paid through the ledger or acknowledged by the holder, in all (with fee terms only). */
  paid?: string;
  /**
   * When the last use and the last payment were recorded, and in which month (UTC+8, 202611): a
   * statement reads "used by the end of a month" as one point read of the month's checkpoint, or as
   * `used` itself from the last use on.
   */
  lastUsedAt?: number;
  usedMonth?: number;
  lastPaidAt?: number;
  paidMonth?: number;
}

/** A payment towards a grant's fees: through the ledger ("paid") or acknowledged by the holder (key grant:time:position). */
export interface PaymentRecord {
  grantId: string;
  kind: "paid" | "acknowledged";
  /** Who paid through the ledger; null for an acknowledged payment. */
  payer: string | null;
  holder: string;
  token: string | null;
  amount: string;
  /** Paid in all for the grant after this payment. */
  paidTotal: string;
  paymentRef: string | null;
  evidence: Evidence;
}

/** The authority's cap on the fees of a dataset's or product's grants (key dataset id); a lifted cap is deleted. */
export interface FeeCapRecord extends Currency {
  datasetId: string;
  authority: string;
  maxUnitPrice: string;
  maxDailyFee: string;
  evidence: Evidence;
}

/** An operator's revenue ceiling for a year (key operator:year). */
export interface RevenueCeilingRecord extends Currency {
  operator: string;
  year: number;
  authority: string;
  ceiling: string;
  evidence: Evidence;
}

export type ObjectionStateName = "open" | "answered" | "upheld" | "rejected";

/** An objection to a registration or a grant, with the holder's answer and the arbiter's ruling (key: its number, 20 digits). */
export interface ObjectionRecord {
  id: string;
  targetKind: "dataset" | "grant";
  target: string;
  /** The dataset the target is or is on: its holder answers. */
  datasetId: string;
  objector: string;
  reason: string;
  evidenceHash: string | null;
  /** Unix seconds: the last second the holder may answer before the arbiter may rule without it. */
  answerDue: number;
  state: ObjectionStateName;
  filed: Evidence;
  answer: { holder: string; text: string; evidenceHash: string | null; evidence: Evidence } | null;
  ruling: { arbiter: string; upheld: boolean; text: string; evidence: Evidence } | null;
}

/**
 * A use, stored as the API answers it but for its finality, which depends on the head and is added
 * when read (views.ts, `withFinality`): a page of uses is written from the stored text, with no
 * parsing and no building (the API's most read lists). Its evidence is the last field.
 */
export interface UsageRecord {
  grantId: string;
  datasetId: string;
  grantee: string;
  action: UsageActionName;
  units: string;
  /** Null when the use named no output (for a settled delivery: the epoch's receipts root). */
  outputRef: string | null;
  /** Present when a holder's gateway metered the use: the epoch it was settled in. */
  settlement?: SettlementRef;
  evidence: TimedEvidence;
}

/** The epoch a gateway-metered use was settled in. */
export interface SettlementRef {
  holder: string;
  epoch: string;
}

/** An epoch of a holder's gateway deliveries, as settled on chain (key holder:epoch). */
export interface EpochRecord {
  holder: string;
  epoch: string;
  meter: string;
  receiptsRoot: string;
  receiptCount: number;
  entryCount: number;
  units: string;
  evidence: Evidence;
}

/** An account a holder appointed to settle its gateway's usage (key holder:meter). */
export interface MeterRecord {
  holder: string;
  meter: string;
  appointed: Evidence;
}

export type ActivityKind =
  | "registered"
  | "derived"
  | "versioned"
  | "holding-offered"
  | "holding-received-offer"
  | "holding-accepted"
  | "holding-transferred-away"
  | "retired"
  | "granted"
  | "grant-received"
  | "revoked"
  | "grant-revoked"
  | "renounced"
  | "grant-renounced"
  | "used"
  | "dataset-used"
  | "grant-request-cancelled"
  | "grant-requests-cancelled"
  | "paused"
  | "unpaused"
  | "role-granted"
  | "role-revoked"
  | "admin-transfer-scheduled"
  | "meter-appointed"
  | "appointed-meter"
  | "meter-dismissed"
  | "dismissed-meter"
  | "epoch-settled"
  | "settled-epoch"
  | "fees-paid"
  | "fees-received"
  | "fees-acknowledged"
  | "fee-cap-set"
  | "revenue-ceiling-set"
  | "revenue-ceiling-received"
  | "objection-filed"
  | "objection-received"
  | "objection-answered"
  | "objection-ruled"
  | "ruling-received"
  | "grant-cancelled"
  | "dataset-cancelled";

/**
 * How a use appears in the activity of its grantee ("used") and of the dataset's holder
 * ("dataset-used"): the key of its usage record, nothing more. The account is the list's, the kind
 * whether that account is the use's grantee, the rest the usage record's (the most frequent event
 * would otherwise be stored three times over).
 */
export type UsageActivityRef = string;

export interface ActivityRecord {
  account: string;
  kind: ActivityKind;
  datasetId?: string;
  grantId?: string;
  counterparty?: string;
  units?: string;
  /** For role changes: the role's name ("admin", "pauser") or its hash when unknown. */
  role?: string;
  /** For a settled epoch: its number. */
  epoch?: string;
  /** For a payment or a revenue ceiling: its amount, and its currency. */
  amount?: string;
  currency?: Currency;
  /** For an objection, its answer, ruling or a cancellation by it: its number. */
  objectionId?: string;
  /** Last, as in a use: served as stored, finality added when read. */
  evidence: TimedEvidence;
}

/** Who holds the ledger's roles, and any handover in progress (meta key "roles"). */
export interface RolesRecord {
  /** Members of each role by name ("admin", "pauser"), each with the evidence of its grant. */
  members: Record<string, { account: string; evidence: Evidence }[]>;
  /** Seconds a scheduled admin handover waits; null before the deployment event is indexed. */
  adminDelay: number | null;
  /** A scheduled admin handover: who, and from when it may be accepted (Unix seconds). */
  adminTransfer: { newAdmin: string; acceptSchedule: number; evidence: Evidence } | null;
  /** A scheduled change of the delay: the new delay, and when it takes effect (Unix seconds). */
  delayChange: { newDelay: number; effectSchedule: number; evidence: Evidence } | null;
}

/** The indexer's position and running digest, written atomically with every applied range. */
export interface SyncState {
  cursor: { number: number; hash: string };
  digest: string;
  events: number;
  reorgs: number;
}

/** What the index was built from; a store opened against another chain or ledger is refused. */
export interface StoreIdentity {
  chainId: number;
  ledger: string;
  deployBlock: number;
  schema: number;
}

/** A block the indexer remembers, for reorg detection and rollback: its hash and the digest after it. */
export interface BlockMark {
  hash: string;
  digest: string;
  events: number;
}
