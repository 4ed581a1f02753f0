// The README and the docs: the README stays a short guide with the two commands; every link in
// every page leads to a file or heading that exists; nothing points outside the repository.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { dirname, join, normalize } from 'node:path';
import { test } from 'node:test';
import { anchors, links, pages, read, ROOT } from './markdown.js';

test('the README is at most 12 KB and holds the two commands', () => {
  const readme = read('README.md');
  assert.ok(Buffer.byteLength(readme) <= 12 * 1024, `README.md is ${Buffer.byteLength(readme)} bytes`);
  assert.match(readme, /^make run\b/m);
  assert.match(readme, /^make test\b/m);
  for (const page of [
    'docs/reference.md',
    'docs/operations.md',
    'docs/architecture.md',
    'docs/performance.md',
    'docs/rollout-proof.md',
  ]) {
    assert.ok(readme.includes(`](${page}`), `the README links ${page}`);
  }
});

test('every link in every page leads to a file or a heading that exists', () => {
  for (const page of pages()) {
    const text = read(page);
    for (const target of links(text)) {
      if (/^(https?|mailto):/.test(target)) continue;
      const [path, anchor] = target.split('#') as [string, string | undefined];
      const file = path === '' ? page : normalize(join(dirname(page), path));
      assert.ok(!file.startsWith('..'), `${page}: ${target} points outside the repository`);
      assert.ok(existsSync(join(ROOT, file)), `${page}: ${target}: no ${file}`);
      if (anchor !== undefined && file.endsWith('.md')) {
        assert.ok(anchors(read(file)).has(anchor), `${page}: ${target}: no heading #${anchor} in ${file}`);
      }
    }
  }
});
