/**
 * The invariant campaign: random sequences of register / derive / grant / grantBySig / cancel / use /
 * revoke / renounce / transfer / accept / retire / time jumps run against the deployed ledger and
 * against a plain TypeScript model of the rules. After every step the outcome (success with the
 * model's events, or the model's custom error) and the touched state must agree. After every
 * sequence: every grant and dataset equals the model; used <= quota; signature nonces equal the
 * model and never went down; and the state rebuilt from the emitted events alone equals the
 * contract's views. DPL_PROPERTY_RUNS sequences (1,000) of DPL_INVARIANT_CALLS calls each (4 to 30 by
 * default; `npm run test:faults` runs 100); DPL_PROPERTY_SEED replays a failure.
 */
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/types";
import { expect } from "chai";
import type { ContractTransactionResponse, Log, TypedDataDomain } from "ethers";
import { ZeroAddress, ZeroHash } from "ethers";
import fc from "fast-check";
import { network } from "hardhat";

import { type GrantRequest, grantRequestDomain, GRANT_REQUEST_TYPES } from "../../server/chain/grant-request.js";
import { datasetId as computeDatasetId, grantId as computeGrantId, GrantState, UsageAction } from "../../server/chain/ids.js";
import type { ProvenanceLedger } from "../../types/ethers-contracts/index.js";
import { deployLedger, sha256 } from "../helpers/fixtures.js";

const { ethers, networkHelpers } = await network.create();

const RUNS = Number(process.env.DPL_PROPERTY_RUNS ?? 1000);
const CALLS = process.env.DPL_INVARIANT_CALLS ? Number(process.env.DPL_INVARIANT_CALLS) : undefined;
const PURPOSE = "model purpose";
const URI = "data:,m";

// ---- the model -------------------------------------------------------------------------------

interface MDataset {
  id: string;
  holder: string;
  pending: string;
  retired: boolean;
  superseded: boolean;
  licences: string[];
}

interface MGrant {
  id: string;
  datasetId: string;
  grantee: string;
  rights: number;
  validFrom: bigint;
  validUntil: bigint;
  quota: bigint;
  used: bigint;
  state: GrantState;
}

interface Model {
  time: bigint;
  datasets: MDataset[];
  grants: MGrant[];
  /** Signature nonces by account. */
  nonces: Map<string, bigint>;
}

/** A predicted outcome: the custom error with its arguments, or the events in emission order. */
type Outcome = { error: string; args: unknown[] } | { events: { name: string; args: unknown[] }[]; apply: () => void };

const fail = (error: string, ...args: unknown[]): Outcome => ({ error, args });

function findDataset(model: Model, id: string): MDataset | undefined {
  return model.datasets.find((d) => d.id === id);
}

function licenceFailure(model: Model, product: MDataset): Outcome | undefined {
  for (const licenceId of product.licences) {
    const licence = model.grants.find((g) => g.id === licenceId)!;
    const parent = findDataset(model, licence.datasetId)!;
    if (parent.holder === product.holder) continue;
    const active =
      licence.state === GrantState.Active &&
      (licence.rights & 4) !== 0 &&
      model.time >= licence.validFrom &&
      model.time <= licence.validUntil &&
      !parent.retired;
    if (!active) return fail("ProductLicenceInactive", product.id, licenceId);
  }
  return undefined;
}

const RIGHT_FOR: Record<UsageAction, number> = { [UsageAction.Use]: 1, [UsageAction.Process]: 2, [UsageAction.Derive]: 2, [UsageAction.Operate]: 4 };

