/**
 * dpl's client library: read the API with its own types (ApiClient), write to the ledger with one
 * function per action and its refusals decoded (LedgerClient), and build and check the proofs that
 * a record is in an anchored dataset (Merkle trees, fingerprints, offline bundles), fetch data through
 * a holder's gateway and check each record and receipt (GatewayClient). The CLI and the
 * demo are written on it; README's "Client library" shows it at work.
 */
export type { Activity, Anchors, Dataset, Evidence, FeeCap, FeeTerms, Grant, Lapse, Lineage, Objection, Page, Payment, ReadAt, Roles, Statement, Status, Usage } from "../core/api-answers.js";
export { DplError, InvalidInputError, NotFoundError, RetryableError } from "../core/errors.js";
export { GRANT_REQUEST_TYPES, type GrantRequest, grantRequestDomain } from "../core/grant-request.js";
export {
  datasetId,
  devAccount,
  grantId,
  oversightAddressOf,
  PURPOSE_CLASS_NAMES,
  type PurposeClassName,
  purposeHash,
  RIGHT_NAMES,
  type RightName,
  Rights,
  rightNames,
  USAGE_ACTION_NAMES,
  type UsageActionName,
  UsageAction,
} from "../core/ids.js";
export { defaultManifestFile, type Fingerprint, fingerprint, type Manifest, saltedHash } from "../core/manifest.js";
export { buildRecordTree, type RecordTree, recordLeafHex, rootFromProof } from "../core/merkle.js";
export { decodeRevert, LedgerRefusedError } from "../core/revert.js";
export { hasEnd, NO_END } from "../core/window.js";
export { ApiClient, ApiError, type PageArgs } from "./api.js";
export { type AnchorBundle, BundleError, createBundle, rootFromBundle } from "./bundle.js";
export { DeliveryProofError, type GatewayAbout, GatewayClient, GatewayError, type RecordsAnswer, type RecordsQuery, receiptOf, verifyReceipt, verifyRecords } from "./gateway.js";
export { epochTree, gatewayDomain, type Receipt, type ReceiptProof, receiptHash, receiptSigner, type SignedReceipt, type SignIn } from "../core/receipts.js";
export {
  eventArgs,
  type FeeTermsArgs,
  feeTermsTuple,
  type GrantArgs,
  jsonRpcProvider,
  LEDGER_INTERFACE,
  LedgerClient,
  type LedgerClientOptions,
  type Mined,
  NotALedgerError,
  type Parent,
  type SettlementArgs,
  type SignedGrantRequest,
} from "./ledger.js";
