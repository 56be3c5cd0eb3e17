/**
 * Everything a command needs, resolved once from flags, the environment and the deployment that
 * `npm start` recorded: where the node, the ledger and the API are, and who signs.
 *
 * Settings: --rpc-url / RPC_URL, --ledger / LEDGER_ADDRESS, --api-url / API_URL (default
 * http://127.0.0.1:8080), --data-dir / DATA_DIR (for data/deployment.json). Keys: DPL_PRIVATE_KEY,
 * or --keystore / DPL_KEYSTORE (an encrypted JSON keystore; password from DPL_KEYSTORE_PASSWORD or a
 * prompt), or on a local development chain (chain id 31337) the development account --account <n>.
 */
import { readFile } from "node:fs/promises";
import path from "node:path";
import { createInterface } from "node:readline/promises";

import { JsonRpcProvider, type Signer, Wallet } from "ethers";

import { readDeployment } from "../../core/deployment-record.js";
import { devAccount } from "../../core/ids.js";
import { redactIn, redactUrl } from "../../core/redact.js";
import { ApiClient, ApiError, LedgerClient } from "../../sdk/index.js";
import type { ProvenanceLedger } from "../../types/ethers-contracts/index.js";
import { CliError, EXIT } from "./errors.js";
import { t, tr } from "./language.js";

export { LEDGER_INTERFACE } from "../../sdk/index.js";

const DEV_CHAIN_ID = 31337n;

export interface GlobalOptions {
  rpcUrl?: string;
  ledger?: string;
  apiUrl?: string;
  gatewayUrl?: string;
  dataDir?: string;
  account?: string;
  keystore?: string;
  json?: boolean;
}

export interface Context {
  options: GlobalOptions;
  rpcUrl: string;
  apiUrl: string;
  /** The data gateway: --gateway-url, GATEWAY_URL, or where the recorded dpl's gateway listens. */
  gatewayUrl: string;
  ledgerAddress: string;
  /** Where the ledger address came from, to say so: "--ledger", "LEDGER_ADDRESS" or the deployment record's path. */
  ledgerSource: string;
  provider: JsonRpcProvider;
  chainId(): Promise<bigint>;
  ledger(signer?: Signer): ProvenanceLedger;
  signer(): Promise<Signer>;
  /** GET from the API; undefined on 404. */
  api<T>(pathAndQuery: string): Promise<T | undefined>;
  /** Prints a human line unless --json. */
  say(line: string): void;
  /** Prints `value` as JSON when --json. */
  json(value: unknown): boolean;
}

const isAddress = (s: string) => /^0x[0-9a-fA-F]{40}$/.test(s);

