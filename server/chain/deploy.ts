/**
 * Deploys the ledger with Hardhat Ignition over JSON-RPC, or reuses the deployment Ignition
 * recorded for that chain, and records where it lives for the other stages.
 */
import { mkdir, rm, writeFile } from "node:fs/promises";
import path from "node:path";

import { network } from "hardhat";

import ProvenanceLedgerModule from "../../ignition/modules/ProvenanceLedger.js";
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
  } finally {
    await connection.close();
  }
}

/** Writes `deployment` to `<dataDir>/deployment.json`, where the CLI and indexer find it. */
export async function recordDeployment(dataDir: string, deployment: Deployment): Promise<string> {
  await mkdir(dataDir, { recursive: true });
  const file = path.join(dataDir, "deployment.json");
  await writeFile(file, JSON.stringify(deployment, null, 2) + "\n");
  return file;
}
