// docs/helm.md and the chart's files/ are generated from the chart and deploy/observability
// (test/helm/chart-docs.ts, `make helm-docs`); this fails when any of them is stale. The doc's helm
// commands use flags the Helm the tests run has, on the chart path that exists.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT, type Obj } from '../deploy/kustomize.js';
import { CHART, HELM, helmSkip } from './chart.js';
import { HELM_DOC, staleFiles, valuesRows } from './chart-docs.js';
import { runTool } from '../tools/ensure-tool.js';

const doc = readFileSync(HELM_DOC, 'utf8');
const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Obj;

/** The `helm ...` commands of the doc's sh blocks, continuation lines joined. */
function helmCommands(markdown: string): string[][] {
  const blocks = [...markdown.matchAll(/```sh\n([\s\S]*?)```/g)].map((m) => m[1].replace(/\\\n\s*/g, ' '));
  return blocks
    .flatMap((b) => b.split('\n'))
    .map((l) => l.trim())
    .filter((l) => l.startsWith('helm '))
    .map((l) => l.split(/\s+/));
}

describe('docs/helm.md', () => {
  it('has an up-to-date values table and chart files (else: make helm-docs)', () => {
    assert.deepEqual(staleFiles(), []);
  });

  it('documents every value, and refuses to generate a table with an undocumented one', () => {
    const keys = valuesRows(readFileSync(join(CHART, 'values.yaml'), 'utf8'), schema).map((r) => r.key);
    for (const key of [
      'replicaCount',
      'resources',
      'priorityClass.name',
      'webhook.failurePolicy',
      'settings.defaults.containers',
    ]) {
      assert.ok(keys.includes(key) && doc.includes(`| \`${key}\` |`), key);
    }
    assert.throws(() => valuesRows('# -- documented\na: 1\nb: 2\n', schema), /b has no "# --" description/);
  });

  it('runs helm commands with flags Helm has, on the chart that exists', { skip: helmSkip }, () => {
    const commands = helmCommands(doc);
    assert.ok(commands.length >= 4, 'install, upgrade, uninstall and the settings examples');
    const seen = new Set(commands.map((c) => c[1]));
    for (const verb of ['install', 'upgrade', 'uninstall']) assert.ok(seen.has(verb), `a helm ${verb} example`);
    for (const c of commands) {
      const help = runTool(HELM, [c[1], '--help']).stdout;
      for (const arg of c.slice(2)) {
        if (arg.startsWith('--')) assert.ok(help.includes(`${arg.split('=')[0]} `), `helm ${c[1]} has ${arg}`);
        else if (arg.startsWith('deploy/')) assert.ok(existsSync(join(ROOT, arg)), arg);
      }
    }
  });
});
