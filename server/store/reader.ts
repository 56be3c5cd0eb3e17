/**
 * What the API reads from the index, and in what shape: the Reader contract, its pages and their
 * cursors. A cursor is opaque to clients, the last key of the page, checked against the list's key
 * shape when it comes back, so a forged one is refused rather than read as a place in the list.
 */
import { InvalidInputError } from "../../core/errors.js";
import { decodeCursor } from "./keys.js";
import type * as R from "./records.js";

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next: string | null;
}

export interface PageArgs {
  limit: number;
  cursor?: string;
}

/** An item as stored: JSON ending with its evidence (time included), and the block it is in. */
export interface StoredItem {
  json: string;
  block: number;
}

export interface LineageGraph {
  root: string;
  /** This page's datasets, in breadth-first order from the root (the root first, on the first page). */
  nodes: R.DatasetRecord[];
  /** Every edge whose later-found end is on this page: each edge comes once, on the page of its later end. */
  edges: { parent: string; child: string; grantId: string }[];
  /** True when `depth` stopped the walk before the graph ended. */
  truncated: boolean;
  /** Pass back as `cursor` for the next page of datasets; null on the last page. */
  next: string | null;
}

export interface LineageArgs {
  direction: "ancestors" | "descendants";
  depth: number;
  /** Datasets per page. */
  limit: number;
  cursor?: string;
}

/** A cursor this list never gave out: garbled, forged, or another list's. */
export class InvalidCursorError extends InvalidInputError {
  constructor() {
    super("query parameter cursor is not one this list gave out: pass back the `next` of the page before, unchanged, or leave cursor out to start from the first page", "invalid_cursor");
  }
}

export interface Reader {
  readonly identity: R.StoreIdentity;
  state(): Promise<R.SyncState | undefined>;
  paused(): Promise<boolean>;
  /** Who holds the ledger's roles, as its events told (before any was indexed: nobody). */
  roles(): Promise<R.RolesRecord>;
  dataset(id: string): Promise<R.DatasetRecord | undefined>;
  /** Whether `key` is in `name`, without reading its record. */
  has(name: "datasets" | "grants", key: string): boolean;
  /** The dataset grant `g` is on (the index has it whenever it has the grant). */
  datasetOf(g: R.GrantRecord): R.DatasetRecord;
  /** What the standing of grant `g` needs of its dataset, read without parsing it when it can be. */
  datasetStandingOf(g: R.GrantRecord): R.DatasetStanding;
  /** Each licence of `dataset` with the upstream grant and the dataset that grant is on. */
  licenceFacts(dataset: Pick<R.DatasetRecord, "licences">): { grant: R.GrantRecord; dataset: R.DatasetRecord }[];
  /** Datasets that rest on grant `grantId` (it is in their licence), oldest first. */
  productsOfLicence(grantId: string, args: PageArgs): Promise<Page<R.DatasetRecord>>;
  grant(id: string): Promise<R.GrantRecord | undefined>;
  /** Datasets newest first, all or those `holder` holds now. */
  datasets(args: PageArgs & { holder?: string }): Promise<Page<R.DatasetRecord>>;
  /** Every anchor of `contentHash`, in block order. */
  anchors(contentHash: string): Promise<R.DatasetRecord[]>;
  grantsOfDataset(datasetId: string, args: PageArgs): Promise<Page<R.GrantRecord>>;
  grantsOfGrantee(grantee: string, args: PageArgs): Promise<Page<R.GrantRecord>>;
  grantsOfGrantor(grantor: string, args: PageArgs): Promise<Page<R.GrantRecord>>;
  /** Uses of a dataset, newest first, optionally by one grantee and inside [from, to] (block timestamps). */
  usageOfDataset(datasetId: string, args: PageArgs & { grantee?: string; from?: number; to?: number }): Promise<Page<R.UsageRecord>>;
  /** Uses of a dataset, newest first, as stored: what the API writes without parsing. */
  storedUsageOfDataset(datasetId: string, args: PageArgs): Promise<Page<StoredItem>>;
  usageOfGrant(grantId: string, args: PageArgs): Promise<Page<R.UsageRecord>>;
  storedUsageOfGrant(grantId: string, args: PageArgs): Promise<Page<StoredItem>>;
  /** The derivation graph around a dataset, breadth-first to `depth`, a page of `limit` datasets at a time. */
  lineage(datasetId: string, args: LineageArgs): Promise<LineageGraph>;
  /** Everything an account did or received, newest first. */
  activity(account: string, args: PageArgs): Promise<Page<R.ActivityRecord>>;
  storedActivity(account: string, args: PageArgs): Promise<Page<StoredItem>>;
  /** The meters `holder` has appointed and not dismissed, in address order. */
  meters(holder: string): Promise<R.MeterRecord[]>;
  /** `holder`'s settled epoch `epoch`, if settled. */
  epoch(holder: string, epoch: bigint): Promise<R.EpochRecord | undefined>;
  /** `holder`'s settled epochs, highest number first. */
  epochsOf(holder: string, args: PageArgs): Promise<Page<R.EpochRecord>>;
  /** The uses an epoch settled, in the order settled, as stored. */
  storedUsageOfEpoch(holder: string, epoch: bigint, args: PageArgs): Promise<Page<StoredItem>>;
  /** Units grant `g` had used by the end of second `time`. */
  usedBy(g: R.GrantRecord, time: number): Promise<bigint>;
  /** What had been paid or acknowledged for grant `g` by the end of second `time`. */
  paidBy(g: R.GrantRecord, time: number): Promise<bigint>;
  /** Payments towards a grant's fees, newest first. */
  paymentsOf(grantId: string, args: PageArgs): Promise<Page<R.PaymentRecord>>;
  /** The authority's fee cap on `datasetId`, if one is in force. */
  feeCap(datasetId: string): Promise<R.FeeCapRecord | undefined>;
  /** `operator`'s revenue ceilings, by year. */
  ceilings(operator: string): Promise<R.RevenueCeilingRecord[]>;
  objection(id: string): Promise<R.ObjectionRecord | undefined>;
  /** Every objection, newest first, or those against one dataset or grant. */
  objections(args: PageArgs & { target?: string }): Promise<Page<R.ObjectionRecord>>;
  close(): Promise<void>;
}

