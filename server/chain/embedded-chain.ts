/**
 * The embedded default chain: an anvil node (Foundry's, a binary from the npm registry) in a process
 * of its own on loopback, whose blocks, receipts and logs are kept in DATA_DIR/chain/state.json:
 * written every second and on a clean stop, and loaded at the next start. A SIGKILL loses at most the
 * last second of blocks (the index is then brought back in step, see system.ts). Hardhat's own node
 * keeps nothing across restarts, which is why it is not the default.
 *
 * The indexer, the CLI and any wallet talk to it over JSON-RPC exactly as they would to a real node.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, stat } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";

import { DplError } from "../common/errors.js";

const require = createRequire(import.meta.url);

export interface EmbeddedChain {
  url: string;
  /** The anvil process's id. */
  pid: number;
  /** The file the chain is kept in. */
  stateFile: string;
  /** Whether this start found a chain to load (false: a new, empty chain). */
  restored: boolean;
  close(): Promise<void>;
}

/** Where the chain of DATA_DIR is kept. */
export const chainDir = (dataDir: string) => path.join(dataDir, "chain");

function anvilBinary(): string {
  const pkg = `@foundry-rs/anvil-${process.platform}-${process.arch === "x64" ? "amd64" : process.arch}`;
  try {
    return path.join(path.dirname(require.resolve(`${pkg}/package.json`)), "bin", process.platform === "win32" ? "anvil.exe" : "anvil");
  } catch {
    throw new DplError("chain_unavailable", `the embedded chain needs anvil (${pkg}, installed with @foundry-rs/anvil by npm install); run npm install, or set RPC_URL to a node of your own`);
  }
}

export async function startEmbeddedChain(args: { host: string; port: number; dataDir: string }): Promise<EmbeddedChain> {
  const dir = chainDir(args.dataDir);
  await mkdir(dir, { recursive: true });
  const stateFile = path.join(dir, "state.json");
  const restored = await stat(stateFile).then((s) => s.size > 0, () => false);
  // Port 0 is for tests: anvil takes a free port and says which on its first line.
  const child: ChildProcess = spawn(
    anvilBinary(),
    [
      "--host", args.host,
      "--port", String(args.port),
      "--state", stateFile,
      "--state-interval", "1",
      // Local development only: contracts built for coverage are larger than mainnet allows.
      "--disable-code-size-limit",
    ],
    // In dpl's process group: Ctrl-C reaches it too. A SIGKILL of dpl alone leaves it running; the
    // next start finds its pid in the DATA_DIR lock and stops it (data-lock.ts).
    { stdio: ["ignore", "pipe", "pipe"] },
  );
  let output = "";
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new DplError("chain_unavailable", `the embedded chain did not start within 30 s: ${output.slice(-400)}`)), 30_000);
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
      reject(new DplError("chain_unavailable", `the embedded chain stopped at once (exit ${code}): ${output.trim().split("\n").slice(-3).join(" ")}`));
    });
  });
  // Only its first lines matter; what anvil prints after (one line a transaction) is dropped.
  child.stdout!.removeAllListeners("data");
  child.stdout!.resume();
  child.removeAllListeners("exit");
  return {
    url: `http://${args.host}:${port}`,
    pid: child.pid!,
    stateFile,
    restored,
    async close() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((resolve) => child.once("exit", resolve));
      // SIGTERM: anvil writes its state one last time before it exits.
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