/** The checks of `_useGrant`, in the contract's order. */
function predictUse(model: Model, grantId: string, user: string, action: UsageAction, units: bigint, outputRef: string): Outcome {
  if (units === 0n) return fail("UsageUnitsZero");
  const g = model.grants.find((x) => x.id === grantId);
  if (!g) return fail("GrantNotFound", grantId);
  if (g.grantee !== user) return fail("GrantUnauthorizedAccount", grantId, user);
  if (g.state !== GrantState.Active) return fail("GrantNotActive", grantId, g.state);
  if (model.time < g.validFrom || model.time > g.validUntil) return fail("UsageOutsideWindow", grantId, g.validFrom, g.validUntil, model.time);
  if ((g.rights & RIGHT_FOR[action]) === 0) return fail("UsageActionNotAllowed", grantId, action, g.rights);
  const dataset = findDataset(model, g.datasetId)!;
  if (dataset.retired) return fail("DatasetRetiredAlready", dataset.id);
  const lapsed = licenceFailure(model, dataset);
  if (lapsed) return lapsed;
  if (g.quota !== 0n && g.used + units > g.quota) return fail("UsageQuotaExceeded", grantId, g.used, g.quota, units);
  return {
    events: [{ name: "UsageRecorded", args: [grantId, g.datasetId, user, action, units, outputRef] }],
    apply: () => {
      g.used += units;
    },
  };
}

// ---- random operations ------------------------------------------------------------------------

const actor = fc.integer({ min: 0, max: 3 });
/** Mostly true: most operations are sent by the account entitled to them, so that sequences go deep. */
const mostly = fc.oneof({ weight: 4, arbitrary: fc.constant(true) }, { weight: 1, arbitrary: fc.constant(false) });
const pick = fc.nat({ max: 1000 });
/** What a grant (plain or signed) is about: the dataset, the grantee, the window around now and the quota. */
const grantTerms = {
  dataset: pick,
  grantee: actor,
  from: fc.integer({ min: -30, max: 8 }),
  length: fc.integer({ min: 0, max: 200 }),
  quota: fc.integer({ min: 0, max: 6 }),
};
const opArb = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant("register" as const), actor, content: fc.integer({ min: 0, max: 9 }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant("derive" as const),
      actor,
      content: fc.integer({ min: 0, max: 9 }),
      asGrantee: mostly,
      parents: fc.array(fc.record({ dataset: pick, grant: fc.option(pick, { nil: undefined }) }), { minLength: 1, maxLength: 2 }),
    }),
  },
  {
    weight: 4,
    arbitrary: fc.record({
      kind: fc.constant("grant" as const),
      asHolder: mostly,
      actor,
      rights: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 9, arbitrary: fc.integer({ min: 1, max: 7 }) }),
      ...grantTerms,
    }),
  },
  {
    weight: 6,
    arbitrary: fc.record({
      kind: fc.constant("use" as const),
      asGrantee: mostly,
      live: mostly,
      actor,
      grant: pick,
      action: fc.oneof({ weight: 4, arbitrary: fc.constantFrom(0, 1, 3) }, { weight: 1, arbitrary: fc.constant(2) }),
      units: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 8, arbitrary: fc.integer({ min: 1, max: 4 }) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("revoke" as const), asHolder: mostly, actor, grant: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("renounce" as const), asGrantee: mostly, actor, grant: pick }) },
  {
    weight: 1,
    arbitrary: fc.record({
      kind: fc.constant("transfer" as const),
      asHolder: mostly,
      actor,
      dataset: pick,
      to: fc.option(actor, { nil: undefined }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("accept" as const), asPending: mostly, actor, dataset: pick }) },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("retire" as const), asHolder: mostly, actor, dataset: pick }) },
  {
    weight: 3,
    arbitrary: fc.record({
      kind: fc.constant("grantBySig" as const),
      asHolder: mostly,
      /** The relayer. */
      actor,
      rights: fc.integer({ min: 1, max: 7 }),
      ...grantTerms,
      /** Now and then: a stale or future nonce, a passed deadline, another account's signature. */
      flaw: fc.oneof({ weight: 12, arbitrary: fc.constant("none" as const) }, { weight: 1, arbitrary: fc.constantFrom("nonce" as const, "deadline" as const, "forged" as const) }),
    }),
  },
  { weight: 1, arbitrary: fc.record({ kind: fc.constant("cancel" as const), actor }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant("jump" as const), seconds: fc.integer({ min: 1, max: 150 }) }) },
);
type Op = typeof opArb extends fc.Arbitrary<infer T> ? T : never;

// ---- running one step against both --------------------------------------------------------------

interface Env {
  ledger: ProvenanceLedger;
  actors: HardhatEthersSigner[];
  model: Model;
  domain: TypedDataDomain;
  /** Every log the ledger emitted in this sequence, in order. */
  logs: Log[];
}

