// Where gracekeeper's CPU time goes, from V8 .cpuprofile files (node --cpu-prof): each sample is
// put in the category of the innermost frame of its stack that matches one (so engine code
// called from the server counts as engine), idle time left out. docs/peers.md shows how to run it.
//   node --import tsx bench/peers/cpuprofile.ts DIR/*.cpuprofile
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

const CATEGORIES: [string, (f: CallFrame) => boolean][] = [
  ['start-up: loading modules', (f) => /modules\/(esm|cjs)|package_json_reader/.test(f.url)],
  ['engine (src/engine)', (f) => f.url.includes('/dist/engine/')],
  ['JSON patch (fast-json-patch)', (f) => f.url.includes('fast-json-patch')],
  ['logging (pino)', (f) => /\/pino|sonic-boom|dist\/runtime\/logger\.js/.test(f.url)],
  ['metrics (prom-client)', (f) => /prom-client|dist\/runtime\/metrics\.js/.test(f.url)],
  ['Kubernetes client, informer (src/cluster)', (f) => /@kubernetes|dist\/cluster\//.test(f.url)],
  ['admission edge (src/http: body, JSON parse, review, response)', (f) => f.url.includes('/dist/http/')],
  [
    'HTTP, TLS, streams (Node core)',
    (f) =>
      /node:(_http|net|_tls|tls|internal\/streams|stream|internal\/stream_base|events|buffer|internal\/process|internal\/timers|timers)/.test(
        f.url,
      ),
  ],
];

function categorise(stack: CallFrame[]): string {
  const leaf = stack[0];
  if (leaf.functionName === '(idle)') return '(idle)';
  if (leaf.functionName === '(garbage collector)') return 'garbage collector';
  if (leaf.functionName === '(program)') return 'V8 and native code outside JavaScript';
  for (const frame of stack) {
    const hit = CATEGORIES.find(([, test]) => test(frame));
    if (hit) return hit[0];
  }
  return 'other';
}

export function summarise(profiles: Profile[]): { busyMs: number; sampledMs: number; byCategory: [string, number][] } {
  const total = new Map<string, number>();
  let sampled = 0;
  for (const p of profiles) {
    const byId = new Map(p.nodes.map((n) => [n.id, n]));
    const parent = new Map<number, number>();
    for (const n of p.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
    const memo = new Map<number, string>();
    const categoryOf = (id: number): string => {
      let c = memo.get(id);
      if (c === undefined) {
        const stack: CallFrame[] = [];
        for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
          const node = byId.get(cur);
          if (node) stack.push(node.callFrame);
        }
        c = categorise(stack);
        memo.set(id, c);
      }
      return c;
    };
    p.samples.forEach((id, i) => {
      const us = p.timeDeltas[i] ?? 0;
      sampled += us;
      const c = categoryOf(id);
      total.set(c, (total.get(c) ?? 0) + us);
    });
  }
  const idle = total.get('(idle)') ?? 0;
  total.delete('(idle)');
  return {
    busyMs: (sampled - idle) / 1000,
    sampledMs: sampled / 1000,
    byCategory: [...total].map(([c, us]): [string, number] => [c, us / 1000]).sort((a, b) => b[1] - a[1]),
  };
}

if (process.argv[1]?.endsWith('cpuprofile.ts') || process.argv[1]?.endsWith('cpuprofile.js')) {
  const files = process.argv.slice(2);
  if (files.length === 0) throw new Error('usage: cpuprofile.ts FILE.cpuprofile...');
  const s = summarise(files.map((f) => JSON.parse(readFileSync(f, 'utf8')) as Profile));
  const startUp = s.byCategory.find(([c]) => c.startsWith('start-up'))?.[1] ?? 0;
  process.stdout.write(`sampled ${(s.sampledMs / 1000).toFixed(1)} s, busy ${(s.busyMs / 1000).toFixed(2)} s\n`);
  process.stdout.write('| where | ms | share of busy | share of busy after start-up |\n| --- | ---: | ---: | ---: |\n');
  for (const [c, ms] of s.byCategory) {
    const after = c.startsWith('start-up') ? '' : `${((100 * ms) / (s.busyMs - startUp)).toFixed(1)}%`;
    process.stdout.write(`| ${c} | ${ms.toFixed(0)} | ${((100 * ms) / s.busyMs).toFixed(1)}% | ${after} |\n`);
  }
}
