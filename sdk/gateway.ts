/**
 * Fetching data through a holder's gateway, and checking what it sends: sign in with the grantee's
 * key, fetch records (each checked against the anchored Merkle root the caller read from the ledger)
 * or a whole file (checked against the anchored SHA-256), and read the gateway's signed receipt of
 * each delivery. `verifyReceipt` checks a receipt's signature and its proof against an epoch's root.
 */
import { randomBytes } from "node:crypto";

import type { Signer } from "ethers";

import { DplError, RetryableError, type Words } from "../core/errors.js";
import { sha256Hex } from "../core/fingerprint.js";
import { recordLeafHex, rootFromProof } from "../core/merkle.js";
import { gatewayDomain, type ReceiptProof, receiptSigner, rootOfReceipt, SIGN_IN_TYPES, type SignedReceipt, type SignIn } from "../core/receipts.js";

/** The gateway answered with an error: `status` is the HTTP status, `code` its stable code. */
export class GatewayError extends DplError {
  constructor(
    readonly status: number,
    code: string,
    message: string,
  ) {
    super(code, message);
  }
}

/** What the gateway sent does not prove what it should: a record off its root, a body off its receipt. */
export class DeliveryProofError extends DplError {
  constructor(message: string | Words) {
    super("delivery_not_proven", message);
  }
}

export interface GatewayAbout {
  gateway: string;
  holder: string;
  ledger: string;
  chainId: number;
}

export interface RecordsAnswer {
  datasetId: string;
  root: string;
  scheme: string;
  header: string | null;
  total: number;
  records: { index: number; data: string; proof: string[] }[];
  /** Where the next page starts; null at the end. */
  next: number | null;
}

export interface RecordsQuery {
  grant: string;
  action?: "use" | "process" | "operate";
  from?: number;
  to?: number;
  limit?: number;
  field?: string;
  equals?: string;
}

const sha256 = sha256Hex;
const query = (args: Record<string, string | number | undefined>) =>
  new URLSearchParams(Object.entries(args).flatMap(([k, v]): [string, string][] => (v === undefined ? [] : [[k, String(v)]]))).toString();

/** A receipt as the gateway sends it, in the Dpl-Receipt header. */
export function receiptOf(response: Response): SignedReceipt | null {
  const header = response.headers.get("dpl-receipt");
  return header ? (JSON.parse(Buffer.from(header, "base64url").toString("utf8")) as SignedReceipt) : null;
}

/**
 * Checks a records answer: its body is what the receipt (when there is one) says was sent, and each
 * record, hashed, is at its index under `anchoredRoot` (read from the ledger, not from the gateway).
 */
export async function verifyRecords(body: Buffer, receipt: SignedReceipt | null, anchoredRoot: string): Promise<RecordsAnswer> {
  const answer = JSON.parse(body.toString("utf8")) as RecordsAnswer;
  if (receipt && receipt.receipt.responseHash !== sha256(body)) throw new DeliveryProofError({ key: "err.delivery.responseHash" });
  if (answer.root.toLowerCase() !== anchoredRoot.toLowerCase()) throw new DeliveryProofError({ key: "err.delivery.root", values: { root: answer.root, anchored: anchoredRoot } });
  for (const r of answer.records) {
    const root = await rootFromProof(await recordLeafHex(r.index, sha256(Buffer.from(r.data, "utf8"))), r.proof);
    if (root !== anchoredRoot.toLowerCase()) throw new DeliveryProofError({ key: "err.delivery.record", values: { index: r.index, root } });
  }
  return answer;
}

/**
 * Checks a receipt and its proof: signed by `signer` for this ledger and chain, and leading to `root`
 * (the root of the epoch the ledger recorded). Returns the recovered signer.
 */
export async function verifyReceipt(proof: ReceiptProof, expected: { chainId: number | bigint; ledger: string; signers: string[]; root: string }): Promise<string> {
  let signer: string;
  try {
    signer = receiptSigner(gatewayDomain(expected.chainId, expected.ledger), proof);
  } catch {
    throw new DeliveryProofError({ key: "err.delivery.signature" });
  }
  if (!expected.signers.map((s) => s.toLowerCase()).includes(signer)) throw new DeliveryProofError({ key: "err.delivery.signer", values: { signer } });
  const root = await rootOfReceipt(proof);
  if (root !== expected.root.toLowerCase()) throw new DeliveryProofError({ key: "err.delivery.receiptRoot", values: { root, settled: expected.root } });
  return signer;
}