const byAddress = (env: Env, address: string) => env.actors.find((a) => a.address === address)!;

/** Predicts `op` on the model, and says how to send it; undefined when the op has nothing to act on. */
function plan(env: Env, op: Op): { signer: HardhatEthersSigner; send: () => Promise<ContractTransactionResponse>; outcome: Outcome } | undefined {
  const { ledger, actors, model } = env;
  const signer = "actor" in op ? actors[op.actor] : actors[0];
  const at = <T>(list: T[], i: number) => (list.length === 0 ? undefined : list[i % list.length]);
  switch (op.kind) {
    case "register":
    case "derive": {
      // A derivation names, for each parent, either no grant or one of the grants on that parent
      // (most often), and is sent by the first named grant's grantee when `asGrantee`.
      const parents =
        op.kind === "derive"
          ? op.parents.flatMap((p) => {
              const d = at(model.datasets, p.dataset);
              if (!d) return [];
              const onParent = model.grants.filter((g) => g.datasetId === d.id);
              const g = p.grant === undefined ? undefined : (at(onParent, p.grant) ?? at(model.grants, p.grant));
              return [{ datasetId: d.id, grantId: g ? g.id : ZeroHash }];
            })
          : [];
      if (op.kind === "derive" && parents.length === 0) return undefined;
      const firstGrant = model.grants.find((g) => parents.some((p) => p.grantId === g.id));
      const registrant = op.kind === "derive" && op.asGrantee && firstGrant ? byAddress(env, firstGrant.grantee) : signer;
      return planRegistration(env, registrant, sha256(`content ${op.content}`), parents);
    }
    case "grant": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const grantor = op.asHolder ? byAddress(env, d.holder) : signer;
      const grantee = actors[op.grantee];
      const validFrom = BigInt(Math.max(0, Number(model.time) + op.from));
      const validUntil = validFrom + BigInt(op.length);
      const quota = BigInt(op.quota);
      const send = () => ledger.connect(grantor).grant(d.id, grantee.address, op.rights, PURPOSE, validFrom, validUntil, quota);
      return { signer: grantor, send, outcome: predictGrant(model, d, grantor.address, grantee.address, op.rights, validFrom, validUntil, quota) };
    }
    case "grantBySig": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      // The request names the dataset's holder (or, now and then, the relayer), and is signed by it.
      const holder = op.asHolder ? byAddress(env, d.holder) : signer;
      const signedBy = op.flaw === "forged" ? actors.find((a) => a.address !== holder.address)! : holder;
      const nonce = model.nonces.get(holder.address) ?? 0n;
      const request: GrantRequest = {
        holder: holder.address,
        datasetId: d.id,
        grantee: actors[op.grantee].address,
        rights: op.rights,
        purpose: PURPOSE,
        validFrom: BigInt(Math.max(0, Number(model.time) + op.from)),
        validUntil: BigInt(Math.max(0, Number(model.time) + op.from)) + BigInt(op.length),
        quota: BigInt(op.quota),
        nonce: op.flaw === "nonce" ? (nonce > 0n && op.length % 2 === 0 ? nonce - 1n : nonce + 1n) : nonce,
        deadline: op.flaw === "deadline" ? model.time - 1n : model.time + 600n,
      };
      const send = async () => ledger.connect(signer).grantBySig(request, await signedBy.signTypedData(env.domain, GRANT_REQUEST_TYPES, request));
      const outcome = ((): Outcome => {
        if (model.time > request.deadline) return fail("GrantSignatureExpired", request.deadline, model.time);
        if (request.nonce !== nonce) return fail("InvalidAccountNonce", holder.address, nonce);
        if (signedBy !== holder) return fail("GrantSignatureInvalid", holder.address);
        const granted = predictGrant(model, d, holder.address, request.grantee, request.rights, request.validFrom, request.validUntil, request.quota);
        if ("error" in granted) return granted;
        return { events: granted.events, apply: () => (granted.apply(), model.nonces.set(holder.address, nonce + 1n)) };
      })();
      return { signer, send, outcome };
    }
    case "cancel": {
      const nonce = model.nonces.get(signer.address) ?? 0n;
      return {
        signer,
        send: () => ledger.connect(signer).cancelGrantSignatures(),
        outcome: { events: [{ name: "GrantSignaturesCancelled", args: [signer.address, nonce] }], apply: () => void model.nonces.set(signer.address, nonce + 1n) },
      };
    }
    case "use": {
      // Mostly a grant that is live now, so that sequences meter deep into quotas.
      const live = model.grants.filter((x) => x.state === GrantState.Active && model.time >= x.validFrom && model.time <= x.validUntil);
      const g = op.live && live.length > 0 ? at(live, op.grant) : at(model.grants, op.grant);
      if (!g) return undefined;
      const user = op.asGrantee ? byAddress(env, g.grantee) : signer;
      const action = op.action as UsageAction;
      const units = BigInt(op.units);
      const outputRef = sha256(`output ${model.time}`);
      const send = () => ledger.connect(user).recordUsage(g.id, action, units, outputRef);
      const outcome = action === UsageAction.Derive ? fail("UsageActionReserved", action) : predictUse(model, g.id, user.address, action, units, outputRef);
      return { signer: user, send, outcome };
    }
    case "revoke":
    case "renounce": {
      const g = at(model.grants, op.grant);
      if (!g) return undefined;
      const d = findDataset(model, g.datasetId)!;
      const who = op.kind === "revoke" ? (op.asHolder ? byAddress(env, d.holder) : signer) : op.asGrantee ? byAddress(env, g.grantee) : signer;
      const send = () => (op.kind === "revoke" ? ledger.connect(who).revoke(g.id) : ledger.connect(who).renounce(g.id));
      const outcome = ((): Outcome => {
        if (g.state !== GrantState.Active) return fail("GrantNotActive", g.id, g.state);
        if (op.kind === "revoke") {
          if (d.holder !== who.address) return fail("DatasetUnauthorizedAccount", d.id, who.address);
          return { events: [{ name: "GrantRevoked", args: [g.id, d.id, who.address] }], apply: () => void (g.state = GrantState.Revoked) };
        }
        if (g.grantee !== who.address) return fail("GrantUnauthorizedAccount", g.id, who.address);
        return { events: [{ name: "GrantRenounced", args: [g.id, d.id, who.address] }], apply: () => void (g.state = GrantState.Renounced) };
      })();
      return { signer: who, send, outcome };
    }
    case "transfer": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const from = op.asHolder ? byAddress(env, d.holder) : signer;
      const to = op.to === undefined ? ZeroAddress : actors[op.to].address;
      const send = () => ledger.connect(from).transferHolding(d.id, to);
      const outcome = ((): Outcome => {
        if (d.holder !== from.address) return fail("DatasetUnauthorizedAccount", d.id, from.address);
        if (to === from.address) return fail("HoldingInvalidReceiver", d.id, to);
        return { events: [{ name: "HoldingTransferOffered", args: [d.id, from.address, to] }], apply: () => void (d.pending = to) };
      })();
      return { signer: from, send, outcome };
    }
    case "accept": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const who = op.asPending && d.pending !== ZeroAddress ? byAddress(env, d.pending) : signer;
      const send = () => ledger.connect(who).acceptHolding(d.id);
      const outcome: Outcome =
        d.pending !== who.address
          ? fail("HoldingInvalidReceiver", d.id, who.address)
          : {
              events: [{ name: "HoldingTransferred", args: [d.id, d.holder, who.address] }],
              apply: () => {
                d.holder = who.address;
                d.pending = ZeroAddress;
              },
            };
      return { signer: who, send, outcome };
    }
    case "retire": {
      const d = at(model.datasets, op.dataset);
      if (!d) return undefined;
      const who = op.asHolder ? byAddress(env, d.holder) : signer;
      const send = () => ledger.connect(who).retire(d.id);
      const outcome: Outcome =
        d.holder !== who.address
          ? fail("DatasetUnauthorizedAccount", d.id, who.address)
          : d.retired
            ? fail("DatasetRetiredAlready", d.id)
            : { events: [{ name: "DatasetRetired", args: [d.id, who.address] }], apply: () => void (d.retired = true) };
      return { signer: who, send, outcome };
    }
    case "jump":
      return undefined;
  }
}


