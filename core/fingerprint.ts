/**
 * Fingerprints of files and directories: SHA-256 of the bytes, read in pieces so that memory stays
 * flat whatever the size, and the record hashes a Merkle tree is built from.
 */
import { createHash } from "node:crypto";
import { open, readdir, stat } from "node:fs/promises";
import path from "node:path";

import { InvalidInputError } from "./errors.js";

/** The default chunk record size. */
export const READ_SIZE = 1024 * 1024;

/**
 * Reads `file` in 4 MiB pieces into one reused buffer: no allocation per read, so hashing runs at
 * the speed of SHA-256 itself (Node's default 64 KiB stream reads halve it). `onChunk` must be done
 * with a piece when it returns.
 */
export async function readChunks(file: string | Buffer, onChunk: (chunk: Buffer) => void): Promise<number> {
  const handle = await open(file, "r");
  const buffer = Buffer.allocUnsafe(4 * 1024 * 1024);
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, null);
      if (bytesRead === 0) return size;
      size += bytesRead;
      onChunk(buffer.subarray(0, bytesRead));
    }
  } finally {
    await handle.close();
  }
}

/**
 * How a file is split into records: by line, CSV row, JSON line, or fixed-size chunk. A CSV's first
 * row is its header, not a record (`csv`); `csv-no-header` is for a CSV without one, every row a record.
 */
export type RecordScheme = { kind: "lines" } | { kind: "csv" } | { kind: "csv-no-header" } | { kind: "jsonl" } | { kind: "chunk"; size: number };

export function parseRecordScheme(text: string): RecordScheme {
  if (text === "lines" || text === "csv" || text === "csv-no-header" || text === "jsonl") return { kind: text };
  const m = /^chunk:(\d+)(k|m|ki|mi|kib|mib)?$/i.exec(text);
  if (m) {
    const unit = (m[2] ?? "").toLowerCase();
    const size = Number(m[1]) * (unit.startsWith("k") ? 1024 : unit.startsWith("m") ? 1024 * 1024 : 1);
    if (size >= 1 && size <= 1024 ** 3) return { kind: "chunk", size };
  }
  throw new InvalidInputError({ key: "err.recordScheme", values: { value: text } });
}

/** The default scheme: rows for .csv, .jsonl, .ndjson and .txt files, 1 MiB chunks otherwise. */
export function defaultScheme(file: string): RecordScheme {
  const ext = path.extname(file).toLowerCase();
  if (ext === ".csv") return { kind: "csv" };
  if (ext === ".jsonl" || ext === ".ndjson") return { kind: "jsonl" };
  if (ext === ".txt") return { kind: "lines" };
  return { kind: "chunk", size: READ_SIZE };
}

export const schemeName = (s: RecordScheme) => (s.kind === "chunk" ? `chunk:${s.size}` : s.kind);

/**
 * Splits a stream of bytes into records. A record is the bytes of one line (without its "\n" or
 * "\r\n"), one CSV row (newlines inside double quotes belong to the row; the `csv` scheme's first
 * row, the header, is not a record), or one chunk. Empty lines are records too, except a final empty
 * line after the last newline.
 */
export class RecordSplitter {
  private carry: Buffer[] = [];
  private carryLength = 0;
  private inQuotes = false;
  private headerToSkip: boolean;

  constructor(
    private readonly scheme: RecordScheme,
    private readonly onRecord: (record: Buffer) => void,
  ) {
    this.headerToSkip = scheme.kind === "csv";
  }

  push(chunk: Buffer): void {
    if (this.scheme.kind === "chunk") {
      this.pushChunk(chunk, this.scheme.size);
      return;
    }
    let start = 0;
    const csv = this.scheme.kind === "csv" || this.scheme.kind === "csv-no-header";
    for (let i = 0; i < chunk.length; i++) {
      const byte = chunk[i];
      if (csv && byte === 0x22) this.inQuotes = !this.inQuotes;
      else if (byte === 0x0a && !this.inQuotes) {
        this.emitLine(chunk.subarray(start, i));
        start = i + 1;
      }
    }
    if (start < chunk.length) this.keep(chunk.subarray(start));
  }

  end(): void {
    if (this.carryLength > 0) this.emit(Buffer.concat(this.carry, this.carryLength));
    this.carry = [];
    this.carryLength = 0;
  }

  private pushChunk(chunk: Buffer, size: number): void {
    let offset = 0;
    while (offset < chunk.length) {
      const take = Math.min(size - this.carryLength, chunk.length - offset);
      this.keep(chunk.subarray(offset, offset + take));
      offset += take;
      if (this.carryLength === size) {
        this.emit(Buffer.concat(this.carry, this.carryLength));
        this.carry = [];
        this.carryLength = 0;
      }
    }
  }

  private keep(part: Buffer): void {
    this.carry.push(Buffer.from(part));
    this.carryLength += part.length;
  }

  private emitLine(tail: Buffer): void {
    let line = this.carryLength > 0 ? Buffer.concat([...this.carry, tail]) : tail;
    this.carry = [];
    this.carryLength = 0;
    if (line.length > 0 && line[line.length - 1] === 0x0d) line = line.subarray(0, line.length - 1);
    this.emit(line);
  }

