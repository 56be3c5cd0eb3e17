/**
 * The embedded default chain: an anvil node (Foundry's, a binary from the npm registry) in a process
 * of its own on loopback, kept in DATA_DIR/chain/state.json: blocks, receipts, logs and state.
 *
 * dpl writes that file itself rather than leave it to anvil's `--state-interval`, which rewrites the
 * file in place every second even when nothing happened: a SIGKILL in the middle of a write left a
 * truncated file, and an idle chain of a million events rewrote a large file forever. Here a
 * snapshot (anvil_dumpState) is taken only when a block was added since the last one, written to a
 * temporary file, flushed and renamed over the old: the file on disk is always a whole snapshot.
 *
 * A snapshot is the chain's whole history, so its cost grows with it (bench:persistence: about 2 s
 * and 160 MiB at 100,000 usage events). Snapshots are a second apart, or nine times as long as the
 * last one took if that is longer: they never take more than a tenth of the time. A crash loses the
 * blocks since the last snapshot, then; the index is brought back in step with the chain (system.ts).
 *
 * The indexer, the CLI and any wallet talk to it over JSON-RPC exactly as they would to a real node.
 * Hardhat's own node keeps nothing across restarts, which is why it is not the default.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, open, rename, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { promisify } from "node:util";
import { gunzip } from "node:zlib";

import { DplError } from "../../core/errors.js";
import { createRpcClient } from "./rpc.js";

const require = createRequire(import.meta.url);
const gunzipAsync = promisify(gunzip);

export interface Snapshot {
  /** The newest block the snapshot holds. */
  block: number;
  bytes: number;
  /** Time to take it from the node and to write it, in milliseconds. */
  dumpMs: number;
  writeMs: number;
}

export interface EmbeddedChain {
  url: string;
  /** The anvil process's id. */
  pid: number;
  /** The file the chain is kept in. */
  stateFile: string;
  /** Whether this start found a chain to load (false: a new, empty chain). */
  restored: boolean;
  /** The newest snapshot written, if any since this start. */
  lastSnapshot(): Snapshot | undefined;
  /** Writes a snapshot now (after any under way), whether or not a block was added. */
  save(): Promise<Snapshot>;
  /** Writes a last snapshot and stops the node. */
  close(): Promise<void>;
}

/** Where the chain of DATA_DIR is kept. */
export const chainDir = (dataDir: string) => path.join(dataDir, "chain");
export const stateFileOf = (dataDir: string) => path.join(chainDir(dataDir), "state.json");

function anvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  } catch {
    throw new DplError("chain_unavailable", `the embedded chain needs anvil (${pkg}, installed with @foundry-rs/anvil by npm install); run npm install, or set RPC_URL to a node of your own`);
  }
}

/**
 * Takes a snapshot of the anvil node at `url` and writes it to `stateFile` whole or not at all
 * (temporary file, fsync, rename). Also used on a chain left running by a dpl that was killed.
 */
