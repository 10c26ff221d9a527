import { erc20Abi, formatEther, parseEther, zeroAddress, type Address } from "viem";

import { runBuyback } from "../../fees/buyback.js";
import { backingEigenAbi, eigenAbi, protocolFeeAbi, vcloudTestTokenAbi } from "../../lib/abis.js";
import { contractAddress } from "../../lib/deployments.js";
import { sendContractWrite, type TxClients } from "../../lib/tx.js";
import type { StoryStep } from "../story.js";
import { RESTAKING_ROLES } from "./restaking.js";
import { storyWallet } from "./story-wallet.js";

/** Service fees the AVS pays in the story (ETH and the devnet's test token); 20% of each reaches the jar. */
export const SERVICE_FEE_ETH = parseEther("10");
export const SERVICE_FEE_TOKEN = parseEther("10000");

/**
 * Fees reach the jar and a buyback burns EIGEN: the AVS pays service fees in ETH and in the test token
 * through ProtocolFee (exactly 20% of each lands in the FeeJar); a searcher acquires EIGEN (bEIGEN wrapped);
 * the buyback keeper (keepers/fees, `vcloud keeper buyback`) first holds at prices that make the release
 * unprofitable, then releases: EIGEN's total supply falls by exactly the burned threshold, the jar is
 * empty, the searcher holds the fees.
 */
export const feesReachJarAndBuybackBurnsEigen: StoryStep = {
  name: "fees reach the jar and a buyback burns EIGEN",
  async run(ctx) {
    const c = (name: string) => contractAddress(ctx.deployment, name);
    const [jar, protocolFee, token, eigen, bEigen] = [
      c("FeeJar"),
      c("ProtocolFee"),
      c("VcloudTestToken"),
      c("Eigen"),
      c("BackingEigen"),
    ];
    const governance: TxClients = { publicClient: ctx.publicClient, walletClient: ctx.wallets[0]! };
    const avs: TxClients = { publicClient: ctx.publicClient, walletClient: ctx.wallets[RESTAKING_ROLES.avs]! };
    const read = ctx.publicClient.readContract.bind(ctx.publicClient);
    const tokenOf = (asset: Address, who: Address) =>
      asset === zeroAddress
        ? ctx.publicClient.getBalance({ address: who })
        : read({ address: asset, abi: erc20Abi, functionName: "balanceOf", args: [who] });

    // 1. The AVS pays service fees; ProtocolFee sends 20% of each to the jar.
    const [jarEthBefore, jarTokenBefore] = [await tokenOf(zeroAddress, jar), await tokenOf(token, jar)];
    const ethFee = await read({
      address: protocolFee,
      abi: protocolFeeAbi,
      functionName: "feeOf",
      args: [SERVICE_FEE_ETH],
    });
    await sendContractWrite(avs, {
      address: protocolFee,
      abi: protocolFeeAbi,
      functionName: "collectFee",
      args: [zeroAddress, SERVICE_FEE_ETH],
      value: ethFee,
    });
    const tokenFee = await read({
      address: protocolFee,
      abi: protocolFeeAbi,
      functionName: "feeOf",
      args: [SERVICE_FEE_TOKEN],
    });
    await sendContractWrite(governance, {
      address: token,
      abi: vcloudTestTokenAbi,
      functionName: "mint",
      args: [avs.walletClient.account.address, tokenFee],
    });
    await sendContractWrite(avs, {
      address: token,
      abi: erc20Abi,
      functionName: "approve",
      args: [protocolFee, tokenFee],
    });
    await sendContractWrite(avs, {
      address: protocolFee,
      abi: protocolFeeAbi,
      functionName: "collectFee",
      args: [token, SERVICE_FEE_TOKEN],
    });
    const jarEth = await tokenOf(zeroAddress, jar);
    const jarToken = await tokenOf(token, jar);
    if (jarEth - jarEthBefore !== SERVICE_FEE_ETH / 5n || jarToken - jarTokenBefore !== SERVICE_FEE_TOKEN / 5n)
      throw new Error(
        `the jar received ${jarEth - jarEthBefore} wei and ${jarToken - jarTokenBefore} tokens, not 20% of the fees`,
      );

    // 2. A searcher gets EIGEN: governance wraps bEIGEN and sends it the EIGEN.
    const searcher = await storyWallet(ctx, "buyback searcher");
    const searcherAddress = searcher.walletClient.account.address;
    const stock = parseEther("5000");
    await sendContractWrite(governance, {
      address: bEigen,
      abi: backingEigenAbi,
      functionName: "approve",
      args: [eigen, stock],
    });
    await sendContractWrite(governance, { address: eigen, abi: eigenAbi, functionName: "wrap", args: [stock] });
    await sendContractWrite(governance, {
      address: eigen,
      abi: eigenAbi,
      functionName: "transfer",
      args: [searcherAddress, stock],
    });

    // 3. The keeper holds while EIGEN is too dear for the jar, then releases when it is cheap enough.
    const tokens = new Map([[token, parseEther("1")]]);
    const keeper = { jar, minProfit: 0n, dryRun: false, logger: ctx.logger };
    const supplyOf = () => read({ address: eigen, abi: eigenAbi, functionName: "totalSupply" });
    const supplyBefore = await supplyOf();
    const hold = await runBuyback(ctx.publicClient, searcher.walletClient, {
      ...keeper,
      prices: { eigen: parseEther("100"), eth: parseEther("3000"), tokens },
    });
    if (hold.decision.release || hold.release) throw new Error(`the keeper released at an unprofitable price`);
    if ((await supplyOf()) !== supplyBefore) throw new Error("EIGEN supply changed while the keeper held");
    const [searcherTokenBefore, searcherEigenBefore] = [
      await tokenOf(token, searcherAddress),
      await tokenOf(eigen, searcherAddress),
    ];
    const bought = await runBuyback(ctx.publicClient, searcher.walletClient, {
      ...keeper,
      prices: { eigen: parseEther("1"), eth: parseEther("3000"), tokens },
    });
    if (!bought.release) throw new Error(`the keeper did not release: ${bought.decision.reason}`);
    const burned = bought.release.burned;
    const supplyAfter = await supplyOf();
    if (supplyBefore - supplyAfter !== burned)
      throw new Error(`EIGEN supply fell by ${supplyBefore - supplyAfter}, but ${burned} was burned`);
    const eigenSpent = searcherEigenBefore - (await tokenOf(eigen, searcherAddress));
    if (eigenSpent !== burned) throw new Error(`the searcher spent ${eigenSpent} EIGEN, burned ${burned}`);
    if ((await tokenOf(zeroAddress, jar)) !== 0n || (await tokenOf(token, jar)) !== 0n)
      throw new Error("the jar still holds assets after the release");
    const gotToken = (await tokenOf(token, searcherAddress)) - searcherTokenBefore;
    if (gotToken !== jarToken) throw new Error(`the searcher received ${gotToken} tokens, the jar held ${jarToken}`);
    ctx.state.set("fees.burned", burned);
    return (
      `jar got ${formatEther(jarEth - jarEthBefore)} ETH + ${formatEther(jarToken - jarTokenBefore)} test tokens (20%); ` +
      `keeper held at EIGEN=100, then burned ${formatEther(burned)} EIGEN for the jar ` +
      `(supply ${formatEther(supplyBefore)} -> ${formatEther(supplyAfter)})`
    );
  },
};
