/**
 * Reads of the index, each through one LevelDB snapshot: an answer never mixes state from before
 * and after a write (a reorganisation's rollback included). Lists are range scans over the index
 * sublevels, paginated by an opaque cursor (the last key returned).
 */
import { decodeCursor, encodeCursor, upperBound } from "./keys.js";
import type { ActivityRecord, DatasetRecord, GrantRecord, RolesRecord, StoreIdentity, SyncState, UsageActivityRef, UsageRecord } from "./records.js";
import type { Store, SublevelName } from "./store.js";

export interface Page<T> {
  items: T[];
  /** Pass back as `cursor` for the next page; null on the last page. */
  next: string | null;
}

export interface PageArgs {
  limit: number;
  cursor?: string;
}

export interface LineageGraph {
  root: string;
  nodes: DatasetRecord[];
  edges: { parent: string; child: string; grantId: string }[];
  /** True when `depth` stopped the walk before the graph ended. */
  truncated: boolean;
}

export class InvalidCursorError extends Error {}

export interface Reader {
  readonly identity: StoreIdentity;
  state(): Promise<SyncState | undefined>;
  paused(): Promise<boolean>;
  /** Who holds the ledger's roles, as its events told (before any was indexed: nobody). */
  roles(): Promise<RolesRecord>;
  dataset(id: string): Promise<DatasetRecord | undefined>;
  /** The dataset grant `g` is on (the index has it whenever it has the grant). */
  datasetOf(g: GrantRecord): DatasetRecord;
  /** Each licence of `dataset` with the upstream grant and the dataset that grant is on. */
  licenceFacts(dataset: DatasetRecord): { grant: GrantRecord; dataset: DatasetRecord }[];
  /** Datasets that rest on grant `grantId` (it is in their licence), oldest first. */
  productsOfLicence(grantId: string, args: PageArgs): Promise<Page<DatasetRecord>>;
  grant(id: string): Promise<GrantRecord | undefined>;
  /** Datasets newest first, all or those `holder` holds now. */
  datasets(args: PageArgs & { holder?: string }): Promise<Page<DatasetRecord>>;
  /** Every anchor of `contentHash`, in block order. */
  anchors(contentHash: string): Promise<DatasetRecord[]>;
  grantsOfDataset(datasetId: string, args: PageArgs): Promise<Page<GrantRecord>>;
  grantsOfGrantee(grantee: string, args: PageArgs): Promise<Page<GrantRecord>>;
  grantsOfGrantor(grantor: string, args: PageArgs): Promise<Page<GrantRecord>>;
  /** Uses of a dataset, newest first, optionally by one grantee and inside [from, to] (block timestamps). */
  usageOfDataset(datasetId: string, args: PageArgs & { grantee?: string; from?: number; to?: number }): Promise<Page<UsageRecord>>;
  usageOfGrant(grantId: string, args: PageArgs): Promise<Page<UsageRecord>>;
  lineage(datasetId: string, direction: "ancestors" | "descendants", depth: number): Promise<LineageGraph>;
  /** Everything an account did or received, newest first. */
  activity(account: string, args: PageArgs): Promise<Page<ActivityRecord>>;
  close(): Promise<void>;
}

/** The most index keys one list request may scan while filtering, so no request runs unbounded. */
const SCAN_LIMIT = 50_000;

/** Opens a reader over a new snapshot of `store`; close it when done. */
export function openReader(store: Store): Reader {
  return new SnapshotReader(store);
}

const lastPart = (key: string) => key.slice(key.lastIndexOf(":") + 1);

/**
 * A class rather than closures: a reader is made per request, and its methods then cost nothing to
 * create.
 */
class SnapshotReader implements Reader {
  readonly identity: StoreIdentity;
  private readonly snapshot: ReturnType<Store["db"]["snapshot"]>;
  private readonly opts: { snapshot: ReturnType<Store["db"]["snapshot"]> };

  constructor(private readonly store: Store) {
    this.identity = store.identity;
    this.snapshot = store.db.snapshot();
    this.opts = { snapshot: this.snapshot };
  }

