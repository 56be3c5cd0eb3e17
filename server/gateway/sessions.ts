/**
 * Who may fetch: a grantee signs in with its key (an EIP-712 GatewaySignIn naming this gateway, a
 * fresh nonce and a short window) and gets a token bound to its address and to that signature (a
 * JWT, HS256, from jose: a standard token rather than a home-made one). The token lives at most
 * TOKEN_SECONDS and never past the sign-in's own expiry. A sign-in is refused when it is forged, for
 * another chain, ledger or gateway, expired, not yet valid, too long, or replayed.
 */
import { keccak256, type TypedDataDomain, verifyTypedData } from "ethers";
import { errors as joseErrors, jwtVerify, SignJWT } from "jose";
import { z } from "zod";

import { SIGN_IN_TYPES, type SignIn } from "../../core/receipts.js";
import { StatusError } from "../api/errors.js";
import type { GatewayStore } from "./store.js";

/** A token's life at most, in seconds; a new sign-in makes a new one. */
export const TOKEN_SECONDS = 15 * 60;
/** A sign-in's window at most: issued to expiry. */
export const MAX_SIGN_IN_SECONDS = 3600;
/** How far in the future a sign-in's issue time may be (clocks differ). */
const CLOCK_SKEW_SECONDS = 60;

const Hex32 = z.string().regex(/^0x[0-9a-fA-F]{64}$/, "must be 32 bytes of hex");
const AddressText = z.string().regex(/^0x[0-9a-fA-F]{40}$/, "must be an address");
const Seconds = z
  .number()
  .int()
  .min(0)
  .max(2 ** 40);

export const SignInBody = z.strictObject({
  signIn: z.strictObject({ grantee: AddressText, gateway: AddressText, nonce: Hex32, issuedAt: Seconds, expiresAt: Seconds }),
  signature: z.string().regex(/^0x[0-9a-fA-F]{130}$/, "must be a 65-byte signature in hex"),
});

export interface Session {
  grantee: string;
  /** keccak-256 of the grantee's sign-in signature: what each receipt names. */
  session: string;
}

const refuse = (code: string, message: string) => new StatusError(401, code, message);

export class Sessions {
  constructor(
    private readonly store: GatewayStore,
    private readonly secret: Uint8Array,
    private readonly domain: TypedDataDomain,
    /** The gateway's signing account, lower case: a sign-in must name it. */
    private readonly gateway: string,
    private readonly now: () => number,
  ) {}

  /** Checks a sign-in and opens a session: a token, its expiry and the session id. */
  async signIn(body: z.output<typeof SignInBody>): Promise<Session & { token: string; expiresAt: number }> {
    const { signIn, signature } = body;
    const now = this.now();
    if (signIn.gateway.toLowerCase() !== this.gateway) throw refuse("wrong_gateway", `the sign-in is for gateway ${signIn.gateway}; this gateway signs as ${this.gateway}`);
    if (signIn.expiresAt <= now) throw refuse("sign_in_expired", `the sign-in expired at ${signIn.expiresAt}; it is now ${now}: sign in again`);
    if (signIn.issuedAt > now + CLOCK_SKEW_SECONDS) throw refuse("sign_in_not_yet_valid", `the sign-in is issued at ${signIn.issuedAt}, in the future (it is now ${now})`);
    if (signIn.expiresAt - signIn.issuedAt > MAX_SIGN_IN_SECONDS)
      throw refuse("sign_in_too_long", `a sign-in may last at most ${MAX_SIGN_IN_SECONDS} s; this one lasts ${signIn.expiresAt - signIn.issuedAt} s`);
    let signer: string;
    try {
      signer = verifyTypedData(this.domain, SIGN_IN_TYPES, signIn satisfies SignIn, signature).toLowerCase();
    } catch {
      throw refuse("bad_signature", "the sign-in's signature cannot be read");
    }
    if (signer !== signIn.grantee.toLowerCase()) {
      throw refuse(
        "bad_signature",
        `the sign-in is not signed by ${signIn.grantee} for this ledger and chain (it recovers to ${signer}): sign it with the grantee's key, for chain ${this.domain.chainId} and ledger ${this.domain.verifyingContract}`,
      );
    }
    if (!(await this.store.spendNonce(signIn.nonce.toLowerCase(), signIn.expiresAt))) throw refuse("sign_in_replayed", "this sign-in was used before: sign a new one with a fresh nonce");
    const session = keccak256(signature).toLowerCase();
    const expiresAt = Math.min(signIn.expiresAt, now + TOKEN_SECONDS);
    const token = await new SignJWT({ sid: session }).setProtectedHeader({ alg: "HS256" }).setSubject(signer).setIssuedAt(now).setExpirationTime(expiresAt).sign(this.secret);
    return { grantee: signer, session, token, expiresAt };
  }

  /** The session an `Authorization: Bearer` header carries, or a 401 saying what is wrong. */
  async verify(authorization: string | undefined): Promise<Session> {
    const token = /^Bearer ([A-Za-z0-9_.-]+)$/.exec(authorization ?? "")?.[1];
    if (!token) throw refuse("sign_in_required", "sign in first (POST /v1/sessions) and send Authorization: Bearer <token>");
    try {
      const { payload } = await jwtVerify(token, this.secret, { algorithms: ["HS256"], currentDate: new Date(this.now() * 1000) });
      if (typeof payload.sub !== "string" || typeof payload.sid !== "string") throw new Error("incomplete");
      return { grantee: payload.sub, session: payload.sid };
    } catch (error) {
      if (error instanceof joseErrors.JWTExpired) throw refuse("token_expired", "the token has expired: sign in again");
      throw refuse("bad_token", "the token is not one this gateway gave out");
    }
  }
}
