/** Table rows shared by several pages: a grant, a use, an account's activity, a dataset. */
import type { Child } from "../dom.js";
import { h } from "../dom.js";
import { datasetTitle, feeTermsText, formatAmount, formatTime, formatUntil, formatUnits, rightsLabel } from "../format.js";
import type { Activity, Dataset, Epoch, Grant, Objection, Payment, Statement, Usage } from "../model.js";
import { accountLink, chainText, datasetLink, epochLink, evidence, grantLink, lapseNote, objectionLink, quotaBar, statusBadge } from "../widgets.js";

export const GRANT_HEADERS = ["Grant", "Grantee", "Rights", "Purpose", "Valid", "Status", "Used / quota"];

export function grantRow(g: Grant, first: "grantee" | "grantor" | "dataset" = "grantee"): Child[] {
  return [
    grantLink(g.id),
    first === "grantee" ? accountLink(g.grantee) : first === "grantor" ? accountLink(g.grantor) : datasetLink(g.datasetId),
    rightsLabel(g.rights),
    g.purpose ? chainText(g.purpose) : h("em", {}, "(no purpose text)"),
    h("span", { class: "window" }, `${formatTime(g.validFrom)} → ${formatUntil(g.validUntil)}`),
    g.lapse ? h("span", {}, statusBadge(g.status), " ", lapseNote(g.lapse)) : statusBadge(g.status),
    quotaBar(g),
  ];
}

export const USAGE_HEADERS = ["When", "Grantee", "Action", "Units", "Grant", "Evidence"];

export function usageRow(u: Usage): Child[] {
  return [h("time", { datetime: u.evidence.time }, formatTime(u.evidence.timestamp)), accountLink(u.grantee), u.action, formatUnits(u.units), grantLink(u.grantId), evidence(u.evidence)];
}

export const DATASET_HEADERS = ["Dataset", "Holder", "Records", "Status", "Anchored"];

export function datasetRow(d: Dataset): Child[] {
  return [datasetLink(d.id, datasetTitle(d)), accountLink(d.holder), formatUnits(d.recordCount), statusBadge(d.status), evidence(d.registered)];
}

const ACTIVITY: Record<Activity["kind"], string> = {
  registered: "anchored dataset",
  derived: "derived dataset",
  versioned: "anchored a new version of",
  "holding-offered": "offered the holding of",
  "holding-received-offer": "was offered the holding of",
  "holding-accepted": "accepted the holding of",
  "holding-transferred-away": "transferred the holding of",
  retired: "retired",
  granted: "granted rights on",
  "grant-received": "received a grant on",
  revoked: "revoked a grant on",
  "grant-revoked": "had a grant revoked on",
  renounced: "renounced a grant on",
  "grant-renounced": "saw a grant renounced on",
  used: "used",
  "dataset-used": "saw a use of",
  "grant-request-cancelled": "cancelled one of its signed grant requests",
  "grant-requests-cancelled": "cancelled every signed grant request it had outstanding",
  paused: "paused the ledger",
  unpaused: "unpaused the ledger",
  "role-granted": "received (or gave) the role",
  "role-revoked": "lost (or took away) the role",
  "admin-transfer-scheduled": "was offered the role",
  "meter-appointed": "appointed a meter for its gateway:",
  "appointed-meter": "was appointed the gateway meter of",
  "meter-dismissed": "dismissed its gateway meter",
  "dismissed-meter": "was dismissed as the gateway meter of",
  "epoch-settled": "had its gateway's epoch settled",
  "settled-epoch": "settled, as meter, the gateway epoch",
  "fees-paid": "paid fees for",
  "fees-received": "received fees for",
  "fees-acknowledged": "acknowledged a payment of fees for",
  "fee-cap-set": "capped the fees of",
  "revenue-ceiling-set": "set the revenue ceiling of an operator",
  "revenue-ceiling-received": "had its revenue ceiling set",
  "objection-filed": "objected to",
  "objection-received": "received an objection to",
  "objection-answered": "answered an objection about",
  "objection-ruled": "ruled on an objection about",
  "ruling-received": "received a ruling on an objection about",
  "grant-cancelled": "had a grant cancelled by a ruling on",
  "dataset-cancelled": "had a dataset retired by a ruling:",
};

/** The holder whose epoch a settlement entry names: the account itself, or for the meter that settled it the counterparty. */
const settledHolder = (a: Activity) => (a.kind === "settled-epoch" && a.counterparty ? a.counterparty : a.account);

export const EPOCH_HEADERS = ["Epoch", "Settled by", "Receipts", "Entries", "Units", "Evidence"];

export function epochRow(e: Epoch): Child[] {
  return [epochLink(e.holder, e.epoch), accountLink(e.meter), formatUnits(String(e.receiptCount)), formatUnits(String(e.entryCount)), formatUnits(e.units), evidence(e.evidence)];
}

export const ACTIVITY_HEADERS = ["When", "What", "Evidence"];

export function activityRow(a: Activity): Child[] {
  const what: Child[] = [ACTIVITY[a.kind] ?? a.kind];
  if (a.datasetId) what.push(" ", datasetLink(a.datasetId));
  if (a.grantId) what.push(" under grant ", grantLink(a.grantId));
  if (a.counterparty) what.push(" with ", accountLink(a.counterparty));
  if (a.role) what.push(` ${a.role}`);
  if (a.epoch) what.push(" ", epochLink(settledHolder(a), a.epoch));
  if (a.units) what.push(` (${formatUnits(a.units)} units)`);
  if (a.amount) what.push(` (${a.currency ? formatAmount(a.amount, a.currency) : formatUnits(a.amount)})`);
  if (a.objectionId) what.push(" — ", objectionLink(a.objectionId));
  return [h("time", { datetime: a.evidence.time }, formatTime(a.evidence.timestamp)), h("span", { class: `activity activity-${a.kind}` }, ...what), evidence(a.evidence)];
}

export const PAYMENT_HEADERS = ["When", "How", "Payer", "Paid to", "Amount", "Paid in all", "Evidence"];

export function paymentRow(p: Payment, fees: Parameters<typeof formatAmount>[1]): Child[] {
  return [
    h("time", { datetime: p.evidence.time }, formatTime(p.evidence.timestamp)),
    p.kind === "paid" ? "through the ledger" : "acknowledged by the holder",
    p.payer ? accountLink(p.payer) : "–",
    accountLink(p.holder),
    formatAmount(p.amount, fees),
    formatAmount(p.paidTotal, fees),
    evidence(p.evidence),
  ];
}

export const OBJECTION_HEADERS = ["Objection", "Against", "Objector", "Reason", "Status", "Filed"];

export function objectionRow(o: Objection): Child[] {
  return [objectionLink(o.id), o.targetKind === "grant" ? grantLink(o.target) : datasetLink(o.target), accountLink(o.objector), chainText(o.reason), statusBadge(o.state), evidence(o.filed)];
}

export const STATEMENT_HEADERS = ["Grant", "Fees", "Units", "Periods", "Charged", "Paid in the period", "Outstanding to date"];

export function statementRow(l: Statement["lines"][number]): Child[] {
  return [
    grantLink(l.grantId),
    feeTermsText(l.fees),
    formatUnits(l.units),
    String(l.periods),
    formatAmount(l.charged, l.fees),
    formatAmount(l.paidInPeriod, l.fees),
    formatAmount(l.outstanding, l.fees),
  ];
}