/** Predicts a grant by `grantor` on `d`, as `grant` and (after its signature checks) `grantBySig` make it. */
function predictGrant(model: Model, d: MDataset, grantor: string, grantee: string, rights: number, validFrom: bigint, validUntil: bigint, quota: bigint): Outcome {
  if (d.holder !== grantor) return fail("DatasetUnauthorizedAccount", d.id, grantor);
  if (d.retired) return fail("DatasetRetiredAlready", d.id);
  const lapsed = licenceFailure(model, d);
  if (lapsed) return lapsed;
  if (rights === 0) return fail("GrantRightsInvalid", rights);
  if (validUntil < model.time) return fail("GrantWindowInvalid", validFrom, validUntil, model.time);
  const terms = { grantor, datasetId: d.id, grantee, rights, purpose: PURPOSE, validFrom, validUntil, quota };
  let bump = 0n;
  let id = computeGrantId(terms, bump);
  while (model.grants.some((g) => g.id === id)) id = computeGrantId(terms, ++bump);
  const g: MGrant = { id, datasetId: d.id, grantee, rights, validFrom, validUntil, quota, used: 0n, state: GrantState.Active };
  return {
    events: [{ name: "GrantIssued", args: [id, d.id, grantee, grantor, rights, undefined, PURPOSE, validFrom, validUntil, quota, bump] }],
    apply: () => model.grants.push(g),
  };
}

