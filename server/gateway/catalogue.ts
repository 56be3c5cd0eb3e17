/**
 * What the gateway serves: the files in GATEWAY_DIR that its holder anchored. Each file is split into
 * records as `dpl anchor` split it (the scheme of the manifest beside it, `<file>.dpl.json`, or the
 * default for its name) and matched to a dataset of the holder by content hash and Merkle root, so
 * that every record it serves comes with a proof to the anchored root. A file is checked again (its
 * size and time) before each delivery; one that no longer matches its anchor is not served.
 */
import { readdir, readFile, stat } from "node:fs/promises";
import path from "node:path";

import { defaultScheme, parseRecordScheme, RecordSplitter, type RecordScheme, schemeName, sha256Hex } from "../../core/fingerprint.js";
import { buildRecordTree, type RecordTree } from "../../core/merkle.js";
import type { Logger } from "../common/logger.js";
import { StatusError } from "../api/errors.js";
import type { DatasetRecord } from "../store/records.js";

/** What a delivery of a dataset counts: its records, or its bytes in KiB (rounded up). */
export type Unit = "record" | "kib";

export interface Served {
  datasetId: string;
  name: string;
  file: string;
  scheme: RecordScheme;
  sha256: string;
  size: number;
  mtimeMs: number;
  records: Buffer[];
  /** A CSV's header row, which is not a record; null for other schemes. */
  header: string | null;
  tree: RecordTree;
  unit: Unit;
}

/** The holder's datasets with a given content hash: where the catalogue looks a file up. */
export type AnchorsOf = (contentHash: string) => Promise<DatasetRecord[]>;

const sha256 = sha256Hex;

/** A file's records, header and hashes, split as `dpl anchor` splits it. */
async function split(bytes: Buffer, scheme: RecordScheme): Promise<{ records: Buffer[]; header: string | null; tree: RecordTree }> {
  const records: Buffer[] = [];
  const splitter = new RecordSplitter(scheme, (r) => records.push(r));
  splitter.push(bytes);
  splitter.end();
  let header: string | null = null;
  if (scheme.kind === "csv") {
    const first: Buffer[] = [];
    const rows = new RecordSplitter({ kind: "csv-no-header" }, (r) => first.length === 0 && first.push(r));
    rows.push(bytes);
    rows.end();
    header = first[0]?.toString("utf8") ?? null;
  }
  return { records, header, tree: await buildRecordTree(records.map(sha256)) };
}

export class Catalogue {
  private readonly served = new Map<string, Served>();
  /** Files said to no longer match their anchor, so that the log says it once. */
  private readonly mismatched = new Set<string>();
  private readonly said = new Set<string>();
  /** Each file's SHA-256 as of its size and time: a file is read again only when they change. */
  private readonly hashes = new Map<string, { stamp: string; sha256: string }>();

  constructor(
    private readonly dir: string,
    private readonly holder: string,
    private readonly anchorsOf: AnchorsOf,
    private readonly logger: Logger,
  ) {}

