/**
 * `vcloud stake ...`: what a staker does: deposit tokens into a strategy, delegate to an operator,
 * undelegate, queue and complete withdrawals, and show the position (with the slashes that hit it).
 */
import type { Command } from "commander";
import {
  erc20Abi,
  getAddress,
  parseEventLogs,
  zeroAddress,
  zeroHash,
  type Address,
  type TransactionReceipt,
} from "viem";

import { iDelegationManagerAbi, iStrategyAbi, iStrategyManagerAbi } from "../../lib/abis.js";
import { InvalidInputError } from "../../lib/errors.js";
import {
  buildQueueWithdrawal,
  parseAddress,
  parseAddressList,
  parseBytes32,
  parseHexData,
  parseTokenAmount,
  parseUint,
} from "../../restaking/params.js";
import { INDEXER_URL_HELP, parseIndexerUrl } from "../../indexer/reads.js";
import { readStakerPosition, strategyToken } from "../../restaking/views.js";
import { action } from "../context.js";
import { renderTxResult, restakingAddresses, send, withRestakingContracts, type SentTx } from "../restaking.js";
import { connectReader, connectWallet, withWalletOptions } from "../wallet.js";

type Raw = Record<string, unknown>;

function command(parent: Command, name: string, description: string): Command {
  return withRestakingContracts(withWalletOptions(parent.command(name).description(description)));
}

/** Syntax check of a token amount before connecting (decimals are checked once the token is known). */
function preCheckAmount(value: unknown): void {
  if (typeof value !== "string" || !/^\d+(\.\d+)?$/.test(value.trim()) || /^0*(\.0*)?$/.test(value.trim()))
    throw new InvalidInputError("--amount", "must be a positive decimal token amount such as 100 or 1.5");
}