/** Predicts a registration by `signer` of `contentHash` with `parents`, metering grants in order. */
function planRegistration(env: Env, signer: HardhatEthersSigner, contentHash: string, parents: { datasetId: string; grantId: string }[]) {
  const { ledger, model } = env;
  const id = computeDatasetId(signer.address, contentHash);
  const send = () => ledger.connect(signer).register(contentHash, contentHash, 1n, URI, parents);
  const outcome = ((): Outcome => {
    if (findDataset(model, id)) return fail("DatasetAlreadyRegistered", id);
    const child: MDataset = { id, holder: signer.address, pending: ZeroAddress, retired: false, superseded: false, licences: [] };
    const events: { name: string; args: unknown[] }[] = [{ name: "DatasetRegistered", args: [id, signer.address, contentHash, contentHash, 1n, URI] }];
    // The contract meters each parent's grant before checking the next: predict on a scratch copy.
    const scratch: Model = { ...model, grants: model.grants.map((g) => ({ ...g })) };
    for (const [i, link] of parents.entries()) {
      if (parents.slice(0, i).some((p) => p.datasetId === link.datasetId)) return fail("DatasetParentDuplicate", link.datasetId);
      const parent = findDataset(model, link.datasetId)!;
      if (link.grantId === ZeroHash) {
        if (parent.holder !== signer.address) return fail("DatasetUnauthorizedAccount", parent.id, signer.address);
        if (parent.retired) return fail("DatasetRetiredAlready", parent.id);
      } else {
        const g = scratch.grants.find((x) => x.id === link.grantId)!;
        if (g.grantee !== signer.address) return fail("GrantUnauthorizedAccount", g.id, signer.address);
        if (g.datasetId !== parent.id) return fail("DatasetParentGrantMismatch", parent.id, g.id, g.datasetId);
        const use = predictUse(scratch, g.id, signer.address, UsageAction.Derive, 1n, id);
        if ("error" in use) return use;
        use.apply();
        events.push(...use.events);
        child.licences.push(g.id);
      }
      events.push({ name: "DatasetDerived", args: [id, parent.id, link.grantId] });
    }
    return {
      events,
      apply: () => {
        model.grants = scratch.grants;
        model.datasets.push(child);
      },
    };
  })();
  return { signer, send, outcome };
}

/** The ledger's custom error in a failed call, decoded. */
function decodeError(ledger: ProvenanceLedger, error: unknown): { name: string; args: unknown[] } {
  let e: any = error;
  while (e) {
    const data = typeof e.data === "string" ? e.data : typeof e.data?.data === "string" ? e.data.data : undefined;
    if (data && data.length >= 10) {
      const parsed = ledger.interface.parseError(data);
      if (parsed) return { name: parsed.name, args: [...parsed.args] };
    }
    e = e.error ?? e.cause;
  }
  throw error;
}

