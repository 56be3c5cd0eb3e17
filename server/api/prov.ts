/**
 * A dataset's provenance as a W3C PROV-JSON document (https://www.w3.org/Submission/prov-json/):
 * datasets and use outputs are entities, uses and derivations are activities, accounts are agents.
 *
 * - wasAttributedTo: each dataset to its holder
 * - wasDerivedFrom: each derived dataset from its parents (with the derivation activity)
 * - wasGeneratedBy: a derived dataset by its derivation, a use's output by the use
 * - used: each use (and derivation) used the dataset
 * - wasAssociatedWith: each use with the grantee who recorded it, its grant as the plan
 * - actedOnBehalfOf: each grantee on behalf of the grantor, for the grant
 * - wasDerivedFrom with prov:type prov:Revision: the dataset from its previous version, its next
 *   version from it (both versions declared)
 * - a dpl:HoldingTransfer activity for each change of holder (the old holder and the new one
 *   associated with it, in the roles dpl:from and dpl:to); wasAttributedTo names the holder now
 * - wasInvalidatedBy: a retired dataset, by its dpl:Retirement activity (dpl:Cancellation when an
 *   arbiter's ruling retired it); a grant cancelled by a ruling, by the dpl:Objection upheld
 * - a dpl:Objection activity for each objection to the dataset or to one of its grants: it used its
 *   target, and is associated with the objector (dpl:objector), the holder who answered (dpl:answer)
 *   and the arbiter who ruled (dpl:arbiter), with the texts and the outcome as attributes
 *
 * Every grant the document names is declared as a prov:Plan entity: the dataset's own grants and the
 * upstream grants it rests on (its licence, which includes every grant a derivation in its lineage
 * was made under). A dataset entity lists its licence as `dpl:licence`. A document bounded by its
 * caps says what it left out on the dataset's entity (`dpl:cut-uses`, `-grants`, `-ancestors`,
 * `-generations`), each with the route that reads the rest.
 */
import { ZeroHash } from "ethers";

import { rightNames } from "../../core/ids.js";
import type { LineageGraph } from "../store/reads.js";
import type { DatasetRecord, GrantRecord, ObjectionRecord, UsageRecord } from "../store/records.js";

type Attributes = Record<string, unknown>;

// A type, not an interface: a PROV document is a JSON object, and the route's schema says so.
export type ProvDocument = {
  prefix: Record<string, string>;
  entity: Record<string, Attributes>;
  activity: Record<string, Attributes>;
  agent: Record<string, Attributes>;
  wasAttributedTo: Record<string, Attributes>;
  wasDerivedFrom: Record<string, Attributes>;
  wasGeneratedBy: Record<string, Attributes>;
  wasInvalidatedBy: Record<string, Attributes>;
  used: Record<string, Attributes>;
  wasAssociatedWith: Record<string, Attributes>;
  actedOnBehalfOf: Record<string, Attributes>;
};

const dateTime = (unixSeconds: number) => new Date(unixSeconds * 1000).toISOString();
const typed = (value: string, type: string) => ({ $: value, type });

