/** Table rows shared by several pages: a grant, a use, an account's activity, a dataset. */
import type { MessageKey } from "../../../core/i18n/translate.js";
import type { Child } from "../dom.js";
import { h } from "../dom.js";
import { datasetTitle, feeTermsText, formatAmount, formatTime, formatUntil, formatUnits, rightsLabel } from "../format.js";
import { t, tr } from "../i18n.js";
import type { Activity, Dataset, Epoch, Grant, Objection, Payment, Statement, Usage } from "../model.js";
import { accountLink, chainText, datasetLink, epochLink, evidence, grantLink, lapseNote, objectionLink, quotaBar, statusBadge } from "../widgets.js";

export const GRANT_HEADERS: MessageKey[] = ["col.grant", "col.grantee", "col.rights", "col.purpose", "col.valid", "col.status", "col.usedQuota"];

export function grantRow(g: Grant, first: "grantee" | "grantor" | "dataset" = "grantee"): Child[] {
  return [
    grantLink(g.id),
    first === "grantee" ? accountLink(g.grantee) : first === "grantor" ? accountLink(g.grantor) : datasetLink(g.datasetId),
    rightsLabel(g.rights),
    g.purpose ? chainText(g.purpose) : h("em", {}, t("grant.noPurpose")),
    h("span", { class: "window" }, `${formatTime(g.validFrom)} → ${formatUntil(g.validUntil)}`),
    g.lapse ? h("span", {}, statusBadge(g.status), " ", lapseNote(g.lapse)) : statusBadge(g.status),
    quotaBar(g),
  ];
}

export const USAGE_HEADERS: MessageKey[] = ["col.when", "col.grantee", "col.action", "col.units", "col.grant", "col.evidence"];

export function usageRow(u: Usage): Child[] {
  return [
    h("time", { datetime: u.evidence.time }, formatTime(u.evidence.timestamp)),
    accountLink(u.grantee),
    tr().name("action", u.action),
    formatUnits(u.units),
    grantLink(u.grantId),
    evidence(u.evidence),
  ];
}

export const DATASET_HEADERS: MessageKey[] = ["col.dataset", "col.holder", "col.records", "col.status", "col.anchored"];

export function datasetRow(d: Dataset): Child[] {
  return [datasetLink(d.id, datasetTitle(d)), accountLink(d.holder), formatUnits(d.recordCount), statusBadge(d.status), evidence(d.registered)];
}

/** The holder whose epoch a settlement entry names: the account itself, or for the meter that settled it the counterparty. */
const settledHolder = (a: Activity) => (a.kind === "settled-epoch" && a.counterparty ? a.counterparty : a.account);

export const EPOCH_HEADERS: MessageKey[] = ["col.epoch", "col.settledBy", "col.receipts", "col.entries", "col.units", "col.evidence"];

export function epochRow(e: Epoch): Child[] {
  return [epochLink(e.holder, e.epoch), accountLink(e.meter), formatUnits(String(e.receiptCount)), formatUnits(String(e.entryCount)), formatUnits(e.units), evidence(e.evidence)];
}

export const ACTIVITY_HEADERS: MessageKey[] = ["col.when", "col.what", "col.evidence"];

export function activityRow(a: Activity): Child[] {
  // The feed reads as one line per event: what was done, then each party and figure it names.
  const what: Child[] = [tr().name("activity", a.kind)];
  if (a.datasetId) what.push(" ", datasetLink(a.datasetId));
  if (a.grantId) what.push(t("activity.underGrant"), grantLink(a.grantId));
  if (a.counterparty) what.push(t("activity.with"), accountLink(a.counterparty));
  if (a.role) what.push(` ${a.role}`);
  if (a.epoch) what.push(" ", epochLink(settledHolder(a), a.epoch));
  if (a.units) what.push(t("activity.units", { units: formatUnits(a.units) }));
  if (a.amount) what.push(t("activity.amount", { amount: a.currency ? formatAmount(a.amount, a.currency) : formatUnits(a.amount) }));
  if (a.objectionId) what.push(" — ", objectionLink(a.objectionId));
  return [h("time", { datetime: a.evidence.time }, formatTime(a.evidence.timestamp)), h("span", { class: `activity activity-${a.kind}` }, ...what), evidence(a.evidence)];
}

export const PAYMENT_HEADERS: MessageKey[] = ["col.when", "col.how", "col.payer", "col.paidTo", "col.amount", "col.paidInAll", "col.evidence"];

export function paymentRow(p: Payment, fees: Parameters<typeof formatAmount>[1]): Child[] {
  return [
    h("time", { datetime: p.evidence.time }, formatTime(p.evidence.timestamp)),
    t(p.kind === "paid" ? "payment.throughLedger" : "payment.acknowledged"),
    p.payer ? accountLink(p.payer) : "–",
    accountLink(p.holder),
    formatAmount(p.amount, fees),
    formatAmount(p.paidTotal, fees),
    evidence(p.evidence),
  ];
}

export const OBJECTION_HEADERS: MessageKey[] = ["col.objection", "col.against", "col.objector", "col.reason", "col.status", "col.filed"];

export function objectionRow(o: Objection): Child[] {
  return [objectionLink(o.id), o.targetKind === "grant" ? grantLink(o.target) : datasetLink(o.target), accountLink(o.objector), chainText(o.reason), statusBadge(o.state), evidence(o.filed)];
}

export const STATEMENT_HEADERS: MessageKey[] = ["col.grant", "col.fees", "col.units", "col.periods", "col.charged", "col.paidInPeriod", "col.outstandingToDate"];

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
