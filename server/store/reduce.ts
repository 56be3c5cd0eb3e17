/**
 * Applies one decoded ledger event to the index: the only place that knows how events become
 * records and index keys. Every write goes through the WriteSet, so it is undoable and lands in the
 * range's single batch.
 */
import { ZeroHash } from "ethers";

import { currencyCodeText, PURPOSE_CLASS_NAMES, roleName, USAGE_ACTION_NAMES } from "../../core/ids.js";
import { monthOf, nextMonth } from "../../core/period.js";
import type { LedgerEventBody } from "../../core/ledger-events.js";
import type { NumberedList } from "./layout.js";
import { epochKey, listLengthKey, numberedKey, objectionKey, positionKey, seriesKey } from "./keys.js";
import type * as R from "./records.js";

/** The settlement whose entries a transaction's next uses are (meta key "settling"). */
interface SettlingMark {
  txHash: string;
  holder: string;
  epoch: string;
}
import type { WriteSet } from "./store.js";

/** Adds `value` at the newest end of numbered list `listId` of `list` (layout.ts): its number is the list's length, which grows by one. Its key. */
async function append(w: WriteSet, list: NumberedList, listId: string, value: unknown): Promise<string> {
  const lengthKey = listLengthKey(list, listId);
  const length = (await w.get<number>("listLengths", lengthKey)) ?? 0;
  await w.put("listLengths", lengthKey, length + 1);
  const key = numberedKey(listId, length);
  await w.put(list, key, value, true);
  return key;
}

async function activity(w: WriteSet, account: string, kind: R.ActivityKind, evidence: R.Evidence, details: Omit<R.ActivityRecord, "account" | "kind" | "evidence"> = {}): Promise<void> {
  const record: R.ActivityRecord = { account, kind, ...details, evidence: timed(evidence) };
  await append(w, "activity", account, record);
}

/** Evidence with its time written as the API writes it, for the records it serves as stored. */
const timed = (e: R.Evidence): R.TimedEvidence => ({ ...e, time: new Date(e.timestamp * 1000).toISOString() });

async function dataset(w: WriteSet, id: string): Promise<R.DatasetRecord | undefined> {
  return w.get<R.DatasetRecord>("datasets", id);
}

async function grant(w: WriteSet, id: string): Promise<R.GrantRecord | undefined> {
  return w.get<R.GrantRecord>("grants", id);
}

/**
 * Applies `event`. Events the ledger emitted always refer to entities it created earlier, so a
 * missing one means the index is not the chain's: that is an error, never silently skipped.
 */
