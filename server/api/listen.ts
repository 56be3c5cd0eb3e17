/**
 * The API's HTTP server: express's app on a port, with what express cannot do itself. A request Node
 * refuses before express sees it (headers over 16 KiB, a line that is not HTTP) gets the API's JSON
 * error with its status, not an empty body; past `maxConnections` sockets, new connections are closed
 * at once, so the index and the node's connection always keep their file descriptors.
 */
import type { Server } from "node:http";
import type { Socket } from "node:net";

import type { Express } from "express";

import type { Logger } from "../common/logger.js";

/** The answer to a request Node's parser refused: status, reason phrase, code and one sentence. */
export function parserRefusal(errorCode: string | undefined): { status: number; reason: string; code: string; message: string } {
  if (errorCode === "HPE_HEADER_OVERFLOW") {
    return {
      status: 431,
      reason: "Request Header Fields Too Large",
      code: "request_headers_too_large",
      message: "the request line and headers exceed 16 KiB (a path, query or header far longer than any of dpl's): shorten them",
    };
  }
  if (errorCode === "ERR_HTTP_REQUEST_TIMEOUT") {
    return { status: 408, reason: "Request Timeout", code: "request_timeout", message: "the request was not received in time" };
  }
  return { status: 400, reason: "Bad Request", code: "malformed_request", message: "the request is not valid HTTP/1.1" };
}

function refuse(error: NodeJS.ErrnoException, socket: Socket): void {
  if (!socket.writable || (error.code === "ECONNRESET" && socket.destroyed)) return void socket.destroy();
  const { status, reason, code, message } = parserRefusal(error.code);
  const body = JSON.stringify({ error: { code, message } });
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json; charset=utf-8\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
}

export function listen(app: Express, args: { port: number; host: string; maxConnections?: number; logger?: Logger }): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = app.listen(args.port, args.host, () => {
      server.off("error", reject);
      if (args.maxConnections !== undefined) server.maxConnections = args.maxConnections;
      // After listening, a failed accept (EMFILE when descriptors run out) is an error event: logged, never fatal.
      server.on("error", (error) => args.logger?.error({ msg: "the API server could not accept a connection", error: error.message }));
      resolve(server);
    });
    server.on("clientError", refuse);
    server.once("error", reject);
  });
}