export function registerStake(program: Command): void {
  const stake = program.command("stake").description("restake tokens: deposit, delegate, withdraw, show position");

  command(stake, "deposit", "deposit tokens into a strategy (approves the StrategyManager first when needed)")
    .requiredOption("--strategy <address>", "strategy to deposit into")
    .requiredOption("--amount <tokens>", "amount in whole tokens, decimals allowed (e.g. 100 or 1.5)")
    .action(
      action(async (ctx, raw: Raw) => {
        const strategy = parseAddress(raw.strategy, "--strategy");
        preCheckAmount(raw.amount);
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const { publicClient, account } = clients;
        const whitelisted = await publicClient.readContract({
          address: addresses.strategyManager,
          abi: iStrategyManagerAbi,
          functionName: "strategyIsWhitelistedForDeposit",
          args: [strategy],
        });
        if (!whitelisted) throw new InvalidInputError("--strategy", `${strategy} is not whitelisted for deposits`);
        const token = await strategyToken(publicClient, strategy);
        const amount = parseTokenAmount(raw.amount, "--amount", token.decimals);
        const balance = await publicClient.readContract({
          address: token.token,
          abi: erc20Abi,
          functionName: "balanceOf",
          args: [account.address],
        });
        if (balance < amount)
          throw new InvalidInputError(
            "--amount",
            `${amount} exceeds your ${token.symbol} balance of ${balance} base units`,
          );
        const transactions: SentTx[] = [];
        const allowance = await publicClient.readContract({
          address: token.token,
          abi: erc20Abi,
          functionName: "allowance",
          args: [account.address, addresses.strategyManager],
        });
        if (allowance < amount)
          await send(
            clients,
            transactions,
            "approve",
            {
              address: token.token,
              abi: erc20Abi,
              functionName: "approve",
              args: [addresses.strategyManager, amount],
            },
            ctx.logger,
          );
        const { receipt } = await send(
          clients,
          transactions,
          "depositIntoStrategy",
          {
            address: addresses.strategyManager,
            abi: iStrategyManagerAbi,
            functionName: "depositIntoStrategy",
            args: [strategy, token.token, amount],
          },
          ctx.logger,
        );
        const position = await readStakerPosition(publicClient, addresses, account.address);
        const row = position.strategies.find((s) => s.strategy === getAddress(strategy));
        const out = {
          transactions,
          staker: account.address,
          strategy,
          token: token.token,
          amount,
          newDepositShares:
            parseEventLogs({ abi: iStrategyManagerAbi, logs: receipt.logs, eventName: "Deposit" })[0]?.args.shares ??
            0n,
          depositShares: row?.depositShares ?? 0n,
          withdrawableShares: row?.withdrawableShares ?? 0n,
          delegatedTo: position.delegatedTo,
        };
        ctx.print(out, renderTxResult);
      }),
    );

  command(stake, "delegate", "delegate all your restaked shares to an operator")
    .requiredOption("--operator <address>", "operator to delegate to")
    .option("--approver-signature <hex>", "the operator's delegation approver signature, if it has an approver")
    .option("--approver-expiry <timestamp>", "expiry of the approver signature", "0")
    .option("--approver-salt <bytes32>", "salt of the approver signature", zeroHash)
    .action(
      action(async (ctx, raw: Raw) => {
        const operator = parseAddress(raw.operator, "--operator");
        const signature = parseHexData(raw.approverSignature, "--approver-signature");
        const expiry = parseUint(raw.approverExpiry, "--approver-expiry");
        const salt = parseBytes32(raw.approverSalt, "--approver-salt");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const { publicClient, account } = clients;
        const dm = addresses.delegationManager;
        const isOperator = await publicClient.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "isOperator",
          args: [operator],
        });
        if (!isOperator) throw new InvalidInputError("--operator", `${operator} is not a registered operator`);
        const current = await publicClient.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "delegatedTo",
          args: [account.address],
        });
        if (current !== zeroAddress)
          throw new InvalidInputError("--operator", `you are already delegated to ${current}; undelegate first`);
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "delegateTo",
          {
            address: dm,
            abi: iDelegationManagerAbi,
            functionName: "delegateTo",
            args: [operator, { signature, expiry }, salt],
          },
          ctx.logger,
        );
        const position = await readStakerPosition(publicClient, addresses, account.address);
        ctx.print(
          { transactions, staker: account.address, delegatedTo: position.delegatedTo, strategies: position.strategies },
          renderTxResult,
        );
      }),
    );

  command(
    stake,
    "undelegate",
    "undelegate (queues a withdrawal of every share); an operator may undelegate its stakers",
  )
    .option("--staker <address>", "staker to undelegate (default: yourself)")
    .action(
      action(async (ctx, raw: Raw) => {
        const stakerFlag = raw.staker === undefined ? undefined : parseAddress(raw.staker, "--staker");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const staker = stakerFlag ?? clients.account.address;
        const delegated = await clients.publicClient.readContract({
          address: addresses.delegationManager,
          abi: iDelegationManagerAbi,
          functionName: "delegatedTo",
          args: [staker],
        });
        if (delegated === zeroAddress) throw new InvalidInputError("--staker", `${staker} is not delegated`);
        const transactions: SentTx[] = [];
        const { receipt } = await send(
          clients,
          transactions,
          "undelegate",
          {
            address: addresses.delegationManager,
            abi: iDelegationManagerAbi,
            functionName: "undelegate",
            args: [staker],
          },
          ctx.logger,
        );
        const position = await readStakerPosition(clients.publicClient, addresses, staker);
        ctx.print(
          {
            transactions,
            staker,
            undelegatedFrom: getAddress(delegated),
            withdrawalRoots: queuedRoots(receipt),
            queuedWithdrawals: position.queuedWithdrawals,
          },
          renderTxResult,
        );
      }),
    );

  command(stake, "queue-withdrawal", "queue a withdrawal of deposit shares (slashable until the delay passes)")
    .requiredOption("--strategy <addresses>", "strategy or comma-separated strategies")
    .requiredOption("--shares <n|all>", 'deposit shares per strategy (one value for all, or comma-separated), or "all"')
    .action(
      action(async (ctx, raw: Raw) => {
        parseAddressList(raw.strategy, "--strategy");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const { publicClient, account } = clients;
        const [strategies, shares] = await publicClient.readContract({
          address: addresses.strategyManager,
          abi: iStrategyManagerAbi,
          functionName: "getDeposits",
          args: [account.address],
        });
        const held = new Map(strategies.map((s, i) => [getAddress(s), shares[i] ?? 0n]));
        const params = buildQueueWithdrawal({
          staker: account.address,
          strategies: raw.strategy,
          shares: raw.shares,
          depositShares: (s) => held.get(getAddress(s)) ?? 0n,
        });
        const transactions: SentTx[] = [];
        const { receipt } = await send(
          clients,
          transactions,
          "queueWithdrawals",
          {
            address: addresses.delegationManager,
            abi: iDelegationManagerAbi,
            functionName: "queueWithdrawals",
            args: [[params]],
          },
          ctx.logger,
        );
        const roots: string[] = queuedRoots(receipt);
        const position = await readStakerPosition(publicClient, addresses, account.address);
        ctx.print(
          {
            transactions,
            staker: account.address,
            withdrawalRoots: roots,
            queuedWithdrawals: position.queuedWithdrawals.filter((w) => roots.includes(w.root)),
          },
          renderTxResult,
        );
      }),
    );

  command(stake, "complete-withdrawal", "complete a queued withdrawal after its delay, as tokens (default) or shares")
    .requiredOption("--root <bytes32>", "withdrawal root printed by queue-withdrawal or undelegate")
    .option(
      "--as-shares",
      "redeposit as shares (delegated to your current operator) instead of receiving tokens",
      false,
    )
    .action(
      action(async (ctx, raw: Raw) => {
        const root = parseBytes32(raw.root, "--root");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const { publicClient, account } = clients;
        const dm = addresses.delegationManager;
        const [withdrawal, shares] = await publicClient.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "getQueuedWithdrawal",
          args: [root],
        });
        if (withdrawal.staker === zeroAddress)
          throw new InvalidInputError("--root", `no queued withdrawal has root ${root}`);
        if (getAddress(withdrawal.withdrawer) !== account.address)
          throw new InvalidInputError("--root", `only ${withdrawal.withdrawer} can complete this withdrawal`);
        const delay = await publicClient.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "minWithdrawalDelayBlocks",
        });
        const completableAt = BigInt(withdrawal.startBlock) + BigInt(delay) + 1n;
        const next = (await publicClient.getBlockNumber()) + 1n;
        if (next < completableAt)
          throw new InvalidInputError(
            "--root",
            `the withdrawal can be completed from block ${completableAt} (next block is ${next})`,
          );
        const tokens: Address[] = [];
        for (const strategy of withdrawal.strategies)
          tokens.push(
            await publicClient.readContract({ address: strategy, abi: iStrategyAbi, functionName: "underlyingToken" }),
          );
        const receiveAsTokens = raw.asShares !== true;
        const before = await Promise.all(
          tokens.map((t) =>
            publicClient.readContract({
              address: t,
              abi: erc20Abi,
              functionName: "balanceOf",
              args: [account.address],
            }),
          ),
        );
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "completeQueuedWithdrawal",
          {
            address: dm,
            abi: iDelegationManagerAbi,
            functionName: "completeQueuedWithdrawal",
            args: [withdrawal, tokens, receiveAsTokens],
          },
          ctx.logger,
        );
        const after = await Promise.all(
          tokens.map((t) =>
            publicClient.readContract({
              address: t,
              abi: erc20Abi,
              functionName: "balanceOf",
              args: [account.address],
            }),
          ),
        );
        const position = await readStakerPosition(publicClient, addresses, account.address);
        ctx.print(
          {
            transactions,
            staker: account.address,
            root,
            receiveAsTokens,
            withdrawn: withdrawal.strategies.map((strategy, i) => ({
              strategy: getAddress(strategy),
              token: getAddress(tokens[i]!),
              shares: shares[i] ?? 0n,
              tokensReceived: after[i]! - before[i]!,
            })),
            strategies: position.strategies,
          },
          renderTxResult,
        );
      }),
    );

  command(stake, "show", "show a staker's position: shares, slashable amounts per operator set, withdrawals, slashes")
    .option("--staker <address>", "staker (default: the signer's address)")
    .option("--from-block <n>", "first block to search for slashes", "0")
    .option("--indexer-url <url>", INDEXER_URL_HELP)
    .action(
      action(async (ctx, raw: Raw) => {
        const stakerFlag = raw.staker === undefined ? undefined : parseAddress(raw.staker, "--staker");
        const fromBlock = parseUint(raw.fromBlock, "--from-block");
        const indexerUrl = parseIndexerUrl(raw.indexerUrl);
        const clients = await connectReader(raw);
        const staker = stakerFlag ?? clients.account?.address;
        if (!staker)
          throw new InvalidInputError("--staker", "give --staker or a signing key to show your own position");
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const position = await readStakerPosition(clients.publicClient, addresses, staker, { fromBlock, indexerUrl });
        ctx.print(position, renderPosition);
      }),
    );
}

