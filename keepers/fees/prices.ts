import { readFileSync } from "node:fs";

import { getAddress, isAddress, parseUnits, type Address } from "viem";
import { z } from "zod";

import { InvalidInputError } from "../lib/errors.js";

/**
 * Prices in a common unit of account (e.g. USD), each per whole token, as 18-decimal fixed-point bigints.
 * Keys: `EIGEN` (the burn token), `ETH` (native), or a token address (checksummed).
 */
export type PriceBook = {
  /** Price of one whole EIGEN; required to value the burn. */
  eigen: bigint | undefined;
  /** Price of one whole ETH; also prices gas. */
  eth: bigint | undefined;
  /** Price of one whole token by (checksummed) address. */
  tokens: Map<Address, bigint>;
};

export const PRICE_DECIMALS = 18;

const decimalPrice = z
  .union([z.string(), z.number()])
  .transform((v) => String(v).trim())
  .refine((v) => /^\d+(\.\d{1,18})?$/.test(v), "must be a non-negative decimal with at most 18 places");

/** `{"EIGEN": "2.5", "ETH": "3000", "0xA0b8…": "1"}`: the price file format (`--price-file`). */
export const priceFileSchema = z.record(z.string(), decimalPrice);

/** Builds a price book from `KEY -> decimal string` entries; `field` names the flag or file in errors. */
export function priceBookFrom(entries: Record<string, string>, field: string): PriceBook {
  const book: PriceBook = { eigen: undefined, eth: undefined, tokens: new Map() };
  for (const [rawKey, value] of Object.entries(entries)) {
    const key = rawKey.trim();
    if (!/^\d+(\.\d{1,18})?$/.test(value))
      throw new InvalidInputError(field, `price of ${key} must be a non-negative decimal with at most 18 places`);
    const price = parseUnits(value, PRICE_DECIMALS);
    if (key.toUpperCase() === "EIGEN") book.eigen = price;
    else if (key.toUpperCase() === "ETH") book.eth = price;
    else if (isAddress(key, { strict: false })) book.tokens.set(getAddress(key), price);
    else throw new InvalidInputError(field, `unknown asset ${key}: use EIGEN, ETH or a token address`);
  }
  return book;
}

/** Reads a JSON price file (see `priceFileSchema`). */
export function loadPriceFile(path: string): PriceBook {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, "utf8"));
  } catch (cause) {
    throw new InvalidInputError("--price-file", `${path} is not a readable JSON file`, { cause });
  }
  const parsed = priceFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new InvalidInputError("--price-file", `${issue.path.join(".") || "root"}: ${issue.message}`);
  }
  return priceBookFrom(parsed.data, "--price-file");
}

/** Parses repeated `--price KEY=VALUE` flags. */
export function parsePriceFlags(flags: string[]): PriceBook {
  const entries: Record<string, string> = {};
  for (const flag of flags) {
    const eq = flag.indexOf("=");
    if (eq <= 0) throw new InvalidInputError("--price", `expected KEY=PRICE (e.g. ETH=3000), got "${flag}"`);
    entries[flag.slice(0, eq)] = flag.slice(eq + 1).trim();
  }
  return priceBookFrom(entries, "--price");
}

/** Flags override the file entry by entry. */
export function mergePriceBooks(base: PriceBook, override: PriceBook): PriceBook {
  return {
    eigen: override.eigen ?? base.eigen,
    eth: override.eth ?? base.eth,
    tokens: new Map([...base.tokens, ...override.tokens]),
  };
}

/** The price of a jar asset (`address(0)` = ETH), if known. */
export function priceOf(book: PriceBook, asset: Address): bigint | undefined {
  return BigInt(asset) === 0n ? book.eth : book.tokens.get(getAddress(asset));
}