  /** The datasets served, by name. */
  list(): Served[] {
    return [...this.served.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  /** Looks at GATEWAY_DIR again: new files are matched to their anchors, changed ones rechecked. */
  async refresh(): Promise<void> {
    // A dataset whose holding moved to someone else is no longer this gateway's to serve.
    for (const [id, s] of this.served) {
      if (!(await this.anchorsOf(s.sha256)).some((d) => d.id === id && d.holder === this.holder)) {
        this.served.delete(id);
        this.logger.info({ msg: `${s.name} is no longer served: dataset ${id} is not held by ${this.holder} any more`, dataset: id });
      }
    }
    const names = await readdir(this.dir).catch(() => [] as string[]);
    const units = await this.units();
    for (const name of names.sort()) {
      if (name.endsWith(".dpl.json") || name === "gateway.json") continue;
      const file = path.join(this.dir, name);
      const info = await stat(file).catch(() => undefined);
      if (!info?.isFile()) continue;
      const known = [...this.served.values()].find((s) => s.file === file);
      if (known && known.size === info.size && known.mtimeMs === info.mtimeMs) continue;
      await this.load(file, name, units[name] ?? "record").catch((error) => {
        // Said once for the file as it is; again only when it changes.
        const said = `${file}:${info.size}:${info.mtimeMs}`;
        if (this.said.has(said)) return;
        this.said.add(said);
        this.logger.warn({ msg: `${name} is not served: ${(error as Error).message}`, file });
      });
    }
  }

  /** GATEWAY_DIR/gateway.json's units, by file name ("record" unless it says "kib"). */
  private async units(): Promise<Record<string, Unit>> {
    const text = await readFile(path.join(this.dir, "gateway.json"), "utf8").catch(() => undefined);
    if (text === undefined) return {};
    const parsed = JSON.parse(text) as { units?: Record<string, string> };
    return Object.fromEntries(Object.entries(parsed.units ?? {}).map(([name, unit]) => [name, unit === "kib" ? "kib" : "record"]));
  }

  private async load(file: string, name: string, unit: Unit): Promise<void> {
    const manifest = await readFile(`${file}.dpl.json`, "utf8")
      .then((t) => JSON.parse(t) as { records?: { scheme?: string }; salt?: string })
      .catch(() => undefined);
    if (manifest?.salt) throw new Error("it was anchored privately (salted); the gateway serves public anchors only");
    const scheme = manifest?.records?.scheme ? parseRecordScheme(manifest.records.scheme) : defaultScheme(file);
    const info = await stat(file);
    const stamp = `${info.size}:${info.mtimeMs}`;
    let bytes: Buffer | undefined;
    let contentHash = this.hashes.get(file)?.stamp === stamp ? this.hashes.get(file)!.sha256 : undefined;
    if (contentHash === undefined) {
      bytes = await readFile(file);
      contentHash = sha256(bytes);
      this.hashes.set(file, { stamp, sha256: contentHash });
    }
    // Not this holder's, or not anchored yet: the next refresh asks the index again (the hash is kept).
    const mine = (await this.anchorsOf(contentHash)).filter((d) => d.holder === this.holder);
    if (mine.length === 0) return;
    bytes ??= await readFile(file);
    const { records, header, tree } = await split(bytes, scheme);
    const dataset = mine.find((d) => d.merkleRoot === tree.root);
    if (!dataset) throw new Error(`its records split as ${schemeName(scheme)} do not give the anchored Merkle root; anchor it again or put its manifest beside it`);
    for (const [id, s] of this.served) if (s.file === file) this.served.delete(id);
    this.served.set(dataset.id, { datasetId: dataset.id, name, file, scheme, sha256: contentHash, size: info.size, mtimeMs: info.mtimeMs, records, header, tree, unit });
    this.mismatched.delete(file);
    this.logger.info({ msg: `serving ${name} as dataset ${dataset.id} (${records.length} records, unit ${unit})`, dataset: dataset.id });
  }

  /**
   * The dataset `id` as it is on disk now: its file is checked (size and time) and read again when
   * it changed. A file that no longer matches its anchor is refused, and said once in the log.
   */
  async get(id: string): Promise<Served> {
    const served = this.served.get(id);
    if (!served) throw new StatusError(404, "not_served", `this gateway does not serve dataset ${id}`);
    const info = await stat(served.file).catch(() => undefined);
    if (info && info.size === served.size && info.mtimeMs === served.mtimeMs) return served;
    const bytes = info ? await readFile(served.file) : undefined;
    if (bytes && sha256(bytes) === served.sha256) {
      this.served.set(id, { ...served, size: info!.size, mtimeMs: info!.mtimeMs });
      return this.served.get(id)!;
    }
    if (!this.mismatched.has(served.file)) {
      this.mismatched.add(served.file);
      this.logger.error({ msg: `${served.name} no longer matches its anchor (dataset ${id}): it is not served until the anchored bytes are back or a new version is anchored`, dataset: id });
    }
    throw new StatusError(409, "file_changed", `the file of dataset ${id} no longer matches its anchor; the holder must restore it or anchor a new version`);
  }
}
