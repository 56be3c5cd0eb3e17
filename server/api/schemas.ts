/**
 * The API's schemas, with zod: they validate requests, and the OpenAPI document is generated from
 * the same objects, so the two never disagree.
 */
import { getAddress } from "ethers";

import { LAPSE_REASONS, USAGE_ACTION_NAMES } from "../../core/ids.js";
import { z } from "zod";

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

// ---- responses (documentation) ----------------------------------------------------------------

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

export const Lapse = z
  .object({
    grantId: z.string().meta({ description: "The upstream grant that no longer holds" }),
    reason: z.enum(LAPSE_REASONS).meta({ description: "Revoked or renounced, its window ended, or its dataset was retired" }),
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
  })
  .meta({ id: "Dataset" });

export const GrantStatus = z
  .enum(["pending", "active", "expired", "exhausted", "revoked", "renounced", "retired", "lapsed"])
  .meta({ description: "At the chain head's time, as the ledger's grantStatus: retired (its dataset is), lapsed (a licence its dataset rests on no longer holds)" });

export const Grant = z
  .object({
    id: z.string(),
    datasetId: z.string(),
    grantor: z.string(),
    grantee: z.string(),
    rights: z.array(z.enum(["use", "process", "operate-product"])),
    purpose: z.string(),
    purposeHash: z.string(),
    validFrom: z.number().int(),
    validUntil: z.number().int(),
    quota: z.string().meta({ description: "Units allowed; \"0\" means unlimited" }),
    used: z.string(),
    remaining: z.string().nullable().meta({ description: "null for an unlimited grant" }),
    uses: z.number().int(),
    status: GrantStatus,
    lapse: Lapse.nullable(),
    issued: Evidence,
    ended: Evidence.nullable(),
  })
  .meta({ id: "Grant" });

export const Usage = z
  .object({
    grantId: z.string(),
    datasetId: z.string(),
    grantee: z.string(),
    action: z.enum(USAGE_ACTION_NAMES),
    units: z.string(),
    outputRef: z.string().nullable(),
    evidence: Evidence,
  })
  .meta({ id: "Usage" });

export const Activity = z
  .object({
    account: z.string(),
    kind: z.string(),
    datasetId: z.string().optional(),
    grantId: z.string().optional(),
    counterparty: z.string().optional(),
    units: z.string().optional(),
    role: z.string().optional(),
    evidence: Evidence,
  })
  .meta({ id: "Activity" });

export const Roles = z
  .object({
    admin: z.string().nullable().meta({ description: "The one account with DEFAULT_ADMIN_ROLE" }),
    pausers: z.array(z.string()).meta({ description: "Accounts with PAUSER_ROLE" }),
    adminDelay: z.number().int().nullable().meta({ description: "Seconds a scheduled admin handover waits, at the chain head's time" }),
    pendingAdmin: z
      .object({ account: z.string(), acceptAfter: z.number().int().meta({ description: "Unix seconds; it may be accepted in any later block" }), evidence: Evidence })
      .nullable(),
    pendingDelay: z.object({ delay: z.number().int(), effectiveAfter: z.number().int(), evidence: Evidence }).nullable(),
  })
  .meta({ id: "Roles", description: "Who administers the ledger and who may pause it, from its role events" });

export const ReadAt = z
  .object({ number: z.number().int(), hash: z.string() })
  .meta({ id: "ReadAt", description: "The indexed block this answer was read at" });

export const pageOf = <T extends z.ZodType>(item: T, name: string) =>
  z.object({ readAt: ReadAt, items: z.array(item), next: z.string().nullable() }).meta({ id: name });

export const Status = z
  .object({
    chainId: z.number().int(),
    ledger: z.string(),
    deployBlock: z.number().int(),
    head: z.number().int().nullable(),
    indexed: ReadAt.nullable(),
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

export const ErrorBody = z
  .object({ error: z.object({ code: z.string(), message: z.string() }) })
  .meta({ id: "Error", description: "Every error: a stable code and one sentence" });
