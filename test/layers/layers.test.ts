// The layers of src/ hold because eslint refuses an upward import (eslint.config.js, LAYERS):
// these lint a few imports as if written in a folder and check which are refused.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ESLint } from 'eslint';
import tseslint from 'typescript-eslint';
import { layerRules } from '../../eslint.config.js';

const eslint = new ESLint({
  cwd: new URL('../..', import.meta.url).pathname,
  overrideConfigFile: true,
  overrideConfig: [{ files: ['**/*.ts'], languageOptions: { parser: tseslint.parser } }, ...layerRules],
});

async function refused(file: string, from: string): Promise<boolean> {
  const [result] = await eslint.lintText(`import type { X } from '${from}';\nexport type Y = X;\n`, { filePath: file });
  return (result?.messages ?? []).some((m) => m.ruleId === 'no-restricted-imports');
}

test('the engine imports nothing from cluster, http, runtime, metrics or client-node', async () => {
  for (const from of [
    '../cluster/sources.js',
    '../http/review-codec.js',
    '../runtime/logger.js',
    '../metrics/metrics.js',
    '@kubernetes/client-node',
  ]) {
    assert.equal(await refused('src/engine/admit.ts', from), true, from);
  }
  assert.equal(await refused('src/engine/rules/sleep.ts', '../../cluster/trim.js'), true);
});

test('nothing imports upward: kube imports nothing, traffic not the engine, http not runtime', async () => {
  assert.equal(await refused('src/kube/gvk.ts', '../settings/types.js'), true);
  assert.equal(await refused('src/traffic/documents.ts', '../engine/kinds.js'), true);
  assert.equal(await refused('src/settings/cluster-keys.ts', '../traffic/types.js'), true);
  assert.equal(await refused('src/http/admission.ts', '../runtime/logger.js'), true);
  assert.equal(await refused('src/audit/collect.ts', '../cli/args.js'), true);
});

test('imports downward and within a folder are allowed; client-node in cluster/ only', async () => {
  assert.equal(await refused('src/engine/rules/sleep.ts', '../../traffic/size.js'), false);
  assert.equal(await refused('src/engine/admit.ts', './types.js'), false);
  assert.equal(await refused('src/http/admission.ts', '../metrics/metrics.js'), false);
  assert.equal(await refused('src/cluster/kubeconfig.ts', '@kubernetes/client-node'), false);
  assert.equal(await refused('src/cli/audit.ts', '../runtime/logger.js'), false);
});
