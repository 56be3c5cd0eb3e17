/**
 * The index's layout: one sublevel per entity and per query index (their keys in keys.ts, their
 * records in records.ts), and the schema version that names this layout.
 */
/** Bumped whenever the layout of keys or records changes: an older index is then rebuilt. */
export const SCHEMA_VERSION = 5;

export const SUBLEVELS = [
  "meta",
  "blocks",
  "undo",
  "journal",
  "datasets",
  "byPosition",
  "byHolder",
  "byContent",
  "grants",
  "grantsByDataset",
  "grantsByGrantee",
  "grantsByGrantor",
  "usageByDataset",
  "usageByGrant",
  "lineageUp",
  "lineageDown",
  "productsByLicence",
  "activity",
  "meters",
  "epochs",
  "usageByEpoch",
  "usedSeries",
  "usedMonths",
  "payments",
  "paidMonths",
  "feeCaps",
  "ceilings",
  "objections",
  "objectionsByTarget",
] as const;
export type SublevelName = (typeof SUBLEVELS)[number];
