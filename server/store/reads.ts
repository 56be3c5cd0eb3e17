/**
 * Reads of the index, each through one LevelDB snapshot: an answer never mixes state from before
 * and after a write (a reorganisation's rollback included). A numbered list's page is read item by
 * item by number (layout.ts); other lists are range scans over the index sublevels. Both are
 * paginated by an opaque cursor (the last key returned).
 */
import { isMonthEnd, monthOf } from "../../core/period.js";
import type { NumberedList } from "./layout.js";
import { encodeCursor, epochKey, listLengthKey, numberedKey, objectionKey, seriesKey, upperBound } from "./keys.js";
import { keyAfter, type LineageArgs, type LineageGraph, lineageOffset, numberBefore, type Page, type PageArgs, type Reader, type StoredItem } from "./reader.js";
import type * as R from "./records.js";
import type { Store, SublevelName } from "./store.js";

export { InvalidCursorError, type LineageArgs, type LineageGraph, type Page, type PageArgs, type Reader, type StoredItem } from "./reader.js";

const BLOCK_FIELD = '"blockNumber":';

/** A stored item with its block, read from its evidence (the last field, so the last block number in it). */
const storedItem = (json: string | undefined): StoredItem | undefined =>
  json === undefined ? undefined : { json, block: Number.parseInt(json.slice(json.lastIndexOf(BLOCK_FIELD) + BLOCK_FIELD.length), 10) };

/** A string field of stored JSON whose strings are hex or decimal (never escaped), found by name. */
function stringField(json: string, name: string): string {
  const start = json.indexOf(`"${name}":"`) + name.length + 4;
  return json.slice(start, json.indexOf('"', start));
}

/**
 * Whether a dataset's stored JSON says it was never retired and rests on no licence. Both keys are
 * the record's own (no nested record has them), and no JSON string can hold either text unescaped.
 */
const isPlainDataset = (json: string) => json.includes('"licences":[]') && json.includes('"retired":null');

/** A page of stored items, parsed into records. */
async function parsed<T>(page: Promise<Page<StoredItem>>): Promise<Page<T>> {
  const { items, next } = await page;
  return { items: items.map((item) => JSON.parse(item.json) as T), next };
}

