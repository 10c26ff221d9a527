import { mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

import { privateKeyToAddress } from "viem/accounts";
import { describe, expect, it } from "vitest";

import { InvalidInputError } from "./errors.js";
import { createKeystoreFile, decryptKeystoreFile, keystoreAddress, loadSigner, WrongPasswordError } from "./signer.js";

const KEY = "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d";
const dir = () => mkdtempSync(join(tmpdir(), "vcloud-keystore-"));
// Low scrypt cost keeps the tests fast; the file format is the same as with the default N.
const N = 1024;

describe("signer", () => {
  it("loads a raw private key and attaches a nonce manager", async () => {
    const account = await loadSigner({ privateKey: KEY });
    expect(account.address).toBe(privateKeyToAddress(KEY));
    expect(account.nonceManager).toBeDefined();
  });

  it("refuses a malformed private key naming --private-key", async () => {
    await expect(loadSigner({ privateKey: "0x1234" })).rejects.toThrow("invalid --private-key");
  });

  it("refuses both a private key and a keystore", async () => {
    await expect(loadSigner({ privateKey: KEY, keystore: "x.json" })).rejects.toThrow(/not both/);
  });

  it("demands a key source", async () => {
    const error = await loadSigner({}).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InvalidInputError);
    expect((error as InvalidInputError).field).toBe("--private-key");
  });

  it("round-trips a key through a V3 keystore (create -> address -> decrypt -> load)", async () => {
    const out = join(dir(), "key.json");
    const created = await createKeystoreFile({ out, password: "correct horse", privateKey: KEY, scryptN: N });
    expect(created.address).toBe(privateKeyToAddress(KEY));
    const json = JSON.parse(readFileSync(out, "utf8")) as {
      version: number;
      Crypto?: { kdf: string };
      crypto?: { kdf: string };
    };
    expect(json.version).toBe(3);
    // ethers writes "Crypto" (as geth did once); readers accept both spellings.
    expect((json.crypto ?? json.Crypto)?.kdf).toBe("scrypt");
    expect(keystoreAddress(out)).toBe(created.address);
    expect((await decryptKeystoreFile(out, "correct horse")).privateKey).toBe(KEY);
    const pw = join(dir(), "pw");
    writeFileSync(pw, "correct horse\n");
    const account = await loadSigner({ keystore: out, passwordFile: pw });
    expect(account.address).toBe(created.address);
    const fromEnv = await loadSigner({ keystore: out, password: "correct horse" });
    expect(fromEnv.address).toBe(created.address);
  });

  it("rejects a wrong password with WrongPasswordError naming the password source", async () => {
    const out = join(dir(), "key.json");
    await createKeystoreFile({ out, password: "right", scryptN: N });
    const error = await loadSigner({ keystore: out, password: "wrong" }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(WrongPasswordError);
    expect((error as WrongPasswordError).field).toBe("VCLOUD_KEYSTORE_PASSWORD");
    expect((error as Error).message).toContain("does not decrypt");
  });

  it("requires a password for a keystore", async () => {
    await expect(loadSigner({ keystore: "whatever.json" })).rejects.toThrow(/needs a password/);
  });

  it("refuses to overwrite an existing keystore and a bad scrypt N", async () => {
    const out = join(dir(), "key.json");
    writeFileSync(out, "{}");
    await expect(createKeystoreFile({ out, password: "p", scryptN: N })).rejects.toThrow(/refusing to overwrite/);
    await expect(createKeystoreFile({ out: join(dir(), "k.json"), password: "p", scryptN: 1000 })).rejects.toThrow(
      "invalid --scrypt-n",
    );
  });

  it("rejects a file that is not a keystore", async () => {
    const out = join(dir(), "not.json");
    writeFileSync(out, '{"hello": 1}');
    await expect(loadSigner({ keystore: out, password: "p" })).rejects.toThrow(/not an Ethereum V3 keystore/);
  });
});