export async function applyEvent(w: WriteSet, event: LedgerEventBody, evidence: R.Evidence): Promise<void> {
  const pos = positionKey(evidence);
  switch (event.kind) {
    case "DatasetRegistered": {
      const holderKey = `${event.holder}:${pos}:${event.datasetId}`;
      const record: R.DatasetRecord = {
        id: event.datasetId,
        holder: event.holder,
        registrant: event.holder,
        contentHash: event.contentHash,
        merkleRoot: event.merkleRoot,
        recordCount: event.recordCount.toString(),
        metadataURI: event.metadataURI,
        parents: [],
        licences: [],
        previousVersion: null,
        nextVersion: null,
        pendingHolder: null,
        retired: null,
        transfers: [],
        registered: evidence,
        holderKey,
      };
      await w.put("datasets", event.datasetId, record, true);
      await w.put("byPosition", `${pos}:${event.datasetId}`, "", true);
      await w.put("byHolder", holderKey, "", true);
      await w.put("byContent", `${event.contentHash}:${pos}:${event.datasetId}`, "", true);
      await activity(w, event.holder, "registered", evidence, { datasetId: event.datasetId });
      return;
    }
    case "DatasetDerived": {
      const child = await must(dataset(w, event.datasetId), event);
      child.parents = [...child.parents, { datasetId: event.parentId, grantId: event.grantId, evidence }];
      await w.put("datasets", child.id, child);
      await w.put("lineageUp", `${event.datasetId}:${event.parentId}`, event.grantId, true);
      await w.put("lineageDown", `${event.parentId}:${event.datasetId}`, event.grantId, true);
      await activity(w, child.registrant, "derived", evidence, { datasetId: event.datasetId, grantId: event.grantId });
      return;
    }
    case "DatasetLicensed": {
      const d = await must(dataset(w, event.datasetId), event);
      await w.put("datasets", d.id, { ...d, licences: [...d.licences, { grantId: event.grantId, direct: event.direct, evidence }] });
      // Which products rest on a grant: what a revocation of it reaches.
      await w.put("productsByLicence", `${event.grantId}:${pos}:${event.datasetId}`, "", true);
      return;
    }
    case "DatasetVersioned": {
      const previous = await must(dataset(w, event.previousId), event);
      const next = await must(dataset(w, event.datasetId), event);
      await w.put("datasets", previous.id, { ...previous, nextVersion: next.id });
      await w.put("datasets", next.id, { ...next, previousVersion: previous.id });
      await activity(w, event.holder, "versioned", evidence, { datasetId: event.datasetId });
      return;
    }
    case "HoldingTransferOffered": {
      const d = await must(dataset(w, event.datasetId), event);
      const to = event.to === ZERO_ADDRESS ? null : event.to;
      await w.put("datasets", d.id, { ...d, pendingHolder: to });
      await activity(w, event.from, "holding-offered", evidence, { datasetId: d.id, counterparty: event.to });
      if (to) await activity(w, to, "holding-received-offer", evidence, { datasetId: d.id, counterparty: event.from });
      return;
    }
    case "HoldingTransferred": {
      const d = await must(dataset(w, event.datasetId), event);
      const holderKey = `${event.to}:${d.holderKey.split(":")[1]}:${d.id}`;
      await w.del("byHolder", d.holderKey);
      await w.put("byHolder", holderKey, "");
      await w.put("datasets", d.id, { ...d, holder: event.to, pendingHolder: null, holderKey, transfers: [...d.transfers, { from: event.from, to: event.to, evidence }] });
      await activity(w, event.to, "holding-accepted", evidence, { datasetId: d.id, counterparty: event.from });
      await activity(w, event.from, "holding-transferred-away", evidence, { datasetId: d.id, counterparty: event.to });
      return;
    }
    case "DatasetRetired": {
      const d = await must(dataset(w, event.datasetId), event);
      await w.put("datasets", d.id, { ...d, retired: evidence });
      await activity(w, event.holder, "retired", evidence, { datasetId: d.id });
      return;
    }
    case "GrantIssued": {
      const record: R.GrantRecord = {
        id: event.grantId,
        datasetId: event.datasetId,
        grantor: event.grantor,
        grantee: event.grantee,
        rights: event.rights,
        purposeHash: event.purposeHash,
        purpose: event.purpose,
        validFrom: event.validFrom,
        validUntil: event.validUntil,
        quota: event.quota.toString(),
        used: "0",
        uses: 0,
        bump: event.bump.toString(),
        state: "active",
        issued: evidence,
        ended: null,
      };
      await w.put("grants", event.grantId, record, true);
      await append(w, "grantsByDataset", event.datasetId, event.grantId);
      await append(w, "grantsByGrantee", event.grantee, event.grantId);
      await append(w, "grantsByGrantor", event.grantor, event.grantId);
      await activity(w, event.grantor, "granted", evidence, { datasetId: event.datasetId, grantId: event.grantId, counterparty: event.grantee });
      await activity(w, event.grantee, "grant-received", evidence, { datasetId: event.datasetId, grantId: event.grantId, counterparty: event.grantor });
      return;
    }
    case "GrantRevoked":
    case "GrantRenounced": {
      const g = await must(grant(w, event.grantId), event);
      const revoked = event.kind === "GrantRevoked";
      await w.put("grants", g.id, { ...g, state: revoked ? "revoked" : "renounced", ended: evidence });
      const actor = revoked ? event.holder : event.grantee;
      const subject = revoked ? g.grantee : ((await dataset(w, g.datasetId))?.holder ?? g.grantor);
      await activity(w, actor, revoked ? "revoked" : "renounced", evidence, { datasetId: g.datasetId, grantId: g.id, counterparty: subject });
      await activity(w, subject, revoked ? "grant-revoked" : "grant-renounced", evidence, { datasetId: g.datasetId, grantId: g.id, counterparty: actor });
      return;
    }
    case "MeterAppointed":
    case "MeterDismissed": {
      const appointed = event.kind === "MeterAppointed";
      if (appointed) await w.put("meters", `${event.holder}:${event.meter}`, { holder: event.holder, meter: event.meter, appointed: evidence } satisfies R.MeterRecord);
      else await w.del("meters", `${event.holder}:${event.meter}`);
      await activity(w, event.holder, appointed ? "meter-appointed" : "meter-dismissed", evidence, { counterparty: event.meter });
      if (event.meter !== event.holder) await activity(w, event.meter, appointed ? "appointed-meter" : "dismissed-meter", evidence, { counterparty: event.holder });
      return;
    }
    case "EpochSettled": {
      const epoch = event.epoch.toString();
      const record: R.EpochRecord = {
        holder: event.holder,
        epoch,
        meter: event.meter,
        receiptsRoot: event.receiptsRoot,
        receiptCount: event.receiptCount,
        entryCount: event.entryCount,
        units: event.units.toString(),
        evidence,
      };
      await w.put("epochs", epochKey(event.holder, event.epoch), record, true);
      // The uses that follow in this transaction are the epoch's entries.
      await w.put("meta", "settling", { txHash: evidence.txHash, holder: event.holder, epoch } satisfies SettlingMark);
      await activity(w, event.holder, "epoch-settled", evidence, { counterparty: event.meter, units: record.units, epoch });
      if (event.meter !== event.holder) await activity(w, event.meter, "settled-epoch", evidence, { counterparty: event.holder, units: record.units, epoch });
      return;
    }
    case "UsageRecorded": {
      const g = await must(grant(w, event.grantId), event);
      const used = (BigInt(g.used) + event.units).toString();
      const month = await checkpoint(w, "usedMonths", g.id, g.usedMonth, g.used, used, evidence.timestamp);
      await w.put("grants", g.id, { ...g, used, uses: g.uses + 1, lastUsedAt: evidence.timestamp, usedMonth: month });
      // Units used by the end of each second that saw a use: what any moment's statement reads.
      await w.put("usedSeries", seriesKey(g.id, evidence.timestamp), used);
      const settling = await w.get<SettlingMark>("meta", "settling");
      const usage: R.UsageRecord = {
        grantId: event.grantId,
        datasetId: event.datasetId,
        grantee: event.grantee,
        action: USAGE_ACTION_NAMES[event.action] ?? "use",
        units: event.units.toString(),
        outputRef: event.outputRef === ZeroHash ? null : event.outputRef,
        ...(settling?.txHash === evidence.txHash && { settlement: { holder: settling.holder, epoch: settling.epoch } }),
        // Last: pages are served as stored, finality spliced in at the end.
        evidence: timed(evidence),
      };
      // The record lives in its dataset's list itself, so that a page of a dataset's uses reads the
      // records; the grant's list and the activity entries point at it.
      const usageKey = await append(w, "usageByDataset", event.datasetId, usage);
      if (usage.settlement) await w.put("usageByEpoch", `${epochKey(usage.settlement.holder, BigInt(usage.settlement.epoch))}:${pos}`, usageKey, true);
      await append(w, "usageByGrant", event.grantId, usageKey);
      await append(w, "activity", event.grantee, usageKey satisfies R.UsageActivityRef);
      const holder = (await dataset(w, event.datasetId))?.holder;
      if (holder && holder !== event.grantee) await append(w, "activity", holder, usageKey satisfies R.UsageActivityRef);
      return;
    }
    case "GrantFeeTerms": {
      const g = await must(grant(w, event.grantId), event);
      const fees = {
        purposeClass: PURPOSE_CLASS_NAMES[event.purposeClass] ?? "unclassified",
        ...currency(event.token, event.currencyCode),
        unitPrice: event.unitPrice.toString(),
        periodFee: event.periodFee.toString(),
        period: event.period,
      };
      await w.put("grants", g.id, { ...g, fees, paid: "0" });
      return;
    }
    case "FeesPaid":
    case "FeesAcknowledged": {
      const g = await must(grant(w, event.grantId), event);
      const paidTotal = event.paidTotal.toString();
      const month = await checkpoint(w, "paidMonths", g.id, g.paidMonth, g.paid ?? "0", paidTotal, evidence.timestamp);
      await w.put("grants", g.id, { ...g, paid: paidTotal, lastPaidAt: evidence.timestamp, paidMonth: month });
      const paid = event.kind === "FeesPaid";
      const record: R.PaymentRecord = {
        grantId: g.id,
        kind: paid ? "paid" : "acknowledged",
        payer: paid ? event.payer : null,
        holder: event.holder,
        token: paid ? event.token : null,
        amount: event.amount.toString(),
        paidTotal: event.paidTotal.toString(),
        paymentRef: paid ? null : event.paymentRef,
        evidence,
      };
      await w.put("payments", `${seriesKey(g.id, evidence.timestamp)}:${pos}`, record, true);
      const fees = g.fees ?? { token: null, currencyCode: null };
      const details = { datasetId: g.datasetId, grantId: g.id, amount: record.amount, currency: { token: fees.token, currencyCode: fees.currencyCode } };
      if (paid) {
        await activity(w, event.payer, "fees-paid", evidence, { ...details, counterparty: event.holder });
        if (event.holder !== event.payer) await activity(w, event.holder, "fees-received", evidence, { ...details, counterparty: event.payer });
      } else await activity(w, event.holder, "fees-acknowledged", evidence, { ...details, counterparty: g.grantee });
      return;
    }
    case "DatasetCancelled": {
      const d = await must(dataset(w, event.datasetId), event);
      const objectionId = event.objectionId.toString();
      await w.put("datasets", d.id, { ...d, retired: evidence, cancelledBy: objectionId });
      await activity(w, d.holder, "dataset-cancelled", evidence, { datasetId: d.id, objectionId });
      return;
    }
    case "GrantCancelled": {
      const g = await must(grant(w, event.grantId), event);
      const objectionId = event.objectionId.toString();
      await w.put("grants", g.id, { ...g, state: "cancelled", ended: evidence, cancelledBy: objectionId });
      await activity(w, g.grantee, "grant-cancelled", evidence, { datasetId: g.datasetId, grantId: g.id, objectionId });
      const holder = (await dataset(w, g.datasetId))?.holder;
      if (holder && holder !== g.grantee) await activity(w, holder, "grant-cancelled", evidence, { datasetId: g.datasetId, grantId: g.id, objectionId });
      return;
    }
    case "FeeCapSet": {
      const cap = currency(event.token, event.currencyCode);
      if (cap.token === null && cap.currencyCode === null) await w.del("feeCaps", event.datasetId);
      else {
        const record: R.FeeCapRecord = {
          datasetId: event.datasetId,
          authority: event.authority,
          ...cap,
          maxUnitPrice: event.maxUnitPrice.toString(),
          maxDailyFee: event.maxDailyFee.toString(),
          evidence,
        };
        await w.put("feeCaps", event.datasetId, record);
      }
      await activity(w, event.authority, "fee-cap-set", evidence, { datasetId: event.datasetId });
      return;
    }
    case "RevenueCeilingSet": {
      const record: R.RevenueCeilingRecord = {
        operator: event.operator,
        year: event.year,
        authority: event.authority,
        ...currency(event.token, event.currencyCode),
        ceiling: event.ceiling.toString(),
        evidence,
      };
      await w.put("ceilings", `${event.operator}:${event.year}`, record);
      const details = { amount: record.ceiling, currency: { token: record.token, currencyCode: record.currencyCode } };
      await activity(w, event.authority, "revenue-ceiling-set", evidence, { ...details, counterparty: event.operator });
      if (event.operator !== event.authority) await activity(w, event.operator, "revenue-ceiling-received", evidence, { ...details, counterparty: event.authority });
      return;
    }
    case "ObjectionFiled": {
      const onGrant = event.targetKind === 1;
      const datasetId = onGrant ? (await must(grant(w, event.target), event)).datasetId : (await must(dataset(w, event.target), event)).id;
      const id = event.objectionId.toString();
      const record: R.ObjectionRecord = {
        id,
        targetKind: onGrant ? "grant" : "dataset",
        target: event.target,
        datasetId,
        objector: event.objector,
        reason: event.reason,
        evidenceHash: orNull(event.evidenceHash),
        answerDue: event.answerDue,
        state: "open",
        filed: evidence,
        answer: null,
        ruling: null,
      };
      await w.put("objections", objectionKey(id), record, true);
      await w.put("objectionsByTarget", `${event.target}:${objectionKey(id)}`, "", true);
      const details = { datasetId, ...(onGrant && { grantId: event.target }), objectionId: id };
      await activity(w, event.objector, "objection-filed", evidence, details);
      const holder = (await dataset(w, datasetId))?.holder;
      if (holder && holder !== event.objector) await activity(w, holder, "objection-received", evidence, { ...details, counterparty: event.objector });
      return;
    }
    case "ObjectionAnswered": {
      const o = await must(w.get<R.ObjectionRecord>("objections", objectionKey(event.objectionId)), event);
      await w.put("objections", objectionKey(o.id), { ...o, state: "answered", answer: { holder: event.holder, text: event.answer, evidenceHash: orNull(event.evidenceHash), evidence } });
      await activity(w, event.holder, "objection-answered", evidence, { datasetId: o.datasetId, objectionId: o.id, counterparty: o.objector });
      return;
    }
    case "ObjectionRuled": {
      const o = await must(w.get<R.ObjectionRecord>("objections", objectionKey(event.objectionId)), event);
      const ruling = { arbiter: event.arbiter, upheld: event.upheld, text: event.ruling, evidence };
      await w.put("objections", objectionKey(o.id), { ...o, state: event.upheld ? "upheld" : "rejected", ruling });
      const details = { datasetId: o.datasetId, objectionId: o.id };
      await activity(w, event.arbiter, "objection-ruled", evidence, details);
      const holder = (await dataset(w, o.datasetId))?.holder;
      for (const party of new Set([o.objector, holder])) if (party && party !== event.arbiter) await activity(w, party, "ruling-received", evidence, { ...details, counterparty: event.arbiter });
      return;
    }
    case "GrantRequestCancelled":
      await activity(w, event.holder, "grant-request-cancelled", evidence);
      return;
    case "GrantRequestsCancelled":
      await activity(w, event.holder, "grant-requests-cancelled", evidence);
      return;
    case "Paused":
    case "Unpaused":
      await w.put("meta", "paused", event.kind === "Paused");
      await activity(w, event.account, event.kind === "Paused" ? "paused" : "unpaused", evidence);
      return;
    case "LedgerDeployed":
      await w.put("meta", "roles", { ...(await roles(w)), adminDelay: event.adminDelay } satisfies R.RolesRecord);
      return;
    case "RoleGranted":
    case "RoleRevoked": {
      const r = await roles(w);
      const name = roleName(event.role);
      const others = (r.members[name] ?? []).filter((m) => m.account !== event.account);
      const members = event.kind === "RoleGranted" ? [...others, { account: event.account, evidence }] : others;
      // Accepting an admin handover grants the role: the scheduled handover is then done.
      const done = event.kind === "RoleGranted" && name === "admin" && r.adminTransfer?.newAdmin === event.account;
      await w.put("meta", "roles", { ...r, members: { ...r.members, [name]: members }, adminTransfer: done ? null : r.adminTransfer } satisfies R.RolesRecord);
      const kind = event.kind === "RoleGranted" ? "role-granted" : "role-revoked";
      await activity(w, event.account, kind, evidence, { role: name, counterparty: event.sender });
      if (event.sender !== event.account) await activity(w, event.sender, kind, evidence, { role: name, counterparty: event.account });
      return;
    }
    case "DefaultAdminTransferScheduled": {
      const r = await roles(w);
      await w.put("meta", "roles", { ...r, adminTransfer: { newAdmin: event.newAdmin, acceptSchedule: event.acceptSchedule, evidence } } satisfies R.RolesRecord);
      await activity(w, event.newAdmin, "admin-transfer-scheduled", evidence, { role: "admin" });
      return;
    }
    case "DefaultAdminTransferCanceled":
      await w.put("meta", "roles", { ...(await roles(w)), adminTransfer: null } satisfies R.RolesRecord);
      return;
    case "DefaultAdminDelayChangeScheduled": {
      const r = await roles(w);
      await w.put("meta", "roles", { ...settleDelay(r, evidence.timestamp), delayChange: { newDelay: event.newDelay, effectSchedule: event.effectSchedule, evidence } } satisfies R.RolesRecord);
      return;
    }
    case "DefaultAdminDelayChangeCanceled":
      await w.put("meta", "roles", { ...(await roles(w)), delayChange: null } satisfies R.RolesRecord);
      return;
  }
}

