import { createRequire } from "node:module";

import hardhatEthers from "@nomicfoundation/hardhat-ethers";
import hardhatEthersChaiMatchers from "@nomicfoundation/hardhat-ethers-chai-matchers";
import hardhatIgnitionEthers from "@nomicfoundation/hardhat-ignition-ethers";
import hardhatMocha from "@nomicfoundation/hardhat-mocha";
import hardhatNetworkHelpers from "@nomicfoundation/hardhat-network-helpers";
import hardhatTypechain from "@nomicfoundation/hardhat-typechain";
import { defineConfig } from "hardhat/config";

const require = createRequire(import.meta.url);

/**
 * The compiler is solc-js from the npm package pinned in package.json, so that compiling needs no
 * network (Hardhat would otherwise download solc). The version below must equal that package's.
 */
const SOLC_VERSION = "0.8.34";
const solcjs = require.resolve("solc/soljson.js");

export default defineConfig({
  plugins: [hardhatEthers, hardhatEthersChaiMatchers, hardhatIgnitionEthers, hardhatMocha, hardhatNetworkHelpers, hardhatTypechain],
  solidity: {
    version: SOLC_VERSION,
    path: solcjs,
    // viaIR: the legacy code generator cannot compile the ledger (stack too deep in the grant
    // path's 11-field event). Runs: 200, since fees came in: at 10,000 the ledger no longer fits
    // EIP-170's 24,576 bytes (the rules' oversight already moved to a contract of its own); 200
    // costs a few dozen gas an operation more (bench/README.md).
    settings: {
      optimizer: { enabled: true, runs: 200 },
      viaIR: true,
    },
  },
  paths: {
    tests: { mocha: "test" },
  },
  test: {
    mocha: { timeout: 120_000 },
  },
  networks: {
    localhost: {
      type: "http",
      chainType: "l1",
      url: process.env.RPC_URL ?? "http://127.0.0.1:8545",
    },
  },
});
