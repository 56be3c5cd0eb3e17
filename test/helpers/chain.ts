/**
 * Chains for tests that talk JSON-RPC over HTTP, as the indexer does: Hardhat's in-process chain
 * behind a loopback server, or anvil (a separate node) on a free loopback port.
 */
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import net from "node:net";
import path from "node:path";

import { network } from "hardhat";

const require = createRequire(import.meta.url);

export interface TestChain {
  url: string;
  close(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

/** Hardhat's EDR chain, in this process, served on a loopback port. */
export async function startHardhatChain(): Promise<TestChain> {
  const server = await network.createServer("default", "127.0.0.1", 0);
  const { address, port } = await server.listen();
  return { url: `http://${address}:${port}`, close: () => server.close() };
}

export function anvilBinary(): string {
  return path.join(path.dirname(require.resolve("@foundry-rs/anvil-linux-amd64/package.json")), "bin", "anvil");
}

export interface AnvilChain extends TestChain {
  process: ChildProcess;
}

/** An anvil node as a child process (its own process group, killed whole on close). */
export async function startAnvil(extraArgs: string[] = []): Promise<AnvilChain> {
  const port = await freePort();
  // No code size limit: under `hardhat test --coverage` the instrumented ledger is larger than 24 KiB.
  const child = spawn(anvilBinary(), ["--host", "127.0.0.1", "--port", String(port), "--silent", "--disable-code-size-limit", ...extraArgs], {
    stdio: "ignore",
    detached: true,
  });
  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 20_000;
  for (;;) {
    try {
      const r = await fetch(url, { method: "POST", headers: { "content-type": "application/json" }, body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId","params":[]}' });
      if (r.ok) break;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) {
      child.kill("SIGKILL");
      throw new Error("anvil did not start within 20 s");
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    url,
    process: child,
    close: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once("exit", r));
      try {
        process.kill(-child.pid!, "SIGKILL");
      } catch {
        child.kill("SIGKILL");
      }
      await exited;
    },
  };
}
