/**
 * dpl's client library: read the API with its own types (ApiClient), write to the ledger with one
 * function per action and its refusals decoded (LedgerClient), and build and check the proofs that
 * a record is in an anchored dataset (Merkle trees, fingerprints, offline bundles). The CLI and the
 * demo are written on it; README's "Client library" shows it at work.
 */
export type { Activity, Anchors, Dataset, Evidence, Grant, Lapse, Lineage, Page, ReadAt, Roles, Status, Usage } from "../core/api-answers.js";
export { DplError, InvalidInputError, NotFoundError, RetryableError } from "../core/errors.js";
export { GRANT_REQUEST_TYPES, type GrantRequest, grantRequestDomain } from "../core/grant-request.js";
export { datasetId, devAccount, grantId, purposeHash, RIGHT_NAMES, type RightName, Rights, rightNames, USAGE_ACTION_NAMES, type UsageActionName, UsageAction } from "../core/ids.js";
export { defaultManifestFile, type Fingerprint, fingerprint, type Manifest, saltedHash } from "../core/manifest.js";
export { buildRecordTree, type RecordTree, recordLeafHex, rootFromProof } from "../core/merkle.js";
export { decodeRevert, LedgerRefusedError } from "../core/revert.js";
export { hasEnd, NO_END } from "../core/window.js";
export { ApiClient, ApiError, type PageArgs } from "./api.js";
export { type AnchorBundle, BundleError, createBundle, rootFromBundle } from "./bundle.js";
export { eventArgs, type GrantArgs, jsonRpcProvider, LEDGER_INTERFACE, LedgerClient, type LedgerClientOptions, type Mined, NotALedgerError, type Parent, type SignedGrantRequest } from "./ledger.js";
