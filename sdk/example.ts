/**
 * The client library at work, as README's "Client library" shows it: a holder anchors a CSV and
 * grants its use for a purpose, the grantee records a use and is refused one over the quota, a
 * record is proved against the anchored root on chain, and the API tells it all back.
 *
 *   RPC_URL=… LEDGER_ADDRESS=… API_URL=… HOLDER_KEY=0x… GRANTEE_KEY=0x… npx tsx sdk/example.ts data.csv
 */
import { Wallet } from "ethers";

import { ApiClient, ApiError, buildRecordTree, fingerprint, jsonRpcProvider, LedgerClient, LedgerRefusedError } from "./index.js";

export interface ExampleSettings {
  rpcUrl: string;
  ledger: string;
  apiUrl: string;
  holderKey: string;
  granteeKey: string;
}

export async function example(settings: ExampleSettings, file: string) {
  const provider = jsonRpcProvider(settings.rpcUrl);
  const holder = new LedgerClient(settings.ledger, new Wallet(settings.holderKey, provider));
  const granteeWallet = new Wallet(settings.granteeKey, provider);
  const grantee = new LedgerClient(settings.ledger, granteeWallet);

  // The holder anchors the file: its SHA-256, and the Merkle root of its records (a CSV's rows).
  const fp = await fingerprint(file, undefined);
  const tree = await buildRecordTree(fp.recordHashes);
  const { datasetId } = await holder.anchor({ contentHash: fp.sha256, merkleRoot: tree.root, recordCount: fp.recordHashes.length });

  // It grants the use right for a purpose, metered: 100 units.
  const { grantId } = await holder.grant({ datasetId, grantee: granteeWallet.address, rights: ["use"], purpose: "weekly traffic report", quota: 100n });

  // The grantee records a use of 40 units; 70 more would pass the quota, and the ledger says so.
  await grantee.use({ grantId, action: "use", units: 40n });
  let refusal: LedgerRefusedError | undefined;
  try {
    await grantee.use({ grantId, action: "use", units: 70n });
  } catch (error) {
    if (!(error instanceof LedgerRefusedError)) throw error;
    refusal = error;
  }

  // Anyone can prove a record is in the anchored dataset: the ledger checks it against its root.
  const recordProved = await holder.contract.verifyRecord(datasetId, 0, fp.recordHashes[0], tree.proof(0));

  // The API, once it has indexed the block, tells the same story.
  const api = new ApiClient(settings.apiUrl);
  const mined = await provider.getBlockNumber();
  const indexed = () =>
    api.status().then(
      (s) => s.indexed.number,
      (e) => (e instanceof ApiError && e.code === "index_not_ready" ? -1 : Promise.reject(e)),
    );
  while ((await indexed()) < mined) await new Promise((resolve) => setTimeout(resolve, 200));
  const grant = await api.grant(grantId);
  const uses = await api.usageOfGrant(grantId);
  provider.destroy();
  return {
    datasetId,
    grantId,
    records: fp.recordHashes.length,
    used: grant.used,
    status: grant.status,
    uses: uses.items.length,
    refusal: refusal?.errorName,
    refusalSentence: refusal?.message,
    recordProved,
  };
}

if (process.argv[1]?.endsWith("example.ts")) {
  const env = process.env;
  const settings = { rpcUrl: env.RPC_URL, ledger: env.LEDGER_ADDRESS, apiUrl: env.API_URL, holderKey: env.HOLDER_KEY, granteeKey: env.GRANTEE_KEY };
  const missing = Object.entries(settings).filter(([, v]) => !v);
  if (missing.length > 0 || !process.argv[2]) {
    console.error("usage: RPC_URL=… LEDGER_ADDRESS=… API_URL=… HOLDER_KEY=0x… GRANTEE_KEY=0x… npx tsx sdk/example.ts <file.csv>");
    process.exit(2);
  }
  console.log(JSON.stringify(await example(settings as ExampleSettings, process.argv[2]), null, 2));
}
