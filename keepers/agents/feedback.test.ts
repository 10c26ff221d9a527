import { describe, expect, it } from "vitest";

import { formatFixedPoint, parseFeedbackValue } from "./feedback.js";

describe("feedback values", () => {
  it("parses the ERC's examples into (value, valueDecimals)", () => {
    expect(parseFeedbackValue("87")).toEqual({ value: 87n, valueDecimals: 0 });
    expect(parseFeedbackValue("99.77")).toEqual({ value: 9977n, valueDecimals: 2 });
    expect(parseFeedbackValue("-3.2")).toEqual({ value: -32n, valueDecimals: 1 });
    expect(parseFeedbackValue("+1")).toEqual({ value: 1n, valueDecimals: 0 });
    expect(parseFeedbackValue("0.000000000000000001")).toEqual({ value: 1n, valueDecimals: 18 });
  });

  it("enforces at most 18 decimals and |value| <= 1e38", () => {
    expect(() => parseFeedbackValue("0.0000000000000000001")).toThrow(
      "invalid --value: at most 18 decimal places (got 19)",
    );
    expect(parseFeedbackValue(`1${"0".repeat(38)}`).value).toBe(10n ** 38n);
    expect(() => parseFeedbackValue(`1${"0".repeat(37)}1`)).toThrow("within ±1e38");
    expect(() => parseFeedbackValue(`-1${"0".repeat(37)}1`)).toThrow("within ±1e38");
  });

  it("rejects anything that is not a plain decimal, naming the field", () => {
    for (const bad of ["", "abc", "1e5", "1.", ".5", "0x10", "1,5"]) {
      expect(() => parseFeedbackValue(bad, "--value")).toThrow("invalid --value");
    }
  });

  it("formats back to the same decimal", () => {
    expect(formatFixedPoint(9977n, 2)).toBe("99.77");
    expect(formatFixedPoint(-32n, 1)).toBe("-3.2");
    expect(formatFixedPoint(-5n, 2)).toBe("-0.05");
    expect(formatFixedPoint(87n, 0)).toBe("87");
    expect(formatFixedPoint(0n, 3)).toBe("0.000");
    for (const text of ["12.5", "-0.001", "100", "0.000000000000000001"]) {
      const { value, valueDecimals } = parseFeedbackValue(text);
      expect(formatFixedPoint(value, valueDecimals)).toBe(text);
    }
  });
});