export function buildProv(args: {
  chainId: number;
  ledger: string;
  dataset: DatasetRecord;
  lineage: LineageGraph;
  grants: GrantRecord[];
  /** The upstream grants the dataset rests on. */
  licences: GrantRecord[];
  /** The dataset's previous and next versions, when it has them. */
  versions?: { previous?: DatasetRecord; next?: DatasetRecord };
  usage: UsageRecord[];
  /** Objections to the dataset and to its grants. */
  objections?: ObjectionRecord[];
  /** What the document leaves out, by kind, each with where to read the rest. */
  cut?: Record<string, string>;
}): ProvDocument {
  const doc: ProvDocument = {
    prefix: {
      dpl: "https://dpl.dev/ns#",
      ds: "urn:dpl:dataset:",
      grant: "urn:dpl:grant:",
      out: "urn:dpl:output:",
      acct: `urn:eip155:${args.chainId}:`,
      xsd: "http://www.w3.org/2001/XMLSchema#",
    },
    entity: {},
    activity: {},
    agent: {},
    wasAttributedTo: {},
    wasDerivedFrom: {},
    wasGeneratedBy: {},
    wasInvalidatedBy: {},
    used: {},
    wasAssociatedWith: {},
    actedOnBehalfOf: {},
  };
  let n = 0;
  /** An activity of one transaction (a transfer, a retirement): it starts and ends in its block; returns that time. */
  const instantActivity = (activity: string, type: string, evidence: { txHash: string; blockNumber: number; timestamp: number }) => {
    const time = dateTime(evidence.timestamp);
    doc.activity[activity] = { "prov:type": typed(type, "prov:QUALIFIED_NAME"), "prov:startTime": time, "prov:endTime": time, "dpl:txHash": evidence.txHash, "dpl:blockNumber": evidence.blockNumber };
    return time;
  };
  const relation = (kind: keyof ProvDocument, attrs: Attributes) => {
    (doc[kind] as Record<string, Attributes>)[`_:${kind}${++n}`] = attrs;
  };
  const agent = (address: string) => {
    const id = `acct:${address}`;
    doc.agent[id] ??= { "prov:type": typed("prov:Person", "prov:QUALIFIED_NAME"), "dpl:address": address };
    return id;
  };

  const declareDataset = (d: DatasetRecord) => {
    const id = `ds:${d.id}`;
    if (doc.entity[id]) return id;
    doc.entity[id] = {
      "prov:type": typed("dpl:Dataset", "prov:QUALIFIED_NAME"),
      "dpl:contentHash": d.contentHash,
      "dpl:merkleRoot": d.merkleRoot,
      "dpl:recordCount": d.recordCount,
      "dpl:metadataURI": d.metadataURI,
      "dpl:ledger": args.ledger,
      "dpl:txHash": d.registered.txHash,
      "dpl:blockNumber": d.registered.blockNumber,
      "prov:generatedAtTime": typed(dateTime(d.registered.timestamp), "xsd:dateTime"),
      ...(d.licences.length > 0 ? { "dpl:licence": d.licences.map((l) => `grant:${l.grantId}`).join(" ") } : {}),
    };
    relation("wasAttributedTo", { "prov:entity": id, "prov:agent": agent(d.holder) });
    for (const t of d.transfers) {
      const activity = `dpl:transfer-${t.evidence.txHash}-${t.evidence.logIndex}`;
      const time = instantActivity(activity, "dpl:HoldingTransfer", t.evidence);
      relation("used", { "prov:activity": activity, "prov:entity": id, "prov:time": time });
      relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(t.from), "prov:role": typed("dpl:from", "prov:QUALIFIED_NAME") });
      relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(t.to), "prov:role": typed("dpl:to", "prov:QUALIFIED_NAME") });
    }
    if (d.retired) {
      const activity = `dpl:retire-${d.id}`;
      const time = instantActivity(activity, d.cancelledBy ? "dpl:Cancellation" : "dpl:Retirement", d.retired);
      relation("wasInvalidatedBy", { "prov:entity": id, "prov:activity": activity, "prov:time": time });
      if (d.cancelledBy) doc.activity[activity]["dpl:objection"] = `dpl:objection-${d.cancelledBy}`;
      else relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(d.holder) });
    }
    return id;
  };
  for (const d of args.lineage.nodes) declareDataset(d);
  // Versions: a revision of the previous one, revised by the next one.
  const { previous, next } = args.versions ?? {};
  if (previous)
    relation("wasDerivedFrom", { "prov:generatedEntity": `ds:${args.dataset.id}`, "prov:usedEntity": declareDataset(previous), "prov:type": typed("prov:Revision", "prov:QUALIFIED_NAME") });
  if (next) relation("wasDerivedFrom", { "prov:generatedEntity": declareDataset(next), "prov:usedEntity": `ds:${args.dataset.id}`, "prov:type": typed("prov:Revision", "prov:QUALIFIED_NAME") });

  // A document that does not carry everything says so on the dataset's own entity.
  for (const [kind, what] of Object.entries(args.cut ?? {})) doc.entity[`ds:${args.dataset.id}`][`dpl:cut-${kind}`] = what;

  // Derivations inside the lineage graph: one activity per derived dataset.
  const derivedChildren = new Set(args.lineage.edges.map((e) => e.child));
  const nodes = new Map(args.lineage.nodes.map((d) => [d.id, d]));
  for (const childId of derivedChildren) {
    const child = nodes.get(childId);
    if (!child) continue;
    const activity = `dpl:derive-${childId}`;
    doc.activity[activity] = {
      "prov:type": typed("dpl:Derivation", "prov:QUALIFIED_NAME"),
      "prov:startTime": dateTime(child.registered.timestamp),
      "prov:endTime": dateTime(child.registered.timestamp),
      "dpl:txHash": child.registered.txHash,
    };
    relation("wasGeneratedBy", { "prov:entity": `ds:${childId}`, "prov:activity": activity, "prov:time": dateTime(child.registered.timestamp) });
    relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(child.registrant) });
    for (const edge of args.lineage.edges.filter((e) => e.child === childId)) {
      relation("used", { "prov:activity": activity, "prov:entity": `ds:${edge.parent}`, "prov:time": dateTime(child.registered.timestamp) });
      relation("wasDerivedFrom", {
        "prov:generatedEntity": `ds:${childId}`,
        "prov:usedEntity": `ds:${edge.parent}`,
        "prov:activity": activity,
        ...(edge.grantId !== ZeroHash ? { "dpl:grant": `grant:${edge.grantId}` } : {}),
      });
    }
  }

  // Grants, the dataset's own and those upstream: the grantee acts on behalf of the grantor.
  const declared = new Set<string>();
  for (const g of [...args.licences, ...args.grants]) {
    if (declared.has(g.id)) continue;
    declared.add(g.id);
    doc.entity[`grant:${g.id}`] = {
      "prov:type": typed("prov:Plan", "prov:QUALIFIED_NAME"),
      "dpl:dataset": `ds:${g.datasetId}`,
      "dpl:purpose": g.purpose,
      "prov:generatedAtTime": typed(dateTime(g.issued.timestamp), "xsd:dateTime"),
    };
    relation("actedOnBehalfOf", {
      "prov:delegate": agent(g.grantee),
      "prov:responsible": agent(g.grantor),
      "dpl:grant": `grant:${g.id}`,
      "dpl:purpose": g.purpose,
      "dpl:rights": rightNames(g.rights).join(" "),
      "dpl:validFrom": typed(dateTime(g.validFrom), "xsd:dateTime"),
      "dpl:validUntil": typed(dateTime(Math.min(g.validUntil, 253_402_300_799)), "xsd:dateTime"),
      "dpl:quota": g.quota,
      "dpl:state": g.state,
    });
  }

  // Objections: each used its target; its parties are associated with it in their roles.
  for (const o of args.objections ?? []) {
    const activity = `dpl:objection-${o.id}`;
    const target = o.targetKind === "grant" ? `grant:${o.target}` : `ds:${o.target}`;
    const filed = dateTime(o.filed.timestamp);
    doc.activity[activity] = {
      "prov:type": typed("dpl:Objection", "prov:QUALIFIED_NAME"),
      "prov:startTime": filed,
      ...(o.ruling ? { "prov:endTime": dateTime(o.ruling.evidence.timestamp) } : {}),
      "dpl:reason": o.reason,
      "dpl:state": o.state,
      "dpl:txHash": o.filed.txHash,
      ...(o.answer ? { "dpl:answer": o.answer.text } : {}),
      ...(o.ruling ? { "dpl:ruling": o.ruling.text, "dpl:upheld": o.ruling.upheld } : {}),
    };
    relation("used", { "prov:activity": activity, "prov:entity": target, "prov:time": filed });
    relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(o.objector), "prov:role": typed("dpl:objector", "prov:QUALIFIED_NAME") });
    if (o.answer) relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(o.answer.holder), "prov:role": typed("dpl:answer", "prov:QUALIFIED_NAME") });
    if (o.ruling) relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(o.ruling.arbiter), "prov:role": typed("dpl:arbiter", "prov:QUALIFIED_NAME") });
    if (o.ruling?.upheld && o.targetKind === "grant" && declared.has(o.target)) {
      relation("wasInvalidatedBy", { "prov:entity": target, "prov:activity": activity, "prov:time": dateTime(o.ruling.evidence.timestamp) });
    }
  }

  // Uses of the dataset.
  for (const u of args.usage) {
    const time = dateTime(u.evidence.timestamp);
    const activity = `dpl:use-${u.evidence.txHash}-${u.evidence.logIndex}`;
    doc.activity[activity] = {
      "prov:type": typed(`dpl:${u.action[0].toUpperCase()}${u.action.slice(1)}`, "prov:QUALIFIED_NAME"),
      "prov:startTime": time,
      "prov:endTime": time,
      "dpl:units": u.units,
      "dpl:txHash": u.evidence.txHash,
      "dpl:blockNumber": u.evidence.blockNumber,
    };
    relation("used", { "prov:activity": activity, "prov:entity": `ds:${u.datasetId}`, "prov:time": time });
    relation("wasAssociatedWith", { "prov:activity": activity, "prov:agent": agent(u.grantee), "prov:plan": `grant:${u.grantId}` });
    if (u.outputRef !== null && u.action !== "derive") {
      const output = `out:${u.outputRef}`;
      doc.entity[output] ??= { "prov:type": typed("dpl:Output", "prov:QUALIFIED_NAME") };
      relation("wasGeneratedBy", { "prov:entity": output, "prov:activity": activity, "prov:time": time });
    }
  }
  return doc;
}
