/**
 * Deploys the ledger, or finds the one a previous start deployed, and records where it lives for the
 * other stages (DATA_DIR/deployment.json). On a network the deployment goes through Hardhat Ignition,
 * whose journal lets an interrupted deployment resume; on the embedded chain, which keeps its own
 * state under DATA_DIR, the ledger is deployed once, directly, and nothing is written into the
 * project tree.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";

import { ContractFactory, JsonRpcProvider } from "ethers";
import { network } from "hardhat";

import ProvenanceLedgerModule from "../../ignition/modules/ProvenanceLedger.js";
import { DplError } from "../../core/errors.js";
import { redactIn, redactUrl } from "../../core/redact.js";
import { firstBlockWithCode } from "./deploy-block.js";
import type { Deployment } from "../../core/deployment-record.js";
import { createRpcClient } from "./rpc.js";

/**
 * Deploys the ledger on the embedded chain with the node's first account, directly: the chain's own
 * state is the record, so no deployment journal is needed (nor written into the project tree).
 */
export async function deployEmbedded(args: { rpcUrl: string; artifactsDir: string; admin?: string; adminDelay: number }): Promise<Deployment> {
  const artifact = JSON.parse(await readFile(path.join(args.artifactsDir, "contracts/ProvenanceLedger.sol/ProvenanceLedger.json"), "utf8"));
  const provider = new JsonRpcProvider(args.rpcUrl, undefined, { batchMaxCount: 1 });
  try {
    const deployer = await provider.getSigner(0);
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(args.adminDelay, args.admin ?? (await deployer.getAddress()));
    const receipt = (await contract.deploymentTransaction()!.wait())!;
    const { chainId } = await provider.getNetwork();
    return { chainId: Number(chainId), rpcUrl: args.rpcUrl, ledger: (await contract.getAddress()).toLowerCase(), deployBlock: receipt.blockNumber };
  } finally {
    provider.destroy();
  }
}

/**
 * Deploys with `deployerKey` when given (any network), else with the node's first account (a
 * development node); `admin` receives the admin and pauser roles (default: the deployer), and a handover
 * of the admin role waits `adminDelay` seconds.
 */
export async function deployLedger(args: { rpcUrl: string; deployerKey?: string; admin?: string; adminDelay: number }): Promise<Deployment> {
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
    return new DplError(
      "deployer_unfunded",
      `the deploying account ${deployer?.address ?? "(DEPLOYER_KEY)"} has no funds for gas on the node at ${redactUrl(rpcUrl)}: fund it, or set DEPLOYER_KEY to an account that has some`,
      { cause: error },
    );
  }
  return new DplError("deploy_failed", `deploying the ledger failed: ${redactIn(text.split("\n")[0], rpcUrl)}`, { cause: error });
}

async function deployWith(connection: Awaited<ReturnType<typeof network.create>>, args: { rpcUrl: string; admin?: string; adminDelay: number }): Promise<Deployment> {
  const { chainId } = await connection.ethers.provider.getNetwork();
  const deploymentId = `chain-${chainId}`;
  const parameters = { ProvenanceLedgerModule: { adminDelay: args.adminDelay, ...(args.admin ? { admin: args.admin } : {}) } };
  const { ledger } = await connection.ignition.deploy(ProvenanceLedgerModule, { deploymentId, parameters });
  const address = await ledger.getAddress();
  const deployTx = ledger.deploymentTransaction();
  const receipt = deployTx ? await deployTx.wait() : undefined;
  const deployBlock = receipt?.blockNumber ?? (await firstBlockWithCode(createRpcClient({ url: args.rpcUrl }), address));
  return { chainId: Number(chainId), rpcUrl: args.rpcUrl, ledger: address, deployBlock };
}
