/**
 * Writes the ledger's ABI from the compiled artifact to core/ledger-abi.json, which the CLI
 * loads without compiling anything. A test fails when the committed file and the contract disagree.
 */
import { readFile, writeFile } from "node:fs/promises";

const artifact = JSON.parse(await readFile("artifacts/contracts/ProvenanceLedger.sol/ProvenanceLedger.json", "utf8"));
await writeFile("core/ledger-abi.json", JSON.stringify(artifact.abi, null, 2) + "\n");
console.log(`core/ledger-abi.json: ${artifact.abi.length} entries`);