function decodeEvents(ledger: ProvenanceLedger, logs: readonly Log[]) {
  return logs.map((log) => {
    const parsed = ledger.interface.parseLog(log)!;
    return { name: parsed.name, args: [...parsed.args] };
  });
}

const normalise = (values: unknown[]) => values.map((v) => (typeof v === "number" ? BigInt(v) : typeof v === "string" ? v.toLowerCase() : v));

/** How often each outcome happened, so the run can show that it exercised every rule. */
const outcomes = new Map<string, number>();
const count = (key: string) => outcomes.set(key, (outcomes.get(key) ?? 0) + 1);

async function step(env: Env, op: Op): Promise<void> {
  if (op.kind === "jump") {
    env.model.time += BigInt(op.seconds);
    return;
  }
  const planned = plan(env, op);
  if (!planned) return;
  await networkHelpers.time.setNextBlockTimestamp(env.model.time);
  const { outcome } = planned;
  let receipt;
  try {
    receipt = await (await planned.send()).wait();
  } catch (error) {
    const got = decodeError(env.ledger, error);
    expect("error" in outcome, `${op.kind}: the ledger refused with ${got.name}(${got.args.join(", ")}) but the model accepts`).to.equal(true);
    const want = outcome as { error: string; args: unknown[] };
    expect(got.name, `${op.kind}: error`).to.equal(want.error);
    expect(normalise(got.args), `${op.kind}: ${want.error} arguments`).to.deep.equal(normalise(want.args));
    count(`${op.kind} refused: ${got.name}`);
    return;
  }
  if ("error" in outcome) throw new Error(`${op.kind}: the ledger accepted but the model predicts ${outcome.error}(${outcome.args.join(", ")})`);
  env.logs.push(...receipt!.logs);
  const events = decodeEvents(env.ledger, receipt!.logs);
  expect(events.map((e) => e.name), `${op.kind}: events`).to.deep.equal(outcome.events.map((e) => e.name));
  events.forEach((event, i) => {
    const want = outcome.events[i].args;
    // An undefined expectation (the purpose hash) is checked elsewhere; skip it here.
    const got = event.args.map((v, j) => (want[j] === undefined ? undefined : v));
    expect(normalise(got), `${op.kind}: ${event.name} arguments`).to.deep.equal(normalise(want));
  });
  outcome.apply();
  env.model.time += 1n;
  count(`${op.kind} accepted`);
}

/**
 * Datasets and grants as the emitted events alone describe them: what an indexer knows. (Nonces are
 * not in it: a relayed grant spends one without an event of its own, so they are checked against the
 * model instead.)
 */
function rebuildFromEvents(ledger: ProvenanceLedger, logs: readonly Log[]) {
  const datasets = new Map<string, { holder: string; pending: string; retired: boolean; licences: string[] }>();
  const grants = new Map<string, { datasetId: string; grantee: string; rights: bigint; validFrom: bigint; validUntil: bigint; quota: bigint; used: bigint; state: GrantState }>();
  for (const { name, args } of decodeEvents(ledger, logs)) {
    if (name === "DatasetRegistered") datasets.set(args[0], { holder: args[1], pending: ZeroAddress, retired: false, licences: [] });
    else if (name === "DatasetDerived" && args[2] !== ZeroHash) datasets.get(args[0])!.licences.push(args[2]);
    else if (name === "HoldingTransferOffered") datasets.get(args[0])!.pending = args[2];
    else if (name === "HoldingTransferred") Object.assign(datasets.get(args[0])!, { holder: args[2], pending: ZeroAddress });
    else if (name === "DatasetRetired") datasets.get(args[0])!.retired = true;
    else if (name === "GrantIssued") grants.set(args[0], { datasetId: args[1], grantee: args[2], rights: args[4], validFrom: args[7], validUntil: args[8], quota: args[9], used: 0n, state: GrantState.Active });
    else if (name === "GrantRevoked") grants.get(args[0])!.state = GrantState.Revoked;
    else if (name === "GrantRenounced") grants.get(args[0])!.state = GrantState.Renounced;
    else if (name === "UsageRecorded") grants.get(args[0])!.used += args[4];
  }
  return { datasets, grants };
}

