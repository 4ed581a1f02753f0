// Self time in a V8 .cpuprofile (node --cpu-prof; BENCH_PROFILE_DIR has the bench write one per
// server process), summed per function and per file or package: what a profile viewer shows as
// "bottom up", as text. Usage: node bench/.build/bench/cpuprofile.js FILE.cpuprofile... [--top N]
import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}

export interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame; hitCount?: number }[];
  samples: number[];
  /** µs between a sample and the one before it. */
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

export interface SelfTime {
  /** A function ("name path:line") or a file, package or V8 entry ("(garbage collector)"). */
  key: string;
  ms: number;
  /** Share of the profile's busy time (every sample but "(idle)"), percent. */
  percent: number;
}

export interface ProfileSummary {
  /** Sampled time, ms; busy: without "(idle)". */
  totalMs: number;
  busyMs: number;
  functions: SelfTime[];
  files: SelfTime[];
}

/** A script URL shortened to what names it: dist/http/handler.js, node_modules/pino, node:events. */
export function fileOf(frame: CallFrame): string {
  const url = frame.url;
  if (url === '') return `(${frame.functionName || 'native'})`;
  const modules = url.lastIndexOf('/node_modules/');
  if (modules >= 0) {
    const parts = url.slice(modules + '/node_modules/'.length).split('/');
    return `node_modules/${parts[0]?.startsWith('@') ? `${parts[0]}/${parts[1]}` : parts[0]}`;
  }
  for (const dir of ['/dist/', '/src/', '/bench/']) {
    const at = url.lastIndexOf(dir);
    if (at >= 0) return url.slice(at + 1);
  }
  return url.replace(/^file:\/\//, '');
}

function functionOf(frame: CallFrame): string {
  if (frame.url === '') return `(${frame.functionName || 'native'})`;
  const url = frame.url;
  const modules = url.lastIndexOf('/node_modules/');
  const where = modules >= 0 ? url.slice(modules + 1) : fileOf(frame);
  return `${frame.functionName || '(anonymous)'} ${where}:${frame.lineNumber + 1}`;
}

export function summarise(profile: CpuProfile, top = 25): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Each sample stands for the time until the next one (the last, until the profile's end).
  const selfUs = new Map<number, number>();
  let at = profile.startTime;
  const times: number[] = [];
  for (const delta of profile.timeDeltas) times.push((at += delta));
  for (let i = 0; i < profile.samples.length; i++) {
    const next = i + 1 < times.length ? times[i + 1] : profile.endTime;
    const us = Math.max(0, next - times[i]);
    const id = profile.samples[i];
    selfUs.set(id, (selfUs.get(id) ?? 0) + us);
  }
  const functions = new Map<string, number>();
  const files = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const frame = byId.get(id)?.callFrame;
    if (!frame) continue;
    total += us;
    if (frame.url === '' && frame.functionName === '(idle)') idle += us;
    const fn = functionOf(frame);
    functions.set(fn, (functions.get(fn) ?? 0) + us);
    const file = fileOf(frame);
    files.set(file, (files.get(file) ?? 0) + us);
  }
  const busy = total - idle;
  const rank = (m: Map<string, number>): SelfTime[] =>
    [...m]
      .filter(([key]) => key !== '((idle))')
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([key, us]) => ({ key, ms: Math.round(us / 100) / 10, percent: Math.round((1000 * us) / Math.max(1, busy)) / 10 }));
  return {
    totalMs: Math.round(total / 1000),
    busyMs: Math.round(busy / 1000),
    functions: rank(functions),
    files: rank(files),
  };
}

/** The summary as text: busy time, then the top functions and files by self time. */
export function describe(name: string, summary: ProfileSummary): string {
  const rows = (entries: SelfTime[]) =>
    entries.map((e) => `  ${e.percent.toFixed(1).padStart(5)}%  ${e.ms.toFixed(1).padStart(8)} ms  ${e.key}`);
  return [
    `${name}: ${summary.busyMs} ms busy of ${summary.totalMs} ms sampled`,
    ' self time by function (share of busy time):',
    ...rows(summary.functions),
    ' self time by file or package:',
    ...rows(summary.files),
  ].join('\n');
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const args = process.argv.slice(2);
  const topAt = args.indexOf('--top');
  const top = topAt >= 0 ? Number(args.splice(topAt, 2)[1]) : 25;
  if (args.length === 0) {
    process.stderr.write('usage: cpuprofile FILE.cpuprofile... [--top N]\n');
    process.exit(2);
  }
  for (const file of args) {
    const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
    process.stdout.write(`${describe(file, summarise(profile, top))}\n\n`);
  }
}
