/**
 * ERC-8004 on vcloud, through the real `vcloud agent` CLI against a local hardhat node: register an agent,
 * attach its wallet with a signed proof, request validation of one of its inference results, and receive
 * the bridge's answer once the claim's challenge window has passed.
 *
 * The verification source here is contracts/test/TestVerificationSource.sol, a small optimistic claim
 * contract that lets this test drive every outcome of the CLI flow. The real sources answer through the same
 * bridge in their own tests: InferenceClaims (test/ts/inference/replay-keeper.test.ts: a surviving claim
 * reads 100, a refuted one 0) and TaskMailbox (test/sol/tee/TaskMailboxFraud.t.sol); the agent page's
 * slashing history is read from a real AllocationManager in test/ts/slashing.test.ts.
 */
import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import {
  createPublicClient,
  createWalletClient,
  getAddress,
  http,
  keccak256,
  stringToHex,
  type Abi,
  type Address,
  type Chain,
  type Hex,
} from "viem";
import { privateKeyToAccount } from "viem/accounts";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { vcloudRequestHash } from "../../keepers/agents/validation.js";
import { devnetAccounts } from "../../keepers/devnet/accounts.js";
import { startHardhatNode, type DevnetNode } from "../../keepers/devnet/node.js";
import { testVerificationSourceAbi, vcloudValidatorAbi } from "../../keepers/lib/abis.js";
import { chainFor } from "../../keepers/lib/chain.js";
import { createLogger } from "../../keepers/lib/logger.js";
import { PROJECT_ROOT } from "../../keepers/lib/paths.js";
import { freePort, vcloud } from "./helpers/cli.js";

const [governance, owner, walletHolder, rater, arbiter, keeper] = devnetAccounts(6);
const WINDOW = 3600n;
const INFERENCE_AVS: Address = getAddress("0x00000000000000000000000000000000000a1a1a");

function artifact(path: string, name: string): { abi: Abi; bytecode: Hex } {
  const json = JSON.parse(readFileSync(join(PROJECT_ROOT, "artifacts", "contracts", path, `${name}.json`), "utf8")) as {
    abi: Abi;
    bytecode: Hex;
  };
  return { abi: json.abi, bytecode: json.bytecode };
}

let node: DevnetNode;
let rpcUrl: string;
let dir: string;
let chain: Chain;
const contracts: Record<string, Address> = {};

async function deploy(from: Hex, path: string, name: string, args: unknown[]): Promise<Address> {
  const { abi, bytecode } = artifact(path, name);
  const wallet = createWalletClient({ account: privateKeyToAccount(from), chain, transport: http(rpcUrl) });
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const hash = await wallet.deployContract({ abi, bytecode, args });
  const receipt = await client.waitForTransactionReceipt({ hash });
  return getAddress(receipt.contractAddress!);
}

function cli(args: string[], key?: Hex) {
  const result = vcloud(["--json", "agent", ...args, ...(key ? ["--private-key", key] : [])], {
    VCLOUD_RPC_URL: rpcUrl,
    VCLOUD_DEPLOYMENTS_DIR: dir,
  });
  return { ...result, json: () => JSON.parse(result.stdout) as Record<string, unknown> };
}

function ok(args: string[], key?: Hex) {
  const result = cli(args, key);
  if (result.code !== 0) throw new Error(`vcloud agent ${args.join(" ")} failed: ${result.stderr}`);
  return result.json();
}

async function postClaim(subject: Hex, fromKey: Hex) {
  const wallet = createWalletClient({ account: privateKeyToAccount(fromKey), chain, transport: http(rpcUrl) });
  const client = createPublicClient({ chain, transport: http(rpcUrl) });
  const hash = await wallet.writeContract({
    address: contracts.TestVerificationSource!,
    abi: testVerificationSourceAbi,
    functionName: "post",
    args: [subject, keccak256(stringToHex(`receipt of ${subject}`)), { avs: INFERENCE_AVS, id: 1 }],
  });
  await client.waitForTransactionReceipt({ hash });
}

