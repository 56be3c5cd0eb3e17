/**
 * GET /v1/status: the chain, the ledger, how far the index is, its digest, and who holds the roles.
 */
import { settleDelay } from "../../store/reduce.js";
import type { RolesRecord } from "../../store/records.js";
import type { ApiDeps } from "../app.js";
import type { Route } from "../routing.js";
import * as S from "../schemas.js";
import type { Views } from "../views.js";

export function statusRoutes(route: Route, { chain, config }: ApiDeps): void {
  route({
    method: "get",
    path: "/v1/status",
    summary: "Chain, ledger, head, indexed block, lag, event count, state digest and reorganisations seen",
    tag: "status",
    query: S.EmptyQuery,
    response: S.Status,
    live: true,
    handler: async ({ reader, finality, view }) => {
      const state = (await reader.state())!;
      const head = chain.head()?.number ?? null;
      return {
        chainId: reader.identity.chainId,
        ledger: reader.identity.ledger,
        deployBlock: reader.identity.deployBlock,
        head,
        indexed: state.cursor,
        lag: head === null ? null : Math.max(0, head - state.cursor.number),
        events: state.events,
        digest: state.digest,
        reorgs: state.reorgs,
        paused: await reader.paused(),
        roles: rolesView(await reader.roles(), finality.headTime, view.evidence),
        confirmations: config.confirmations,
        finalityDepth: finality.finalityDepth,
        lastError: chain.lastError() ?? null,
        stalled: chain.stalled?.() ?? null,
      };
    },
  });
}

/** The ledger's roles as /v1/status shows them, at the head's time. */
function rolesView(record: RolesRecord, headTime: number, evidence: Views["evidence"]) {
  const r = settleDelay(record, headTime);
  return {
    admin: r.members.admin?.[0]?.account ?? null,
    pausers: (r.members.pauser ?? []).map((m) => m.account),
    adminDelay: r.adminDelay,
    pendingAdmin: r.adminTransfer ? { account: r.adminTransfer.newAdmin, acceptAfter: r.adminTransfer.acceptSchedule, evidence: evidence(r.adminTransfer.evidence) } : null,
    pendingDelay: r.delayChange ? { delay: r.delayChange.newDelay, effectiveAfter: r.delayChange.effectSchedule, evidence: evidence(r.delayChange.evidence) } : null,
  };
}
