/**
 * The API's answers as the explorer reads them: the types of the API's own contract
 * (core/api-answers.ts), inferred from the schemas that document the API and that the server's views
 * are checked against, so the explorer and the server cannot drift apart.
 */
import type { Dataset, Evidence } from "../../core/api-answers.js";

export type {
  Activity,
  Anchors,
  AppliedEvent,
  Dataset,
  Epoch,
  FeeCap,
  FeeTerms,
  Grant,
  Lineage,
  Objection,
  Page,
  Payment,
  ReadAt,
  ReceiptCheck,
  Roles,
  Statement,
  Status,
  Usage,
} from "../../core/api-answers.js";
/** Which licence of a dataset no longer holds: on a lapsed dataset and on the grants resting on it. */
export type Lapse = NonNullable<Dataset["lapse"]>;
export type EvidenceView = Evidence;
