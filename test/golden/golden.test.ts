// Golden cases (see cases.ts) through `gracekeeper mutate`. UPDATE_GOLDEN=1 rewrites the expected
// files; a stray or missing file fails. Together the cases use every annotation key and every kind.
import assert from 'node:assert/strict';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { runMutate } from '../../src/cli/mutate.js';
import { SUPPORTED_KINDS } from '../../src/engine/kinds.js';
import { VALIDATORS } from '../../src/settings/keys.js';
import { ALLOWED, CORPUS, goldenCases, portable } from './cases.js';

interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

function run(args: string[], stdin = ''): Run {
  let stdout = '';
  let stderr = '';
  const code = runMutate(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    readStdin: () => stdin,
  });
  return { code, stdout, stderr };
}

const UPDATE = process.env.UPDATE_GOLDEN === '1';
const cases = goldenCases();

test('together the cases use every annotation key (in an input, a Namespace flag or a config) and every kind', () => {
  const text = cases
    .map((c) => [c.inputFile, join(c.dir, 'args.txt'), join(c.dir, 'config.yaml')].filter(existsSync))
    .flat()
    .map((f) => readFileSync(f, 'utf8'))
    .join('\n');
  const missingKeys = VALIDATORS.map((v) => v.name).filter(
    (name) => !new RegExp(`(?:gracekeeper\\.io/|^\\s*)${name}\\b`, 'm').test(text),
  );
  assert.deepEqual(missingKeys, [], 'keys no case uses');
  const kinds = new Set<string>();
  for (const c of cases) {
    const raw = readFileSync(c.inputFile, 'utf8');
    const docs: unknown[] = c.inputFile.endsWith('.json')
      ? [JSON.parse(raw)].flat()
      : parseAllDocuments(raw).map((d) => d.toJS());
    const walk = (d: unknown): void => {
      if (typeof d !== 'object' || d === null) return;
      const o = d as { apiVersion?: string; kind?: string; items?: unknown[] };
      if (Array.isArray(o.items)) o.items.forEach(walk);
      if (o.kind) kinds.add(`${o.apiVersion}/${o.kind}`);
    };
    docs.forEach(walk);
  }
  const missingKinds = SUPPORTED_KINDS.map((k) => `${k.group ? `${k.group}/` : ''}${k.version}/${k.kind}`).filter(
    (k) => !kinds.has(k),
  );
  assert.deepEqual(missingKinds, [], 'kinds no case has');
});

const corpus = goldenCases(CORPUS);

test('every corpus case says what a platform engineer expects (README.md)', () => {
  assert.ok(corpus.length >= 10, `${corpus.length} corpus cases`);
  for (const c of corpus) assert.ok(c.files.includes('README.md'), `${c.name} has no README.md`);
});

for (const c of [...cases, ...corpus.map((k) => ({ ...k, name: `corpus/${k.name}` }))]) {
  test(`golden: ${c.name}`, () => {
    const stray = c.files.filter((f) => !ALLOWED.has(f));
    assert.deepEqual(stray, [], `unexpected files in ${c.name}`);
    assert.ok(existsSync(c.inputFile), `${c.name} has no input`);
    const result = run(c.args);
    const messages = `exit ${result.code}\n${portable(result.stderr)}`;
    if (UPDATE) {
      writeFileSync(c.outFile, result.stdout);
      writeFileSync(c.txtFile, messages);
    }
    assert.ok(existsSync(c.outFile) && existsSync(c.txtFile), `${c.name}: expected files missing (UPDATE_GOLDEN=1 writes them)`);
    assert.equal(result.stdout, readFileSync(c.outFile, 'utf8'), `${c.name}: output differs`);
    assert.equal(messages, readFileSync(c.txtFile, 'utf8'), `${c.name}: exit status or messages differ`);
    const other = c.outFile.endsWith('.json') ? c.outFile.replace(/json$/, 'yaml') : c.outFile.replace(/yaml$/, 'json');
    assert.ok(!existsSync(other), `${c.name}: leftover ${other}`);
    if (result.code === 0) {
      // Idempotence: the output, mutated again with the same flags, comes out unchanged.
      const again = run(
        c.args.map((a) => (a === c.inputFile ? '-' : a)),
        result.stdout,
      );
      assert.equal(again.code, 0);
      assert.equal(again.stdout, result.stdout, `${c.name}: a second pass changed the output`);
    }
  });
}
