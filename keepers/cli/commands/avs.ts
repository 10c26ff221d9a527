/**
 * `vcloud avs ...`: what an AVS does: publish metadata, create (redistributing) operator sets, slash an
 * operator (directly as the set's slasher, or through an InstantSlasher / VetoableSlasher), clear slashed
 * shares to the recipient or the burn address, and pay victims through a VictimPayout.
 */
import type { Command } from "commander";
import { erc20Abi, getAddress, parseEventLogs, type Address, type TransactionReceipt } from "viem";

import {
  iAllocationManagerAbi,
  iInstantSlasherAbi,
  iStrategyAbi,
  iStrategyManagerAbi,
  iVetoableSlasherAbi,
  iVictimPayoutAbi,
} from "../../lib/abis.js";
import { InvalidInputError } from "../../lib/errors.js";
import {
  buildCreateSetParams,
  buildSlashingParams,
  parseAddress,
  parseAddressList,
  parseUint,
  parseUint32,
  parseUint32List,
  parseVictims,
  type OperatorSet,
} from "../../restaking/params.js";
import { readOperatorSet, readOperatorSetIds, type Client } from "../../restaking/views.js";
import { action } from "../context.js";
import { renderTxResult, restakingAddresses, send, withRestakingContracts, type SentTx } from "../restaking.js";
import { connectReader, connectWallet, resolveContract, withWalletOptions } from "../wallet.js";

type Raw = Record<string, unknown>;

function command(parent: Command, name: string, description: string): Command {
  return withRestakingContracts(withWalletOptions(parent.command(name).description(description)));
}

async function requireSet(client: Client, am: Address, set: OperatorSet) {
  const exists = await client.readContract({
    address: am,
    abi: iAllocationManagerAbi,
    functionName: "isOperatorSet",
    args: [set],
  });
  if (!exists) throw new InvalidInputError("--operator-set", `${set.avs} has no operator set ${set.id}`);
}

