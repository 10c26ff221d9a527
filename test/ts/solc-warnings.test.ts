/**
 * scripts/check-solc-warnings.ts (Solidity compiler warnings are errors): which solc diagnostics fail the
 * lint-sol check. The end-to-end check (a contract with an unused local fails `npm run lint:sol` after a build,
 * and passes once the file is removed and rebuilt) is recorded in docs/security.md.
 */
import { describe, expect, it } from "vitest";

import { classifyWarnings, isCurrent, type SolcDiagnostic } from "../../scripts/check-solc-warnings.js";

const warning = (file: string, errorCode = "2072", message = "Unused local variable."): SolcDiagnostic => ({
  severity: "warning",
  errorCode,
  message,
  sourceLocation: { file },
});

describe("solc warnings as errors", () => {
  it("fails on a warning in a contract or a test, not on test contract size, and lists dependency warnings", () => {
    const diagnostics = [
      warning("project/contracts/core/AllocationManager.sol"),
      warning("project/test/sol/core/Slashing.t.sol"),
      warning("project/test/sol/core/Slashing.t.sol", "5574", "Contract code size is 103928 bytes"),
      warning("project/test/sol/core/Slashing.t.sol", "3860", "Contract initcode size is 104919 bytes"),
      warning("project/contracts/core/AllocationManager.sol", "5574", "Contract code size is 30000 bytes"),
      warning("npm/@openzeppelin/contracts@5.7.0/token/ERC20/ERC20.sol"),
      { severity: "info", message: "a note", sourceLocation: { file: "project/contracts/a.sol" } },
      { severity: "error", message: "ParserError", sourceLocation: { file: "project/contracts/a.sol" } },
    ];
    const { failing, dependency } = classifyWarnings(diagnostics);
    expect(failing.map((d) => [d.sourceLocation?.file, d.errorCode])).toEqual([
      ["project/contracts/core/AllocationManager.sol", "2072"],
      ["project/test/sol/core/Slashing.t.sol", "2072"],
      ["project/contracts/core/AllocationManager.sol", "5574"],
    ]);
    expect(dependency).toHaveLength(1);
  });

  it("ignores a stale build-info's warning about a file recompiled since or deleted", () => {
    const builds = new Map([["project/contracts/core/AllocationManager.sol", new Set(["new"])]]);
    expect(isCurrent(warning("project/contracts/core/AllocationManager.sol"), "new", builds)).toBe(true);
    expect(isCurrent(warning("project/contracts/core/AllocationManager.sol"), "old", builds)).toBe(false);
    expect(isCurrent(warning("project/contracts/Deleted.sol"), "old", builds)).toBe(false);
    // a source without artifacts of its own that exists (free functions, errors only) stays checked
    expect(isCurrent(warning("project/contracts/libraries/SlashingLib.sol"), "old", builds)).toBe(true);
  });
});
