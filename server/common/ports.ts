/**
 * A busy port, said before anything is written: binding and letting go at once, so that a second
 * `npm start` stops with one sentence naming the setting, not a stack trace halfway through.
 */
import net from "node:net";

import { DplError } from "../../core/errors.js";

export async function requirePortFree(host: string, port: number, setting: string): Promise<void> {
  if (port === 0) return;
  await new Promise<void>((resolve, reject) => {
    const server = net.createServer();
    server.once("error", (error: NodeJS.ErrnoException) => {
      if (error.code === "EADDRINUSE") reject(new DplError("port_in_use", `${setting} ${port} is already in use on ${host}: stop what holds it, or set ${setting} to a free port`));
      else if (error.code === "EACCES") reject(new DplError("port_forbidden", `${setting} ${port} on ${host} needs privileges this process lacks: set ${setting} to a port above 1023`));
      else reject(error);
    });
    server.listen(port, host, () => server.close(() => resolve()));
  });
}
