/**
 * What holders' gateways metered and settled: the meters a holder appointed, its settled epochs, and
 * the uses each epoch settled.
 */
import { z } from "zod";

import { NotFoundError } from "../../../core/errors.js";
import { pageAnswer, type Route, storedPageAnswer } from "../routing.js";
import * as S from "../schemas.js";

const EpochParams = z.strictObject({ address: S.Address, epoch: S.Uint64 });

export function settlementRoutes(route: Route): void {
  route({
    method: "get",
    path: "/v1/accounts/:address/meters",
    summary: "The accounts a holder appointed to settle its gateway's usage (it may always settle itself)",
    tag: "settlement",
    params: S.AddressParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, holder: z.string(), meters: z.array(S.Meter) }),
    handler: async ({ params, reader, view, readAt }) => ({ readAt, holder: params.address, meters: (await reader.meters(params.address)).map(view.meter) }),
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/epochs",
    summary: "A holder's settled epochs of gateway deliveries, highest number first",
    tag: "settlement",
    params: S.AddressParams,
    query: S.PageQuery,
    response: S.pageOf(S.Epoch, "EpochPage"),
    handler: async ({ params, query, reader, view, readAt }) => pageAnswer(readAt, await reader.epochsOf(params.address, query), view.epoch),
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/epochs/:epoch",
    summary: "One settled epoch: its meter, receipts root and count, and its total units",
    tag: "settlement",
    params: EpochParams,
    query: S.EmptyQuery,
    response: z.object({ readAt: S.ReadAt, epoch: S.Epoch }),
    notFound: "No such settled epoch",
    handler: async ({ params, reader, view, readAt }) => {
      const epoch = await reader.epoch(params.address, params.epoch);
      if (!epoch) throw new NotFoundError(`epoch ${params.epoch} of ${params.address} is not settled (or not indexed yet)`);
      return { readAt, epoch: view.epoch(epoch) };
    },
  });

  route({
    method: "get",
    path: "/v1/accounts/:address/epochs/:epoch/usage",
    summary: "The uses a settled epoch added: one per grant and action, in the order settled",
    tag: "settlement",
    params: EpochParams,
    query: S.PageQuery,
    response: S.pageOf(S.Usage, "UsagePage"),
    notFound: "No such settled epoch",
    handler: async ({ params, query, reader, finality, readAt }) => {
      if (!(await reader.epoch(params.address, params.epoch))) throw new NotFoundError(`epoch ${params.epoch} of ${params.address} is not settled (or not indexed yet)`);
      return storedPageAnswer(readAt, await reader.storedUsageOfEpoch(params.address, params.epoch, query), finality);
    },
  });
}
