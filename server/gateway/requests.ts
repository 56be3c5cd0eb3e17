/**
 * What the gateway's requests may carry, as zod schemas, and the one sentence a bad one gets.
 */
import { z } from "zod";

export const Hash = z
  .string()
  .regex(/^0x[0-9a-fA-F]{64}$/, "must be a 0x-prefixed 32-byte hex string")
  .transform((s) => s.toLowerCase());
const Index = z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(0, "must be at least 0");
const Action = z.enum(["use", "process", "operate"], { error: "must be use, process or operate" }).default("use");
export const Sequence = z.string().regex(/^\d{1,20}$/, "must be a receipt's sequence number");

/** The most records one answer carries. */
export const MAX_RECORDS = 10_000;

export const RecordsQuery = z.strictObject({
  grant: Hash,
  action: Action,
  from: Index.default(0),
  to: Index.optional(),
  limit: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(MAX_RECORDS, `must be at most ${MAX_RECORDS}`).default(1000),
  field: z.string().min(1).max(200).optional(),
  equals: z.string().max(10_000).optional(),
});
export type RecordsQuery = z.output<typeof RecordsQuery>;

export const FileQuery = z.strictObject({ grant: Hash, action: Action });

export const IdParams = z.strictObject({ id: Hash });
export const SequenceParams = z.strictObject({ sequence: Sequence });

export { parseInput as parse } from "../api/routing.js";
