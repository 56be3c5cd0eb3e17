/**
 * The API's answers as the explorer reads them. The record shapes come from the server's own view
 * functions, so the two cannot drift apart.
 */
import type { activityView, datasetView, evidenceView, grantView, usageView } from "../../server/api/views.js";

export type Dataset = ReturnType<typeof datasetView>;
export type Grant = ReturnType<typeof grantView>;
/** Which licence of a dataset no longer holds: on a lapsed dataset and on the grants resting on it. */
export type Lapse = NonNullable<Dataset["lapse"]>;
export type Usage = ReturnType<typeof usageView>;
export type Activity = ReturnType<typeof activityView>;
export type EvidenceView = ReturnType<typeof evidenceView>;

export interface ReadAt {
  number: number;
  hash: string;
}

export interface Page<T> {
  readAt: ReadAt;
  items: T[];
  next: string | null;
}

export interface Status {
  chainId: number;
  ledger: string;
  head: number | null;
  indexed: ReadAt;
  lag: number | null;
  events: number;
  digest: string;
  reorgs: number;
  paused: boolean;
  roles: Roles;
  finalityDepth: number;
  lastError: string | null;
}

/** Who administers the ledger and who may pause it (GET /v1/status). */
export interface Roles {
  admin: string | null;
  pausers: string[];
  adminDelay: number | null;
  pendingAdmin: { account: string; acceptAfter: number; evidence: EvidenceView } | null;
  pendingDelay: { delay: number; effectiveAfter: number; evidence: EvidenceView } | null;
}

export interface Lineage {
  readAt: ReadAt;
  root: string;
  truncated: boolean;
  nodes: Dataset[];
  edges: { parent: string; child: string; grantId: string | null }[];
  next: string | null;
}

export interface Anchors {
  readAt: ReadAt;
  contentHash: string;
  anchors: Dataset[];
}

/** The payload of a live `applied` event (GET /v1/events). */
export interface AppliedEvent {
  from: number;
  to: number;
  events: number;
  indexed: ReadAt;
  digest: string;
  total: number;
}
