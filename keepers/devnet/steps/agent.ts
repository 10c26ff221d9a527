import { getAddress } from "viem";

import {
  agentAddresses,
  giveFeedback,
  readAgentIdentity,
  readReputationSummary,
  registerAgent,
} from "../../agents/actions.js";
import { buildRegistration } from "../../agents/registration.js";
import type { StoryStep } from "../story.js";

/**
 * ERC-8004 on the devnet: account 3 registers an agent with an on-chain registration file, the agent is
 * read back (owner, wallet = owner, registration listing its own id), and account 4 rates it.
 */
export const agentRegistered: StoryStep = {
  name: "agent registered and read back",
  async run(ctx) {
    const addresses = agentAddresses(ctx.deployment);
    const owner = ctx.wallets[3]!;
    const rater = ctx.wallets[4]!;
    const registration = buildRegistration({
      name: "devnet-summariser",
      description: "Summarises documents; results verified by vcloud inference replay.",
      services: [
        { name: "A2A", endpoint: "https://summariser.devnet.invalid/.well-known/agent-card.json", version: "0.3.0" },
      ],
      supportedTrust: ["reputation", "crypto-economic", "tee-attestation"],
    });
    const { agentId } = await registerAgent(
      { publicClient: ctx.publicClient, walletClient: owner },
      { identityRegistry: addresses.identityRegistry, registration },
    );
    const agent = await readAgentIdentity(ctx.publicClient, { identityRegistry: addresses.identityRegistry, agentId });
    const expectedOwner = getAddress(owner.account.address);
    if (getAddress(agent.owner) !== expectedOwner)
      throw new Error(`owner is ${agent.owner}, expected ${expectedOwner}`);
    if (!agent.agentWallet || getAddress(agent.agentWallet) !== expectedOwner)
      throw new Error(`agent wallet is ${agent.agentWallet}, expected the owner`);
    if (agent.registration?.name !== registration.name) throw new Error("registration file did not round-trip");
    if (!agent.registrationListsAgent) throw new Error("registration file does not list the agent's own id");

    await giveFeedback(
      { publicClient: ctx.publicClient, walletClient: rater },
      { reputationRegistry: addresses.reputationRegistry, agentId, value: 87n, valueDecimals: 0, tag1: "starred" },
    );
    const summary = await readReputationSummary(ctx.publicClient, {
      reputationRegistry: addresses.reputationRegistry,
      agentId,
      clients: [rater.account.address],
    });
    if (summary.count !== 1n || summary.value !== "87")
      throw new Error(`summary is ${summary.value} over ${summary.count}`);
    ctx.state.set("agentId", agentId);
    return `agent ${agentId} (${agent.agentRegistry}) owned by ${expectedOwner}; rated 87 by ${rater.account.address}`;
  },
};
