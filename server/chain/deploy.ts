/**
 * Deploys the ledger with Hardhat Ignition over JSON-RPC, or reuses the deployment Ignition
 * recorded for that chain, and records where it lives for the other stages.
 */
import { chmod, mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import ProvenanceLedgerModule from "../../ignition/modules/ProvenanceLedger.js";
import { DplError } from "../common/errors.js";
import { redactIn, redactUrl } from "../common/redact.js";
import { firstBlockWithCode } from "./deploy-block.js";
import { createRpcClient } from "./rpc.js";

export interface Deployment {
  chainId: number;
  rpcUrl: string;
  ledger: string;
  deployBlock: number;
}

/** The Ignition deployment id of the embedded chain: it starts empty each time, so its journal must too. */
export const EMBEDDED_DEPLOYMENT_ID = "embedded-local";

/**
 * Deploys with `deployerKey` when given (any network), else with the node's first account (a
 * development node); `admin` receives the admin and pauser roles (default: the deployer), and a handover
 * of the admin role waits `adminDelay` seconds.
 */
export async function deployLedger(args: { rpcUrl: string; ignitionDir: string; embedded: boolean; deployerKey?: string; admin?: string; adminDelay: number }): Promise<Deployment> {
  const connection = await network.create({ network: "localhost", override: { url: args.rpcUrl, ...(args.deployerKey ? { accounts: [args.deployerKey] } : {}) } });
  try {
    return await deployWith(connection, args);
  } catch (error) {
    throw await deployFailure(connection, args.rpcUrl, error);
  } finally {
    await connection.close();
  }
}

/** One sentence for a failed deployment: an unfunded deployer says so; anything else, with the node's URL redacted. */
async function deployFailure(connection: Awaited<ReturnType<typeof network.create>>, rpcUrl: string, error: unknown): Promise<DplError> {
  if (error instanceof DplError) return error;
  const text = String((error as { shortMessage?: string; message?: string })?.shortMessage ?? (error as Error)?.message ?? error);
  // Nodes say "insufficient funds", or (estimating gas for an empty account) "gas required exceeds allowance".
  const [deployer] = await connection.ethers.getSigners().catch(() => []);
  const balance = deployer ? await connection.ethers.provider.getBalance(deployer.address).catch(() => undefined) : undefined;
  if (/insufficient funds|enough funds/i.test(text) || (balance === 0n && /exceeds allowance|out of gas/i.test(text))) {
    return new DplError("deployer_unfunded", `the deploying account ${deployer?.address ?? "(DEPLOYER_KEY)"} has no funds for gas on the node at ${redactUrl(rpcUrl)}: fund it, or set DEPLOYER_KEY to an account that has some`, { cause: error });
  }
  return new DplError("deploy_failed", `deploying the ledger failed: ${redactIn(text.split("\n")[0], rpcUrl)}`, { cause: error });
}

async function deployWith(connection: Awaited<ReturnType<typeof network.create>>, args: { rpcUrl: string; ignitionDir: string; embedded: boolean; admin?: string; adminDelay: number }): Promise<Deployment> {
  const { chainId } = await connection.ethers.provider.getNetwork();
  const deploymentId = args.embedded ? EMBEDDED_DEPLOYMENT_ID : `chain-${chainId}`;
  if (args.embedded) await rm(path.join(args.ignitionDir, "deployments", deploymentId), { recursive: true, force: true });
  const parameters = { ProvenanceLedgerModule: { adminDelay: args.adminDelay, ...(args.admin ? { admin: args.admin } : {}) } };
  const { ledger } = await connection.ignition.deploy(ProvenanceLedgerModule, { deploymentId, parameters });
  const address = await ledger.getAddress();
  const deployTx = ledger.deploymentTransaction();
  const receipt = deployTx ? await deployTx.wait() : undefined;
  const deployBlock = receipt?.blockNumber ?? (await firstBlockWithCode(createRpcClient({ url: args.rpcUrl }), address));
  return { chainId: Number(chainId), rpcUrl: args.rpcUrl, ledger: address, deployBlock };
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