export function registerAvs(program: Command): void {
  const avs = program
    .command("avs")
    .description("AVSs: operator sets, slashing, clearing slashed funds, victim payouts");

  command(avs, "set-metadata", "publish your AVS metadata URI (required before creating operator sets)")
    .requiredOption("--uri <uri>", "metadata URI")
    .action(
      action(async (ctx, raw: Raw) => {
        const uri = String(raw.uri);
        if (uri.length === 0) throw new InvalidInputError("--uri", "must not be empty");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "updateAVSMetadataURI",
          {
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "updateAVSMetadataURI",
            args: [clients.account.address, uri],
          },
          ctx.logger,
        );
        ctx.print({ transactions, avs: clients.account.address, metadataURI: uri }, renderTxResult);
      }),
    );

  command(avs, "create-sets", "create an operator set (redistributing when --redistribution-recipient is given)")
    .requiredOption("--operator-set <id>", "new operator set id")
    .requiredOption("--strategy <addresses>", "strategy or comma-separated strategies the set uses")
    .requiredOption("--slasher <address>", "who may slash the set (an EOA or a slasher contract)")
    .option(
      "--redistribution-recipient <address>",
      "make a redistributing set paying slashed funds here (fixed forever)",
    )
    .option("--metadata-uri <uri>", "publish this AVS metadata URI first")
    .action(
      action(async (ctx, raw: Raw) => {
        const { params, redistributionRecipient } = buildCreateSetParams({
          operatorSetId: raw.operatorSet,
          strategies: raw.strategy,
          slasher: raw.slasher,
          redistributionRecipient: raw.redistributionRecipient,
        });
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const me = clients.account.address;
        const am = addresses.allocationManager;
        const set = { avs: me, id: params.operatorSetId };
        const exists = await clients.publicClient.readContract({
          address: am,
          abi: iAllocationManagerAbi,
          functionName: "isOperatorSet",
          args: [set],
        });
        if (exists) throw new InvalidInputError("--operator-set", `set ${params.operatorSetId} already exists`);
        const transactions: SentTx[] = [];
        if (raw.metadataUri !== undefined)
          await send(
            clients,
            transactions,
            "updateAVSMetadataURI",
            {
              address: am,
              abi: iAllocationManagerAbi,
              functionName: "updateAVSMetadataURI",
              args: [me, String(raw.metadataUri)],
            },
            ctx.logger,
          );
        if (redistributionRecipient)
          await send(
            clients,
            transactions,
            "createRedistributingOperatorSets",
            {
              address: am,
              abi: iAllocationManagerAbi,
              functionName: "createRedistributingOperatorSets",
              args: [me, [params], [redistributionRecipient]],
            },
            ctx.logger,
          );
        else
          await send(
            clients,
            transactions,
            "createOperatorSets",
            {
              address: am,
              abi: iAllocationManagerAbi,
              functionName: "createOperatorSets",
              args: [me, [params]],
            },
            ctx.logger,
          );
        const view = await readOperatorSet(clients.publicClient, addresses, set);
        ctx.print({ transactions, ...view }, renderTxResult);
      }),
    );

  command(avs, "add-strategies", "add strategies to one of your operator sets")
    .requiredOption("--operator-set <id>", "operator set id")
    .requiredOption("--strategy <addresses>", "strategy or comma-separated strategies")
    .action(
      action(async (ctx, raw: Raw) => {
        const id = parseUint32(raw.operatorSet, "--operator-set");
        const strategies = parseAddressList(raw.strategy, "--strategy");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const set = { avs: clients.account.address, id };
        await requireSet(clients.publicClient, addresses.allocationManager, set);
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "addStrategiesToOperatorSet",
          {
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "addStrategiesToOperatorSet",
            args: [set.avs, id, strategies],
          },
          ctx.logger,
        );
        const view = await readOperatorSet(clients.publicClient, addresses, set);
        ctx.print({ transactions, operatorSet: set, strategies: view.strategies }, renderTxResult);
      }),
    );

  command(avs, "slash", "slash an operator's allocation in an operator set")
    .requiredOption("--operator <address>", "operator to slash")
    .requiredOption("--operator-set <id>", "operator set id")
    .requiredOption("--strategy <addresses>", "strategy or comma-separated strategies")
    .requiredOption(
      "--wad <wads>",
      'fraction to slash per strategy: "50%" or a wad (1e18 = 100%); one value or comma-separated',
    )
    .option("--description <text>", "reason recorded in the OperatorSlashed event", "")
    .option(
      "--via <kind>",
      "direct (you are the set's slasher), instant (InstantSlasher) or vetoable (VetoableSlasher request)",
      "direct",
    )
    .option("--avs <address>", "AVS owning the set (direct: required; via a slasher contract: read from it)")
    .option("--slasher <address>", "slasher contract (default: InstantSlasher / VetoableSlasher from deployments)")
    .action(
      action(async (ctx, raw: Raw) => {
        const params = buildSlashingParams({
          operator: raw.operator,
          operatorSetId: raw.operatorSet,
          strategies: raw.strategy,
          wads: raw.wad,
          description: raw.description,
        });
        const via = String(raw.via);
        if (!["direct", "instant", "vetoable"].includes(via))
          throw new InvalidInputError("--via", "must be direct, instant or vetoable");
        if (via === "direct" && raw.avs === undefined)
          throw new InvalidInputError("--avs", "is required with --via direct");
        const avsFlag = raw.avs === undefined ? undefined : parseAddress(raw.avs, "--avs");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const { publicClient } = clients;
        const am = addresses.allocationManager;
        let slasherContract: Address | undefined;
        let avsAddress = avsFlag;
        if (via !== "direct") {
          slasherContract = resolveContract(
            {
              chainId: clients.chain.id,
              deploymentsDir: clients.deploymentsDir,
              flagValue: raw.slasher,
              flag: "slasher",
            },
            via === "instant" ? "InstantSlasher" : "VetoableSlasher",
          );
          const contractAvs = getAddress(
            await publicClient.readContract({ address: slasherContract, abi: iInstantSlasherAbi, functionName: "avs" }),
          );
          if (avsAddress && avsAddress !== contractAvs)
            throw new InvalidInputError(
              "--avs",
              `the slasher ${slasherContract} acts for ${contractAvs}, not ${avsAddress}`,
            );
          avsAddress = contractAvs;
          const allowed = await publicClient.readContract({
            address: slasherContract,
            abi: iInstantSlasherAbi,
            functionName: "isSlashRequester",
            args: [clients.account.address],
          });
          if (!allowed)
            throw new InvalidInputError("--private-key", `you are not a slash requester of ${slasherContract}`);
        }
        const set = { avs: avsAddress!, id: params.operatorSetId };
        await requireSet(publicClient, am, set);
        const slasher = getAddress(
          await publicClient.readContract({
            address: am,
            abi: iAllocationManagerAbi,
            functionName: "getSlasher",
            args: [set],
          }),
        );
        const expected = slasherContract ?? clients.account.address;
        if (slasher !== expected)
          throw new InvalidInputError(
            via === "direct" ? "--private-key" : "--slasher",
            `the set's slasher is ${slasher}, not ${expected}`,
          );
        const slashable = await publicClient.readContract({
          address: am,
          abi: iAllocationManagerAbi,
          functionName: "isOperatorSlashable",
          args: [params.operator, set],
        });
        if (!slashable)
          throw new InvalidInputError("--operator", `${params.operator} is not slashable by set ${set.id}`);
        const inSet = (
          await publicClient.readContract({
            address: am,
            abi: iAllocationManagerAbi,
            functionName: "getStrategiesInOperatorSet",
            args: [set],
          })
        ).map((s) => getAddress(s));
        for (const s of params.strategies)
          if (!inSet.includes(s)) throw new InvalidInputError("--strategy", `${s} is not in operator set ${set.id}`);
        const transactions: SentTx[] = [];
        let outcome: Record<string, unknown>;
        if (via === "vetoable") {
          const { receipt } = await send(
            clients,
            transactions,
            "requestSlash",
            {
              address: slasherContract!,
              abi: iVetoableSlasherAbi,
              functionName: "requestSlash",
              args: [params],
            },
            ctx.logger,
          );
          const [requested] = parseEventLogs({
            abi: iVetoableSlasherAbi,
            logs: receipt.logs,
            eventName: "SlashRequested",
          });
          const requestId = requested!.args.requestId;
          const request = await publicClient.readContract({
            address: slasherContract!,
            abi: iVetoableSlasherAbi,
            functionName: "getRequest",
            args: [requestId],
          });
          outcome = { requestId, vetoableUntil: request.vetoableUntil, status: "pending" };
        } else {
          const { result, receipt } =
            via === "instant"
              ? await send(
                  clients,
                  transactions,
                  "slash",
                  {
                    address: slasherContract!,
                    abi: iInstantSlasherAbi,
                    functionName: "slash",
                    args: [params],
                  },
                  ctx.logger,
                )
              : await send(
                  clients,
                  transactions,
                  "slashOperator",
                  {
                    address: am,
                    abi: iAllocationManagerAbi,
                    functionName: "slashOperator",
                    args: [set.avs, params],
                  },
                  ctx.logger,
                );
          outcome = { ...slashOutcome(receipt, params.strategies, result), status: "executed" };
        }
        const maxMagnitudes = await publicClient.readContract({
          address: am,
          abi: iAllocationManagerAbi,
          functionName: "getMaxMagnitudes",
          args: [params.operator, params.strategies],
        });
        ctx.print(
          {
            transactions,
            operator: params.operator,
            operatorSet: set,
            strategies: params.strategies,
            wadsToSlash: params.wadsToSlash,
            ...outcome,
            maxMagnitudesAfter: maxMagnitudes,
          },
          renderTxResult,
        );
      }),
    );

  for (const verb of ["execute-slash", "cancel-slash"] as const) {
    command(
      avs,
      verb,
      verb === "execute-slash"
        ? "execute a VetoableSlasher request after its veto window (anyone)"
        : "cancel a VetoableSlasher request inside its veto window (veto committee)",
    )
      .requiredOption("--request <id>", "request id printed by `avs slash --via vetoable`")
      .option("--slasher <address>", "VetoableSlasher (default: from deployments)")
      .action(
        action(async (ctx, raw: Raw) => {
          const requestId = parseUint(raw.request, "--request");
          const clients = await connectWallet(raw);
          const slasher = resolveContract(
            {
              chainId: clients.chain.id,
              deploymentsDir: clients.deploymentsDir,
              flagValue: raw.slasher,
              flag: "slasher",
            },
            "VetoableSlasher",
          );
          const { publicClient } = clients;
          const count = await publicClient.readContract({
            address: slasher,
            abi: iVetoableSlasherAbi,
            functionName: "requestCount",
          });
          if (requestId === 0n || requestId > count)
            throw new InvalidInputError("--request", `no request ${requestId} (last is ${count})`);
          const before = await publicClient.readContract({
            address: slasher,
            abi: iVetoableSlasherAbi,
            functionName: "getRequest",
            args: [requestId],
          });
          if (before.status !== 1)
            throw new InvalidInputError("--request", `request ${requestId} is no longer pending`);
          const next = (await publicClient.getBlockNumber()) + 1n;
          if (verb === "execute-slash" && next <= BigInt(before.vetoableUntil))
            throw new InvalidInputError(
              "--request",
              `the veto window is open until block ${before.vetoableUntil} (next block is ${next})`,
            );
          if (verb === "cancel-slash" && next > BigInt(before.vetoableUntil))
            throw new InvalidInputError("--request", `the veto window closed at block ${before.vetoableUntil}`);
          const transactions: SentTx[] = [];
          const { result, receipt } = await send(
            clients,
            transactions,
            verb === "execute-slash" ? "executeSlash" : "cancelSlash",
            {
              address: slasher,
              abi: iVetoableSlasherAbi,
              functionName: verb === "execute-slash" ? "executeSlash" : "cancelSlash",
              args: [requestId],
            },
            ctx.logger,
          );
          const after = await publicClient.readContract({
            address: slasher,
            abi: iVetoableSlasherAbi,
            functionName: "getRequest",
            args: [requestId],
          });
          const extra =
            verb === "execute-slash"
              ? slashOutcome(
                  receipt,
                  before.params.strategies.map((s) => getAddress(s)),
                  result,
                )
              : {};
          ctx.print(
            { transactions, requestId, status: ["none", "pending", "cancelled", "executed"][after.status], ...extra },
            renderTxResult,
          );
        }),
      );
  }

  command(avs, "clear-slash", "send a slash's shares as tokens to the set's recipient (or burn them); anyone may call")
    .requiredOption("--avs <address>", "AVS owning the set")
    .requiredOption("--operator-set <id>", "operator set id")
    .requiredOption("--slash-id <id>", "slash id printed by `avs slash`")
    .option("--strategy <address>", "clear only this strategy")
    .action(
      action(async (ctx, raw: Raw) => {
        const set = { avs: parseAddress(raw.avs, "--avs"), id: parseUint32(raw.operatorSet, "--operator-set") };
        const slashId = parseUint(raw.slashId, "--slash-id");
        const only = raw.strategy === undefined ? undefined : parseAddress(raw.strategy, "--strategy");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const { publicClient } = clients;
        const sm = addresses.strategyManager;
        await requireSet(publicClient, addresses.allocationManager, set);
        const [strategies, shares] = await publicClient.readContract({
          address: sm,
          abi: iStrategyManagerAbi,
          functionName: "getBurnOrRedistributableShares",
          args: [set, slashId],
        });
        if (strategies.length === 0)
          throw new InvalidInputError("--slash-id", `slash ${slashId} of set ${set.id} has nothing left to clear`);
        if (only && !strategies.map((s) => getAddress(s)).includes(only))
          throw new InvalidInputError("--strategy", `slash ${slashId} has nothing to clear in ${only}`);
        const resolution = await publicClient.readContract({
          address: sm,
          abi: iStrategyManagerAbi,
          functionName: "getSlashResolutionBlock",
          args: [set, slashId],
        });
        const next = (await publicClient.getBlockNumber()) + 1n;
        if (next <= BigInt(resolution))
          throw new InvalidInputError(
            "--slash-id",
            `slash ${slashId} can be cleared from block ${resolution + 1} (next block is ${next})`,
          );
        const recipient = getAddress(
          await publicClient.readContract({
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "getRedistributionRecipient",
            args: [set],
          }),
        );
        const cleared = only ? [only] : strategies.map((s) => getAddress(s));
        const tokens = await Promise.all(
          cleared.map((s) =>
            publicClient.readContract({ address: s, abi: iStrategyAbi, functionName: "underlyingToken" }),
          ),
        );
        const balance = (t: Address) =>
          publicClient.readContract({ address: t, abi: erc20Abi, functionName: "balanceOf", args: [recipient] });
        const before = await Promise.all(tokens.map(balance));
        const transactions: SentTx[] = [];
        if (only)
          await send(
            clients,
            transactions,
            "clearBurnOrRedistributableSharesByStrategy",
            {
              address: sm,
              abi: iStrategyManagerAbi,
              functionName: "clearBurnOrRedistributableSharesByStrategy",
              args: [set, slashId, only],
            },
            ctx.logger,
          );
        else
          await send(
            clients,
            transactions,
            "clearBurnOrRedistributableShares",
            {
              address: sm,
              abi: iStrategyManagerAbi,
              functionName: "clearBurnOrRedistributableShares",
              args: [set, slashId],
            },
            ctx.logger,
          );
        const after = await Promise.all(tokens.map(balance));
        ctx.print(
          {
            transactions,
            operatorSet: set,
            slashId,
            recipient,
            cleared: cleared.map((strategy, i) => ({
              strategy,
              token: getAddress(tokens[i]!),
              shares: shares[strategies.map((s) => getAddress(s)).indexOf(strategy)] ?? 0n,
              tokensSent: after[i]! - before[i]!,
            })),
          },
          renderTxResult,
        );
      }),
    );

  command(
    avs,
    "allow-requester",
    "allow (or with --disallow, stop) an address to request slashes from a slasher contract",
  )
    .requiredOption("--requester <address>", "address allowed to request slashes")
    .requiredOption("--slasher <address>", "InstantSlasher or VetoableSlasher")
    .option("--disallow", "remove the permission instead", false)
    .action(
      action(async (ctx, raw: Raw) => {
        const requester = parseAddress(raw.requester, "--requester");
        const slasher = parseAddress(raw.slasher, "--slasher");
        const clients = await connectWallet(raw);
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "setSlashRequester",
          {
            address: slasher,
            abi: iInstantSlasherAbi,
            functionName: "setSlashRequester",
            args: [requester, raw.disallow !== true],
          },
          ctx.logger,
        );
        const allowed = await clients.publicClient.readContract({
          address: slasher,
          abi: iInstantSlasherAbi,
          functionName: "isSlashRequester",
          args: [requester],
        });
        ctx.print({ transactions, slasher, requester, allowed }, renderTxResult);
      }),
    );

  command(avs, "show", "show an AVS's operator sets: slasher, recipient, strategies, members, stake, pending slashes")
    .requiredOption("--avs <address>", "AVS")
    .option("--operator-set <ids>", "only these set ids (default: every set the AVS created)")
    .option("--from-block <n>", "first block to search for created sets", "0")
    .action(
      action(async (ctx, raw: Raw) => {
        const avsAddress = parseAddress(raw.avs, "--avs");
        const ids = raw.operatorSet === undefined ? undefined : parseUint32List(raw.operatorSet, "--operator-set");
        const fromBlock = parseUint(raw.fromBlock, "--from-block");
        const clients = await connectReader(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const setIds =
          ids ?? (await readOperatorSetIds(clients.publicClient, addresses.allocationManager, avsAddress, fromBlock));
        const sets = [];
        for (const id of setIds)
          sets.push(await readOperatorSet(clients.publicClient, addresses, { avs: avsAddress, id }));
        ctx.print({ avs: avsAddress, operatorSets: sets });
      }),
    );

  registerPayout(avs);
}

