/**
 * Where a user's signing key comes from: a raw private key (`--private-key` / VCLOUD_PRIVATE_KEY) or an
 * encrypted Ethereum V3 keystore file (`--keystore FILE`, password from VCLOUD_KEYSTORE_PASSWORD or
 * `--password-file`). The keystore format (scrypt or pbkdf2 KDF, aes-128-ctr, keccak MAC) is handled by
 * ethers' `encryptKeystoreJson`/`decryptKeystoreJson`, the implementation most Ethereum tooling shares.
 */
import { existsSync, readFileSync, writeFileSync } from "node:fs";

import { decryptKeystoreJson, encryptKeystoreJson, isKeystoreJson } from "ethers";
import { getAddress, isHex, type Address, type Hex } from "viem";
import { generatePrivateKey, nonceManager, privateKeyToAccount, type PrivateKeyAccount } from "viem/accounts";

import { InvalidInputError, VcloudError } from "./errors.js";

export type SignerSource = {
  /** 0x + 64 hex digits. */
  privateKey?: string;
  /** Path of a V3 keystore JSON file. */
  keystore?: string;
  /** Path of a file whose first line is the keystore password. */
  passwordFile?: string;
  /** The keystore password itself (from VCLOUD_KEYSTORE_PASSWORD). */
  password?: string;
};

/** The keystore file could be read but the password does not open it. */
export class WrongPasswordError extends InvalidInputError {
  override name = "WrongPasswordError";
  constructor(field: string, keystore: string) {
    super(field, `the password does not decrypt ${keystore}`);
  }
}

/** Whether any key source was given (a command that only reads needs none). */
export function hasSignerSource(source: SignerSource): boolean {
  return Boolean(source.privateKey || source.keystore);
}

/** Reads the password: `--password-file` wins over VCLOUD_KEYSTORE_PASSWORD; trailing newline dropped. */
export function readPassword(source: SignerSource): { password: string; field: string } {
  if (source.passwordFile) {
    if (!existsSync(source.passwordFile))
      throw new InvalidInputError("--password-file", `no such file ${source.passwordFile}`);
    const text = readFileSync(source.passwordFile, "utf8");
    const password = text.split(/\r?\n/)[0] ?? "";
    if (password.length === 0) throw new InvalidInputError("--password-file", "the file's first line is empty");
    return { password, field: "--password-file" };
  }
  if (source.password !== undefined && source.password.length > 0)
    return { password: source.password, field: "VCLOUD_KEYSTORE_PASSWORD" };
  throw new InvalidInputError(
    "--password-file",
    "a keystore needs a password: give --password-file or set VCLOUD_KEYSTORE_PASSWORD",
  );
}

function checkPrivateKey(value: string, field: string): Hex {
  if (!/^0x[0-9a-fA-F]{64}$/.test(value) || !isHex(value))
    throw new InvalidInputError(field, "must be 0x followed by 64 hex digits");
  return value as Hex;
}

/** Decrypts a V3 keystore file and returns its private key. */
export async function decryptKeystoreFile(path: string, password: string, passwordField = "--password-file") {
  if (!existsSync(path)) throw new InvalidInputError("--keystore", `no such file ${path}`);
  const json = readFileSync(path, "utf8");
  if (!isKeystoreJson(json)) throw new InvalidInputError("--keystore", `${path} is not an Ethereum V3 keystore`);
  try {
    const account = await decryptKeystoreJson(json, password);
    return { address: getAddress(account.address), privateKey: account.privateKey as Hex };
  } catch (cause) {
    const message = (cause as Error).message ?? "";
    if (/incorrect password/i.test(message)) throw new WrongPasswordError(passwordField, path);
    throw new InvalidInputError("--keystore", `cannot decrypt ${path}: ${message.split("\n")[0]}`, { cause });
  }
}

/**
 * Resolves the signing account from the given sources. Exactly one of a private key and a keystore may be
 * given. The account carries viem's JSON-RPC nonce manager so that consecutive transactions from one
 * process get consecutive nonces without waiting for each to be mined.
 */
export async function loadSigner(source: SignerSource): Promise<PrivateKeyAccount> {
  if (source.privateKey && source.keystore)
    throw new InvalidInputError("--keystore", "give either --private-key (VCLOUD_PRIVATE_KEY) or --keystore, not both");
  let key: Hex;
  if (source.keystore) {
    const { password, field } = readPassword(source);
    key = (await decryptKeystoreFile(source.keystore, password, field)).privateKey;
  } else if (source.privateKey) {
    key = checkPrivateKey(source.privateKey, "--private-key");
  } else {
    throw new InvalidInputError(
      "--private-key",
      "a signing key is required: give --private-key (or VCLOUD_PRIVATE_KEY) or --keystore FILE",
    );
  }
  try {
    return privateKeyToAccount(key, { nonceManager });
  } catch (cause) {
    throw new InvalidInputError(source.keystore ? "--keystore" : "--private-key", "not a valid secp256k1 key", {
      cause,
    });
  }
}

export type KeystoreCreateOptions = {
  /** Where to write the keystore; refused when the file exists. */
  out: string;
  password: string;
  /** Import this key instead of generating a fresh one. */
  privateKey?: string;
  /** scrypt cost parameter N (power of two); default 2^17 as geth. */
  scryptN?: number;
};

/** Encrypts a (new or given) private key into a V3 keystore file, readable by geth, ethers, foundry. */
export async function createKeystoreFile(options: KeystoreCreateOptions): Promise<{ address: Address; path: string }> {
  if (existsSync(options.out)) throw new InvalidInputError("--out", `${options.out} exists; refusing to overwrite it`);
  const n = options.scryptN ?? 2 ** 17;
  if (!Number.isInteger(n) || n < 2 || (n & (n - 1)) !== 0)
    throw new InvalidInputError("--scrypt-n", "must be a power of two >= 2");
  const privateKey = options.privateKey ? checkPrivateKey(options.privateKey, "--private-key") : generatePrivateKey();
  const address = privateKeyToAccount(privateKey).address;
  const json = await encryptKeystoreJson({ address, privateKey }, options.password, { scrypt: { N: n } });
  try {
    writeFileSync(options.out, `${json}\n`, { mode: 0o600, flag: "wx" });
  } catch (cause) {
    throw new VcloudError(`cannot write ${options.out}`, { cause });
  }
  return { address, path: options.out };
}

/** The address a keystore file belongs to, without decrypting it. */
export function keystoreAddress(path: string): Address {
  if (!existsSync(path)) throw new InvalidInputError("--keystore", `no such file ${path}`);
  const json = readFileSync(path, "utf8");
  if (!isKeystoreJson(json)) throw new InvalidInputError("--keystore", `${path} is not an Ethereum V3 keystore`);
  const raw = (JSON.parse(json) as { address?: string }).address;
  if (!raw) throw new InvalidInputError("--keystore", `${path} does not record its address; decrypt it instead`);
  return getAddress(raw.startsWith("0x") ? raw : `0x${raw}`);
}
