/**
 * Fails unless `hardhat test --coverage` covered every line of every contract (coverage/lcov.info).
 */
import { readFile } from "node:fs/promises";

const REQUIRED_PERCENT = 100;

const lcov = await readFile("coverage/lcov.info", "utf8").catch(() => {
  console.error("check-coverage: coverage/lcov.info is missing; run `hardhat test --coverage` first");
  process.exit(2);
});

let found = 0;
let hit = 0;
const short: string[] = [];
for (const record of lcov.split("end_of_record")) {
  const file = /^SF:(.+)$/m.exec(record)?.[1];
  if (!file?.startsWith("contracts/")) continue;
  const lf = Number(/^LF:(\d+)$/m.exec(record)?.[1] ?? 0);
  const lh = Number(/^LH:(\d+)$/m.exec(record)?.[1] ?? 0);
  found += lf;
  hit += lh;
  if (lh < lf) {
    const missed = [...record.matchAll(/^DA:(\d+),0$/gm)].map((m) => m[1]);
    short.push(`${file}: ${lh}/${lf} lines (not run: ${missed.join(", ")})`);
  }
}
const percent = found === 0 ? 0 : (100 * hit) / found;
console.log(`Solidity line coverage: ${hit}/${found} lines of contracts/ (${percent.toFixed(2)}%)`);
if (percent < REQUIRED_PERCENT) {
  for (const line of short) console.error(`  ${line}`);
  console.error(`check-coverage: below the required ${REQUIRED_PERCENT}%`);
  process.exit(1);
}