export async function saveChainState(url: string, stateFile: string, timeoutMs = 120_000): Promise<Snapshot> {
  const rpc = createRpcClient({ url, timeoutMs });
  const started = performance.now();
  const block = Number(await rpc.request<string>("eth_blockNumber", []));
  // anvil answers with its snapshot gzipped and hex-encoded; --load-state reads it as plain JSON.
  const hex = await rpc.request<string>("anvil_dumpState", []);
  const json = await gunzipAsync(Buffer.from(hex.slice(2), "hex"));
  const dumped = performance.now();
  const temporary = `${stateFile}.${process.pid}.tmp`;
  const handle = await open(temporary, "w", 0o600);
  try {
    await handle.writeFile(json);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await rename(temporary, stateFile);
  return { block, bytes: json.length, dumpMs: dumped - started, writeMs: performance.now() - dumped };
}

/** How long after a snapshot the next may start: a second, or nine times what the last one took. */
export const nextSnapshotDelay = (last: Pick<Snapshot, "dumpMs" | "writeMs"> | undefined, minimumMs: number) => Math.max(minimumMs, last ? 9 * (last.dumpMs + last.writeMs) : 0);

export async function startEmbeddedChain(args: {
  host: string;
  port: number;
  dataDir: string;
  saveEveryMs?: number;
  onSaveError?: (error: Error) => void;
  onSnapshot?: (snapshot: Snapshot) => void;
}): Promise<EmbeddedChain> {
  await mkdir(chainDir(args.dataDir), { recursive: true });
  const stateFile = stateFileOf(args.dataDir);
  const restored = await stat(stateFile).then(
    (s) => s.size > 0,
    () => false,
  );
  // Port 0 is for tests: anvil takes a free port and says which on its first line.
  const child: ChildProcess = spawn(
    anvilBinary(),
    [
      "--host",
      args.host,
      "--port",
      String(args.port),
      ...(restored ? ["--load-state", stateFile] : []),
      // Local development only: contracts built for coverage are larger than mainnet allows.
      "--disable-code-size-limit",
    ],
    // A process group of its own: Ctrl-C reaches dpl, which saves the chain before it stops it. If dpl
    // dies without stopping it, the next start finds its pid in the DATA_DIR lock, saves what it holds
    // and stops it (data-lock.ts, system.ts).
    // Its working directory marks it as this DATA_DIR's chain.
    { stdio: ["ignore", "pipe", "pipe"], detached: true, cwd: chainDir(args.dataDir) },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DplError("chain_unavailable", `the embedded chain did not start within 60 s: ${output.slice(-400)}`)), 60_000);
    const onData = (chunk: Buffer) => {
      output += chunk;
      const match = /Listening on [\d.:[\]a-f]+:(\d+)/.exec(output);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    };
    child.stdout!.on("data", onData);
    child.stderr!.on("data", (chunk: Buffer) => (output += chunk));
    child.once("exit", (code) => {
      clearTimeout(timer);
      const said = output.trim().split("\n").slice(-3).join(" ");
      const hint = restored ? `; its state file ${stateFile} may be damaged: move it away, or \`npm run reset\` to start over` : "";
      reject(new DplError("chain_unavailable", `the embedded chain stopped at once (exit ${code}): ${said}${hint}`));
    });
  });
  // Only its first lines matter; what anvil prints after (one line a transaction) is dropped.
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  child.removeAllListeners("exit");
  const url = `http://${args.host}:${port}`;
  const rpc = createRpcClient({ url, timeoutMs: 10_000 });

  let last: Snapshot | undefined;
  let savedBlock = restored ? Number(await rpc.request<string>("eth_blockNumber", [])) : -1;
  let saving: Promise<unknown> = Promise.resolve();
  const save = () => {
    const next = saving.then(async () => {
      last = await saveChainState(url, stateFile);
      savedBlock = last.block;
      return last;
    });
    saving = next.catch(() => {});
    return next;
  };
  const minimumMs = args.saveEveryMs ?? 1000;
  let ticking = false;
  let notBefore = 0;
  const timer = setInterval(async () => {
    if (ticking || Date.now() < notBefore) return;
    ticking = true;
    try {
      if (Number(await rpc.request<string>("eth_blockNumber", [])) !== savedBlock) {
        const snapshot = await save();
        notBefore = Date.now() + nextSnapshotDelay(snapshot, minimumMs) - minimumMs;
        args.onSnapshot?.(snapshot);
      }
    } catch (error) {
      args.onSaveError?.(error as Error);
    } finally {
      ticking = false;
    }
  }, minimumMs);
  timer.unref();

  return {
    url,
    pid: child.pid!,
    stateFile,
    restored,
    lastSnapshot: () => last,
    save,
    async close() {
      clearInterval(timer);
      if (child.exitCode !== null || child.signalCode !== null) return;
      await save().catch((error) => args.onSaveError?.(error as Error));
      const exited = new Promise((resolve) => child.once("exit", resolve));
      child.kill("SIGTERM");
      const kill = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(kill);
    },
  };
}
