/** JSON form of decoded event arguments: big integers become decimal strings, addresses stay hex (pure). */
export function jsonArgs(value: unknown): unknown {
  if (typeof value === "bigint") return value.toString();
  if (Array.isArray(value)) return value.map(jsonArgs);
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = jsonArgs(v);
    return out;
  }
  return value;
}