  private emit(record: Buffer): void {
    if (this.headerToSkip) {
      this.headerToSkip = false;
      return;
    }
    this.onRecord(record);
  }
}

export interface FileFingerprint {
  contentHash: string;
  size: number;
  recordHashes: string[];
}

/**
 * SHA-256 of the file and of each record, in one streaming pass; `onProgress` gets bytes read. With
 * `salt`, a record's hash is sha256(salt ‖ record).
 */
export async function fingerprintFile(file: string, scheme: RecordScheme, onProgress?: (bytes: number) => void, salt?: Buffer): Promise<FileFingerprint> {
  const whole = createHash("sha256");
  const recordHashes: string[] = [];
  const recordHash = (record: Buffer) => {
    const h = createHash("sha256");
    if (salt) h.update(salt);
    return "0x" + h.update(record).digest("hex");
  };
  const splitter = new RecordSplitter(scheme, (record) => recordHashes.push(recordHash(record)));
  let read = 0;
  const size = await readChunks(file, (chunk) => {
    whole.update(chunk);
    splitter.push(chunk);
    onProgress?.((read += chunk.length));
  });
  splitter.end();
  return { contentHash: "0x" + whole.digest("hex"), size, recordHashes };
}

/** SHA-256 of bytes in memory, 0x-prefixed: what `sha256sum` prints for a file holding them. */
export const sha256Hex = (bytes: Buffer | Uint8Array | string) => "0x" + createHash("sha256").update(bytes).digest("hex");

/** SHA-256 of a file's bytes alone, streamed. */
export async function sha256File(file: string | Buffer, onProgress?: (bytes: number) => void): Promise<string> {
  const hash = createHash("sha256");
  let read = 0;
  await readChunks(file, (chunk) => {
    hash.update(chunk);
    onProgress?.((read += chunk.length));
  });
  return "0x" + hash.digest("hex");
}

export interface ManifestEntry {
  /** The path as the manifest line writes it: escaped, with a leading backslash, when it has to be. */
  path: string;
  sha256: string;
  size: number;
}

/**
 * A relative path (its bytes, as the file system holds them) as one manifest line writes it. A
 * name may hold a newline, a backslash or bytes that are not UTF-8: such a path is written as GNU
 * `sha256sum` does, with a backslash before the line's path and `\\`, `\n`, `\r` (and `\xNN` for a
 * byte that is not UTF-8) inside it. Every other path is written as it is. The encoding is
 * injective: two different paths never give the same line, and no path adds a line.
 */
export function manifestPath(bytes: Buffer): string {
  const text = bytes.toString("utf8");
  const valid = Buffer.from(text, "utf8").equals(bytes);
  if (valid && !/[\\\n\r]/.test(text)) return text;
  let out = "\\";
  for (let i = 0; i < bytes.length; ) {
    const b = bytes[i];
    const width = b < 0x80 ? 1 : b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
    const char = width === 0 ? undefined : bytes.subarray(i, i + width);
    if (char && char.length === width && Buffer.from(char.toString("utf8"), "utf8").equals(char)) {
      const c = char.toString("utf8");
      out += c === "\\" ? "\\\\" : c === "\n" ? "\\n" : c === "\r" ? "\\r" : c;
      i += width;
    } else {
      out += `\\x${b.toString(16).padStart(2, "0")}`;
      i += 1;
    }
  }
  return out;
}

/**
 * The canonical manifest of a directory: every regular file below it, as a POSIX path relative to
 * it, sorted by the bytes of that path, with its SHA-256 and size; one line per file,
 * "<sha256 hex>  <size>  <path>\n", the path written by {@link manifestPath}. The same tree gives
 * the same bytes on any machine, whatever the order the file system lists it in; its SHA-256 is the
 * directory's content hash and each line is a record.
 */
export async function directoryManifest(dir: string, onFile?: (entry: ManifestEntry) => void): Promise<{ entries: ManifestEntry[]; text: string }> {
  // Names as bytes: decoding them as UTF-8 would merge names that differ only in invalid bytes.
  const files: Buffer[] = [];
  const root = Buffer.from(dir);
  const slash = Buffer.from("/");
  async function walk(relative: Buffer): Promise<void> {
    const at = relative.length ? Buffer.concat([root, slash, relative]) : root;
    for (const dirent of await readdir(at, { withFileTypes: true, encoding: "buffer" })) {
      const rel = relative.length ? Buffer.concat([relative, slash, dirent.name]) : dirent.name;
      if (dirent.isDirectory()) await walk(rel);
      else if (dirent.isFile()) files.push(rel);
    }
  }
  await walk(Buffer.alloc(0));
  files.sort(Buffer.compare);
  const entries: ManifestEntry[] = [];
  for (const rel of files) {
    const full = Buffer.concat([root, slash, rel]);
    const entry = { path: manifestPath(rel), sha256: (await sha256File(full)).slice(2), size: (await stat(full)).size };
    entries.push(entry);
    onFile?.(entry);
  }
  return { entries, text: entries.map((e) => `${e.sha256}  ${e.size}  ${e.path}\n`).join("") };
}
