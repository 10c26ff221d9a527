import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

import { Command, type CommanderError } from "commander";

import { registerCommandGroups } from "./commands/index.js";

const pkg = JSON.parse(readFileSync(fileURLToPath(new URL("../../package.json", import.meta.url)), "utf8")) as {
  version: string;
};

/** Builds the `vcloud` program with every subcommand group. Exported for tests. */
export function buildProgram(): Command {
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
  registerCommandGroups(program);
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
  await buildProgram().parseAsync(process.argv);
}