/**
 * What follows a list's prefix in each of its keys: the event's position (block, transaction, log:
 * 24 digits), then the dataset id; or an item's number in a numbered list (12 digits); or an
 * epoch's or objection's number (20 digits); or a payment's time (12 digits) and position. A cursor
 * is checked against it, so a forged one is refused rather than read as a place in the list.
 */
const LIST_KEY_TAIL = /^(\d{24}(:0x[0-9a-f]{64})?|\d{12}|\d{20}|\d{12}:\d{24})$/;

/** The key a list's cursor stands for: the last key of the page that gave it out. */
export function keyAfter(cursor: string | undefined, prefix: string): string | undefined {
  if (cursor === undefined) return undefined;
  const key = decodeCursor(cursor);
  if (key === undefined || !key.startsWith(prefix) || !LIST_KEY_TAIL.test(key.slice(prefix.length))) throw new InvalidCursorError();
  return key;
}

/**
 * The number of the item a numbered list's cursor stands for (the last of the page that gave it
 * out): a number of this list, below its `length`; the list's length when there is no cursor.
 */
export function numberBefore(cursor: string | undefined, prefix: string, length: number): number {
  const key = keyAfter(cursor, prefix);
  if (key === undefined) return length;
  const tail = key.slice(prefix.length);
  const n = Number(tail);
  if (tail.length !== 12 || n >= length) throw new InvalidCursorError();
  return n;
}

/** Where a lineage page starts: 0, or the offset its cursor carries. */
export function lineageOffset(cursor: string | undefined): number {
  if (cursor === undefined) return 0;
  const match = /^lineage:(\d{1,9})$/.exec(decodeCursor(cursor) ?? "");
  if (!match) throw new InvalidCursorError();
  return Number(match[1]);
}