/** Every grant and dataset of the model equals the ledger's views, and so does the state rebuilt from events. */
async function checkAll(env: Env, seenNonces: Map<string, bigint>): Promise<void> {
  const rebuilt = rebuildFromEvents(env.ledger, env.logs);
  expect(rebuilt.grants.size, "grants in the events").to.equal(env.model.grants.length);
  expect(rebuilt.datasets.size, "datasets in the events").to.equal(env.model.datasets.length);
  for (const [id, g] of rebuilt.grants) {
    const v = await env.ledger.grantOf(id);
    expect([v.datasetId, v.grantee, v.rights, v.validFrom, v.validUntil, v.quota, v.used, v.state], `grant ${id} from events`).to.deep.equal([g.datasetId, g.grantee, g.rights, g.validFrom, g.validUntil, g.quota, g.used, BigInt(g.state)]);
  }
  for (const [id, d] of rebuilt.datasets) {
    const v = await env.ledger.datasetOf(id);
    expect([v.holder, v.pendingHolder, v.retired, v.licensed], `dataset ${id} from events`).to.deep.equal([d.holder, d.pending, d.retired, d.licences.length > 0]);
    expect(await env.ledger.derivationGrantsOf(id)).to.deep.equal(d.licences);
  }
  for (const a of env.actors) {
    const nonce = await env.ledger.nonces(a.address);
    expect(nonce, `nonce of ${a.address}`).to.equal(env.model.nonces.get(a.address) ?? 0n);
    expect(nonce >= (seenNonces.get(a.address) ?? 0n), "nonces never decrease").to.equal(true);
    seenNonces.set(a.address, nonce);
  }
  for (const g of env.model.grants) {
    const onChain = await env.ledger.grantOf(g.id);
    expect([onChain.used, onChain.state, onChain.grantee, onChain.datasetId], `grant ${g.id}`).to.deep.equal([g.used, BigInt(g.state), g.grantee, g.datasetId]);
    if (g.quota !== 0n) expect(onChain.used <= onChain.quota, "used <= quota").to.equal(true);
  }
  for (const d of env.model.datasets) {
    const info = await env.ledger.datasetOf(d.id);
    expect([info.holder, info.pendingHolder, info.retired, info.licensed], `dataset ${d.id}`).to.deep.equal([d.holder, d.pending, d.retired, d.licences.length > 0]);
    expect(await env.ledger.derivationGrantsOf(d.id)).to.deep.equal(d.licences);
  }
}

describe("ProvenanceLedger against its model", function () {
  it(`agrees with the model on ${RUNS} random sequences of ${CALLS ?? "4 to 30"} calls, and its events rebuild its state`, async function () {
    // A campaign's length is set by its size (`npm run test:faults` runs the large ones), not by mocha's default.
    this.timeout(0);
    const { ledger, signers, address } = await deployLedger(ethers);
    const actors = signers.slice(1, 5);
    const domain = grantRequestDomain((await ethers.provider.getNetwork()).chainId, address);
    const seenNonces = new Map<string, bigint>();
    const snapshot = await networkHelpers.takeSnapshot();
    let steps = 0;
    let accepted = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(opArb, { minLength: CALLS ?? 4, maxLength: CALLS ?? 30 }), async (ops) => {
        await snapshot.restore();
        seenNonces.clear();
        const env: Env = { ledger, actors, domain, logs: [], model: { time: BigInt(await networkHelpers.time.latest()) + 1n, datasets: [], grants: [], nonces: new Map() } };
        for (const op of ops) {
          const before = env.model.time;
          await step(env, op);
          steps++;
          if (env.model.time > before && op.kind !== "jump") accepted++;
        }
        await checkAll(env, seenNonces);
      }),
      { numRuns: RUNS, seed: process.env.DPL_PROPERTY_SEED ? Number(process.env.DPL_PROPERTY_SEED) : undefined },
    );
    console.log(`      ${RUNS} sequences, ${steps} calls, ${accepted} accepted transactions; state rebuilt from events equal to the views after each sequence`);
    for (const [key, n] of [...outcomes].sort()) console.log(`        ${key}: ${n}`);
    expect(accepted).to.be.greaterThan(RUNS);
  });
});
