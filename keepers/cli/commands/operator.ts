/**
 * `vcloud operator ...`: what an operator does: register, set its allocation delay, allocate and deallocate
 * magnitude to operator sets, register for and deregister from sets, and show its state.
 */
import type { Command } from "commander";
import { zeroAddress } from "viem";

import { iAllocationManagerAbi, iDelegationManagerAbi } from "../../lib/abis.js";
import { InvalidInputError } from "../../lib/errors.js";
import {
  buildAllocateParams,
  checkAllocation,
  checkDeallocation,
  parseAddress,
  parseAddressList,
  parseHexData,
  parseUint,
  parseUint32,
  parseUint32List,
  type AllocateParams,
} from "../../restaking/params.js";
import { readOperatorView, type Client, type RestakingAddresses } from "../../restaking/views.js";
import type { CommandContext } from "../context.js";
import { action } from "../context.js";
import { renderTxResult, restakingAddresses, send, withRestakingContracts, type SentTx } from "../restaking.js";
import { connectReader, connectWallet, withWalletOptions, type WalletClients } from "../wallet.js";

type Raw = Record<string, unknown>;

function command(parent: Command, name: string, description: string): Command {
  return withRestakingContracts(withWalletOptions(parent.command(name).description(description)));
}

async function requireOperator(client: Client, addresses: RestakingAddresses, operator: `0x${string}`) {
  const isOperator = await client.readContract({
    address: addresses.delegationManager,
    abi: iDelegationManagerAbi,
    functionName: "isOperator",
    args: [operator],
  });
  if (!isOperator)
    throw new InvalidInputError(
      "--private-key",
      `${operator} is not a registered operator; run \`vcloud operator register\``,
    );
}

async function currentMagnitudes(client: Client, am: `0x${string}`, operator: `0x${string}`, params: AllocateParams) {
  return Promise.all(
    params.strategies.map(async (strategy) => {
      const a = await client.readContract({
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "getAllocation",
        args: [operator, params.operatorSet, strategy],
      });
      if (a.pendingDiff !== 0n)
        throw new InvalidInputError(
          "--strategy",
          `${strategy} already has a pending change (to take effect at block ${a.effectBlock}); wait for it`,
        );
      return a.currentMagnitude;
    }),
  );
}

async function modify(ctx: CommandContext, raw: Raw, direction: "allocate" | "deallocate") {
  const params = buildAllocateParams({
    avs: raw.avs,
    operatorSetId: raw.operatorSet,
    strategies: raw.strategy,
    magnitudes: raw.magnitude,
  });
  const clients = await connectWallet(raw);
  const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
  const { publicClient, account } = clients;
  const am = addresses.allocationManager;
  await requireOperator(publicClient, addresses, account.address);
  const exists = await publicClient.readContract({
    address: am,
    abi: iAllocationManagerAbi,
    functionName: "isOperatorSet",
    args: [params.operatorSet],
  });
  if (!exists)
    throw new InvalidInputError(
      "--operator-set",
      `${params.operatorSet.avs} has no operator set ${params.operatorSet.id}`,
    );
  const current = await currentMagnitudes(publicClient, am, account.address, params);
  if (direction === "allocate") {
    checkAllocation(params, current);
    const [isSet] = await publicClient.readContract({
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "getAllocationDelay",
      args: [account.address],
    });
    if (!isSet)
      throw new InvalidInputError(
        "--private-key",
        "your allocation delay is not set yet (`operator set-allocation-delay`)",
      );
    for (const [i, strategy] of params.strategies.entries()) {
      const allocatable = await publicClient.readContract({
        address: am,
        abi: iAllocationManagerAbi,
        functionName: "getAllocatableMagnitude",
        args: [account.address, strategy],
      });
      const increase = params.newMagnitudes[i]! - current[i]!;
      if (increase > allocatable)
        throw new InvalidInputError(
          "--magnitude",
          `raising ${strategy} by ${increase} exceeds the ${allocatable} still allocatable`,
        );
    }
  } else {
    checkDeallocation(params, current);
  }
  const transactions: SentTx[] = [];
  await send(
    clients,
    transactions,
    "modifyAllocations",
    {
      address: am,
      abi: iAllocationManagerAbi,
      functionName: "modifyAllocations",
      args: [account.address, [params]],
    },
    ctx.logger,
  );
  const view = await readOperatorView(publicClient, addresses, account.address, params.strategies);
  ctx.print(
    {
      transactions,
      operator: account.address,
      operatorSet: params.operatorSet,
      allocations: view.allocations.filter(
        (a) => a.operatorSet.avs === params.operatorSet.avs && a.operatorSet.id === params.operatorSet.id,
      ),
      strategies: view.strategies.filter((s) => params.strategies.includes(s.strategy)),
    },
    renderTxResult,
  );
}

