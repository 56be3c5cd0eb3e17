/**
 * Reads of the index, each through one LevelDB snapshot: an answer never mixes state from before
 * and after a write (a reorganisation's rollback included). Lists are range scans over the index
 * sublevels, paginated by an opaque cursor (the last key returned).
 */
import { decodeCursor, encodeCursor, upperBound } from "./keys.js";
import type { ActivityRecord, DatasetRecord, GrantRecord, StoreIdentity, SyncState, UsageActivityRef, UsageRecord } from "./records.js";
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
  dataset(id: string): Promise<DatasetRecord | undefined>;
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

export function openReader(store: Store): Reader {
  const snapshot = store.db.snapshot();
  const opts = { snapshot };
  const sub = (name: SublevelName) => store.sub(name);
  const get = async <T>(name: SublevelName, key: string): Promise<T | undefined> => (await sub(name).get(key, opts)) as T | undefined;

  /** Keys of `name` under `prefix`, after the cursor, in order (or reverse), at most `limit`. */
  async function keysUnder(name: SublevelName, prefix: string, args: PageArgs, reverse: boolean): Promise<{ keys: string[]; more: boolean }> {
    const after = args.cursor === undefined ? undefined : decodeCursor(args.cursor);
    if (args.cursor !== undefined && (after === undefined || !after.startsWith(prefix))) throw new InvalidCursorError("the cursor does not belong to this list");
    const range: Record<string, unknown> = { ...opts, reverse, limit: args.limit + 1 };
    if (reverse) {
      range.gte = prefix;
      range[after ? "lt" : "lte"] = after ?? upperBound(prefix);
    } else {
      range.lt = upperBound(prefix);
      range[after ? "gt" : "gte"] = after ?? prefix;
    }
    const keys: string[] = [];
    for await (const key of sub(name).keys(range)) keys.push(key);
    const more = keys.length > args.limit;
    return { keys: keys.slice(0, args.limit), more };
  }

  async function pageOf<T>(name: SublevelName, prefix: string, args: PageArgs, reverse: boolean, load: (key: string) => Promise<T | undefined>): Promise<Page<T>> {
    const { keys, more } = await keysUnder(name, prefix, args, reverse);
    const items = (await Promise.all(keys.map(load))).filter((x): x is Awaited<T> => x !== undefined) as T[];
    return { items, next: more ? encodeCursor(keys[keys.length - 1]) : null };
  }

  const lastPart = (key: string) => key.slice(key.lastIndexOf(":") + 1);

  return {
    identity: store.identity,
    state: () => get<SyncState>("meta", "state"),
    paused: async () => (await get<boolean>("meta", "paused")) ?? false,
    dataset: (id) => get<DatasetRecord>("datasets", id),
    grant: (id) => get<GrantRecord>("grants", id),

    async datasets(args) {
      if (args.holder) return pageOf("byHolder", `${args.holder}:`, args, true, (k) => get<DatasetRecord>("datasets", lastPart(k)));
      return pageOf("byPosition", "", args, true, (k) => get<DatasetRecord>("datasets", lastPart(k)));
    },

    async anchors(contentHash) {
      const out: DatasetRecord[] = [];
      for await (const key of sub("byContent").keys({ ...opts, gte: `${contentHash}:`, lt: upperBound(`${contentHash}:`) })) {
        const d = await get<DatasetRecord>("datasets", lastPart(key));
        if (d) out.push(d);
      }
      return out;
    },

    grantsOfDataset: (datasetId, args) => pageOf("grantsByDataset", `${datasetId}:`, args, true, (k) => get<GrantRecord>("grants", lastPart(k))),
    grantsOfGrantee: (grantee, args) => pageOf("grantsByGrantee", `${grantee}:`, args, true, (k) => get<GrantRecord>("grants", lastPart(k))),
    grantsOfGrantor: (grantor, args) => pageOf("grantsByGrantor", `${grantor}:`, args, true, (k) => get<GrantRecord>("grants", lastPart(k))),
    usageOfGrant: (grantId, args) => pageOf("usageByGrant", `${grantId}:`, args, true, (k) => get<UsageRecord>("usage", lastPart(k))),

    async usageOfDataset(datasetId, args) {
      const prefix = `${datasetId}:`;
      if (!args.grantee && args.from === undefined && args.to === undefined) {
        return pageOf("usageByDataset", prefix, args, true, (k) => get<UsageRecord>("usage", lastPart(k)));
      }
      // Filtered: scan newest first, keep matches, stop at the limit, the scan cap or before `from`.
      const after = args.cursor === undefined ? undefined : decodeCursor(args.cursor);
      if (args.cursor !== undefined && (after === undefined || !after.startsWith(prefix))) throw new InvalidCursorError("the cursor does not belong to this list");
      const items: UsageRecord[] = [];
      let lastKey: string | undefined;
      let scanned = 0;
      let more = false;
      for await (const key of sub("usageByDataset").keys({ ...opts, reverse: true, gte: prefix, ...(after ? { lt: after } : { lte: upperBound(prefix) }) })) {
        if (++scanned > SCAN_LIMIT || items.length === args.limit) {
          more = true;
          break;
        }
        lastKey = key;
        const u = await get<UsageRecord>("usage", lastPart(key));
        if (!u) continue;
        if (args.from !== undefined && u.evidence.timestamp < args.from) break;
        if (args.to !== undefined && u.evidence.timestamp > args.to) continue;
        if (args.grantee && u.grantee !== args.grantee) continue;
        items.push(u);
      }
      return { items, next: more && lastKey ? encodeCursor(lastKey) : null };
    },

    async lineage(datasetId, direction, depth) {
      const name: SublevelName = direction === "ancestors" ? "lineageUp" : "lineageDown";
      const seen = new Set([datasetId]);
      const edges: LineageGraph["edges"] = [];
      let frontier = [datasetId];
      let truncated = false;
      for (let level = 0; level < depth && frontier.length > 0; level++) {
        const next: string[] = [];
        for (const id of frontier) {
          for await (const [key, grantId] of sub(name).iterator({ ...opts, gte: `${id}:`, lt: upperBound(`${id}:`) })) {
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
      if (frontier.length > 0) {
        for (const id of frontier) {
          for await (const _ of sub(name).keys({ ...opts, gte: `${id}:`, lt: upperBound(`${id}:`), limit: 1 })) truncated = true;
        }
      }
      const nodes = (await Promise.all([...seen].map((id) => get<DatasetRecord>("datasets", id)))).filter((d): d is DatasetRecord => d !== undefined);
      return { root: datasetId, nodes, edges, truncated };
    },

    activity: (account, args) =>
      pageOf("activity", `${account}:`, args, true, async (k) => {
        const stored = await get<ActivityRecord | UsageActivityRef>("activity", k);
        if (!stored || !("usage" in stored)) return stored;
        const u = await get<UsageRecord>("usage", stored.usage);
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
      }),

    close: () => snapshot.close(),
  };
}
