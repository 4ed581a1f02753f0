// Small helpers shared by the subcommands' argument parsing.

export class UsageError extends Error {}

/** Parses "1.29", "v1.29.3" into major/minor. */
export function parseKubeVersion(text: string): { major: number; minor: number } {
  const match = /^v?(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$/.exec(text.trim());
  if (!match) throw new UsageError(`--kube-version ${JSON.stringify(text)}: expected MAJOR.MINOR, e.g. 1.29`);
  return { major: Number(match[1]), minor: Number(match[2]) };
}

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
