/**
 * Fuzzed API requests, as fast-check arbitraries: bad hex, bad checksums, huge and negative pages,
 * unknown parameters, odd encodings, oversized bodies, wrong content types and methods, mixed with
 * well-formed requests for records that exist. Each request may say which status it must get.
 */
import fc from "fast-check";
import { getAddress } from "ethers";

export interface FuzzedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
  /** The status this request must get, when the fuzzer knows it. */
  expect?: number;
}

/** The test server's VERIFY_MAX_BYTES (see indexAndServe). */
const VERIFY_LIMIT = 1024 * 1024;

const hexChars = fc.constantFrom(..."0123456789abcdefABCDEFgxz ".split(""));
const hexish = (lengths: number[]) =>
  fc.tuple(fc.constantFrom(...lengths), fc.boolean()).chain(([n, prefix]) => fc.string({ unit: hexChars, minLength: n, maxLength: n }).map((s) => (prefix ? "0x" : "") + s));

/** A value that looks like an id, an address or nothing of the kind. */
function junk(known: { dataset: string; grant: string; holder: string }): fc.Arbitrary<string> {
  const badChecksum = fc.constant(known.holder).map((a) => {
    const good = getAddress(a);
    const i = good.slice(2).search(/[a-fA-F]/) + 2;
    return good.slice(0, i) + (good[i] === good[i].toUpperCase() ? good[i].toLowerCase() : good[i].toUpperCase()) + good.slice(i + 1);
  });
  return fc.oneof(
    hexish([0, 1, 39, 40, 41, 63, 64, 65, 128]),
    badChecksum,
    fc.constantFrom(known.dataset, known.grant, known.holder, known.dataset.toUpperCase().replace("0X", "0x")),
    fc.bigInt({ min: -(10n ** 30n), max: 10n ** 30n }).map(String),
    fc.constantFrom(
      "-1",
      "0",
      "1e309",
      "NaN",
      "Infinity",
      "0x",
      "null",
      "[]",
      "{}",
      "true",
      "' OR 1=1 --",
      "<script>alert(1)</script>",
      "..%2f..%2fetc%2fpasswd",
      "%00",
      "%C0%AF",
      "%E2%80%AE",
      "%ff%fe",
      "%",
      "%zz",
      "%25",
      "😀",
      "a".repeat(5000),
    ),
    fc.string({ unit: "binary", maxLength: 40 }).map(encodeURIComponent),
    fc.uint8Array({ maxLength: 24 }).map((b) => [...b].map((x) => "%" + x.toString(16).padStart(2, "0")).join("")),
  );
}

export function fuzzedRequest(known: { dataset: string; grant: string; holder: string }): fc.Arbitrary<FuzzedRequest> {
  const j = junk(known);
  const paths = fc.oneof(
    j.map((x) => `/v1/datasets/${x}`),
    j.map((x) => `/v1/grants/${x}`),
    j.map((x) => `/v1/verify/${x}`),
    fc.tuple(j, j).map(([a, b]) => `/v1/datasets/${a}/usage?limit=${b}`),
    fc.tuple(j, j, j).map(([a, b, c]) => `/v1/datasets/${a}/lineage?depth=${b}&direction=${c}`),
    fc.tuple(j, j).map(([a, b]) => `/v1/accounts/${a}/activity?cursor=${b}`),
    fc.tuple(j, j, fc.constantFrom("grantee", "grantor", "owner", "")).map(([a, b, role]) => `/v1/accounts/${a}/grants?role=${role}&limit=${b}`),
    fc.tuple(j, j).map(([a, b]) => `/v1/datasets?holder=${a}&limit=${b}`),
    fc.tuple(fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 }).map(encodeURIComponent), j).map(([k, v]) => `/v1/datasets?${k}=${v}`),
    fc.bigInt({ min: -(10n ** 20n), max: 10n ** 20n }).map((n) => `/v1/datasets?limit=${n}`),
    fc.tuple(j, j, j).map(([a, b, c]) => `/v1/datasets/${known.dataset}/usage?from=${a}&to=${b}&grantee=${c}`),
    j.map((x) => `/v1/status?${x}`),
    fc.tuple(j, j).map(([a, b]) => `/v1/${a}/${b}`),
    fc.constantFrom(`/v1/datasets/${known.dataset}`, `/v1/grants/${known.grant}/usage?limit=1`, `/v1/datasets?limit=2`, "/v1/status", `/v1/datasets/${known.dataset}/prov`),
  );
  const get = fc.record({ method: fc.constantFrom("GET", "GET", "GET", "HEAD", "DELETE", "PUT", "PATCH", "OPTIONS"), path: paths, headers: fc.constant({}) }).map((r) => ({ ...r }) as FuzzedRequest);
  // Uploads to POST /v1/verify: the right type, the wrong ones, no type; small, huge, over the limit.
  const upload = fc
    .record({
      type: fc.constantFrom(
        "application/octet-stream",
        "application/octet-stream; charset=binary",
        "application/json",
        "text/plain",
        "multipart/form-data; boundary=x",
        "application/x-www-form-urlencoded",
        undefined,
      ),
      size: fc.oneof(fc.integer({ min: 0, max: 4096 }), fc.constantFrom(VERIFY_LIMIT, VERIFY_LIMIT + 1, 3 * VERIFY_LIMIT)),
      query: fc.oneof(
        fc.constant(""),
        j.map((x) => `?${x}=1`),
      ),
    })
    .map(({ type, size, query }): FuzzedRequest => {
      const octets = type?.startsWith("application/octet-stream") ?? false;
      return {
        method: "POST",
        path: `/v1/verify${query}`,
        headers: type ? { "content-type": type } : {},
        body: Buffer.alloc(size, 7),
        // Only a well-formed octet-stream upload gets past the type check; an oversized one is refused.
        expect: query ? undefined : !octets ? 415 : size > VERIFY_LIMIT ? 413 : undefined,
      };
    });
  return fc.oneof({ weight: 9, arbitrary: get }, { weight: 1, arbitrary: upload });
}
