// docs/reference.md's tables of annotations, cluster settings and metrics are the code's own:
// regenerating them from the tables must change nothing (else: make docs).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { REFERENCE, render } from '../../scripts/reference.js';
import { CLUSTER_SETTINGS } from '../../src/settings/cluster-keys.js';
import { VALIDATORS } from '../../src/settings/keys.js';

test('the generated tables in docs/reference.md are up to date (make docs)', async () => {
  const text = readFileSync(REFERENCE, 'utf8');
  assert.equal(await render(text), text, 'docs/reference.md is stale: run make docs');
});

test('the reference names every annotation key and every cluster setting', () => {
  const text = readFileSync(REFERENCE, 'utf8');
  for (const v of VALIDATORS) assert.ok(text.includes(`| \`${v.name}\` |`), v.name);
  for (const s of CLUSTER_SETTINGS) assert.ok(text.includes(`| \`${s.key}\` |`), s.key);
});
