// `gracekeeper mutate` on input a hostile user (or a broken pipeline) gives it: huge values are
// quoted by a short prefix only, documents that are no objects or that nest absurdly deep (or
// contain themselves) exit 2 naming the document, never with a stack trace, and a flood of
// warnings is cut to what the webhook would return.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'gk-hostile-'));
const MiB = 1024 * 1024;

function gk(args: string[], input?: string | Buffer) {
  return spawnSync(process.execPath, [CLI, 'mutate', ...args], { input, encoding: 'utf8', cwd: ROOT, maxBuffer: 64 * MiB });
}

function file(name: string, content: string | Buffer): string {
  const path = join(dir, name);
  writeFileSync(path, content);
  return path;
}

const container = { name: 'app', image: 'i', ports: [{ containerPort: 8080 }] };
const pod = (metadata: object, spec: object = {}) =>
  JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata, spec: { containers: [container], ...spec } });
const noStackTrace = (stderr: string) => assert.doesNotMatch(stderr, /^\s+at /m, 'no stack trace');

test('a 1 MiB annotation value: the denial quotes 64 characters of it and its length, not the value', () => {
  const value = 'x'.repeat(MiB);
  const deployment = JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'd', annotations: { 'gracekeeper.io/pre-stop-sleep': value } },
    spec: { selector: {}, template: { spec: { containers: [container] } } },
  });
  const r = gk(['-f', file('big-deployment.json', deployment)]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.ok(r.stderr.length < 400, `stderr of ${r.stderr.length} characters`);
  assert.ok(r.stderr.includes(`gracekeeper.io/pre-stop-sleep="${'x'.repeat(64)}"... (${MiB} characters): expected`), r.stderr);

  const onPod = gk(['-f', file('big-pod.json', pod({ name: 'p', annotations: { 'gracekeeper.io/drain-timeout': value } }))]);
  assert.equal(onPod.status, 0, 'a Pod is admitted with a warning');
  const lines = onPod.stderr.trimEnd().split('\n');
  assert.ok(
    lines.every((l) => l.length < 160),
    `every stderr line short: ${lines.map((l) => l.length).join(', ')}`,
  );
});

test('a document that is not an object: exit 2 naming it (a bare string, binary junk, a number in a list)', () => {
  const junk = Buffer.concat(Array.from({ length: 8 }, (_, i) => createHash('sha256').update(String(i)).digest()));
  const cases: [string, string | Buffer, RegExp][] = [
    ['string.yaml', 'hello\n', /string\.yaml:1: document 1 is not a Kubernetes object: it is a string/],
    ['junk.bin', junk, /junk\.bin:1: document 1 is not a Kubernetes object: it is a string/],
    ['second.yaml', `${pod({ name: 'p' })}\n---\n42\n`, /second\.yaml:3: document 2 is not a Kubernetes object: it is a number/],
    ['array.json', `[${pod({ name: 'p' })}, "x"]`, /array\.json: item 2 is not a Kubernetes object: it is a string/],
    [
      'list.yaml',
      'apiVersion: v1\nkind: List\nitems: [1]\n',
      /list\.yaml:1: document 1, item 1 of the List, is not a Kubernetes object/,
    ],
    ['seq.yaml', '- a\n- b\n', /seq\.yaml:1: document 1 is not a Kubernetes object: it is a list/],
  ];
  for (const [name, content, message] of cases) {
    const r = gk(['-f', file(name, content)]);
    assert.equal(r.status, 2, `${name}: ${r.stderr}`);
    assert.equal(r.stdout, '', name);
    assert.match(r.stderr, message);
    noStackTrace(r.stderr);
  }
  assert.equal(gk(['-f', file('empty.yaml', '---\n---\n')]).status, 0, 'empty documents are skipped, as before');
});

test('a Pod nested 5,000 levels deep: exit 2 with a clear message, no stack trace, in JSON and in YAML', () => {
  const n = 5000;
  // As text: JSON.stringify itself cannot go 5,000 levels deep.
  const deepJson = pod({ name: 'deep' }, { nested: 'NESTED' }).replace('"NESTED"', '{"x":'.repeat(n) + '{}' + '}'.repeat(n));
  for (const output of ['yaml', 'json']) {
    const r = gk(['-f', file('deep.json', deepJson), '-o', output]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /deep\.json: the document is nested more than 256 levels deep/);
    noStackTrace(r.stderr);
  }
  const deepYaml = `apiVersion: v1\nkind: Pod\nmetadata: {name: deep}\nspec:\n  nested: ${'['.repeat(n)}${']'.repeat(n)}\n`;
  const y = gk(['-f', file('deep.yaml', deepYaml)]);
  assert.equal(y.status, 2);
  assert.match(y.stderr, /deep\.yaml:5:\d+: nested too deeply to read|deep\.yaml:1: document 1 is nested more than 256/);
  noStackTrace(y.stderr);
  const fine = gk(
    ['-f', '-', '-o', 'json'],
    pod({ name: 'ok' }, { nested: JSON.parse('{"x":'.repeat(200) + '{}' + '}'.repeat(200)) }),
  );
  assert.equal(fine.status, 0, '200 levels are printed');
});

test('a YAML alias inside its own anchor (a value that contains itself): exit 2, in YAML and JSON output', () => {
  const cyclic = 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: c\n  annotations: &a\n    self: *a\nspec:\n  containers: []\n';
  for (const output of ['yaml', 'json']) {
    const r = gk(['-f', file('cyclic.yaml', cyclic), '-o', output]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /cyclic\.yaml:1: document 1 contains itself/);
    noStackTrace(r.stderr);
  }
});

test('warnings: at most 20 per object, as the webhook returns; a huge name is cut', () => {
  // Each container's shell as PID 1 is one warning (the main container has no port and no Service: no advice).
  const containers = Array.from({ length: 300 }, (_, i) => ({ name: `c${i}`, image: 'i', command: ['sh', '-c', 'a; b'] }));
  const r = gk(['-f', '-'], JSON.stringify({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'many' }, spec: { containers } }));
  assert.equal(r.status, 0);
  const warnings = r.stderr.trimEnd().split('\n');
  assert.equal(warnings.length, 21);
  assert.equal(warnings[20], 'Warning: Pod/many: 280 more warnings not shown');
  const named = gk(['-f', '-'], pod({ name: 'n'.repeat(MiB) }, { containers: [{ name: 'a', image: 'i' }] }));
  assert.equal(named.status, 0);
  assert.ok(named.stderr.length < 500, `stderr of ${named.stderr.length} characters`);
});