  /**
   * Point reads are synchronous: LevelDB answers from its cache in about a microsecond, where an
   * asynchronous get costs a thread-pool round trip of some 35 µs.
   */
  private get<T>(name: SublevelName, key: string): T | undefined {
    return this.store.sub(name).getSync(key, this.opts) as T | undefined;
  }

  /** Entries of `name` under `prefix`, after the cursor, in order (or reverse), at most `limit`: one range read. */
  private async entriesUnder(name: SublevelName, prefix: string, args: PageArgs, reverse: boolean): Promise<{ entries: [string, any][]; more: boolean }> {
    const after = args.cursor === undefined ? undefined : decodeCursor(args.cursor);
    if (args.cursor !== undefined && (after === undefined || !after.startsWith(prefix))) throw new InvalidCursorError("the cursor does not belong to this list");
    const range: Record<string, unknown> = { ...this.opts, reverse, limit: args.limit + 1 };
    if (reverse) {
      range.gte = prefix;
      range[after ? "lt" : "lte"] = after ?? upperBound(prefix);
    } else {
      range.lt = upperBound(prefix);
      range[after ? "gt" : "gte"] = after ?? prefix;
    }
    const entries: [string, any][] = await this.store.sub(name).iterator(range).all();
    const more = entries.length > args.limit;
    return { entries: entries.slice(0, args.limit), more };
  }

  /** A page of `name` under `prefix`; `load` turns each entry into an item (undefined drops it). */
  private async pageOf<T>(name: SublevelName, prefix: string, args: PageArgs, reverse: boolean, load: (key: string, value: any) => T | undefined): Promise<Page<T>> {
    const { entries, more } = await this.entriesUnder(name, prefix, args, reverse);
    const items: T[] = [];
    for (const [key, value] of entries) {
      const item = load(key, value);
      if (item !== undefined) items.push(item);
    }
    return { items, next: more ? encodeCursor(entries[entries.length - 1][0]) : null };
  }

  async state() {
    return this.get<SyncState>("meta", "state");
  }

  async paused() {
    return this.get<boolean>("meta", "paused") ?? false;
  }

  async roles() {
    return this.get<RolesRecord>("meta", "roles") ?? { members: {}, adminDelay: null, adminTransfer: null, delayChange: null };
  }

  async dataset(id: string) {
    return this.get<DatasetRecord>("datasets", id);
  }

  datasetOf(g: GrantRecord) {
    return this.get<DatasetRecord>("datasets", g.datasetId)!;
  }

  licenceFacts(dataset: DatasetRecord) {
    return dataset.licences.map((l) => {
      // The ledger emitted the licence after the grant and its dataset: both are in the index.
      const grant = this.get<GrantRecord>("grants", l.grantId)!;
      return { grant, dataset: this.datasetOf(grant) };
    });
  }

  productsOfLicence(grantId: string, args: PageArgs) {
    return this.pageOf("productsByLicence", `${grantId}:`, args, false, (k) => this.get<DatasetRecord>("datasets", lastPart(k)));
  }

  async grant(id: string) {
    return this.get<GrantRecord>("grants", id);
  }

  datasets(args: PageArgs & { holder?: string }) {
    const prefix = args.holder ? `${args.holder}:` : "";
    return this.pageOf(args.holder ? "byHolder" : "byPosition", prefix, args, true, (k) => this.get<DatasetRecord>("datasets", lastPart(k)));
  }

  async anchors(contentHash: string) {
    const keys: string[] = await this.store.sub("byContent").keys({ ...this.opts, gte: `${contentHash}:`, lt: upperBound(`${contentHash}:`) }).all();
    return keys.map((k) => this.get<DatasetRecord>("datasets", lastPart(k))).filter((d): d is DatasetRecord => d !== undefined);
  }

  grantsOfDataset(datasetId: string, args: PageArgs) {
    return this.pageOf("grantsByDataset", `${datasetId}:`, args, true, (k) => this.get<GrantRecord>("grants", lastPart(k)));
  }

  grantsOfGrantee(grantee: string, args: PageArgs) {
    return this.pageOf("grantsByGrantee", `${grantee}:`, args, true, (k) => this.get<GrantRecord>("grants", lastPart(k)));
  }

