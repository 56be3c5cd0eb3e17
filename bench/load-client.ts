/**
 * The load generator of `npm run bench:load`, run in its own process so that it does not share a
 * core's event loop with the server: autocannon, closed loop (each connection sends its next request
 * when the last is answered, so the rate is the highest the server sustains), each request a random
 * pick from the paths given. Prints autocannon's result as JSON.
 * Usage: load-client.ts <base URL> <seconds> <connections> <paths file (JSON array)>
 */
import { readFile } from "node:fs/promises";

import autocannon from "autocannon";

const [base, seconds, connections, pathsFile] = process.argv.slice(2);
const paths: string[] = JSON.parse(await readFile(pathsFile, "utf8"));
let next = 0;
const result = await autocannon({
  url: base,
  connections: Number(connections),
  duration: Number(seconds),
  requests: [
    {
      setupRequest: (request) => {
        // A fixed stride through a shuffled list: every path is asked as often, in no fixed order.
        request.path = paths[(next = (next + 7919) % paths.length)];
        return request;
      },
    },
  ],
});
console.log(JSON.stringify({ requests: result.requests, latency: result.latency, errors: result.errors, timeouts: result.timeouts, non2xx: result.non2xx, statusCodeStats: result.statusCodeStats }));
