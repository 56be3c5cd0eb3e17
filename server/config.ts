/**
 * Every setting the server, the indexer and the scripts read, read once from the environment, each
 * with its default: nothing else in server/ reads process.env. The CLI reads its own settings
 * (cli/lib/context.ts), and test and benchmark harnesses theirs.
 */
import path from "node:path";

import { InvalidInputError } from "../core/errors.js";
import { DEFAULT_INDEX_CACHE_MB, DEFAULT_INDEX_COMPRESSION, INDEX_COMPRESSIONS, type IndexCompression } from "./store/store.js";

/** Memory, in MiB, the API keeps written answers in unless API_CACHE_MB says otherwise. */
export const DEFAULT_API_CACHE_MB = 64;

export interface Config {
  /** RPC_URL: JSON-RPC endpoint of an existing EVM node. Unset: dpl starts its embedded local chain. */
  rpcUrl: string | undefined;
  /** CHAIN_HOST: interface the embedded chain listens on. Default 127.0.0.1. */
  chainHost: string;
  /** CHAIN_PORT: port of the embedded chain's JSON-RPC server. Default 8545. */
  chainPort: number;
  /** CHAIN_ID: the chain id the node must report; dpl refuses to start against any other. Default: whatever the node says. */
  chainId: number | undefined;
  /** LEDGER_ADDRESS: an already deployed ledger to use instead of deploying one. */
  ledgerAddress: string | undefined;
  /** DEPLOYER_KEY: private key that deploys the ledger on RPC_URL. Default: the node's first account (dev nodes only). */
  deployerKey: string | undefined;
  /** LEDGER_ADMIN: receives the admin and pauser roles of a new deployment (a multisig, say). Default: the deployer. */
  ledgerAdmin: string | undefined;
  /** LEDGER_ADMIN_DELAY: seconds a scheduled admin handover of a new deployment waits before it can be accepted. Default 259,200 (3 days). */
  ledgerAdminDelay: number;
  /** START_BLOCK: where indexing starts for LEDGER_ADDRESS (its deployment block). Default: found by bisection. */
  startBlock: number | undefined;
  /** DATA_DIR: where dpl keeps its state (deployment record, indexes). Default ./data. */
  dataDir: string;
  /** API_HOST: interface the API listens on. Default 127.0.0.1. */
  apiHost: string;
  /** API_PORT: port of the API and explorer. Default 8080. */
  apiPort: number;
  /** CONFIRMATIONS: blocks the indexer stays behind the head. Default 0 (the embedded chain never reorganises). */
  confirmations: number;
  /** FINALITY_DEPTH: confirmations after which the API calls an item final. Default 64 on a network, 1 on the embedded chain. */
  finalityDepth: number;
  /** REORG_WINDOW: how many recent blocks the index can undo on a reorganisation. Default 64. */
  reorgWindow: number;
  /** POLL_MS: milliseconds between polls of the node in live mode. Default 250. */
  pollMs: number;
  /** GETLOGS_MAX_RANGE: the most blocks one eth_getLogs asks for (the range adapts below it). Default 50,000. */
  logRangeMax: number;
  /** BLOOM_CHECK: compare every block's logs bloom with the logs the node returned, and fetch again on a gap. Default on. */
  bloomCheck: boolean;
  /** CORS_ORIGINS: comma-separated origins allowed to call the API from a browser ("*" for any). Default: none. */
  corsOrigins: string[];
  /** VERIFY_MAX_BYTES: largest file POST /v1/verify hashes. Default 1 GiB. */
  verifyMaxBytes: number;
  /** RATE_LIMIT: requests one client may make to /v1 per RATE_WINDOW_S. Default 0: no limit (the local default). */
  rateLimit: number;
  /** RATE_WINDOW_S: the rate limit's window in seconds. Default 60. */
  rateWindowS: number;
  /** API_MAX_CONNECTIONS: sockets the API holds open at once; past it new ones are closed at once. Default 256. */
  apiMaxConnections: number;
  /** API_CACHE_MB: memory for GET answers kept until the index or the head moves (server/api/answer-cache.ts); 0 keeps none. Default 64. */
  apiCacheMb: number;
  /** INDEX_CACHE_MB: memory for LevelDB's block cache of the index (server/store/store.ts), at most 4095. Default 256. */
  indexCacheMb: number;
  /** INDEX_COMPRESSION: how the index writes its table files, "none" (read in place: faster) or "snappy" (some 45% smaller). Default none. */
  indexCompression: IndexCompression;
  /** EVENTS_MAX_STREAMS: live event streams (GET /v1/events) the API holds open at once, all clients together. Default 128. */
  eventsMaxStreams: number;
  /** EVENTS_MAX_PER_CLIENT: live event streams one client may hold open at once. Default 8. */
  eventsMaxPerClient: number;
  /**
   * TRUST_PROXY: which proxies' X-Forwarded-For to believe when telling clients apart: "loopback",
   * comma-separated addresses or CIDRs, or a hop count. Default: none, so the client is the socket's
   * peer and a forged X-Forwarded-For changes nothing.
   */
  trustProxy: string | number | false;
  /** LOG_LEVEL: trace, debug, info, warn, error or silent. Default info. */
  logLevel: string;
  /** DEMO: load the demo scenario on a fresh embedded chain (never on another network). Default on; 0 skips it. */
  demo: boolean;
  gateway: GatewayConfig;
}