  grantsOfGrantor(grantor: string, args: PageArgs) {
    return this.pageOf("grantsByGrantor", `${grantor}:`, args, true, (k) => this.get<GrantRecord>("grants", lastPart(k)));
  }

  usageOfGrant(grantId: string, args: PageArgs) {
    return this.pageOf("usageByGrant", `${grantId}:`, args, true, (_k, usageKey: string) => this.get<UsageRecord>("usageByDataset", usageKey));
  }

  async usageOfDataset(datasetId: string, args: PageArgs & { grantee?: string; from?: number; to?: number }): Promise<Page<UsageRecord>> {
    const prefix = `${datasetId}:`;
    if (!args.grantee && args.from === undefined && args.to === undefined) {
      return this.pageOf("usageByDataset", prefix, args, true, (_k, usage: UsageRecord) => usage);
    }
    // Filtered: scan newest first, keep matches, stop at the limit, the scan cap or before `from`.
    const after = args.cursor === undefined ? undefined : decodeCursor(args.cursor);
    if (args.cursor !== undefined && (after === undefined || !after.startsWith(prefix))) throw new InvalidCursorError("the cursor does not belong to this list");
    const items: UsageRecord[] = [];
    let lastKey: string | undefined;
    let scanned = 0;
    let more = false;
    for await (const [key, u] of this.store.sub("usageByDataset").iterator({ ...this.opts, reverse: true, gte: prefix, ...(after ? { lt: after } : { lte: upperBound(prefix) }) }) as AsyncIterable<[string, UsageRecord]>) {
      if (++scanned > SCAN_LIMIT || items.length === args.limit) {
        more = true;
        break;
      }
      lastKey = key;
      if (args.from !== undefined && u.evidence.timestamp < args.from) break;
      if (args.to !== undefined && u.evidence.timestamp > args.to) continue;
      if (args.grantee && u.grantee !== args.grantee) continue;
      items.push(u);
    }
    return { items, next: more && lastKey ? encodeCursor(lastKey) : null };
  }

  async lineage(datasetId: string, direction: "ancestors" | "descendants", depth: number): Promise<LineageGraph> {
    const sub = this.store.sub(direction === "ancestors" ? "lineageUp" : "lineageDown");
    const seen = new Set([datasetId]);
    const edges: LineageGraph["edges"] = [];
    let frontier = [datasetId];
    for (let level = 0; level < depth && frontier.length > 0; level++) {
      const next: string[] = [];
      for (const id of frontier) {
        for (const [key, grantId] of await sub.iterator({ ...this.opts, gte: `${id}:`, lt: upperBound(`${id}:`) }).all()) {
          const other = lastPart(key);
          edges.push(direction === "ancestors" ? { parent: other, child: id, grantId } : { parent: id, child: other, grantId });
          if (!seen.has(other)) {
            seen.add(other);
            next.push(other);
          }
        }
      }
      frontier = next;
    }
    let truncated = false;
    for (const id of frontier) {
      if ((await sub.keys({ ...this.opts, gte: `${id}:`, lt: upperBound(`${id}:`), limit: 1 }).all()).length > 0) truncated = true;
    }
    const nodes = [...seen].map((id) => this.get<DatasetRecord>("datasets", id)).filter((d): d is DatasetRecord => d !== undefined);
    return { root: datasetId, nodes, edges, truncated };
  }

  activity(account: string, args: PageArgs) {
    return this.pageOf("activity", `${account}:`, args, true, (_k, stored: ActivityRecord | UsageActivityRef) => {
      if (!("usage" in stored)) return stored;
      const u = this.get<UsageRecord>("usageByDataset", stored.usage);
      if (!u) return undefined;
      return {
        account: stored.account,
        kind: stored.kind,
        datasetId: u.datasetId,
        grantId: u.grantId,
        units: u.units,
        ...(stored.kind === "dataset-used" ? { counterparty: u.grantee } : {}),
        evidence: u.evidence,
      } satisfies ActivityRecord;
    });
  }

  close() {
    return this.snapshot.close();
  }
}