function registerPayout(avs: Command): void {
  const payout = avs.command("payout").description("pay victims from redistributed slashes through a VictimPayout");
  const cmd = (name: string, description: string) =>
    withWalletOptions(payout.command(name).description(description)).option(
      "--payout <address>",
      "VictimPayout (default: from deployments)",
    );
  const payoutAddress = (raw: Raw, chainId: number, dir?: string) =>
    resolveContract({ chainId, deploymentsDir: dir, flagValue: raw.payout, flag: "payout" }, "VictimPayout");

  cmd("create", "name victims and the amounts (in tokens) they are owed")
    .requiredOption("--token <address>", "token the payout pays in (the strategy's underlying token)")
    .requiredOption("--victim <address:amount...>", "victim and amount owed in whole tokens; repeat or comma-separate")
    .option("--description <text>", "what the payout is for", "")
    .action(
      action(async (ctx, raw: Raw) => {
        const token = parseAddress(raw.token, "--token");
        parseVictims(raw.victim, 18); // syntax check before connecting; amounts are re-read with the token's decimals
        const clients = await connectWallet(raw);
        const address = payoutAddress(raw, clients.chain.id, clients.deploymentsDir);
        const decimals = await clients.publicClient
          .readContract({ address: token, abi: erc20Abi, functionName: "decimals" })
          .catch(() => {
            throw new InvalidInputError("--token", `${token} is not an ERC-20 token`);
          });
        const { victims, amounts } = parseVictims(raw.victim, decimals);
        const transactions: SentTx[] = [];
        const { result } = await send(
          clients,
          transactions,
          "createPayout",
          {
            address,
            abi: iVictimPayoutAbi,
            functionName: "createPayout",
            args: [token, victims, amounts, String(raw.description ?? "")],
          },
          ctx.logger,
        );
        const info = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "getPayout",
          args: [result as bigint],
        });
        ctx.print(
          { transactions, payout: address, payoutId: result as bigint, ...info, victims, amountsOwed: amounts },
          renderTxResult,
        );
      }),
    );

  cmd("fund", "assign the payout contract's unassigned tokens to a payout (anyone)")
    .requiredOption("--id <n>", "payout id")
    .action(
      action(async (ctx, raw: Raw) => {
        const id = parseUint(raw.id, "--id");
        const clients = await connectWallet(raw);
        const address = payoutAddress(raw, clients.chain.id, clients.deploymentsDir);
        const count = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "payoutCount",
        });
        if (id === 0n || id > count) throw new InvalidInputError("--id", `no payout ${id} (last is ${count})`);
        const transactions: SentTx[] = [];
        const { result } = await send(
          clients,
          transactions,
          "fund",
          { address, abi: iVictimPayoutAbi, functionName: "fund", args: [id] },
          ctx.logger,
        );
        const info = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "getPayout",
          args: [id],
        });
        ctx.print(
          { transactions, payout: address, payoutId: id, fundedNow: result as bigint, ...info },
          renderTxResult,
        );
      }),
    );

  cmd("claim", "claim your share of a payout")
    .requiredOption("--id <n>", "payout id")
    .option("--to <address>", "send the tokens here (default: yourself)")
    .action(
      action(async (ctx, raw: Raw) => {
        const id = parseUint(raw.id, "--id");
        const toFlag = raw.to === undefined ? undefined : parseAddress(raw.to, "--to");
        const clients = await connectWallet(raw);
        const address = payoutAddress(raw, clients.chain.id, clients.deploymentsDir);
        const me = clients.account.address;
        const count = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "payoutCount",
        });
        if (id === 0n || id > count) throw new InvalidInputError("--id", `no payout ${id} (last is ${count})`);
        const claimable = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "claimable",
          args: [id, me],
        });
        if (claimable === 0n) throw new InvalidInputError("--id", `you have nothing to claim from payout ${id}`);
        const transactions: SentTx[] = [];
        const { result } = await send(
          clients,
          transactions,
          "claim",
          { address, abi: iVictimPayoutAbi, functionName: "claim", args: [id, toFlag ?? me] },
          ctx.logger,
        );
        const [owed, claimed] = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "victimOf",
          args: [id, me],
        });
        ctx.print(
          { transactions, payoutId: id, victim: me, to: toFlag ?? me, amount: result as bigint, owed, claimed },
          renderTxResult,
        );
      }),
    );

  cmd("show", "show a payout and, with --victim, one victim's share")
    .requiredOption("--id <n>", "payout id")
    .option("--victim <address>", "victim to show")
    .action(
      action(async (ctx, raw: Raw) => {
        const id = parseUint(raw.id, "--id");
        const victim = raw.victim === undefined ? undefined : parseAddress(raw.victim, "--victim");
        const clients = await connectReader(raw);
        const address = payoutAddress(raw, clients.chain.id, clients.deploymentsDir);
        const count = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "payoutCount",
        });
        if (id === 0n || id > count) throw new InvalidInputError("--id", `no payout ${id} (last is ${count})`);
        const info = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "getPayout",
          args: [id],
        });
        const unassigned = await clients.publicClient.readContract({
          address,
          abi: iVictimPayoutAbi,
          functionName: "unassigned",
          args: [info.token],
        });
        const token = await tokenSymbol(clients.publicClient, info.token);
        let victimInfo: Record<string, unknown> | undefined;
        if (victim) {
          const [owed, claimed] = await clients.publicClient.readContract({
            address,
            abi: iVictimPayoutAbi,
            functionName: "victimOf",
            args: [id, victim],
          });
          const claimable = await clients.publicClient.readContract({
            address,
            abi: iVictimPayoutAbi,
            functionName: "claimable",
            args: [id, victim],
          });
          victimInfo = { victim, owed, claimed, claimable };
        }
        ctx.print({
          payout: address,
          payoutId: id,
          ...info,
          symbol: token,
          unassigned,
          ...(victimInfo ? { victimShare: victimInfo } : {}),
        });
      }),
    );
}

/**
 * The slash id and shares per strategy as recorded on chain (the StrategyManager's
 * BurnOrRedistributableSharesIncreased events); strategies with nothing recorded slashed 0 shares. The
 * simulated return value is only a fallback for the id when no strategy recorded shares.
 */
function slashOutcome(receipt: TransactionReceipt, strategies: Address[], simulated: unknown) {
  const recorded = parseEventLogs({
    abi: iStrategyManagerAbi,
    logs: receipt.logs,
    eventName: "BurnOrRedistributableSharesIncreased",
  });
  const values = simulated as readonly unknown[];
  const simulatedId = (values.length === 3 ? values[1] : values[0]) as bigint;
  const slashId = recorded[0]?.args.slashId ?? simulatedId;
  const sharesSlashed = strategies.map(
    (s) => recorded.find((l) => getAddress(l.args.strategy) === s)?.args.shares ?? 0n,
  );
  return { slashId, sharesSlashed };
}

async function tokenSymbol(client: Client, token: Address): Promise<string> {
  return client.readContract({ address: token, abi: erc20Abi, functionName: "symbol" }).catch(() => "?");
}