/** The data gateway (README, "The data gateway"). */
export interface GatewayConfig {
  /** GATEWAY: run the gateway. Default on where it has a key (always on the embedded chain); 0 turns it off. */
  enabled: boolean;
  /** GATEWAY_PORT: its port. Default 8090 (on API_HOST). */
  port: number;
  host: string;
  /**
   * GATEWAY_KEY: the private key it signs receipts and settles with: the holder's, or a meter's the
   * holder appointed. Default on the embedded chain: development account 1 (the demo's data bureau).
   */
  key: string | undefined;
  /** GATEWAY_HOLDER: whose datasets it serves. Default: the key's own address. */
  holder: string | undefined;
  /** GATEWAY_DIR: the files it serves (each matched to its holder's anchor). Default DATA_DIR/served. */
  dir: string;
  /** EPOCH_SECONDS: an epoch of receipts closes after this many seconds. Default 60. */
  epochSeconds: number;
  /** EPOCH_RECEIPTS: or after this many receipts. Default 10,000. */
  epochReceipts: number;
  /** GATEWAY_MAX_BACKLOG: epochs that may wait for settlement before deliveries stop. Default 10. */
  maxBacklog: number;
  /** GATEWAY_SIGN_INS: sign-ins one client may make a minute (each keeps a nonce until it expires). Default 60. */
  signInsPerMinute: number;
  /** API_MAX_CONNECTIONS, as for the API: sockets the gateway holds at once. */
  maxConnections: number;
}

/** A setting has a value dpl cannot use. */
export class ConfigError extends InvalidInputError {
  constructor(message: string) {
    super(message, "invalid_config");
  }
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) throw new ConfigError(`${name} must be a whole number from ${min} to ${max}, not "${value}"`);
  return n;
}

function oneOf<T extends string>(env: NodeJS.ProcessEnv, name: string, choices: readonly T[], fallback: T): T {
  const value = env[name];
  if (value === undefined || value === "") return fallback;
  if (!choices.includes(value as T)) throw new ConfigError(`${name} must be ${choices.map((c) => `"${c}"`).join(" or ")}, not "${value}"`);
  return value as T;
}

function address(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === "") return undefined;
  if (!/^0x[0-9a-fA-F]{40}$/.test(value)) throw new ConfigError(`${name} must be a 0x-prefixed 20-byte hex address, not "${value}"`);
  if (/^0x0{40}$/.test(value)) throw new ConfigError(`${name} must not be the zero address: nobody holds its key`);
  return value.toLowerCase();
}

function privateKey(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === "") return undefined;
  // The key itself is never repeated in a message.
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new ConfigError(`${name} must be a 0x-prefixed 32-byte hex private key`);
  return value;
}

function url(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const value = env[name];
  if (value === undefined || value === "") return undefined;
  try {
    const parsed = new URL(value);
    if (parsed.protocol !== "http:" && parsed.protocol !== "https:") throw new Error();
  } catch {
    throw new ConfigError(`${name} must be an http(s) URL, not "${value}"`);
  }
  return value;
}

const OFF = ["0", "false", "no", "off"];

/** An on/off setting: 0, false, no and off turn it off. */
const flag = (value: string | undefined, fallback: boolean) => (value === undefined || value === "" ? fallback : !OFF.includes(value.trim().toLowerCase()));

/** TRUST_PROXY as Express takes it: false, a hop count, or the list of trusted addresses. */
function trustProxy(value: string | undefined): string | number | false {
  if (value === undefined || value.trim() === "" || OFF.includes(value.trim().toLowerCase())) return false;
  if (/^\d+$/.test(value.trim())) return Number(value.trim());
  const entries = value
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const known = /^(loopback|linklocal|uniquelocal)$/;
  for (const entry of entries) {
    const [ip, bits] = entry.split("/");
    const isIp = /^[0-9.]+$/.test(ip) || ip.includes(":");
    if (!known.test(entry) && !(isIp && (bits === undefined || /^\d{1,3}$/.test(bits)))) {
      throw new ConfigError(`TRUST_PROXY must be loopback, linklocal, uniquelocal, addresses or CIDRs, or a hop count, not "${value}"`);
    }
  }
  return entries.join(",");
}

const LOG_LEVELS = ["trace", "debug", "info", "warn", "error", "fatal", "silent"];

