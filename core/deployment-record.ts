/**
 * The deployment record, DATA_DIR/deployment.json: which chain, node, ledger and deployment block a
 * dpl uses, and where its API listens. `npm start` writes it; the CLI, `npm run index` and `npm run
 * reset` read it. Free of Hardhat, so that reading it costs nothing.
 */
import { chmod, mkdir, readFile, writeFile } from "node:fs/promises";
import path from "node:path";

export interface Deployment {
  chainId: number;
  rpcUrl: string;
  ledger: string;
  deployBlock: number;
  /** Where the API of the dpl that recorded it listens: the CLI's default. */
  apiUrl?: string;
  /** Where its data gateway listens, when it runs: `dpl fetch`'s default. */
  gatewayUrl?: string;
}

/** The deployment a previous start recorded in `dataDir`, if any. */
export async function readDeployment(dataDir: string): Promise<Deployment | undefined> {
  return readFile(path.join(dataDir, "deployment.json"), "utf8").then(JSON.parse, () => undefined);
}

/** Writes `deployment` to `<dataDir>/deployment.json`, where the CLI and indexer find it. */
export async function recordDeployment(dataDir: string, deployment: Deployment): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, "deployment.json");
  // The node's URL in it may carry a provider's key: readable by its owner only.
  await writeFile(file, JSON.stringify(deployment, null, 2) + "\n", { mode: 0o600 });
  await chmod(file, 0o600);
  return file;
}
