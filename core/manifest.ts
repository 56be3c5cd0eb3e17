/**
 * What `dpl anchor` writes beside the data (the manifest) and how it fingerprints a file or a
 * directory for it: the SHA-256 of the bytes, the records' hashes, and for a private anchor the salt
 * that hides both.
 */
import { stat } from "node:fs/promises";

import { InvalidInputError } from "./errors.js";
import { defaultScheme, directoryManifest, fingerprintFile, parseRecordScheme, RecordSplitter, type RecordScheme, sha256Hex } from "./fingerprint.js";

export interface Manifest {
  version: 1;
  kind: "file" | "directory";
  name: string;
  datasetId: string;
  holder: string;
  chainId: string;
  ledger: string;
  /** What is on chain: the file's SHA-256, or for a private anchor sha256(salt ‖ that hash). */
  contentHash: string;
  sha256: string;
  size: number;
  records: { scheme: string; count: number };
  merkleRoot: string;
  /** Present for a private anchor: keep it secret, it is what lets you verify and prove. */
  salt?: string;
  metadataURI: string;
  parents: { datasetId: string; grantId: string }[];
  previousVersion?: string;
  tx?: string;
  block?: number;
  /** For a directory: the canonical manifest's entries (each one a record). */
  entries?: { path: string; sha256: string; size: number }[];
}

const sha256 = (...parts: Buffer[]) => sha256Hex(Buffer.concat(parts));

/** Where a manifest sits unless told otherwise: beside the data, `<path>.dpl.json`. */
export const defaultManifestFile = (target: string) => `${target.replace(/[\\/]+$/, "")}.dpl.json`;

/** The salted commitment of a private anchor: sha256(salt ‖ sha256 of the bytes). */
export const saltedHash = (salt: string, hash: string) => sha256(Buffer.from(salt.slice(2), "hex"), Buffer.from(hash.slice(2), "hex"));

export interface Fingerprint {
  kind: "file" | "directory";
  sha256: string;
  size: number;
  scheme: RecordScheme;
  recordHashes: string[];
  entries?: Manifest["entries"];
}

/**
 * Whether `salt` can hide a private anchor: 32 bytes that look random. A salt planted in a manifest
 * ("", "0x", zeros, a repeated byte) would publish a commitment anyone can match against the file.
 * 32 random bytes have fewer than 16 distinct values with a probability far below 2^-100.
 */
export function isRandomLookingSalt(salt: unknown): salt is string {
  if (typeof salt !== "string" || !/^0x[0-9a-fA-F]{64}$/.test(salt)) return false;
  return new Set(Buffer.from(salt.slice(2), "hex")).size >= 16;
}

/** Refuses a salt that cannot hide a private anchor, naming where it came from. */
export function requireSalt(salt: unknown, from: string): string {
  if (!isRandomLookingSalt(salt)) {
    throw new InvalidInputError({ key: "err.weakSalt", values: { from, salt: JSON.stringify(salt) ?? "undefined" } });
  }
  return salt;
}

/**
 * Fingerprints a file or directory; with `salt`, each record hash is sha256(salt ‖ record).
 * `onProgress` hears of a file's bytes as they are hashed, with the file's size.
 */
export async function fingerprint(target: string, schemeText: string | undefined, salt?: string, onProgress?: (bytes: number, size: number) => void): Promise<Fingerprint> {
  const info = await stat(target).catch(() => {
    throw new InvalidInputError({ key: "err.noSuchPath", values: { target } });
  });
  const saltBytes = salt === undefined ? undefined : Buffer.from(requireSalt(salt, "the manifest").slice(2), "hex");
  if (info.isDirectory()) {
    if (schemeText) throw new InvalidInputError({ key: "err.recordsOnDirectory" });
    const { entries, text } = await directoryManifest(target);
    const bytes = Buffer.from(text);
    const recordHashes: string[] = [];
    const splitter = new RecordSplitter({ kind: "lines" }, (r) => recordHashes.push(saltBytes ? sha256(saltBytes, r) : sha256(r)));
    splitter.push(bytes);
    splitter.end();
    return { kind: "directory", sha256: sha256(bytes), size: bytes.length, scheme: { kind: "lines" }, recordHashes, entries };
  }
  let scheme: RecordScheme;
  try {
    scheme = schemeText ? parseRecordScheme(schemeText) : defaultScheme(target);
  } catch (error) {
    throw error instanceof InvalidInputError ? error : new InvalidInputError((error as Error).message);
  }
  // A private anchor salts each record, so that its root matches no dictionary of likely records.
  const fp = await fingerprintFile(target, scheme, onProgress && ((bytes) => onProgress(bytes, info.size)), saltBytes);
  return { kind: "file", sha256: fp.contentHash, size: fp.size, scheme, recordHashes: fp.recordHashes };
}
