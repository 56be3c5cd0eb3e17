/**
 * The embedded default chain: Hardhat's in-process EDR chain behind a JSON-RPC server on loopback,
 * so that the indexer, the CLI and any wallet talk to it exactly as they would to a real node.
 */
import { network } from "hardhat";

export interface EmbeddedChain {
  url: string;
  close(): Promise<void>;
}

export async function startEmbeddedChain(args: { host: string; port: number }): Promise<EmbeddedChain> {
  const server = await network.createServer("default", args.host, args.port);
  const { address, port } = await server.listen();
  return { url: `http://${address}:${port}`, close: () => server.close() };
}