async function showAfter(clients: WalletClients, addresses: RestakingAddresses) {
  return readOperatorView(clients.publicClient, addresses, clients.account.address);
}

export function registerOperator(program: Command): void {
  const operator = program
    .command("operator")
    .description("operators: register, allocate stake to operator sets, show");

  command(operator, "register", "register as an operator (you are delegated to yourself)")
    .requiredOption("--allocation-delay <blocks>", "blocks before your new allocations take effect")
    .option("--metadata-uri <uri>", "metadata URI", "")
    .option("--delegation-approver <address>", "address that must approve delegations (default: none)", zeroAddress)
    .action(
      action(async (ctx, raw: Raw) => {
        const delay = parseUint32(raw.allocationDelay, "--allocation-delay");
        const approver = parseAddress(raw.delegationApprover, "--delegation-approver");
        const uri = String(raw.metadataUri ?? "");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const dm = addresses.delegationManager;
        const me = clients.account.address;
        const isOperator = await clients.publicClient.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "isOperator",
          args: [me],
        });
        if (isOperator) throw new InvalidInputError("--private-key", `${me} is already registered as an operator`);
        const delegated = await clients.publicClient.readContract({
          address: dm,
          abi: iDelegationManagerAbi,
          functionName: "delegatedTo",
          args: [me],
        });
        if (delegated !== zeroAddress)
          throw new InvalidInputError(
            "--private-key",
            `${me} is delegated to ${delegated}; undelegate before registering`,
          );
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "registerAsOperator",
          {
            address: dm,
            abi: iDelegationManagerAbi,
            functionName: "registerAsOperator",
            args: [approver, delay, uri],
          },
          ctx.logger,
        );
        ctx.print({ transactions, ...(await showAfter(clients, addresses)) }, renderTxResult);
      }),
    );

  command(operator, "set-allocation-delay", "change your allocation delay (applies after the configuration delay)")
    .requiredOption("--delay <blocks>", "new allocation delay in blocks")
    .action(
      action(async (ctx, raw: Raw) => {
        const delay = parseUint32(raw.delay, "--delay");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        await requireOperator(clients.publicClient, addresses, clients.account.address);
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "setAllocationDelay",
          {
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "setAllocationDelay",
            args: [clients.account.address, delay],
          },
          ctx.logger,
        );
        const view = await showAfter(clients, addresses);
        ctx.print({ transactions, operator: view.operator, allocationDelay: view.allocationDelay }, renderTxResult);
      }),
    );

  for (const direction of ["allocate", "deallocate"] as const) {
    command(
      operator,
      direction,
      direction === "allocate"
        ? "raise your magnitude (fraction of your stake) allocated to an operator set"
        : "lower your magnitude in an operator set (stays slashable for the deallocation delay)",
    )
      .requiredOption("--avs <address>", "AVS that owns the operator set")
      .requiredOption("--operator-set <id>", "operator set id")
      .requiredOption("--strategy <addresses>", "strategy or comma-separated strategies")
      .option(
        "--magnitude <wads>",
        'new magnitude per strategy: "10%" or a wad (1e18 = 100%); one value for all, or comma-separated',
        direction === "deallocate" ? "0" : undefined,
      )
      .action(
        action(async (ctx, raw: Raw) => {
          if (raw.magnitude === undefined) throw new InvalidInputError("--magnitude", "is required");
          await modify(ctx, raw, direction);
        }),
      );
  }

  command(operator, "register-for-sets", "register for operator sets of an AVS (the AVS registrar may refuse)")
    .requiredOption("--avs <address>", "AVS")
    .requiredOption("--operator-set <ids>", "operator set id or comma-separated ids")
    .option("--data <hex>", "data for the AVS registrar", "0x")
    .action(
      action(async (ctx, raw: Raw) => {
        const avs = parseAddress(raw.avs, "--avs");
        const ids = parseUint32List(raw.operatorSet, "--operator-set");
        const data = parseHexData(raw.data, "--data");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const { publicClient, account } = clients;
        await requireOperator(publicClient, addresses, account.address);
        for (const id of ids) {
          const set = { avs, id };
          const exists = await publicClient.readContract({
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "isOperatorSet",
            args: [set],
          });
          if (!exists) throw new InvalidInputError("--operator-set", `${avs} has no operator set ${id}`);
          const member = await publicClient.readContract({
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "isMemberOfOperatorSet",
            args: [account.address, set],
          });
          if (member) throw new InvalidInputError("--operator-set", `you are already registered for set ${id}`);
        }
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "registerForOperatorSets",
          {
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "registerForOperatorSets",
            args: [account.address, { avs, operatorSetIds: ids, data }],
          },
          ctx.logger,
        );
        const view = await showAfter(clients, addresses);
        ctx.print({ transactions, operator: view.operator, registeredSets: view.registeredSets }, renderTxResult);
      }),
    );

  command(
    operator,
    "deregister-from-sets",
    "deregister from operator sets (you stay slashable for the deallocation delay)",
  )
    .requiredOption("--avs <address>", "AVS")
    .requiredOption("--operator-set <ids>", "operator set id or comma-separated ids")
    .option("--operator <address>", "operator to deregister (default: yourself; an AVS may deregister its operators)")
    .action(
      action(async (ctx, raw: Raw) => {
        const avs = parseAddress(raw.avs, "--avs");
        const ids = parseUint32List(raw.operatorSet, "--operator-set");
        const operatorFlag = raw.operator === undefined ? undefined : parseAddress(raw.operator, "--operator");
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const operatorAddress = operatorFlag ?? clients.account.address;
        for (const id of ids) {
          const member = await clients.publicClient.readContract({
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "isMemberOfOperatorSet",
            args: [operatorAddress, { avs, id }],
          });
          if (!member)
            throw new InvalidInputError("--operator-set", `${operatorAddress} is not registered for set ${id}`);
        }
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "deregisterFromOperatorSets",
          {
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "deregisterFromOperatorSets",
            args: [{ operator: operatorAddress, avs, operatorSetIds: ids }],
          },
          ctx.logger,
        );
        const view = await readOperatorView(clients.publicClient, addresses, operatorAddress);
        ctx.print({ transactions, operator: operatorAddress, registeredSets: view.registeredSets }, renderTxResult);
      }),
    );

  command(operator, "clear-deallocations", "complete due deallocations (frees magnitude); anyone may call")
    .option("--operator <address>", "operator (default: yourself)")
    .requiredOption("--strategy <addresses>", "strategy or comma-separated strategies")
    .option("--count <n>", "at most this many per strategy", "65535")
    .action(
      action(async (ctx, raw: Raw) => {
        const operatorFlag = raw.operator === undefined ? undefined : parseAddress(raw.operator, "--operator");
        const strategies = parseAddressList(raw.strategy, "--strategy");
        const count = Number(parseUint(raw.count, "--count", 65535n));
        const clients = await connectWallet(raw);
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const operatorAddress = operatorFlag ?? clients.account.address;
        const transactions: SentTx[] = [];
        await send(
          clients,
          transactions,
          "clearDeallocationQueue",
          {
            address: addresses.allocationManager,
            abi: iAllocationManagerAbi,
            functionName: "clearDeallocationQueue",
            args: [operatorAddress, strategies, strategies.map(() => count)],
          },
          ctx.logger,
        );
        const view = await readOperatorView(clients.publicClient, addresses, operatorAddress, strategies);
        ctx.print({ transactions, operator: operatorAddress, strategies: view.strategies }, renderTxResult);
      }),
    );

  command(operator, "show", "show an operator: registration, allocation delay, sets, magnitudes and allocations")
    .option("--operator <address>", "operator (default: the signer's address)")
    .option("--strategy <addresses>", "also show these strategies")
    .action(
      action(async (ctx, raw: Raw) => {
        const operatorFlag = raw.operator === undefined ? undefined : parseAddress(raw.operator, "--operator");
        const extra = raw.strategy === undefined ? [] : parseAddressList(raw.strategy, "--strategy");
        const clients = await connectReader(raw);
        const operatorAddress = operatorFlag ?? clients.account?.address;
        if (!operatorAddress) throw new InvalidInputError("--operator", "give --operator or a signing key");
        const addresses = restakingAddresses(raw, clients.chain.id, clients.deploymentsDir);
        const view = await readOperatorView(clients.publicClient, addresses, operatorAddress, extra);
        ctx.print(view);
      }),
    );
}
