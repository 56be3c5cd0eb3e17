/**
 * Which records a request selects: an index range, then optionally those whose field equals a value
 * (a CSV column named in the header, or a JSON Lines record's top-level key). Pure functions over a
 * served dataset.
 */
import { InvalidInputError } from "../../core/errors.js";
import type { Served } from "./catalogue.js";

/** One CSV row's fields: commas split them, double quotes enclose commas and doubled quotes (RFC 4180). */
export function csvFields(row: string): string[] {
  const fields: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < row.length; i++) {
    const c = row[i];
    if (quoted) {
      if (c === '"' && row[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** A test of one record's bytes: its field `name` equals `value`. */
export type RecordTest = (record: Buffer) => boolean;

/** The test for `field=value` on `served`, or a 400 that says why it cannot apply. */
export function fieldOf(served: Served, name: string, value: string | undefined): RecordTest {
  if (value === undefined) throw new InvalidInputError("query parameter equals is required with field");
  if (served.scheme.kind === "csv") {
    const column = csvFields(served.header ?? "").indexOf(name);
    if (column < 0) throw new InvalidInputError(`field ${name} is not a column of this dataset (its columns: ${served.header})`);
    return (record) => csvFields(record.toString("utf8"))[column] === value;
  }
  if (served.scheme.kind === "jsonl") {
    return (record) => {
      try {
        const parsed = JSON.parse(record.toString("utf8")) as Record<string, unknown>;
        const v = parsed?.[name];
        return v !== undefined && v !== null && (typeof v === "object" ? JSON.stringify(v) : String(v)) === value;
      } catch {
        return false;
      }
    };
  }
  throw new InvalidInputError(`field filters apply to CSV and JSON Lines datasets; this one is split as ${served.scheme.kind}`);
}

/**
 * The indexes of the records from `from` to `to` (inclusive; the last record when absent) that pass
 * `match`, at most `limit`; `next` is where the following page starts, null at the end.
 */
export function selectRecords(served: Served, args: { from: number; to?: number; limit: number; match?: RecordTest }): { records: number[]; next: number | null } {
  const last = served.records.length - 1;
  const to = args.to ?? last;
  if (args.from > to) throw new InvalidInputError(`query parameter from (${args.from}) must not be after to (${to})`);
  if (to > last) throw new InvalidInputError(`the dataset has ${served.records.length} records (0 to ${last}); to is ${to}`);
  const records: number[] = [];
  for (let i = args.from; i <= to; i++) {
    if (args.match && !args.match(served.records[i])) continue;
    if (records.length === args.limit) return { records, next: i };
    records.push(i);
  }
  return { records, next: null };
}
