// What a webhook process costs, read from /proc: CPU seconds (utime + stime of /proc/<pid>/stat,
// every thread of the process) and peak resident memory (VmHWM of /proc/<pid>/status), which
// writing "5" to /proc/<pid>/clear_refs resets to the current RSS, so a peak can be per run.
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';

let ticks: number | undefined;

/** Clock ticks per second (USER_HZ), for the stat file's times. */
function clockTicks(): number {
  if (ticks === undefined) {
    try {
      ticks = Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
    } catch {
      ticks = 100;
    }
  }
  return ticks;
}

/** utime + stime of the process, in seconds. */
export function cpuSeconds(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // The command name (field 2) is in parentheses and may hold spaces: count from after it.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const utime = Number(fields[11]); // field 14 of the whole line
  const stime = Number(fields[12]); // field 15
  return (utime + stime) / clockTicks();
}

function statusKb(pid: number, key: string): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const m = new RegExp(`^${key}:\\s+(\\d+) kB`, 'm').exec(status);
  if (!m) throw new Error(`no ${key} in /proc/${pid}/status`);
  return Number(m[1]);
}

/** Peak resident set size since start or the last resetPeak, in MB (10^6 bytes). */
export function peakRssMb(pid: number): number {
  return (statusKb(pid, 'VmHWM') * 1024) / 1e6;
}

/** Resets the peak to the current RSS; false where the kernel does not allow it. */
export function resetPeak(pid: number): boolean {
  try {
    writeFileSync(`/proc/${pid}/clear_refs`, '5');
    return true;
  } catch {
    return false;
  }
}

export interface Usage {
  cpuSeconds: number;
  peakRssMb: number;
  /** At the window's end: anonymous memory (heap, stacks) and file-backed pages (the binary) of the RSS. */
  rssAnonMb: number;
  rssFileMb: number;
  /** Whether the peak is this window's (reset at its start) or the process's lifetime peak. */
  peakSinceReset: boolean;
}

/** Starts measuring `pid`; the returned function ends the window. */
export function measure(pid: number): () => Usage {
  const reset = resetPeak(pid);
  const cpu0 = cpuSeconds(pid);
  return () => ({
    cpuSeconds: cpuSeconds(pid) - cpu0,
    peakRssMb: peakRssMb(pid),
    rssAnonMb: (statusKb(pid, 'RssAnon') * 1024) / 1e6,
    rssFileMb: (statusKb(pid, 'RssFile') * 1024) / 1e6,
    peakSinceReset: reset,
  });
}

/**
 * Waits until the process is idle (under `share` of a core over a `sampleMs` sample), so that a
 * measured window does not bill start-up work (caches, certificates) as admissions; at most `maxMs`.
 * Returns the last sample's share.
 */
export async function settle(pid: number, share = 0.05, sampleMs = 2000, maxMs = 60_000): Promise<number> {
  const deadline = Date.now() + maxMs;
  for (;;) {
    const c0 = cpuSeconds(pid);
    await new Promise((r) => setTimeout(r, sampleMs));
    const used = (cpuSeconds(pid) - c0) / (sampleMs / 1000);
    if (used < share || Date.now() >= deadline) return used;
  }
}