/** The most bytes one range read of a page takes in one go (a page of 500 large records fits). */
const PAGE_READ_BYTES = 1024 * 1024;

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
  readonly identity: R.StoreIdentity;
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

  /** A stored value's text, unparsed. */
  private text(name: SublevelName, key: string): string | undefined {
    return this.store.sub(name).getSync(key, { ...this.opts, valueEncoding: "utf8" }) as string | undefined;
  }

  /**
   * Entries of `name` under `prefix`, after the cursor, in order (or reverse), at most `limit`: one
   * range read. `asText` leaves the values unparsed.
   */
  private async entriesUnder(name: SublevelName, prefix: string, args: PageArgs, reverse: boolean, asText = false): Promise<{ entries: [string, any][]; more: boolean }> {
    const after = keyAfter(args.cursor, prefix);
    // One read of the whole page: LevelDB's default batch (16 KiB) would split a page of 25 uses in
    // two round trips to its thread (a third of the page's time). Its blocks stay out of LevelDB's
    // block cache (classic-level's default for iterators): at national scale pages of uses would
    // churn it, evicting the records that point reads need on every page.
    const range: Record<string, unknown> = { ...this.opts, reverse, limit: args.limit + 1, highWaterMarkBytes: PAGE_READ_BYTES, ...(asText ? { valueEncoding: "utf8" } : {}) };
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

  /**
   * A page of numbered list `listId` of `list` (layout.ts), newest first: its length, then each item
   * by number with a synchronous point read. `load` turns each value into an item (undefined drops
   * it); `asText` leaves the values unparsed.
   */
  private numberedPage<T>(list: NumberedList, listId: string, args: PageArgs, load: (value: any) => T | undefined, asText = false): Page<T> {
    const length = this.get<number>("listLengths", listLengthKey(list, listId)) ?? 0;
    const end = numberBefore(args.cursor, `${listId}:`, length);
    const start = Math.max(0, end - args.limit);
    const items: T[] = [];
    for (let n = end - 1; n >= start; n--) {
      const key = numberedKey(listId, n);
      const value = asText ? this.text(list, key) : this.get(list, key);
      const item = value === undefined ? undefined : load(value);
      if (item !== undefined) items.push(item);
    }
    return { items, next: start > 0 ? encodeCursor(numberedKey(listId, start)) : null };
  }

  /** A page of `name` under `prefix`; `load` turns each entry into an item (undefined drops it). */
  private async pageOf<T>(name: SublevelName, prefix: string, args: PageArgs, reverse: boolean, load: (key: string, value: any) => T | undefined, asText = false): Promise<Page<T>> {
    const { entries, more } = await this.entriesUnder(name, prefix, args, reverse, asText);
    const items: T[] = [];
    for (const [key, value] of entries) {
      const item = load(key, value);
      if (item !== undefined) items.push(item);
    }
    return { items, next: more ? encodeCursor(entries[entries.length - 1][0]) : null };
  }

  async state() {
    return this.get<R.SyncState>("meta", "state");
  }

  async paused() {
    return this.get<boolean>("meta", "paused") ?? false;
  }

  async roles() {
    return this.get<R.RolesRecord>("meta", "roles") ?? { members: {}, adminDelay: null, adminTransfer: null, delayChange: null };
  }

  has(name: "datasets" | "grants", key: string) {
    return this.text(name, key) !== undefined;
  }

  async dataset(id: string) {
    return this.get<R.DatasetRecord>("datasets", id);
  }

  datasetOf(g: R.GrantRecord) {
    return this.get<R.DatasetRecord>("datasets", g.datasetId)!;
  }

  /**
   * Most datasets were never retired and rest on no licence: their standing is known from their
   * text, without parsing a record the page does not show.
   */
  datasetStandingOf(g: R.GrantRecord): R.DatasetStanding {
    const json = this.text("datasets", g.datasetId)!;
    if (isPlainDataset(json)) return { id: g.datasetId, retired: null, licences: [] };
    const { id, retired, licences } = JSON.parse(json) as R.DatasetRecord;
    return { id, retired, licences };
  }

  licenceFacts(dataset: Pick<R.DatasetRecord, "licences">) {
    return dataset.licences.map((l) => {
      // The ledger emitted the licence after the grant and its dataset: both are in the index.
      const grant = this.get<R.GrantRecord>("grants", l.grantId)!;
      return { grant, dataset: this.datasetOf(grant) };
    });
  }

  productsOfLicence(grantId: string, args: PageArgs) {
    return this.pageOf("productsByLicence", `${grantId}:`, args, false, (k) => this.get<R.DatasetRecord>("datasets", lastPart(k)));
  }

  async grant(id: string) {
    return this.get<R.GrantRecord>("grants", id);
  }

  datasets(args: PageArgs & { holder?: string }) {
    const prefix = args.holder ? `${args.holder}:` : "";
    return this.pageOf(args.holder ? "byHolder" : "byPosition", prefix, args, true, (k) => this.get<R.DatasetRecord>("datasets", lastPart(k)));
  }

  async anchors(contentHash: string) {
    const keys: string[] = await this.store
      .sub("byContent")
      .keys({ ...this.opts, gte: `${contentHash}:`, lt: upperBound(`${contentHash}:`) })
      .all();
    return keys.map((k) => this.get<R.DatasetRecord>("datasets", lastPart(k))).filter((d): d is R.DatasetRecord => d !== undefined);
  }

  async grantsOfDataset(datasetId: string, args: PageArgs) {
    return this.numberedPage("grantsByDataset", datasetId, args, (grantId: string) => this.get<R.GrantRecord>("grants", grantId));
  }

  async grantsOfGrantee(grantee: string, args: PageArgs) {
    return this.numberedPage("grantsByGrantee", grantee, args, (grantId: string) => this.get<R.GrantRecord>("grants", grantId));
  }

  async grantsOfGrantor(grantor: string, args: PageArgs) {
    return this.numberedPage("grantsByGrantor", grantor, args, (grantId: string) => this.get<R.GrantRecord>("grants", grantId));
  }

  usageOfGrant(grantId: string, args: PageArgs) {
    return parsed<R.UsageRecord>(this.storedUsageOfGrant(grantId, args));
  }

  async storedUsageOfGrant(grantId: string, args: PageArgs) {
    return this.numberedPage("usageByGrant", grantId, args, (usageKey: string) => storedItem(this.text("usageByDataset", usageKey)));
  }

  async storedUsageOfDataset(datasetId: string, args: PageArgs) {
    return this.numberedPage("usageByDataset", datasetId, args, storedItem, true);
  }

  async usageOfDataset(datasetId: string, args: PageArgs & { grantee?: string; from?: number; to?: number }): Promise<Page<R.UsageRecord>> {
    const prefix = `${datasetId}:`;
    if (!args.grantee && args.from === undefined && args.to === undefined) return parsed<R.UsageRecord>(this.storedUsageOfDataset(datasetId, args));
    // Filtered: scan newest first, keep matches, stop at the limit, the scan cap or before `from`.
    const after = keyAfter(args.cursor, prefix);
    const items: R.UsageRecord[] = [];
    let lastKey: string | undefined;
    let scanned = 0;
    let more = false;
    for await (const [key, u] of this.store.sub("usageByDataset").iterator({ ...this.opts, reverse: true, gte: prefix, ...(after ? { lt: after } : { lte: upperBound(prefix) }) }) as AsyncIterable<
      [string, R.UsageRecord]
    >) {
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

  async lineage(datasetId: string, args: LineageArgs): Promise<LineageGraph> {
    const offset = lineageOffset(args.cursor);
    const forward = this.store.sub(args.direction === "ancestors" ? "lineageUp" : "lineageDown");
    const backward = this.store.sub(args.direction === "ancestors" ? "lineageDown" : "lineageUp");
    const neighbours = async (sub: typeof forward, id: string): Promise<[string, string][]> =>
      (await sub.iterator({ ...this.opts, gte: `${id}:`, lt: upperBound(`${id}:`) }).all()).map(([key, grantId]: [string, string]) => [lastPart(key), grantId]);
    // Breadth-first order, numbered; walked only as far as this page needs (every page from the
    // start: a page costs the walk up to its end, and nothing is kept between requests).
    const order = new Map<string, number>([[datasetId, 0]]);
    const levels = new Map<string, number>([[datasetId, 0]]);
    const queue = [datasetId];
    const end = offset + args.limit;
    let truncated = false;
    for (let i = 0; i < queue.length && order.size < end + 1; i++) {
      const id = queue[i];
      const level = levels.get(id)!;
      for (const [other] of await neighbours(forward, id)) {
        if (order.has(other)) continue;
        if (level >= args.depth) {
          truncated = true;
          break;
        }
        order.set(other, order.size);
        levels.set(other, level + 1);
        queue.push(other);
      }
    }
    const ids = [...order.keys()].slice(offset, end);
    // Past this page the walk stopped early: whether depth cuts it is for a later page to say.
    const more = order.size > end;
    const edges: LineageGraph["edges"] = [];
    for (const id of ids) {
      const index = order.get(id)!;
      // The edges to datasets found before this one, in either direction: each edge once.
      for (const [other, grantId] of await neighbours(forward, id)) {
        if ((order.get(other) ?? Infinity) < index) edges.push(args.direction === "ancestors" ? { parent: other, child: id, grantId } : { parent: id, child: other, grantId });
      }
      for (const [other, grantId] of await neighbours(backward, id)) {
        if ((order.get(other) ?? Infinity) < index) edges.push(args.direction === "ancestors" ? { parent: id, child: other, grantId } : { parent: other, child: id, grantId });
      }
    }
    const nodes = ids.map((id) => this.get<R.DatasetRecord>("datasets", id)).filter((d): d is R.DatasetRecord => d !== undefined);
    return { root: datasetId, nodes, edges, truncated, next: more ? encodeCursor(`lineage:${end}`) : null };
  }

  activity(account: string, args: PageArgs) {
    return parsed<R.ActivityRecord>(this.storedActivity(account, args));
  }

  /**
   * An account's activity as stored. A use appears there as a reference to its usage record: the
   * entry is written from that record's text, its fields found by name (each is a hex or decimal
   * string, never escaped) and its evidence taken whole.
   */
  async storedActivity(account: string, args: PageArgs) {
    return this.numberedPage(
      "activity",
      account,
      args,
      (json: string) => {
        // An entry of its own is an object; a use's is its usage key, a JSON string.
        if (json.charCodeAt(0) !== 0x22) return storedItem(json);
        const usage = this.text("usageByDataset", json.slice(1, -1) satisfies R.UsageActivityRef);
        if (usage === undefined) return undefined;
        const grantee = stringField(usage, "grantee");
        const counterparty = grantee === account ? "" : `,"counterparty":"${grantee}"`;
        const entry = `{"account":"${account}","kind":"${grantee === account ? "used" : "dataset-used"}","datasetId":"${stringField(usage, "datasetId")}","grantId":"${stringField(usage, "grantId")}","units":"${stringField(usage, "units")}"${counterparty}${usage.slice(usage.indexOf(',"evidence":'))}`;
        return storedItem(entry);
      },
      true,
    );
  }

  async meters(holder: string) {
    return (await this.store
      .sub("meters")
      .values({ ...this.opts, gte: `${holder}:`, lt: upperBound(`${holder}:`) })
      .all()) as R.MeterRecord[];
  }

  async epoch(holder: string, epoch: bigint) {
    return this.get<R.EpochRecord>("epochs", epochKey(holder, epoch));
  }

  epochsOf(holder: string, args: PageArgs) {
    return this.pageOf<R.EpochRecord>("epochs", `${holder}:`, args, true, (_, record) => record);
  }

  storedUsageOfEpoch(holder: string, epoch: bigint, args: PageArgs) {
    const prefix = `${epochKey(holder, epoch)}:`;
    return this.pageOf("usageByEpoch", prefix, args, false, (_, usageKey: string) => storedItem(this.text("usageByDataset", usageKey)));
  }

  /** The last value of a grant's series (units used, payments) at or before the end of second `time`: one seek. */
  private async lastInSeries<T>(name: "usedSeries" | "payments", grantId: string, time: number): Promise<T | undefined> {
    const [entry] = await this.store
      .sub(name)
      .iterator({ ...this.opts, reverse: true, limit: 1, gte: `${grantId}:`, lte: upperBound(seriesKey(grantId, Math.max(0, time))) })
      .all();
    return entry?.[1] as T | undefined;
  }

  /**
   * A grant's running total by the end of second `time`: none before its first change, the total
   * itself from its last change on, a month's checkpoint at a month's end (point reads, no
   * iterator: what month and year statements ask), else the last entry of its series (one seek).
   */
  private async totalBy(g: R.GrantRecord, time: number, kind: "used" | "paid"): Promise<bigint> {
    const [lastAt, total] = kind === "used" ? [g.lastUsedAt, g.used] : [g.lastPaidAt, g.paid ?? "0"];
    if (lastAt === undefined) return 0n;
    if (time >= lastAt) return BigInt(total);
    if (isMonthEnd(time)) return BigInt(this.get<string>(kind === "used" ? "usedMonths" : "paidMonths", `${g.id}:${monthOf(time)}`) ?? "0");
    if (kind === "used") return BigInt((await this.lastInSeries<string>("usedSeries", g.id, time)) ?? "0");
    return BigInt((await this.lastInSeries<R.PaymentRecord>("payments", g.id, time))?.paidTotal ?? "0");
  }

  usedBy(g: R.GrantRecord, time: number) {
    return this.totalBy(g, time, "used");
  }

  paidBy(g: R.GrantRecord, time: number) {
    return this.totalBy(g, time, "paid");
  }

  paymentsOf(grantId: string, args: PageArgs) {
    return this.pageOf<R.PaymentRecord>("payments", `${grantId}:`, args, true, (_, record) => record);
  }

  async feeCap(datasetId: string) {
    return this.get<R.FeeCapRecord>("feeCaps", datasetId);
  }

  async ceilings(operator: string) {
    return (await this.store
      .sub("ceilings")
      .values({ ...this.opts, gte: `${operator}:`, lt: upperBound(`${operator}:`) })
      .all()) as R.RevenueCeilingRecord[];
  }

  async objection(id: string) {
    return this.get<R.ObjectionRecord>("objections", objectionKey(id));
  }

  objections(args: PageArgs & { target?: string }) {
    if (!args.target) return this.pageOf<R.ObjectionRecord>("objections", "", args, true, (_, record) => record);
    return this.pageOf("objectionsByTarget", `${args.target}:`, args, true, (key) => this.get<R.ObjectionRecord>("objections", lastPart(key)));
  }

  close() {
    return this.snapshot.close();
  }
}
