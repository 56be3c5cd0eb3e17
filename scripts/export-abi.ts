/**
 * Writes the ABIs of the ledger and of the oversight contract it creates from the compiled artifacts
 * to core/ledger-abi.json and core/oversight-abi.json, which the CLI loads without compiling
 * anything. A test fails when a committed file and its contract disagree.
 */
import { readFile, writeFile } from "node:fs/promises";

const CONTRACTS = [
  { artifact: "artifacts/contracts/ProvenanceLedger.sol/ProvenanceLedger.json", out: "core/ledger-abi.json" },
  { artifact: "artifacts/contracts/oversight/Oversight.sol/Oversight.json", out: "core/oversight-abi.json" },
];

for (const { artifact, out } of CONTRACTS) {
  const { abi } = JSON.parse(await readFile(artifact, "utf8"));
  await writeFile(out, JSON.stringify(abi, null, 2) + "\n");
  console.log(`${out}: ${abi.length} entries`);
}
