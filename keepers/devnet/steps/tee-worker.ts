import { keccak256, toHex } from "viem";

import { devAttester } from "../../tee/attester.js";
import { bundleDigest, type ProgramBundle } from "../../tee/bundle.js";
import { DEVNET_POLICY } from "../../tee/policy.js";
import { sandboxCapabilities } from "../../tee/sandbox.js";
import { verifyTaskResult } from "../../tee/task-result.js";
import { runTask } from "../../tee/worker.js";
import type { StoryStep } from "../story.js";

/** The devnet's example app: prints the sha256 of its input, then the input upper-cased. */
export const HASH_AND_UPPER_BUNDLE: ProgramBundle = {
  entry: ["sh", "main.sh"],
  files: { "main.sh": 'in="$(cat)"\nprintf "%s" "$in" | sha256sum | cut -c1-64\nprintf "%s\\n" "$in" | tr a-z A-Z\n' },
};

/** A worker runs a task in the sandbox and its dev attestation verifies, under the devnet policy only. */
export const teeWorkerAttestsTask: StoryStep = {
  name: "tee worker attests a task (dev)",
  async run(ctx) {
    const caps = sandboxCapabilities();
    if (caps.namespaces === "none")
      ctx.logger.warn("no network isolation on this machine; the devnet task may reach the network");
    const input = Buffer.from("hello from the vcloud devnet");
    const taskHash = keccak256(toHex("devnet-story-task"));
    const result = await runTask(
      HASH_AND_UPPER_BUNDLE,
      input,
      { network: caps.namespaces === "none" },
      { taskHash, attester: devAttester },
    );
    const verified = await verifyTaskResult({
      attestation: result.attestation,
      imageDigest: bundleDigest(HASH_AND_UPPER_BUNDLE),
      taskHash,
      input,
      output: result.output,
      policy: DEVNET_POLICY,
    });
    ctx.state.set("tee.lastTask", { taskHash, outputHash: result.binding.outputHash });
    return `output ${result.binding.outputHash.slice(0, 10)}… bound in a ${verified.platform} attestation (${Math.round(result.wallMs)} ms)`;
  },
};