/** Withdrawal roots from a receipt's SlashingWithdrawalQueued events (the chain's values, not a simulation's). */
function queuedRoots(receipt: TransactionReceipt): `0x${string}`[] {
  return parseEventLogs({ abi: iDelegationManagerAbi, logs: receipt.logs, eventName: "SlashingWithdrawalQueued" }).map(
    (l) => l.args.withdrawalRoot,
  );
}

function renderPosition(p: Awaited<ReturnType<typeof readStakerPosition>>): string {
  const lines = [`staker ${p.staker} at block ${p.block}`, `delegated to ${p.delegatedTo ?? "nobody"}`];
  lines.push("strategies:");
  for (const s of p.strategies)
    lines.push(
      `  ${s.strategy} (${s.symbol}) deposit shares ${s.depositShares}, withdrawable shares ${s.withdrawableShares} (${s.withdrawableTokens} tokens)`,
    );
  lines.push("slashable by operator set:");
  for (const s of p.slashable)
    lines.push(
      `  ${s.operatorSet.avs}#${s.operatorSet.id} via ${s.operator}: ${s.slashableShares} shares of ${s.strategy} (${s.delegatedSlashableShares} delegated + ${s.queuedSlashableShares} in queued withdrawals; magnitude ${s.magnitude}/${s.maxMagnitude})`,
    );
  lines.push("queued withdrawals:");
  for (const w of p.queuedWithdrawals)
    lines.push(
      `  ${w.root} from block ${w.startBlock}, completable at ${w.completableAtBlock}${w.slashable ? " (still slashable)" : ""}: ${w.shares.join(", ")} shares`,
    );
  lines.push("slashes that hit this position:");
  for (const s of p.slashes)
    lines.push(
      `  block ${s.blockNumber} ${s.operatorSet.avs}#${s.operatorSet.id} slashed ${s.operator} (${s.via}): ${s.wadSlashed.join(", ")} wad "${s.description}"`,
    );
  return lines.join("\n");
}
