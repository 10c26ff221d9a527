import { createRequire } from "node:module";

import hardhatToolboxViemPlugin from "@nomicfoundation/hardhat-toolbox-viem";
import type { HardhatUserConfig } from "hardhat/config";

// Hardhat would download solc, which fails offline: load the solcjs (WASM) build shipped in the npm
// `solc` package through the compiler `path` field instead (see docs/toolchain.md).
const require = createRequire(import.meta.url);
const SOLC_PATH = require.resolve("solc/soljson.js");
const SOLC_VERSION: string = (require("solc/package.json") as { version: string }).version;

// solc 0.8.30 knows EVM versions up to prague; the chain itself runs osaka (EIP-2537 and EIP-4844
// precompiles are available from prague and cancun respectively).
const compiler = {
  version: SOLC_VERSION,
  path: SOLC_PATH,
  settings: {
    evmVersion: "prague",
    optimizer: { enabled: true, runs: 200 },
    viaIR: false,
  },
};

// `localhost` is only a default that callers override with the node's URL; an invalid VCLOUD_DEVNET_PORT is the
// devnet command's to refuse (naming --port), so it must not make the whole config invalid. The config module is
// imported once per process: a value set while it loads would otherwise break every later Hardhat runtime there.
const envPort = Number(process.env.VCLOUD_DEVNET_PORT);
const DEVNET_PORT = Number.isInteger(envPort) && envPort > 0 && envPort < 65_536 ? envPort : 8545;
const DEVNET_HD_ACCOUNTS = { mnemonic: "test test test test test test test test test test test junk", count: 24 };
const deep = process.env.VCLOUD_TEST_PROFILE === "deep";

const config: HardhatUserConfig = {
  plugins: [hardhatToolboxViemPlugin],
  solidity: {
    profiles: {
      default: compiler,
      production: compiler,
    },
  },
  paths: {
    tests: { solidity: "test/sol" },
  },
  test: {
    solidity: {
      fuzz: { runs: deep ? 10_000 : 256, seed: "0x7663" },
      invariant: { runs: deep ? 200 : 32, depth: deep ? 100 : 25, failOnRevert: false },
    },
  },
  networks: {
    // `hardhat node` (the devnet) and in-process test chains: 24 funded accounts, one per story role
    // (keepers/devnet/accounts.ts).
    node: { type: "edr-simulated", accounts: DEVNET_HD_ACCOUNTS },
    default: { type: "edr-simulated", accounts: DEVNET_HD_ACCOUNTS },
    localhost: { type: "http", chainType: "l1", url: `http://127.0.0.1:${DEVNET_PORT}` },
  },
};

export default config;
