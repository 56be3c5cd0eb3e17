/**
 * One client cannot take the API down: live event streams are capped per client and in all; running
 * out of file descriptors is told apart from a damaged index and takes nothing down; an indexer that
 * stops for good leaves the API serving, /ready saying why. The server runs as `npm start` does, in a
 * process of its own under a lowered `ulimit -n`, against anvil.
 */
import { spawn } from "node:child_process";
import http from "node:http";

import { expect } from "chai";

import { startAnvil, type AnvilChain } from "../helpers/chain.js";
import { registerDataset } from "../helpers/fixtures.js";
import { freshLedger, closeAll, eventually, startProcess, tempDir, type LedgerOnChain, type StartedProcess } from "../helpers/system.js";

type Server = StartedProcess;

/** `npm start`'s entry point against `chain`'s ledger, under `ulimit -n fds`, with an index of its own. */
async function startServer(chain: AnvilChain, ledger: LedgerOnChain, fds: number, env: Record<string, string>): Promise<Server> {
  return startProcess(
    {
      ...process.env,
      DATA_DIR: await tempDir("streams-server"),
      RPC_URL: chain.url,
      LEDGER_ADDRESS: ledger.address,
      START_BLOCK: String(ledger.deployBlock),
      API_PORT: "0",
      GATEWAY_PORT: "0",
      POLL_MS: "50",
      LOG_LEVEL: "warn",
      TRUST_PROXY: "loopback",
      ...env,
    },
    { fds },
  );
}

/** Opens GET /v1/events as `client` (X-Forwarded-For) on a socket of its own; resolves with its status, and its body when refused. */
function openStream(url: string, client: string): Promise<{ status: number; body?: any; close: () => void }> {
  return new Promise((resolve, reject) => {
    const req = http.get(`${url}/v1/events`, { agent: false, headers: { "x-forwarded-for": client } }, (res) => {
      if (res.statusCode === 200) return resolve({ status: 200, close: () => req.destroy() });
      let text = "";
      res.on("data", (c) => (text += c));
      res.on("end", () => resolve({ status: res.statusCode!, body: JSON.parse(text), close: () => req.destroy() }));
    });
    req.on("error", reject);
  });
}

const metric = async (url: string, line: RegExp) => {
  const text = await (await fetch(`${url}/metrics`)).text();
  const found = text.split("\n").find((l) => line.test(l));
  return found === undefined ? undefined : Number(found.split(" ").pop());
};