export async function createContext(options: GlobalOptions, env: NodeJS.ProcessEnv = process.env): Promise<Context> {
  const dataDir = path.resolve(options.dataDir ?? env.DATA_DIR ?? "data");
  const recorded = await readDeployment(dataDir);
  const rpcUrl = options.rpcUrl || env.RPC_URL || recorded?.rpcUrl || "http://127.0.0.1:8545";
  // An empty setting is no setting: LEDGER_ADDRESS= falls through to the deployment record.
  const ledgerAddress = options.ledger || env.LEDGER_ADDRESS || recorded?.ledger;
  const ledgerSource = options.ledger ? "--ledger" : env.LEDGER_ADDRESS ? "LEDGER_ADDRESS" : t("cli.ctx.deploymentRecord", { path: path.join(dataDir, "deployment.json") });
  // The API where the recorded dpl listens, whatever its API_PORT, unless told otherwise.
  const apiUrl = (options.apiUrl || env.API_URL || recorded?.apiUrl || "http://127.0.0.1:8080").replace(/\/$/, "");
  const apiClient = new ApiClient(apiUrl, { language: tr().tag });
  const gatewayUrl = (options.gatewayUrl || env.GATEWAY_URL || recorded?.gatewayUrl || "http://127.0.0.1:8090").replace(/\/$/, "");
  // No cache: dpl pay sends an approval and then the payment, and a cached nonce would repeat.
  const provider = new JsonRpcProvider(rpcUrl, undefined, { batchMaxCount: 1, cacheTimeout: -1 });
  let chainId: bigint | undefined;

  const ctx: Context = {
    options,
    rpcUrl,
    apiUrl,
    gatewayUrl,
    get ledgerAddress() {
      if (!ledgerAddress) throw new CliError(t("cli.ctx.noLedger", { path: path.join(dataDir, "deployment.json") }));
      if (!isAddress(ledgerAddress)) throw new CliError(t("cli.ctx.badLedger", { address: ledgerAddress }));
      return ledgerAddress;
    },
    ledgerSource,
    provider,
    async chainId() {
      if (chainId === undefined) {
        try {
          chainId = BigInt(await provider.send("eth_chainId", []));
        } catch (error) {
          throw new CliError(t("cli.ctx.nodeUnreachable", { url: redactUrl(rpcUrl), reason: redactIn((error as Error).message.split("\n")[0], rpcUrl) }), EXIT.network);
        }
      }
      return chainId;
    },
    ledger(signer) {
      return new LedgerClient(ctx.ledgerAddress, signer ?? provider).contract;
    },
    async signer() {
      const key = env.DPL_PRIVATE_KEY;
      if (key) {
        try {
          return new Wallet(key, provider);
        } catch {
          throw new CliError(t("cli.ctx.badPrivateKey"));
        }
      }
      const keystore = options.keystore ?? env.DPL_KEYSTORE;
      if (keystore) {
        const json = await readFile(keystore, "utf8").catch(() => {
          throw new CliError(t("cli.ctx.keystoreUnreadable", { file: keystore }));
        });
        const password = env.DPL_KEYSTORE_PASSWORD ?? (await prompt(t("cli.ctx.password", { file: path.basename(keystore) })));
        try {
          return (await Wallet.fromEncryptedJson(json, password)).connect(provider);
        } catch {
          throw new CliError(t("cli.ctx.keystoreLocked", { file: keystore }));
        }
      }
      if ((await ctx.chainId()) !== DEV_CHAIN_ID) {
        throw new CliError(t("cli.ctx.noKey"));
      }
      const index = Number(options.account ?? 0);
      if (!Number.isInteger(index) || index < 0 || index > 19) throw new CliError(t("cli.ctx.badAccount", { value: String(options.account) }));
      if (!options.json) console.error(t("cli.ctx.devAccountWarning", { index }));
      return devAccount(index).connect(provider);
    },
    async api<T>(pathAndQuery: string): Promise<T | undefined> {
      try {
        return await apiClient.get<T>(pathAndQuery);
      } catch (error) {
        if (error instanceof ApiError && error.status === 404) return undefined;
        if (error instanceof ApiError) throw new CliError(t("cli.ctx.apiAnswered", { status: error.status, message: error.message }), error.status >= 500 ? EXIT.network : EXIT.usage);
        throw new CliError(t("cli.ctx.apiUnreachable", { url: apiUrl }), EXIT.network);
      }
    },
    say(line) {
      if (!options.json) console.log(line);
    },
    json(value) {
      if (options.json) console.log(JSON.stringify(value, (_k, v) => (typeof v === "bigint" ? v.toString() : v), 2));
      return Boolean(options.json);
    },
  };
  return ctx;
}

async function prompt(question: string): Promise<string> {
  if (!process.stdin.isTTY) throw new CliError(t("cli.ctx.noTerminal"));
  const rl = createInterface({ input: process.stdin, output: process.stderr, terminal: true });
  const muted = rl as unknown as { _writeToOutput: (s: string) => void };
  muted._writeToOutput = () => {};
  process.stderr.write(question);
  const answer = await rl.question("");
  rl.close();
  process.stderr.write("\n");
  return answer;
}

/** A 0x-prefixed 32-byte hex id, lower-cased, or a usage error naming `what`. */
export function parseId(value: string, what: string): string {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value)) throw new CliError(t("cli.ctx.badId", { what, value }));
  return value.toLowerCase();
}

export function parseAddress(value: string, what: string): string {
  if (!isAddress(value)) throw new CliError(t("cli.ctx.badAddress", { what, value }));
  return value;
}
