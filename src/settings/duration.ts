// Durations in whole seconds: "7", "7s", "2m", "1m30s", "1h". Nothing finer than a second.
const UNIT_SECONDS: Record<string, number> = { h: 3600, m: 60, s: 1 };
const DURATION = /^(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?$/;

/** Parses a duration into whole seconds, or returns undefined when the text is not one. */
export function parseDuration(text: string): number | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (/^\d+$/.test(value)) return safeInt(value);
  const match = DURATION.exec(value);
  if (!match || (match[1] === undefined && match[2] === undefined && match[3] === undefined)) {
    return undefined;
  }
  let total = 0;
  const parts: Array<[string | undefined, string]> = [
    [match[1], 'h'],
    [match[2], 'm'],
    [match[3], 's'],
  ];
  for (const [digits, unit] of parts) {
    if (digits === undefined) continue;
    const n = safeInt(digits);
    if (n === undefined) return undefined;
    total += n * (UNIT_SECONDS[unit] ?? 0);
  }
  return Number.isSafeInteger(total) ? total : undefined;
}

function safeInt(digits: string): number | undefined {
  if (digits.length > 9) return undefined;
  return Number.parseInt(digits, 10);
}

/** Formats seconds the way users write them: 5s, 2m, 1m30s. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
