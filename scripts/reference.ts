// Writes the generated parts of docs/reference.md from the tables the code reads: the annotation
// keys (src/settings/keys.ts), the cluster settings (src/settings/cluster-keys.ts) and the metrics
// (src/metrics/metrics.ts). `make docs` runs it; test/docs/reference.test.ts fails when it is stale.
//   node --import tsx scripts/reference.ts [--check]
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Metrics } from '../src/metrics/metrics.js';
import { CLUSTER_SETTINGS } from '../src/settings/cluster-keys.js';
import { formatDuration } from '../src/settings/duration.js';
import { VALIDATORS, type KeyValidator } from '../src/settings/keys.js';
import { DEFAULT_SETTINGS } from '../src/settings/types.js';
import { marked, replaceMarked } from './doc-block.js';

export const REFERENCE = fileURLToPath(new URL('../docs/reference.md', import.meta.url));

const cell = (text: string) => text.replace(/\|/g, '\\|');

function defaultOf(v: KeyValidator): string {
  const value = (DEFAULT_SETTINGS as unknown as Record<string, unknown>)[v.field];
  if (value === undefined) return v.defaultText ?? 'none';
  if (typeof value === 'number' && v.accepted.startsWith('whole seconds')) return `\`${formatDuration(value)}\``;
  if (typeof value === 'boolean') return `\`"${String(value)}"\``;
  return `\`${typeof value === 'string' || typeof value === 'number' ? value : JSON.stringify(value)}\``;
}

function annotations(): string {
  const rows = VALIDATORS.map((v) => `| \`${v.name}\` | ${cell(v.accepted)} | ${cell(defaultOf(v))} | ${cell(v.effect)} |`);
  return ['| key (under `gracekeeper.io/`) | value | default | effect |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

function clusterSettings(): string {
  const rows = CLUSTER_SETTINGS.map((s) => `| \`${s.key}\` | \`${cell(s.defaultText)}\` | ${cell(s.meaning)} |`);
  return ['| setting | default | meaning |', '| --- | --- | --- |', ...rows].join('\n');
}

async function metrics(): Promise<string> {
  const registry = new Metrics().registry;
  const all = await registry.getMetricsAsJSON();
  const rows = registry
    .getMetricsAsArray()
    .filter((m) => m.name.startsWith('gracekeeper_'))
    .map((m) => {
      const type = all.find((j) => j.name === m.name)?.type ?? '';
      const labels = (m as unknown as { labelNames?: readonly string[] }).labelNames ?? [];
      return `| \`${m.name}\` | ${String(type)} | ${labels.map((l) => `\`${l}\``).join(', ')} | ${cell(m.help)} |`;
    });
  return ['| metric | type | labels | meaning |', '| --- | --- | --- | --- |', ...rows].join('\n');
}

export async function generated(): Promise<Record<string, string>> {
  return { annotations: annotations(), 'cluster-settings': clusterSettings(), metrics: await metrics() };
}

/** The file with every generated block replaced; throws when a block's markers are missing. */
export async function render(text: string): Promise<string> {
  let out = text;
  for (const [name, body] of Object.entries(await generated())) {
    const open = `<!-- generated:${name} (make docs) -->`;
    const close = `<!-- /generated:${name} -->`;
    const next = replaceMarked(out, open, close, marked(open, body, close));
    if (next === undefined) throw new Error(`docs/reference.md has no ${open} ... ${close} block`);
    out = next;
  }
  return out;
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = readFileSync(REFERENCE, 'utf8');
  const next = await render(text);
  if (process.argv.includes('--check')) {
    if (next !== text) {
      process.stderr.write('docs/reference.md is stale: run make docs\n');
      process.exitCode = 1;
    }
  } else if (next !== text) {
    writeFileSync(REFERENCE, next);
    process.stdout.write('docs/reference.md updated\n');
  }
}
