/**
 * The CLI loads only the command modules of the group a command names (start-up time: every CLI test and
 * every cron job pays it). This checks the lazy table against what each module really registers, so a
 * command added to a group in a module not listed for it cannot silently disappear.
 */
import { Command } from "commander";
import { describe, expect, it } from "vitest";

import { COMMAND_MODULES } from "../../keepers/cli/commands/index.js";
import { buildProgram, commandGroupOf } from "../../keepers/cli/main.js";

/** Top-level group -> sorted full command paths ("stake claim", "keeper rewards", ...). */
function commandPaths(program: Command): Map<string, string[]> {
  const out = new Map<string, string[]>();
  const walk = (cmd: Command, path: string[], group: string) => {
    for (const sub of cmd.commands) {
      const full = [...path, sub.name()];
      out.set(group, [...(out.get(group) ?? []), full.join(" ")].sort());
      walk(sub, full, group);
    }
  };
  for (const group of program.commands) {
    out.set(group.name(), [...(out.get(group.name()) ?? []), group.name()].sort());
    walk(group, [group.name()], group.name());
  }
  return out;
}

describe("vcloud command modules load by group", () => {
  it("each module registers commands in exactly the groups the table lists for it", async () => {
    for (const [index, module] of COMMAND_MODULES.entries()) {
      const program = new Command("vcloud");
      // A module that extends a group registered earlier needs those earlier modules first.
      for (const earlier of COMMAND_MODULES.slice(0, index)) (await earlier.load())(program);
      const before = new Set(program.commands.map((c) => c.name()));
      const countsBefore = new Map([...commandPaths(program)].map(([g, paths]) => [g, paths.length]));
      (await module.load())(program);
      const grown = [...commandPaths(program)]
        .filter(([g, paths]) => !before.has(g) || paths.length > (countsBefore.get(g) ?? 0))
        .map(([g]) => g)
        .sort();
      expect(grown, `module #${index}`).toEqual([...module.groups].sort());
    }
  });

  it("a command's group alone gives the same commands of that group as the whole program", async () => {
    const whole = commandPaths(await buildProgram());
    for (const group of whole.keys()) {
      const alone = commandPaths(await buildProgram([group, "--help"]));
      expect(alone.get(group), group).toEqual(whole.get(group));
    }
  });

  it("the group is the first word that is not a global option", () => {
    expect(commandGroupOf(["stake", "show"])).toBe("stake");
    expect(commandGroupOf(["--json", "--log-level", "warn", "keeper", "rewards"])).toBe("keeper");
    expect(commandGroupOf(["--json"])).toBeUndefined();
    expect(commandGroupOf([])).toBeUndefined();
  });
});
