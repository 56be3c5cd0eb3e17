/**
 * Every setting dpl reads, read once from the environment, each with its default. Nothing else in
 * the code reads process.env.
 */
import path from "node:path";

export interface Config {
  /** RPC_URL: JSON-RPC endpoint of an existing EVM node. Unset: dpl starts its embedded local chain. */
  rpcUrl: string | undefined;
  /** CHAIN_HOST: interface the embedded chain listens on. Default 127.0.0.1. */
  chainHost: string;
  /** CHAIN_PORT: port of the embedded chain's JSON-RPC server. Default 8545. */
  chainPort: number;
  /** LEDGER_ADDRESS: an already deployed ledger to use instead of deploying one. */
  ledgerAddress: string | undefined;
  /** DATA_DIR: where dpl keeps its state (deployment record, index). Default ./data. */
  dataDir: string;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

function port(name: string, value: string | undefined, fallback: number): number {
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 0 || n > 65_535) throw new ConfigError(`${name} must be a port number from 0 to 65535, not "${value}"`);
  return n;
}

function address(name: string, value: string | undefined): string | undefined {
  if (value === undefined || value === "") return undefined;
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new ConfigError(`${name} must be a 0x-prefixed 20-byte hex address, not "${value}"`);
  return value;
}

/** Reads the configuration from `env` (process.env by default); throws ConfigError on a bad value. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  return {
    rpcUrl: env.RPC_URL || undefined,
    chainHost: env.CHAIN_HOST || "127.0.0.1",
    chainPort: port("CHAIN_PORT", env.CHAIN_PORT, 8545),
    ledgerAddress: address("LEDGER_ADDRESS", env.LEDGER_ADDRESS),
    dataDir: path.resolve(env.DATA_DIR || "data"),
  };
}