async function roles(w: WriteSet): Promise<R.RolesRecord> {
  return (await w.get<R.RolesRecord>("meta", "roles")) ?? { members: {}, adminDelay: null, adminTransfer: null, delayChange: null };
}

/**
 * A scheduled delay change whose time has passed is the delay now: the ledger applies it without an
 * event, from the first block after `effectSchedule` (OpenZeppelin's `schedule < block.timestamp`).
 */
export function settleDelay(r: R.RolesRecord, time: number): R.RolesRecord {
  if (!r.delayChange || time <= r.delayChange.effectSchedule) return r;
  return { ...r, adminDelay: r.delayChange.newDelay, delayChange: null };
}

const ZERO_ADDRESS = "0x0000000000000000000000000000000000000000";

/**
 * Writes a grant's running total at the end of the month `time` falls in (UTC+8), after filling the
 * months since its last checkpoint with the total before: every month from the first to the last
 * has its checkpoint, so "the total by the end of month m" is one point read. Returns the month.
 */
async function checkpoint(w: WriteSet, name: "usedMonths" | "paidMonths", grantId: string, lastMonth: number | undefined, before: string, after: string, time: number): Promise<number> {
  const month = monthOf(time);
  if (lastMonth !== undefined) for (let m = nextMonth(lastMonth); m < month; m = nextMonth(m)) await w.put(name, `${grantId}:${m}`, before);
  await w.put(name, `${grantId}:${month}`, after);
  return month;
}

/** A zero hash is "none". */
const orNull = (hash: string) => (hash === ZeroHash ? null : hash);

/** A token address or a left-aligned bytes3 ISO 4217 code (hex), as the index keeps a currency; zero is none. */
function currency(token: string, code: string): R.Currency {
  const letters = currencyCodeText(code);
  return { token: token === ZERO_ADDRESS ? null : token, currencyCode: letters === "" ? null : letters };
}

async function must<T>(value: Promise<T | undefined>, event: LedgerEventBody): Promise<T> {
  const found = await value;
  if (found === undefined) throw new Error(`index inconsistent with the chain: ${event.kind} refers to a record the index does not have`);
  return found;
}
