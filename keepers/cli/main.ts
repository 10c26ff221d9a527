import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { Command, type CommanderError } from "commander";

import { registerCommandGroups } from "./commands/index.js";

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as {
  version: string;
};

/** Global options that take a value, so that the word after them is not taken for the command group. */
const GLOBAL_OPTIONS_WITH_VALUE = new Set(["--log-level"]);

/** The command group a command line names (its first word that is not a global option), if any. */
export function commandGroupOf(args: readonly string[]): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (GLOBAL_OPTIONS_WITH_VALUE.has(arg)) i++;
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}

/**
 * Builds the `vcloud` program. With `args` (the command line after `vcloud`), only the modules of the
 * command's group are loaded, which keeps a command's start-up short; without, every group. Exported for
 * tests.
 */
export async function buildProgram(args?: readonly string[]): Promise<Command> {
  const program = new Command("vcloud")
    .description("vcloud: a verifiable cloud on restaked security")
    .version(pkg.version, "-V, --version", "print the version")
    .option("--json", "print machine-readable JSON on stdout", false)
    .option(
      "--log-level <level>",
      "pino log level for stderr (env VCLOUD_LOG_LEVEL)",
      process.env.VCLOUD_LOG_LEVEL ?? "info",
    )
    .showHelpAfterError()
    .enablePositionalOptions(false);
  await registerCommandGroups(program, args === undefined ? undefined : commandGroupOf(args));
  // Usage errors (unknown option, missing argument) exit 2, like invalid values.
  const exitOverride = (err: CommanderError) => {
    if (err.code === "commander.helpDisplayed" || err.code === "commander.version" || err.code === "commander.help") {
      process.exit(0);
    }
    process.exit(2);
  };
  const applyRecursively = (cmd: Command) => {
    cmd.exitOverride(exitOverride);
    cmd.commands.forEach(applyRecursively);
  };
  applyRecursively(program);
  return program;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  await (await buildProgram(process.argv.slice(2))).parseAsync(process.argv);
}