/** Reads the configuration from `env` (process.env by default); throws ConfigError on a bad value. */
export function readConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const logLevel = env.LOG_LEVEL || "info";
  if (!LOG_LEVELS.includes(logLevel)) throw new ConfigError(`LOG_LEVEL must be one of ${LOG_LEVELS.join(", ")}, not "${logLevel}"`);
  return {
    rpcUrl: url(env, "RPC_URL"),
    chainHost: env.CHAIN_HOST || "127.0.0.1",
    chainPort: integer(env, "CHAIN_PORT", 8545, 0, 65_535),
    chainId: env.CHAIN_ID ? integer(env, "CHAIN_ID", 0, 1, Number.MAX_SAFE_INTEGER) : undefined,
    ledgerAddress: address(env, "LEDGER_ADDRESS"),
    deployerKey: privateKey(env, "DEPLOYER_KEY"),
    ledgerAdmin: address(env, "LEDGER_ADMIN"),
    ledgerAdminDelay: integer(env, "LEDGER_ADMIN_DELAY", 3 * 86_400, 0, 2 ** 48 - 1),
    startBlock: env.START_BLOCK ? integer(env, "START_BLOCK", 0, 0, Number.MAX_SAFE_INTEGER) : undefined,
    dataDir: path.resolve(env.DATA_DIR || "data"),
    apiHost: env.API_HOST || "127.0.0.1",
    apiPort: integer(env, "API_PORT", 8080, 0, 65_535),
    confirmations: integer(env, "CONFIRMATIONS", 0, 0, 10_000),
    // On the embedded chain one node makes every block and nothing can reorganise it: a fact is final once mined.
    finalityDepth: integer(env, "FINALITY_DEPTH", env.RPC_URL ? 64 : 1, 1, 100_000),
    reorgWindow: integer(env, "REORG_WINDOW", 64, 1, 100_000),
    pollMs: integer(env, "POLL_MS", 250, 10, 600_000),
    logRangeMax: integer(env, "GETLOGS_MAX_RANGE", 50_000, 1, 10_000_000),
    bloomCheck: flag(env.BLOOM_CHECK, true),
    corsOrigins: (env.CORS_ORIGINS ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter(Boolean),
    verifyMaxBytes: integer(env, "VERIFY_MAX_BYTES", 1024 ** 3, 1, Number.MAX_SAFE_INTEGER),
    rateLimit: integer(env, "RATE_LIMIT", 0, 0, 10_000_000),
    rateWindowS: integer(env, "RATE_WINDOW_S", 60, 1, 86_400),
    apiMaxConnections: integer(env, "API_MAX_CONNECTIONS", 256, 1, 1_000_000),
    apiCacheMb: integer(env, "API_CACHE_MB", DEFAULT_API_CACHE_MB, 0, 1_000_000),
    // LevelDB's binding reads the cache's size as 32 bits: 4096 MiB would wrap to none.
    indexCacheMb: integer(env, "INDEX_CACHE_MB", DEFAULT_INDEX_CACHE_MB, 1, 4095),
    indexCompression: oneOf(env, "INDEX_COMPRESSION", INDEX_COMPRESSIONS, DEFAULT_INDEX_COMPRESSION),
    eventsMaxStreams: integer(env, "EVENTS_MAX_STREAMS", 128, 1, 100_000),
    eventsMaxPerClient: integer(env, "EVENTS_MAX_PER_CLIENT", 8, 1, 100_000),
    trustProxy: trustProxy(env.TRUST_PROXY),
    logLevel,
    demo: flag(env.DEMO, true),
    gateway: readGatewayConfig(env),
  };
}

function readGatewayConfig(env: NodeJS.ProcessEnv): GatewayConfig {
  const key = privateKey(env, "GATEWAY_KEY");
  return {
    // On a network the gateway needs a key of the holder's; on the embedded chain it has one.
    enabled: flag(env.GATEWAY, key !== undefined || !env.RPC_URL),
    port: integer(env, "GATEWAY_PORT", 8090, 0, 65_535),
    host: env.API_HOST || "127.0.0.1",
    key,
    holder: address(env, "GATEWAY_HOLDER"),
    dir: path.resolve(env.GATEWAY_DIR || path.join(env.DATA_DIR || "data", "served")),
    epochSeconds: integer(env, "EPOCH_SECONDS", 60, 1, 86_400),
    epochReceipts: integer(env, "EPOCH_RECEIPTS", 10_000, 1, 1_000_000),
    maxBacklog: integer(env, "GATEWAY_MAX_BACKLOG", 10, 1, 100_000),
    signInsPerMinute: integer(env, "GATEWAY_SIGN_INS", 60, 1, 1_000_000),
    maxConnections: integer(env, "API_MAX_CONNECTIONS", 256, 1, 1_000_000),
  };
}