describe("vcloud agent (ERC-8004) flow", () => {
  beforeAll(async () => {
    const port = await freePort();
    node = await startHardhatNode({ host: "127.0.0.1", port, logger: createLogger({ level: "warn" }) });
    rpcUrl = node.url;
    chain = chainFor(31337, rpcUrl);
    contracts.IdentityRegistry = await deploy(
      governance!.privateKey,
      "agents/IdentityRegistry.sol",
      "IdentityRegistry",
      [],
    );
    contracts.ReputationRegistry = await deploy(
      governance!.privateKey,
      "agents/ReputationRegistry.sol",
      "ReputationRegistry",
      [contracts.IdentityRegistry],
    );
    contracts.ValidationRegistry = await deploy(
      governance!.privateKey,
      "agents/ValidationRegistry.sol",
      "ValidationRegistry",
      [contracts.IdentityRegistry],
    );
    contracts.VcloudValidator = await deploy(governance!.privateKey, "agents/VcloudValidator.sol", "VcloudValidator", [
      contracts.ValidationRegistry,
      governance!.address,
    ]);
    contracts.TestVerificationSource = await deploy(
      governance!.privateKey,
      "test/TestVerificationSource.sol",
      "TestVerificationSource",
      [arbiter!.address, WINDOW],
    );
    dir = mkdtempSync(join(tmpdir(), "vcloud-agent-"));
    writeFileSync(
      join(dir, "31337.json"),
      JSON.stringify({ chainId: 31337, rpcUrl, deployedAt: new Date().toISOString(), contracts }),
    );
  }, 300_000);

  afterAll(async () => {
    await node?.stop();
  });

  it("registers an agent, attaches its wallet, and gets an inference result validated by the bridge", async () => {
    // Governance accepts the (test) inference source.
    const sources = ok(
      ["source", "add", "--source", contracts.TestVerificationSource!, "--kind", "inference"],
      governance!.privateKey,
    );
    expect(sources.sources).toEqual([{ source: contracts.TestVerificationSource, kind: "inference" }]);

    // Register with a generated registration file stored on-chain.
    const registered = ok(
      [
        "register",
        "--name",
        "summariser",
        "--description",
        "Summarises documents",
        "--service",
        "A2A@0.3.0=https://summariser.example/.well-known/agent-card.json",
        "--trust",
        "reputation,crypto-economic",
        "--metadata",
        "model=tiny-llama",
      ],
      owner!.privateKey,
    );
    expect(registered.agentId).toBe("0");
    expect(registered.owner).toBe(owner!.address);
    expect(registered.agentWallet).toBe(owner!.address);
    expect(registered.transactions).toHaveLength(2);
    expect(registered.registrationListsAgent).toBe(true);
    expect(registered.registration).toMatchObject({
      type: "https://eips.ethereum.org/EIPS/eip-8004#registration-v1",
      name: "summariser",
      services: [{ name: "A2A", endpoint: "https://summariser.example/.well-known/agent-card.json", version: "0.3.0" }],
      registrations: [{ agentId: 0, agentRegistry: `eip155:31337:${contracts.IdentityRegistry}` }],
    });
    expect(registered.metadata).toEqual({ model: stringToHex("tiny-llama") });

    // The new wallet signs its proof; the owner submits it.
    const proof = ok(["wallet", "sign", "--agent-id", "0", "--wallet-key", walletHolder!.privateKey]);
    expect(proof.owner).toBe(owner!.address);
    const walletSet = ok(
      [
        "wallet",
        "set",
        "--agent-id",
        "0",
        "--wallet",
        String(proof.newWallet),
        "--signature",
        String(proof.signature),
        "--deadline",
        String(proof.deadline),
      ],
      owner!.privateKey,
    );
    expect(walletSet.agentWallet).toBe(walletHolder!.address);
    expect(walletSet.transaction).toMatch(/^0x[0-9a-f]{64}$/);

    // The agent's wallet posts an inference claim at the source; the owner asks the bridge to validate it.
    const subject = keccak256(stringToHex("inference-claim-1"));
    await postClaim(subject, walletHolder!.privateKey);
    const requested = ok(
      ["validate", "request", "--agent-id", "0", "--source", contracts.TestVerificationSource!, "--subject", subject],
      owner!.privateKey,
    );
    const expectedHash = vcloudRequestHash({
      chainId: 31337,
      validator: contracts.VcloudValidator!,
      agentId: 0n,
      source: contracts.TestVerificationSource!,
      subject,
    });
    expect(requested.requestHash).toBe(expectedHash);
    const onChainHash = await createPublicClient({ chain, transport: http(rpcUrl) }).readContract({
      address: contracts.VcloudValidator!,
      abi: vcloudValidatorAbi,
      functionName: "requestHashFor",
      args: [0n, contracts.TestVerificationSource!, subject, `0x${"0".repeat(64)}`],
    });
    expect(onChainHash).toBe(expectedHash);
    expect(requested.answered).toBe(false);
    expect((requested.outcome as { status: string }).status).toBe("pending");

    // Inside the challenge window the bridge refuses to answer, and says why.
    const early = cli(
      [
        "validate",
        "respond",
        "--request-hash",
        expectedHash,
        "--source",
        contracts.TestVerificationSource!,
        "--subject",
        subject,
      ],
      keeper!.privateKey,
    );
    expect(early.code).toBe(1);
    expect(early.stderr).toContain("respond would revert: OutcomeNotFinal");

    // After the window the claim stands: anyone triggers the answer, 100, backed by the inference set.
    const client = createPublicClient({ chain, transport: http(rpcUrl) });
    await client.request({ method: "evm_increaseTime" as never, params: [Number(WINDOW)] as never });
    await client.request({ method: "evm_mine" as never });
    const answered = ok(
      [
        "validate",
        "respond",
        "--request-hash",
        expectedHash,
        "--source",
        contracts.TestVerificationSource!,
        "--subject",
        subject,
      ],
      keeper!.privateKey,
    );
    expect(answered).toMatchObject({
      requestHash: expectedHash,
      validator: contracts.VcloudValidator,
      agentId: "0",
      answered: true,
      response: 100,
      tag: "inference",
      backing: {
        source: contracts.TestVerificationSource,
        kind: "inference",
        subject,
        operatorSet: { avs: INFERENCE_AVS, id: 1 },
      },
    });

    // A second claim proven wrong inside its window is answered 0.
    const bad = keccak256(stringToHex("inference-claim-2"));
    await postClaim(bad, walletHolder!.privateKey);
    const arbiterWallet = createWalletClient({
      account: privateKeyToAccount(arbiter!.privateKey),
      chain,
      transport: http(rpcUrl),
    });
    await client.waitForTransactionReceipt({
      hash: await arbiterWallet.writeContract({
        address: contracts.TestVerificationSource!,
        abi: testVerificationSourceAbi,
        functionName: "refute",
        args: [bad],
      }),
    });
    const badRequest = ok(
      ["validate", "request", "--agent-id", "0", "--source", contracts.TestVerificationSource!, "--subject", bad],
      owner!.privateKey,
    );
    const refuted = ok(
      [
        "validate",
        "respond",
        "--request-hash",
        String(badRequest.requestHash),
        "--source",
        contracts.TestVerificationSource!,
        "--subject",
        bad,
      ],
      keeper!.privateKey,
    );
    expect(refuted.response).toBe(0);

    // A client rates the agent; the owner may not.
    const rated = ok(
      ["feedback", "give", "--agent-id", "0", "--value", "99.77", "--tag1", "uptime"],
      rater!.privateKey,
    );
    expect(rated).toMatchObject({ feedbackIndex: "1", rawValue: "9977", valueDecimals: 2 });
    const self = cli(["feedback", "give", "--agent-id", "0", "--value", "100"], owner!.privateKey);
    expect(self.code).toBe(1);
    expect(self.stderr).toContain(`giveFeedback would revert: SelfFeedbackNotAllowed(0, ${owner!.address})`);

    // The agent's page: identity, reputation, validations and the operator sets behind them.
    const page = ok(["show", "--agent-id", "0", "--clients", rater!.address]);
    expect(page).toMatchObject({
      agentId: "0",
      owner: owner!.address,
      agentWallet: walletHolder!.address,
      reputation: { count: "1", value: "99.77", filteredByClients: true },
      validation: { summary: { count: "2", averageResponse: 50 } },
    });
    const requests = (page.validation as { requests: { response: number; backing: { operatorSet: unknown } }[] })
      .requests;
    expect(requests.map((r) => r.response)).toEqual([100, 0]);
    expect(requests[0]!.backing.operatorSet).toEqual({ avs: INFERENCE_AVS, id: 1 });
    // Both answers are backed by the inference operator set; without an AllocationManager in this
    // deployment there is no slashing history to read (null, not an empty list).
    expect((page.validation as { operatorSets: unknown }).operatorSets).toEqual([
      { avs: INFERENCE_AVS, id: 1, validations: 2, slashingHistory: null },
    ]);

    // Revoking takes the entry out of the summary.
    ok(["feedback", "revoke", "--agent-id", "0", "--index", "1"], rater!.privateKey);
    const listed = ok(["feedback", "list", "--agent-id", "0", "--include-revoked"]);
    expect(listed.feedback).toMatchObject([{ client: rater!.address, value: "99.77", revoked: true }]);
  }, 900_000);

  it("validates input before sending anything and names the bad flag", () => {
    const badValue = cli(
      ["feedback", "give", "--agent-id", "0", "--value", "0.0000000000000000001"],
      rater!.privateKey,
    );
    expect(badValue.code).toBe(2);
    expect(badValue.stderr.trim()).toBe("error: invalid --value: at most 18 decimal places (got 19)");

    const badId = cli(["show", "--agent-id", "abc"]);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain("invalid --agent-id");

    const both = cli(["register", "--uri", "ipfs://x", "--name", "y"], owner!.privateKey);
    expect(both.code).toBe(2);
    expect(both.stderr).toContain("invalid --uri: give only one of");

    const noKey = cli(["register", "--uri", "ipfs://x"]);
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toContain("invalid --private-key");

    const reserved = cli(["register", "--uri", "ipfs://x", "--metadata", "agentWallet=0x01"], owner!.privateKey);
    expect(reserved.code).toBe(2);
    expect(reserved.stderr).toContain("agentWallet is reserved");

    const badFile = join(dir, "bad-registration.json");
    writeFileSync(
      badFile,
      JSON.stringify({ type: "https://eips.ethereum.org/EIPS/eip-8004#registration-v1", name: "" }),
    );
    const file = cli(["register", "--file", badFile], owner!.privateKey);
    expect(file.code).toBe(2);
    expect(file.stderr).toContain("invalid --file.name: must not be empty");

    // Nothing above registered anything: the only agent is still #0, and #1 does not exist.
    const unknown = cli(["show", "--agent-id", "1"]);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr.trim()).toBe("error: ownerOf would revert: ERC721NonexistentToken(1)");
  }, 900_000);
});
