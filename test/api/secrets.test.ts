/**
 * Secrets stay secret: a node URL carrying a provider's key (in its user info, path or query) is
 * never shown, in the banner, /v1/status, /ready, the logs or an error; and deployment failures are
 * one sentence. The server runs as `npm start` does, in a process of its own.
 */
import { spawn } from "node:child_process";
import { rm, stat } from "node:fs/promises";
import path from "node:path";

import { expect } from "chai";
import { config as hardhatConfig } from "hardhat";

import { redactIn, redactUrl } from "../../core/redact.js";
import { startAnvil } from "../helpers/chain.js";
import { startRpcProxy } from "../helpers/rpc-proxy.js";
import { freshLedger, startProcess, tempDir } from "../helpers/system.js";

describe("redactUrl", function () {
  const cases: [string, string][] = [
    ["https://eth-mainnet.g.alchemy.com/v2/SECRETKEY", "https://eth-mainnet.g.alchemy.com/…"],
    ["https://mainnet.infura.io/v3/SECRETKEY", "https://mainnet.infura.io/…"],
    ["https://user:SECRETPASS@node.example:8545/", "https://node.example:8545/…"],
    ["https://:SECRETPASS@node.example", "https://node.example/…"],
    ["https://node.example/?apikey=SECRETKEY", "https://node.example/…"],
    ["https://node.example/rpc#SECRET", "https://node.example/…"],
    ["http://127.0.0.1:8545", "http://127.0.0.1:8545"],
    ["http://127.0.0.1:8545/", "http://127.0.0.1:8545"],
    ["not a url SECRET", "(a URL that does not parse)"],
  ];
  for (const [url, shown] of cases) {
    it(`shows ${url} as ${shown}`, function () {
      expect(redactUrl(url)).to.equal(shown);
    });
  }

  it("redacts a URL inside any text, as given and as a parser writes it back", function () {
    const url = "https://user:SECRETPASS@node.example/v2/SECRETKEY?x=SECRET";
    expect(redactIn(`failed to reach ${url} and ${new URL(url).href}`, url)).to.equal("failed to reach https://node.example/… and https://node.example/…");
  });
});

describe("secrets in a running system", function () {
  it("never shows the node URL's key: banner, /v1/status, /ready and the logs, while the node is up and while it is down", async function () {
    const { chain, ledger } = await freshLedger(startAnvil);
    const proxy = await startRpcProxy(chain.url);
    const port = new URL(proxy.url).port;
    const rpcUrl = `http://dpl:SECRETPASS@127.0.0.1:${port}/v2/SECRETKEY?apikey=SECRETQUERY`;
    const env = {
      ...process.env,
      RPC_URL: rpcUrl,
      LEDGER_ADDRESS: ledger.address,
      START_BLOCK: String(ledger.deployBlock),
      API_PORT: "0",
      GATEWAY_PORT: "0",
      POLL_MS: "50",
      LOG_LEVEL: "info",
      DATA_DIR: await tempDir("secrets"),
    };
    const server = await startProcess(env);
    const url = server.url;
    try {
      let output = server.output();
      expect(output).to.include(`Chain    http://127.0.0.1:${port}/… (chain id 31337)`);
      // Up: the credentials reached the node (the index is built through the proxy).
      for (let i = 0; (await fetch(`${url}/ready`)).status !== 200; i++) {
        if (i > 200) throw new Error("never ready");
        await new Promise((r) => setTimeout(r, 50));
      }
      const seen: string[] = [output, await (await fetch(`${url}/v1/status`)).text()];
      // Down: the errors name the node, redacted.
      await proxy.stop();
      let ready = "";
      for (let i = 0; !ready.includes("cannot reach the node"); i++) {
        if (i > 200) throw new Error(`/ready never said the node is down: ${ready}`);
        await new Promise((r) => setTimeout(r, 50));
        ready = await (await fetch(`${url}/ready`)).text();
      }
      const status = await (await fetch(`${url}/v1/status`)).text();
      expect(JSON.parse(status).lastError).to.equal(`cannot reach the node at http://127.0.0.1:${port}/…`);
      expect(JSON.parse(ready).error.message).to.equal(`cannot reach the node at http://127.0.0.1:${port}/…`);
      await new Promise((r) => setTimeout(r, 300)); // a retry or two is logged
      seen.push(ready, status, (output = server.output()));
      for (const text of seen) expect(text).to.not.match(/SECRET/);
      expect(output).to.match(/retrying/);
    } finally {
      await server.kill();
      await proxy.close();
      await ledger.close();
      await chain.close();
    }
  });

  it("writes the deployment record readable by its owner only (its node URL may carry a key)", async function () {
    const { recordDeployment } = await import("../../core/deployment-record.js");
    const file = await recordDeployment(await tempDir("record"), { chainId: 1, rpcUrl: "https://node.example/v2/SECRETKEY", ledger: "0x" + "11".repeat(20), deployBlock: 1 });
    expect((await stat(file)).mode & 0o777).to.equal(0o600);
  });

  it("an unfunded DEPLOYER_KEY is one sentence, not a stack trace", async function () {
    const chainId = 32_000 + Math.floor(Math.random() * 900);
    const chain = await startAnvil(["--chain-id", String(chainId)]);
    const key = "0x" + "42".repeat(32);
    try {
      const env = { ...process.env, RPC_URL: chain.url, CHAIN_ID: String(chainId), DEPLOYER_KEY: key, API_PORT: "0", GATEWAY_PORT: "0", DEMO: "0", DATA_DIR: await tempDir("unfunded") };
      const result = await new Promise<{ code: number | null; text: string }>((resolve) => {
        const child = spawn(process.execPath, ["--import", "tsx", "scripts/start.ts"], { env });
        let text = "";
        child.stdout.on("data", (c) => (text += c));
        child.stderr.on("data", (c) => (text += c));
        child.once("exit", (code) => resolve({ code, text }));
      });
      expect(result.code, result.text).to.equal(2);
      expect(result.text.trim(), result.text).to.match(
        /^dpl: the deploying account 0x[0-9a-fA-F]{40} has no funds for gas on the node at http:\/\/127\.0\.0\.1:\d+: fund it, or set DEPLOYER_KEY to an account that has some$/,
      );
    } finally {
      await chain.close();
      await rm(path.join(hardhatConfig.paths.ignition, "deployments", `chain-${chainId}`), { recursive: true, force: true });
    }
  });
});
