import {
  BaseError,
  ContractFunctionExecutionError,
  ContractFunctionRevertedError,
  encodeErrorResult,
  HttpRequestError,
  TimeoutError,
} from "viem";
import { describe, expect, it } from "vitest";

import { iAllocationManagerAbi, iVictimPayoutAbi } from "./abis.js";
import {
  ALL_ERRORS_ABI,
  ContractRevertedError,
  decodeRevert,
  isTransient,
  RpcUnavailableError,
  withRetries,
} from "./tx.js";

const OPERATOR = "0x1000000000000000000000000000000000000001";
const AVS = "0x2000000000000000000000000000000000000002";

function revertOf(abi: readonly unknown[], data: `0x${string}`, functionName = "slashOperator") {
  const reverted = new ContractFunctionRevertedError({ abi: abi as never, data, functionName });
  return new ContractFunctionExecutionError(reverted, { abi: abi as never, functionName, args: [] });
}

describe("decodeRevert", () => {
  it("names the custom error and its arguments from the called contract's ABI", () => {
    const data = encodeErrorResult({
      abi: iAllocationManagerAbi,
      errorName: "OperatorNotSlashable",
      args: [OPERATOR, AVS, 3],
    });
    const error = decodeRevert(revertOf(iAllocationManagerAbi, data), "slashOperator");
    expect(error).toBeInstanceOf(ContractRevertedError);
    expect(error!.errorName).toBe("OperatorNotSlashable");
    expect(error!.args).toEqual([OPERATOR, AVS, 3]);
    expect(error!.message).toBe(`slashOperator would revert: OperatorNotSlashable(${OPERATOR}, ${AVS}, 3)`);
  });

  it("decodes an error raised by a callee with every vcloud error", () => {
    // The VictimPayout error is not in the AllocationManager's ABI, but is in ALL_ERRORS_ABI.
    const data = encodeErrorResult({ abi: iVictimPayoutAbi, errorName: "NothingToClaim", args: [1n, OPERATOR] });
    const error = decodeRevert(revertOf(iAllocationManagerAbi, data), "claim");
    expect(error!.errorName).toBe("NothingToClaim");
    expect(error!.args).toEqual([1n, OPERATOR]);
    expect(ALL_ERRORS_ABI.some((e) => e.name === "InvalidWadToSlash")).toBe(true);
  });

  it("reports unknown selectors and non-revert errors honestly", () => {
    const unknown = decodeRevert(revertOf(iAllocationManagerAbi, "0xdeadbeef"), "f");
    expect(unknown!.errorName).toBe("unknown error 0xdeadbeef");
    expect(decodeRevert(new Error("boom"), "f")).toBeUndefined();
    expect(decodeRevert(new BaseError("plain"), "f")).toBeUndefined();
  });
});

describe("retries", () => {
  const http503 = () => new HttpRequestError({ url: "http://x", status: 503 });

  it("classifies transport failures as transient and reverts/4xx as not", () => {
    expect(isTransient(http503())).toBe(true);
    expect(isTransient(new TimeoutError({ body: {}, url: "http://x" }))).toBe(true);
    expect(isTransient(new HttpRequestError({ url: "http://x", status: 400 }))).toBe(false);
    expect(isTransient(new Error("x"))).toBe(false);
  });

  it("retries transient failures up to the bound, then fails with RpcUnavailableError", async () => {
    let calls = 0;
    const ok = await withRetries(
      "op",
      async () => {
        calls++;
        if (calls < 3) throw http503();
        return "done";
      },
      { attempts: 4, baseDelayMs: 1 },
    );
    expect(ok).toBe("done");
    expect(calls).toBe(3);
    calls = 0;
    const failed = await withRetries(
      "op",
      async () => {
        calls++;
        throw http503();
      },
      { attempts: 3, baseDelayMs: 1 },
    ).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(RpcUnavailableError);
    expect(calls).toBe(3);
  });

  it("does not retry a non-transient failure", async () => {
    let calls = 0;
    await expect(
      withRetries("op", async () => {
        calls++;
        throw new Error("reverted");
      }),
    ).rejects.toThrow("reverted");
    expect(calls).toBe(1);
  });
});
