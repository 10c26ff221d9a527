import type { Command } from "commander";
import { z } from "zod";

import { fromEnv, parseOptions } from "../../lib/config.js";
import { createKeystoreFile, decryptKeystoreFile, keystoreAddress, readPassword } from "../../lib/signer.js";
import { action } from "../context.js";

const createSchema = z.object({
  out: z.string().min(1, "must name the keystore file to write"),
  privateKey: z.string().optional(),
  passwordFile: z.string().min(1).optional(),
  scryptN: z.coerce.number().int("must be an integer").optional(),
});

const addressSchema = z.object({
  keystore: z.string().min(1, "must name a keystore file"),
  passwordFile: z.string().min(1).optional(),
  verify: z.boolean(),
});

/** `vcloud keystore create|address`: make and inspect encrypted V3 keystores for the other commands. */
export function registerKeystore(program: Command): void {
  const keystore = program.command("keystore").description("encrypted Ethereum V3 keystore files for signing keys");

  keystore
    .command("create")
    .description("encrypt a new (or an imported) private key into a V3 keystore file")
    .requiredOption("--out <file>", "keystore file to write (refused if it exists)")
    .option("--private-key <hex>", "import this key instead of generating one (env VCLOUD_PRIVATE_KEY)")
    .option("--password-file <file>", "file whose first line is the password (else env VCLOUD_KEYSTORE_PASSWORD)")
    .option("--scrypt-n <n>", "scrypt cost N, a power of two (default 131072)")
    .action(
      action(async (ctx, raw: Record<string, unknown>) => {
        const opts = parseOptions(createSchema, {
          ...raw,
          privateKey: raw.privateKey ?? fromEnv("VCLOUD_PRIVATE_KEY"),
        });
        const { password } = readPassword({
          passwordFile: opts.passwordFile,
          password: fromEnv("VCLOUD_KEYSTORE_PASSWORD"),
        });
        const created = await createKeystoreFile({
          out: opts.out,
          password,
          privateKey: opts.privateKey,
          scryptN: opts.scryptN,
        });
        ctx.print(created, (c: typeof created) => `wrote ${c.path}\naddress ${c.address}`);
      }),
    );

  keystore
    .command("address")
    .description("print the address of a keystore (with --verify, decrypt it to prove the password)")
    .requiredOption("--keystore <file>", "keystore file (env VCLOUD_KEYSTORE)", fromEnv("VCLOUD_KEYSTORE"))
    .option("--password-file <file>", "file whose first line is the password (else env VCLOUD_KEYSTORE_PASSWORD)")
    .option("--verify", "decrypt the key and check that it matches the recorded address", false)
    .action(
      action(async (ctx, raw: Record<string, unknown>) => {
        const opts = parseOptions(addressSchema, raw);
        let address = keystoreAddress(opts.keystore);
        if (opts.verify) {
          const { password, field } = readPassword({
            passwordFile: opts.passwordFile,
            password: fromEnv("VCLOUD_KEYSTORE_PASSWORD"),
          });
          address = (await decryptKeystoreFile(opts.keystore, password, field)).address;
        }
        const result = { keystore: opts.keystore, address, verified: opts.verify };
        ctx.print(result, (r: typeof result) => `${r.address}${r.verified ? " (decrypted)" : ""}`);
      }),
    );
}
