/**
 * The index's layout: one sublevel per entity and per query index (their keys in keys.ts, their
 * records in records.ts), and the schema version that names this layout.
 */
/** Bumped whenever the layout of keys or records changes: an index an older dpl wrote is then rebuilt from the chain on opening (openIndex, server/indexing.ts), one a newer dpl wrote refused. */
export const SCHEMA_VERSION = 7;

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
  "listLengths",
] as const;
export type SublevelName = (typeof SUBLEVELS)[number];

/**
 * Lists that only ever grow at their newest end (a reorganisation's rollback aside): each item is
 * keyed by its number in its list, and each list's length is kept (in "listLengths"), so that a page
 * is read by number with synchronous point reads, not an iterator, whose round trip to LevelDB's
 * thread costs more than the 25 reads of a page (bench/README.md, "API at national scale"). A
 * dataset's uses hold the usage records; the other lists point at them or at grants.
 */
export const NUMBERED_LISTS = ["usageByDataset", "usageByGrant", "activity", "grantsByDataset", "grantsByGrantee", "grantsByGrantor"] as const satisfies readonly SublevelName[];
export type NumberedList = (typeof NUMBERED_LISTS)[number];
