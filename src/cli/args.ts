// Small helpers shared by the subcommands' argument parsing.

export class UsageError extends Error {}

/** Parses repeated key=value flags into a map. */
export function parseKeyValues(values: readonly string[], flag: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const value of values) {
    const eq = value.indexOf('=');
    if (eq <= 0) throw new UsageError(`${flag} ${JSON.stringify(value)}: expected key=value`);
    out[value.slice(0, eq)] = value.slice(eq + 1);
  }
  return out;
}
