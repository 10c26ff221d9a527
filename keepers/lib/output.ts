/**
 * Prints a command's result: with `--json` one JSON document on stdout (bigints as decimal strings),
 * otherwise a human-readable rendering.
 */
export function printResult(result: unknown, options: { json: boolean; human?: (r: never) => string }): void {
  if (options.json) {
    process.stdout.write(`${toJson(result)}\n`);
  } else if (options.human) {
    process.stdout.write(`${options.human(result as never)}\n`);
  } else {
    process.stdout.write(`${renderHuman(result)}\n`);
  }
}

export function toJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, (_key, v: unknown) => (typeof v === "bigint" ? v.toString() : v), indent);
}

function renderHuman(value: unknown, prefix = ""): string {
  if (value === null || typeof value !== "object") return `${prefix}${String(value)}`;
  const lines: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (v !== null && typeof v === "object" && !Array.isArray(v)) {
      lines.push(`${prefix}${key}:`);
      lines.push(renderHuman(v, `${prefix}  `));
    } else if (Array.isArray(v)) {
      lines.push(`${prefix}${key}: ${v.map((x) => (typeof x === "object" ? toJson(x) : String(x))).join(", ")}`);
    } else {
      lines.push(`${prefix}${key}: ${String(v)}`);
    }
  }
  return lines.join("\n");
}
