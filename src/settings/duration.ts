// Durations, the one parser for all of them: annotations and the settings file take whole seconds
// ("7", "7s", "2m", "1m30s", "1h"); the server's flags also take fractions and milliseconds
// ("1.5", "500ms", "2.5s"). Each component holds at most 9 digits, so nothing overflows.
const DURATION = /^(?:(\d{1,9})h)?(?:(\d{1,9})m(?!s))?(?:(\d{1,9}(?:\.\d{1,9})?)s)?(?:(\d{1,9})ms)?$/;
const BARE = /^\d{1,9}(?:\.\d{1,9})?$/;

/** Milliseconds from "500ms", "5s", "1m30s", "1.5" (seconds); undefined when the text is not a duration. */
export function parseDurationMs(text: string): number | undefined {
  const value = text.trim();
  if (value === '') return undefined;
  if (BARE.test(value)) return Math.round(Number(value) * 1000);
  const match = DURATION.exec(value);
  if (!match || match.slice(1).every((g) => g === undefined)) return undefined;
  const [, h, m, s, ms] = match;
  return Math.round(Number(h ?? 0) * 3_600_000 + Number(m ?? 0) * 60_000 + Number(s ?? 0) * 1000 + Number(ms ?? 0));
}

/** Whole seconds ("7", "7s", "2m", "1m30s", "1h"); undefined for anything else, fractions included. */
export function parseDuration(text: string): number | undefined {
  if (text.includes('.') || text.includes('ms')) return undefined;
  const ms = parseDurationMs(text);
  return ms === undefined ? undefined : ms / 1000;
}

/** Formats seconds the way users write them: 5s, 2m, 1m30s. */
export function formatDuration(seconds: number): string {
  if (seconds === 0) return '0s';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h` : ''}${m ? `${m}m` : ''}${s ? `${s}s` : ''}`;
}