/** The gateway at `url`, as one grantee: `signIn` first. */
export class GatewayClient {
  private token: string | undefined;

  constructor(readonly url: string) {
    this.url = url.replace(/\/+$/, "");
  }

  private async call(path: string, init: RequestInit = {}): Promise<Response> {
    let response: Response;
    try {
      response = await fetch(this.url + path, { ...init, headers: { ...(init.headers as Record<string, string>), ...(this.token ? { authorization: `Bearer ${this.token}` } : {}) } });
    } catch (error) {
      throw new RetryableError("gateway_unreachable", `cannot reach the gateway at ${this.url}`, { cause: error });
    }
    if (!response.ok) {
      const body = (await response.json().catch(() => undefined)) as { error?: { code: string; message: string } } | undefined;
      throw new GatewayError(response.status, body?.error?.code ?? "http_error", body?.error?.message ?? `HTTP ${response.status}`);
    }
    return response;
  }

  /** Who the gateway signs as, whose data it serves, and for which ledger and chain. */
  async about(): Promise<GatewayAbout> {
    return (await this.call("/")).json() as Promise<GatewayAbout>;
  }

  /** Signs in as `signer` for `seconds` (at most an hour); later calls carry the session's token. */
  async signIn(signer: Signer, seconds = 900): Promise<{ grantee: string; session: string; expiresAt: number }> {
    const about = await this.about();
    const now = Math.floor(Date.now() / 1000);
    const signIn: SignIn = { grantee: await signer.getAddress(), gateway: about.gateway, nonce: "0x" + randomBytes(32).toString("hex"), issuedAt: now, expiresAt: now + seconds };
    const signature = await signer.signTypedData(gatewayDomain(about.chainId, about.ledger), SIGN_IN_TYPES, signIn);
    const opened = (await (await this.call("/v1/sessions", { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ signIn, signature }) })).json()) as {
      token: string;
      grantee: string;
      session: string;
      expiresAt: number;
    };
    this.token = opened.token;
    return { grantee: opened.grantee, session: opened.session, expiresAt: opened.expiresAt };
  }

  /**
   * Records of a dataset, as sent (check them with `verifyRecords`), and the receipt of the delivery.
   * An answer cut short after its receipt is asked again once by the receipt: when the gateway
   * marked it delivered (and will settle it), it gives it again, free.
   */
  async records(datasetId: string, q: RecordsQuery): Promise<{ body: Buffer; receipt: SignedReceipt | null }> {
    const response = await this.call(`/v1/datasets/${encodeURIComponent(datasetId)}/records?${query({ ...q })}`);
    const receipt = receiptOf(response);
    try {
      return { body: Buffer.from(await response.arrayBuffer()), receipt };
    } catch (error) {
      if (!receipt) throw error;
      const again = await this.answer(receipt.receipt.sequence).catch(() => undefined);
      if (!again)
        throw new RetryableError("delivery_cut_short", `the gateway's answer was cut short, and receipt ${receipt.receipt.sequence} is not delivered: it will not be settled`, { cause: error });
      return { body: again, receipt };
    }
  }

  /** A whole file, as a response to stream (its Dpl-Content-Hash header names the anchored SHA-256), and the receipt. */
  async file(datasetId: string, q: { grant: string; action?: RecordsQuery["action"] }): Promise<{ response: Response; receipt: SignedReceipt | null }> {
    const response = await this.call(`/v1/datasets/${encodeURIComponent(datasetId)}/file?${query({ ...q })}`);
    return { response, receipt: receiptOf(response) };
  }

  /**
   * The answer of a delivered receipt, again and free: for a delivery whose last bytes never arrived
   * (the gateway settles what it marked delivered). Check it as the first answer was.
   */
  async answer(sequence: string): Promise<Buffer> {
    return Buffer.from(await (await this.call(`/v1/receipts/${encodeURIComponent(sequence)}/answer`)).arrayBuffer());
  }

  /** This grantee's receipts, newest first. */
  async receipts(args: { limit?: number; before?: string } = {}): Promise<{ items: (SignedReceipt & { state: string })[]; next: string | null }> {
    return (await this.call(`/v1/receipts?${query(args)}`)).json() as never;
  }

  /** One receipt with its epoch's state and, once sealed, its proof. */
  async receipt(sequence: string): Promise<SignedReceipt & { state: string; epoch: { epoch: string; status: string; root: string | null; tx: string | null } | null } & Partial<ReceiptProof>> {
    return (await this.call(`/v1/receipts/${encodeURIComponent(sequence)}`)).json() as never;
  }
}
