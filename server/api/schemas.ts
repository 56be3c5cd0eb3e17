/**
 * The API's request schemas, with zod: they validate requests, and the OpenAPI document is generated
 * from the same objects, so the two never disagree. The answers' schemas are in core/api-answers.ts.
 */
import { getAddress } from "ethers";

import { z } from "zod";

// The answers' schemas are core's: the explorer, the CLI and any client read the API by their types.
export * from "../../core/api-answers.js";

const HASH = /^0x[0-9a-fA-F]{64}$/;

export const Hash = z
  .string()
  .regex(HASH, "must be a 0x-prefixed 32-byte hex string")
  .transform((s) => s.toLowerCase())
  .meta({ description: "32-byte hex, 0x-prefixed", example: "0x5d41402abc4b2a76b9719d911017c592ae8b1d4a1f7e5a4d3c2b1a0f9e8d7c6b" });

/** An address: all lower case, all upper case, or with a valid EIP-55 checksum. */
export const Address = z
  .string()
  .regex(/^0x[0-9a-fA-F]{40}$/, "must be a 0x-prefixed 20-byte hex address")
  .refine((s) => {
    const body = s.slice(2);
    if (body === body.toLowerCase() || body === body.toUpperCase()) return true;
    try {
      return getAddress(s) === s;
    } catch {
      return false;
    }
  }, "has an invalid EIP-55 checksum")
  .transform((s) => s.toLowerCase())
  .meta({ description: "20-byte hex address", example: "0x70997970c51812dc3a010c7d01b50e0d17dc79c8" });

/** A uint64 in decimal, as a bigint. */
export const Uint64 = z
  .string()
  .regex(/^(0|[1-9]\d{0,19})$/, "must be a whole number from 0 to 18446744073709551615")
  .transform((s) => BigInt(s))
  .refine((n) => n < 2n ** 64n, "must be a whole number from 0 to 18446744073709551615")
  .meta({ description: "uint64, decimal", example: "7" });

const HexWord = z
  .string()
  .regex(HASH, "must be a 0x-prefixed 32-byte hex string")
  .transform((s) => s.toLowerCase());
const Decimal = z.string().regex(/^(0|[1-9]\d{0,19})$/, "must be a whole number in decimal");

/** A gateway's receipt with its signature and its proof, as `GET /v1/receipts/<n>` at the gateway gives it. */
export const ReceiptProofBody = z.object({
  receipt: z.strictObject({
    holder: Address,
    epoch: Decimal,
    sequence: Decimal,
    grantId: HexWord,
    grantee: Address,
    action: z.number().int().min(0).max(3),
    units: Decimal,
    session: HexWord,
    requestHash: HexWord,
    responseHash: HexWord,
    time: z
      .number()
      .int()
      .min(0)
      .max(2 ** 40),
  }),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte signature in hex"),
  position: z
    .number()
    .int()
    .min(0)
    .max(2 ** 32),
  proof: z.array(HexWord).max(64),
});

export const MAX_LIMIT = 500;

const Limit = z.coerce
  .number({ error: "must be a whole number" })
  .int("must be a whole number")
  .min(1, "must be at least 1")
  .max(MAX_LIMIT, `must be at most ${MAX_LIMIT}`)
  .default(25)
  .meta({ description: `Items per page, 1 to ${MAX_LIMIT}; default 25`, example: 25 });

const Cursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,400}$/, "is not a cursor this API returned")
  .optional()
  .meta({ description: "The `next` value of the previous page" });

const Timestamp = z.coerce
  .number({ error: "must be a Unix time in seconds" })
  .int("must be a Unix time in seconds")
  .min(0, "must be a Unix time in seconds")
  .max(2 ** 40, "must be a Unix time in seconds");

export const PageQuery = z.strictObject({ limit: Limit, cursor: Cursor });
export const DatasetsQuery = z.strictObject({ holder: Address.optional(), limit: Limit, cursor: Cursor });
export const UsageQuery = z.strictObject({
  grantee: Address.optional(),
  from: Timestamp.optional().meta({ description: "Earliest block time, Unix seconds (inclusive)" }),
  to: Timestamp.optional().meta({ description: "Latest block time, Unix seconds (inclusive)" }),
  limit: Limit,
  cursor: Cursor,
});
export const MAX_LINEAGE_LIMIT = 1000;

export const LineageQuery = z.strictObject({
  direction: z.enum(["ancestors", "descendants"], { error: "must be ancestors or descendants" }).default("ancestors"),
  depth: z.coerce.number({ error: "must be a whole number" }).int("must be a whole number").min(1, "must be at least 1").max(32, "must be at most 32").default(8),
  limit: z.coerce
    .number({ error: "must be a whole number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(MAX_LINEAGE_LIMIT, `must be at most ${MAX_LINEAGE_LIMIT}`)
    .default(200)
    .meta({ description: `Datasets per page, 1 to ${MAX_LINEAGE_LIMIT}; default 200` }),
  cursor: Cursor,
});
export const EmptyQuery = z.strictObject({});

export const IdParams = z.strictObject({ id: Hash });
export const ContentHashParams = z.strictObject({ contentHash: Hash });
export const AddressParams = z.strictObject({ address: Address });

/** An objection's number, as the oversight contract gives them: 1, 2, ... */
export const ObjectionParams = z.strictObject({
  id: z
    .string()
    .regex(/^[1-9]\d{0,19}$/, "must be an objection's number: a whole number from 1")
    .meta({ description: "The objection's number", example: "1" }),
});

export const ObjectionsQuery = z.strictObject({
  target: Hash.optional().meta({ description: "Only objections against this dataset or grant" }),
  limit: Limit,
  cursor: Cursor,
});

export const StatementParams = z.strictObject({
  address: Address,
  period: z.string().max(10, "must be a year (2026), a month (2026-11) or a day (2026-11-29)").meta({ description: "A year, month or day of the calendar in UTC+8", example: "2026-11" }),
});

export const DisclosureParams = z.strictObject({
  address: Address,
  year: z
    .string()
    .regex(/^\d{4}$/, "must be a year such as 2026")
    .transform(Number)
    .refine((y) => y >= 1970, "must be a year from 1970")
    .meta({ description: "Calendar year, UTC+8", example: "2026" }),
});

export const DisclosureQuery = z.strictObject({
  format: z.enum(["json", "html"], { error: "must be json or html" }).default("json").meta({ description: "html: the printable page, in Chinese and English" }),
});

export const StatementQuery = z.strictObject({
  role: z.enum(["grantee", "holder"], { error: "must be grantee or holder" }).default("grantee").meta({ description: "grantee: what it owes; holder: what the grants it issued bring in" }),
});
