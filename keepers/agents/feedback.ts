/**
 * ERC-8004 feedback values: a signed fixed-point number sent as (int128 value, uint8 valueDecimals).
 * "99.77" is (9977, 2); "-3.2" is (-32, 1). The registry accepts decimals 0..18 and |value| <= 1e38.
 */
import { InvalidInputError } from "../lib/errors.js";

export const MAX_VALUE_DECIMALS = 18;
export const MAX_ABS_VALUE = 10n ** 38n;

export type FixedPoint = { value: bigint; valueDecimals: number };

/** Parses a decimal string into (value, valueDecimals) with the registry's bounds; names `field` on error. */
export function parseFeedbackValue(text: string, field = "--value"): FixedPoint {
  const m = /^([+-]?)(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!m) throw new InvalidInputError(field, `"${text}" must be a decimal number such as 87, 99.77 or -3.2`);
  const fraction = m[3] ?? "";
  if (fraction.length > MAX_VALUE_DECIMALS) {
    throw new InvalidInputError(field, `at most ${MAX_VALUE_DECIMALS} decimal places (got ${fraction.length})`);
  }
  const magnitude = BigInt(`${m[2]}${fraction}`);
  if (magnitude > MAX_ABS_VALUE) throw new InvalidInputError(field, "must be within ±1e38 in its smallest unit");
  return { value: m[1] === "-" ? -magnitude : magnitude, valueDecimals: fraction.length };
}

/** Renders (value, decimals) as a decimal string: (9977n, 2) -> "99.77", (-5n, 1) -> "-0.5". */
export function formatFixedPoint(value: bigint, decimals: number): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(decimals + 1, "0");
  const whole = digits.slice(0, digits.length - decimals);
  const fraction = decimals > 0 ? `.${digits.slice(digits.length - decimals)}` : "";
  return `${negative ? "-" : ""}${whole}${fraction}`;
}
