/**
 * What holders' gateways metered and settled: the meters a holder appointed, its settled epochs, and
 * the uses each epoch settled.
 */
import { z } from "zod";

import type { Request } from "express";

import { InvalidInputError, NotFoundError } from "../../../core/errors.js";
import { gatewayDomain, type ReceiptProof, receiptSigner, rootOfReceipt } from "../../../core/receipts.js";
import { PayloadTooLargeError, UnsupportedMediaTypeError } from "../errors.js";
import { pageAnswer, parseInput, type Route, storedPageAnswer } from "../routing.js";
import * as S from "../schemas.js";

/** The largest receipt body read: a receipt and a proof of 64 levels take some 3 KiB. */
const MAX_RECEIPT_BYTES = 16 * 1024;

/** A JSON body, checked against `schema`, in one sentence when it is not. */
async function jsonBody<T extends z.ZodType>(req: Request, schema: T): Promise<z.output<T>> {
  const type = req.headers["content-type"]?.split(";")[0].trim().toLowerCase();
  if (type !== "application/json") throw new UnsupportedMediaTypeError(type);
  let text = "";
  for await (const chunk of req as AsyncIterable<Buffer>) {
    text += chunk.toString("utf8");
    if (text.length > MAX_RECEIPT_BYTES) throw new PayloadTooLargeError(MAX_RECEIPT_BYTES);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new InvalidInputError({ key: "api.notJson" });
  }
  return parseInput(schema, value, "body field");
}

const EpochParams = z.strictObject({ address: S.Address, epoch: S.Uint64 });

export function settlementRoutes(route: Route): void {
  route({
    method: "post",
    path: "/v1/receipts/verify",
    summary: "Checks a gateway's delivery receipt: signed by the holder or its meter, and in the root the ledger recorded for its epoch",
    tag: "settlement",
    query: S.EmptyQuery,
    body: { contentType: "application/json", description: "The receipt, its signature, its position and its proof, as the gateway gives them" },
    response: S.ReceiptCheck,
    handler: async ({ req, reader, view, readAt }) => {
      const proof = (await jsonBody(req, S.ReceiptProofBody)) as ReceiptProof;
      const { chainId, ledger } = reader.identity;
      let signer: string | null = null;
      try {
        signer = receiptSigner(gatewayDomain(chainId, ledger), proof);
      } catch {
        // Reported below: the signature cannot be read.
      }
      const root = await rootOfReceipt(proof);
      const settled = await reader.epoch(proof.receipt.holder, BigInt(proof.receipt.epoch));
      const reason =
        signer === null
          ? "the signature cannot be read"
          : !settled
            ? `epoch ${proof.receipt.epoch} of ${proof.receipt.holder} is not settled on this ledger (or not indexed yet)`
            : signer !== settled.holder && signer !== settled.meter
              ? `the receipt is signed by ${signer}, who neither holds the data nor settled the epoch`
              : root !== settled.receiptsRoot
                ? `the receipt's proof leads to ${root}, not to the epoch's settled root ${settled.receiptsRoot}`
                : null;
      return { readAt, valid: reason === null, signer, root, epoch: settled ? view.epoch(settled) : null, reason };
    },
  });

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
      if (!epoch) throw new NotFoundError({ key: "api.epochNotSettled", values: { epoch: params.epoch, holder: params.address } });
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
      if (!(await reader.epoch(params.address, params.epoch))) throw new NotFoundError({ key: "api.epochNotSettled", values: { epoch: params.epoch, holder: params.address } });
      return storedPageAnswer(readAt, await reader.storedUsageOfEpoch(params.address, params.epoch, query), finality);
    },
  });
}
