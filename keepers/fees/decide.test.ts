import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { parseEther, parseUnits, zeroAddress, type Address } from "viem";
import { describe, expect, it } from "vitest";

import { InvalidInputError } from "../lib/errors.js";
import { decideBuyback, formatValue, valueOf, type BuybackInput } from "./decide.js";
import { loadPriceFile, mergePriceBooks, parsePriceFlags } from "./prices.js";

const USDC = "0xA0b86991c6218b36c1d19D4a2e9Eb0cE3606eB48" as Address;
const DUST = "0x6B175474E89094C44Da98b954EedeAC495271d0F" as Address;
const UNPRICED = "0xdAC17F958D2ee523a2206206994597C13D831ec7" as Address;

function input(overrides: Partial<BuybackInput> = {}): BuybackInput {
  return {
    holdings: [
      { asset: zeroAddress, symbol: "ETH", decimals: 18, amount: parseEther("2") },
      { asset: USDC, symbol: "USDC", decimals: 6, amount: parseUnits("5000", 6) },
    ],
    prices: parsePriceFlags(["EIGEN=2", "ETH=3000", `${USDC}=1`]),
    releasePrice: parseEther("4000"), // 8,000 in value
    eigenBalance: parseEther("10000"),
    gas: { baseGas: 100_000n, gasPerAsset: 50_000n, gasPriceWei: 10n ** 9n }, // 1 gwei
    minProfit: 0n,
    maxAssets: 20,
    ...overrides,
  };
}

describe("decideBuyback", () => {
  it("releases when the jar is worth more than the burn plus gas, taking the most valuable assets first", () => {
    const d = decideBuyback(input());
    // jar 11,000; burn 8,000; gas (100k + 2*50k) * 1 gwei = 0.0002 ETH = 0.6
    expect(d.release).toBe(true);
    expect(d.assets).toEqual([zeroAddress, USDC]);
    expect(d.takeValue).toBe(parseEther("11000"));
    expect(d.burnCost).toBe(parseEther("8000"));
    expect(d.gasCost).toBe(parseEther("0.6"));
    expect(d.profit).toBe(parseEther("2999.4"));
    expect(d.reason).toMatch(/^profitable: jar 11000.0000 vs burn 8000.0000 \+ gas 0.6000/);
  });

  it("holds when the burn costs more than the jar is worth, and says by how much", () => {
    const d = decideBuyback(input({ releasePrice: parseEther("6000") }));
    expect(d.release).toBe(false);
    expect(d.profit).toBe(parseEther("-1000.6"));
    expect(d.reason).toContain("not profitable");
    expect(d.reason).toContain("profit -1000.6000 < minimum 0.0000");
  });

  it("holds when profit is below the configured minimum", () => {
    const d = decideBuyback(input({ minProfit: parseEther("3000") }));
    expect(d.release).toBe(false);
    expect(d.reason).toContain("< minimum 3000.0000");
  });

  it("leaves dust whose transfer gas exceeds its value, and unpriced assets, in the jar", () => {
    const d = decideBuyback(
      input({
        holdings: [
          ...input().holdings,
          { asset: DUST, symbol: "DAI", decimals: 18, amount: parseEther("0.01") },
          { asset: UNPRICED, symbol: "USDT", decimals: 6, amount: 1_000_000n },
        ],
        prices: parsePriceFlags(["EIGEN=2", "ETH=3000", `${USDC}=1`, `${DUST}=1`]),
      }),
    );
    expect(d.release).toBe(true);
    expect(d.assets).toEqual([zeroAddress, USDC]);
    expect(d.reason).toContain("no price for USDT");
  });

  it("caps the assets at the releaser's limit", () => {
    const d = decideBuyback(input({ maxAssets: 1 }));
    expect(d.assets).toEqual([zeroAddress]);
  });

  it("holds without an EIGEN or ETH price, on an empty jar, and when the searcher lacks EIGEN", () => {
    expect(decideBuyback(input({ prices: parsePriceFlags(["ETH=3000"]) })).reason).toBe("no EIGEN price configured");
    expect(decideBuyback(input({ prices: parsePriceFlags(["EIGEN=1"]) })).reason).toContain("no ETH price");
    const empty = decideBuyback(input({ holdings: [{ asset: zeroAddress, symbol: "ETH", decimals: 18, amount: 0n }] }));
    expect(empty).toMatchObject({ release: false, reason: "the jar is empty" });
    const poor = decideBuyback(input({ eigenBalance: parseEther("1") }));
    expect(poor.release).toBe(false);
    expect(poor.reason).toContain("searcher holds 1.0000 EIGEN < price 4000.0000");
  });
});

describe("prices", () => {
  it("reads a JSON price file and lets flags override it", () => {
    const dir = mkdtempSync(join(tmpdir(), "vcloud-prices-"));
    const file = join(dir, "prices.json");
    writeFileSync(file, JSON.stringify({ EIGEN: "2.5", ETH: 3000, [USDC.toLowerCase()]: "0.999" }));
    const book = mergePriceBooks(loadPriceFile(file), parsePriceFlags(["ETH=3100"]));
    expect(book.eigen).toBe(parseEther("2.5"));
    expect(book.eth).toBe(parseEther("3100"));
    expect(book.tokens.get(USDC)).toBe(parseEther("0.999"));
  });

  it("names the bad flag or file", () => {
    expect(() => parsePriceFlags(["ETH"])).toThrow(InvalidInputError);
    expect(() => parsePriceFlags(["ETH"])).toThrow(/invalid --price: expected KEY=PRICE/);
    expect(() => parsePriceFlags(["BTC=1"])).toThrow(/unknown asset BTC/);
    expect(() => parsePriceFlags(["ETH=-1"])).toThrow(/non-negative decimal/);
    const dir = mkdtempSync(join(tmpdir(), "vcloud-prices-"));
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ ETH: "abc" }));
    expect(() => loadPriceFile(join(dir, "bad.json"))).toThrow(/invalid --price-file: ETH: must be/);
    expect(() => loadPriceFile(join(dir, "missing.json"))).toThrow(/invalid --price-file/);
  });

  it("values base units at a per-whole-token price", () => {
    expect(valueOf(parseUnits("1.5", 6), 6, parseEther("2"))).toBe(parseEther("3"));
    expect(formatValue(-parseEther("1.23456"))).toBe("-1.2345");
  });
});
