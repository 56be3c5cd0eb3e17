/**
 * A JSON-RPC proxy on loopback between the indexer and a node, for fault tests: it can stop
 * listening (the node looks down) and start again on the same port.
 */
import http from "node:http";
import type { AddressInfo, Socket } from "node:net";

export interface RpcProxy {
  url: string;
  /** Requests forwarded so far. */
  readonly forwarded: number;
  stop(): Promise<void>;
  start(): Promise<void>;
  close(): Promise<void>;
}

export async function startRpcProxy(upstream: string): Promise<RpcProxy> {
  let forwarded = 0;
  const sockets = new Set<Socket>();
  const server = http.createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    try {
      const reply = await fetch(upstream, { method: "POST", headers: { "content-type": "application/json" }, body: Buffer.concat(chunks) });
      forwarded++;
      res.writeHead(reply.status, { "content-type": "application/json" });
      res.end(Buffer.from(await reply.arrayBuffer()));
    } catch {
      res.writeHead(502).end();
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
    stop,
    start: async () => {
      await listen(port);
    },
    close: async () => {
      if (server.listening) await stop();
    },
  };
}
