/**
 * A JSON-RPC proxy on loopback between the indexer and a node, for fault tests: it can stop
 * listening (the node looks down) and start again on the same port, and it can answer a share of
 * requests with the faults real nodes and gateways produce, or pretend to be a node still syncing,
 * whose head lags behind the real one.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export type Fault = "http429" | "http500" | "http503" | "timeout" | "truncated" | "range32602" | "range32005" | "rangeRetryWith" | "http413" | "duplicateLogs" | "shuffleLogs" | "emptyLogs";

/** Faults that only make sense for eth_getLogs. */
const LOG_FAULTS: Fault[] = ["range32602", "range32005", "rangeRetryWith", "http413", "duplicateLogs", "shuffleLogs", "emptyLogs"];
const ANY_FAULTS: Fault[] = ["http429", "http500", "http503", "timeout", "truncated"];

export interface FaultOptions {
  /** Every `every`-th request gets a fault (3: a third of them); kinds take turns, so all occur. */
  every: number;
  /** How long a "timeout" holds the answer back (longer than the client waits). */
  timeoutMs: number;
  /** Only these kinds (default: all). */
  kinds?: Fault[];
}

export interface RpcProxy {
  url: string;
  /** Requests forwarded so far. */
  readonly forwarded: number;
  /** Faults injected so far, by kind. */
  readonly faults: Map<Fault, number>;
  /** eth_getLogs answers that had logs and were sent back empty (the "emptyLogs" fault where it bit). */
  readonly emptied: number;
  /** Every eth_getLogs range asked for, in order, with the fault it got (if any). */
  readonly logRanges: { from: number; to: number; fault?: Fault }[];
  /** Pretend the chain ends at block `head` (a node still syncing); undefined shows the real chain. */
  lagTo(head: number | undefined): void;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRpcProxy(upstream: string, faultOptions?: FaultOptions): Promise<RpcProxy> {
  let forwarded = 0;
  let emptied = 0;
  let requests = 0;
  let logTurn = 0;
  let anyTurn = 0;
  const faults = new Map<Fault, number>();
  const logRanges: RpcProxy["logRanges"] = [];
  const sockets = new Set<Socket>();
  let lag: number | undefined;
  const hex = (n: number) => "0x" + n.toString(16);
  /** Rewrites one call for a node whose chain ends at `lag`; answers it at once where the node would have nothing. */
  const lagged = (call: any): { call: any; answer?: unknown } => {
    if (lag === undefined || !call?.method) return { call };
    if (call.method === "eth_blockNumber") return { call, answer: hex(lag) };
    if (call.method === "eth_getBlockByNumber") {
      const tag = call.params[0];
      if (typeof tag === "string" && !tag.startsWith("0x")) return { call: { ...call, params: [hex(lag), call.params[1]] } };
      if (Number(tag) > lag) return { call, answer: null };
    }
    if (call.method === "eth_getLogs" && call.params[0].toBlock !== undefined) {
      if (Number(call.params[0].fromBlock) > lag) return { call, answer: [] };
      if (Number(call.params[0].toBlock) > lag) return { call: { ...call, params: [{ ...call.params[0], toBlock: hex(lag) }] } };
    }
    return { call };
  };
  /** Forwards a call or a batch as the lagging node would answer it. */
  const forwardLagged = async (request: any) => {
    const calls: any[] = Array.isArray(request) ? request : [request];
    const plans = calls.map(lagged);
    const toSend = plans.filter((p) => p.answer === undefined).map((p) => p.call);
    const replies: any[] = toSend.length ? [].concat(JSON.parse((await forward(Buffer.from(JSON.stringify(toSend)))).text)) : [];
    const byId = new Map(replies.map((r) => [r.id, r]));
    const answers = plans.map((p) => (p.answer !== undefined ? { jsonrpc: "2.0", id: p.call.id, result: p.answer } : byId.get(p.call.id)));
    return JSON.stringify(Array.isArray(request) ? answers : answers[0]);
  };
  const forward = async (body: Buffer) => {
    const reply = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body });
    forwarded++;
    return { status: reply.status, text: await reply.text() };
  };

  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    let request: any;
    try {
      request = JSON.parse(body.toString());
    } catch {
      request = undefined;
    }
    const isLogs = request && !Array.isArray(request) && request.method === "eth_getLogs";
    const range = isLogs ? { from: Number(request.params[0].fromBlock), to: Number(request.params[0].toBlock) } : undefined;
    let fault: Fault | undefined;
    const allowed = (list: Fault[]) => list.filter((f) => !faultOptions?.kinds || faultOptions.kinds.includes(f));
    const forLogs = allowed([...ANY_FAULTS, ...LOG_FAULTS]);
    const forAny = allowed(ANY_FAULTS);
    if (faultOptions && ++requests % faultOptions.every === 0 && (isLogs ? forLogs : forAny).length > 0) {
      fault = isLogs ? forLogs[logTurn++ % forLogs.length] : forAny[anyTurn++ % forAny.length];
      faults.set(fault, (faults.get(fault) ?? 0) + 1);
    }
    if (range) logRanges.push({ ...range, fault });
    const rpcError = (code: number, message: string) => res.writeHead(200, { "content-type": "application/json" }).end(JSON.stringify({ jsonrpc: "2.0", id: request.id, error: { code, message } }));
    try {
      if (lag !== undefined && request) return res.writeHead(200, { "content-type": "application/json" }).end(await forwardLagged(request));
      switch (fault) {
        case "http429":
          return res.writeHead(429).end("Too Many Requests");
        case "http500":
          return res.writeHead(500).end("internal error");
        case "http503":
          return res.writeHead(503).end("<html>Service Unavailable</html>");
        case "timeout":
          await new Promise((r) => setTimeout(r, faultOptions!.timeoutMs));
          return res.writeHead(504).end();
        case "truncated": {
          const { text } = await forward(body);
          return res.writeHead(200, { "content-type": "application/json" }).end(text.slice(0, Math.max(1, Math.floor(text.length / 2))));
        }
        case "range32602":
          return rpcError(-32602, "query block range too large");
        case "range32005":
          return rpcError(-32005, "query returned more than 10000 results");
        case "rangeRetryWith": {
          const mid = Math.floor((range!.from + range!.to) / 2);
          return rpcError(-32000, `log response size exceeded. retry with the range 0x${range!.from.toString(16)}-0x${mid.toString(16)}`);
        }
        case "http413":
          return res.writeHead(413).end("Request Entity Too Large");
        case "duplicateLogs":
        case "shuffleLogs":
        case "emptyLogs": {
          const { status, text } = await forward(body);
          const reply = JSON.parse(text);
          if (Array.isArray(reply.result)) {
            if (fault === "emptyLogs" && reply.result.length > 0) emptied++;
            reply.result = fault === "duplicateLogs" ? [...reply.result, ...reply.result.slice(0, Math.ceil(reply.result.length / 3))] : fault === "shuffleLogs" ? [...reply.result].reverse() : [];
          }
          return res.writeHead(status, { "content-type": "application/json" }).end(JSON.stringify(reply));
        }
        default: {
          const { status, text } = await forward(body);
          return res.writeHead(status, { "content-type": "application/json" }).end(text);
        }
      }
    } catch {
      if (!res.headersSent) res.writeHead(502).end();
    }
  });
  server.on("connection", (socket) => {
    sockets.add(socket);
    socket.once("close", () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<number>((resolve) => server.listen(port, "127.0.0.1", () => resolve((server.address() as AddressInfo).port)));
  const port = await listen(0);
  const stop = () =>
    new Promise<void>((resolve) => {
      server.close(() => resolve());
      for (const socket of sockets) socket.destroy();
    });
  return {
    url: `http://127.0.0.1:${port}`,
    get forwarded() {
      return forwarded;
    },
    get emptied() {
      return emptied;
    },
    faults,
    logRanges,
    lagTo: (head) => void (lag = head),
    stop,
    start: async () => {
      await listen(port);
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