describe("what one client cannot take down", function () {
  let chain: AnvilChain;
  let ledger: LedgerOnChain;
  let server: Server | undefined;

  before(async function () {
    ({ chain, ledger } = await freshLedger(startAnvil));
    await registerDataset(ledger.ledger, ledger.holder, "streams");
  });

  afterEach(async function () {
    await server?.kill();
    server = undefined;
  });

  after(() => closeAll(ledger, chain));

  it("LevelDB's real 'Too many open files' is resource exhaustion (503, retry), never a damaged index", async function () {
    const dir = await tempDir("exhausted");
    const { Store } = await import("../../server/store/store.js");
    await (await Store.open(dir, { chainId: 31337, ledger: ledger.address, deployBlock: 1 })).close();
    const out = await new Promise<string>((resolve) => {
      const child = spawn("bash", ["-c", `ulimit -n 64 && exec "${process.execPath}" --import tsx test/helpers/exhausted-store.ts "${dir}" ${ledger.address}`]);
      let text = "";
      child.stdout.on("data", (c) => (text += c));
      child.once("exit", () => resolve(text));
    });
    expect(JSON.parse(out)).to.deep.include({ failed: true, exhaustion: true, storageFault: false, status: 503, code: "resource_exhausted" });
  });

  it("caps live event streams per client (429) and in all (503), counts them in /metrics, and keeps serving everyone else", async function () {
    server = await startServer(chain, ledger, 256, { EVENTS_MAX_STREAMS: "40", EVENTS_MAX_PER_CLIENT: "4" });
    const open: { close: () => void }[] = [];
    try {
      for (let i = 0; i < 4; i++) open.push(await openStream(server.url, "10.0.0.1"));
      expect(open.map((s: any) => s.status)).to.deep.equal([200, 200, 200, 200]);
      const fifth = await openStream(server.url, "10.0.0.1");
      expect([fifth.status, fifth.body.error.code, fifth.body.error.message]).to.deep.equal([
        429,
        "too_many_streams",
        "this client already holds 4 live event streams (EVENTS_MAX_PER_CLIENT); close one before opening another",
      ]);
      for (let i = 0; i < 36; i++) open.push(await openStream(server.url, `10.0.1.${i}`));
      const full = await openStream(server.url, "10.0.2.1");
      expect([full.status, full.body.error.code]).to.deep.equal([503, "streams_full"]);
      expect(full.body.error.message).to.equal("the server already holds its 40 live event streams (EVENTS_MAX_STREAMS); try again later");
      // Everyone else is still served.
      const status = await fetch(`${server.url}/v1/status`, { headers: { "x-forwarded-for": "10.0.3.1" } });
      expect(status.status).to.equal(200);
      expect(await metric(server.url, /^dpl_api_event_streams /)).to.equal(40);
      expect(await metric(server.url, /^dpl_api_event_streams_refused_total\{reason="per_client"\}/)).to.equal(1);
      expect(await metric(server.url, /^dpl_api_event_streams_refused_total\{reason="total"\}/)).to.equal(1);
    } finally {
      for (const s of open) s.close();
    }
    await eventually(async () => ((await metric(server!.url, /^dpl_api_event_streams /)) === 0 ? true : undefined), "every closed stream to be counted out");
    expect((await openStream(server.url, "10.0.0.1")).status).to.equal(200);
  });

  it("API_MAX_CONNECTIONS bounds the sockets: past it new connections are closed at once, and service resumes when they go", async function () {
    server = await startServer(chain, ledger, 256, { API_MAX_CONNECTIONS: "20", EVENTS_MAX_STREAMS: "100000", EVENTS_MAX_PER_CLIENT: "100000" });
    const open: { close: () => void }[] = [];
    let dropped = 0;
    for (let i = 0; i < 30; i++) {
      try {
        open.push(await openStream(server.url, `10.2.0.${i}`));
      } catch {
        dropped++;
      }
    }
    expect([open.length, dropped]).to.deep.equal([20, 10]);
    for (const s of open) s.close();
    const status = await eventually(async () => {
      const r = await fetch(`${server!.url}/v1/status`);
      return r.status === 200 ? r : undefined;
    }, "a free socket");
    expect(status.status).to.equal(200);
  });

  it("a flood past the descriptor limit, with every cap lifted, takes nothing down and is not called damage", async function () {
    server = await startServer(chain, ledger, 128, { API_MAX_CONNECTIONS: "100000", EVENTS_MAX_STREAMS: "100000", EVENTS_MAX_PER_CLIENT: "100000" });
    const open: { close: () => void }[] = [];
    let refused = 0;
    for (let i = 0; i < 400 && refused < 20; i++) {
      try {
        const s = await Promise.race([openStream(server.url, `10.1.${i >> 8}.${i & 255}`), new Promise<never>((_, reject) => setTimeout(() => reject(new Error("timeout")), 2_000))]);
        if (s.status === 200) open.push(s);
        else refused++;
      } catch {
        refused++; // the server could not accept: its descriptors are gone
      }
    }
    expect(refused, "the flood reached the descriptor limit").to.be.greaterThan(0);
    expect(server.process.exitCode, "the server is still running").to.equal(null);
    // The chain moves on meanwhile: the indexer, out of descriptors too, retries rather than stops.
    await registerDataset(ledger.ledger, ledger.holder, "during the flood");
    const head = await ledger.ethers.provider.getBlockNumber();
    await new Promise((r) => setTimeout(r, 500));
    for (const s of open) s.close();
    // Once the flood is gone, all is as before: ready, serving, nothing called damaged.
    const ready = await eventually(async () => {
      const r = await fetch(`${server!.url}/ready`);
      return r.status === 200 ? r.json() : undefined;
    }, "/ready to answer 200 again");
    expect(ready).to.include({ ready: true });
    expect((await fetch(`${server.url}/v1/datasets`)).status).to.equal(200);
    await eventually(async () => {
      const s: any = await (await fetch(`${server!.url}/v1/status`)).json();
      return s.indexed?.number >= head ? true : undefined;
    }, "the index to take the block sent during the flood");
    expect(server.output()).to.not.match(/store_corrupt|damaged/);
    expect(server.process.exitCode).to.equal(null);
    console.log(`      ${open.length} streams held under ulimit -n 128 before ${refused} were refused or dropped; the server stayed up and ready`);
  });

  it("an indexer that stops for good (a reorganisation deeper than REORG_WINDOW) leaves the API serving, /ready and /v1/status saying why", async function () {
    server = await startServer(chain, ledger, 1024, { REORG_WINDOW: "2" });
    const head = await ledger.ethers.provider.getBlockNumber();
    await eventually(async () => {
      const s: any = await (await fetch(`${server!.url}/v1/status`)).json();
      return s.indexed?.number >= head ? true : undefined;
    }, "the index to reach the head");
    for (let i = 0; i < 6; i++) await registerDataset(ledger.ledger, ledger.holder, `before the reorg ${i}`);
    await eventually(async () => {
      const s: any = await (await fetch(`${server!.url}/v1/status`)).json();
      return s.indexed?.number >= head + 6 ? true : undefined;
    }, "the index to take the six blocks");
    await ledger.ethers.provider.send("anvil_reorg", [5, []]);
    const ready = await eventually(async () => {
      const r = await fetch(`${server!.url}/ready`);
      return r.status === 503 ? ((await r.json()) as any) : undefined;
    }, "/ready to say the index stalled");
    expect(ready.error.code).to.equal("index_stalled");
    expect(ready.error.message).to.match(
      /^the indexer stopped at block \d+: the chain reorganised at least \d+ blocks deep, and this index can undo only its last [1-3] \(REORG_WINDOW is 2\): stop dpl and run `npm run reindex`/,
    );
    // One log sentence, naming the remedy.
    const said = server
      .output()
      .split("\n")
      .filter((l) => l.includes("the API keeps serving the index as it was"));
    expect(said).to.have.length(1);
    expect(said[0]).to.include("npm run reindex");
    const status = await fetch(`${server.url}/v1/status`);
    expect(status.status).to.equal(200);
    expect(((await status.json()) as any).stalled).to.equal(ready.error.message);
    expect((await fetch(`${server.url}/v1/datasets`)).status).to.equal(200);
    expect(server.process.exitCode).to.equal(null);
  });
});
