// Golden cases: every folder under cases/ holds input.yaml beside the expected output of
// `gracekeeper mutate` (expected.yaml: stdout; expected.txt: exit status and stderr).
// UPDATE_GOLDEN=1 rewrites the expected files; a stray or missing file fails.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { runMutate } from '../../src/cli/mutate.js';

const CASES = fileURLToPath(new URL('./cases/', import.meta.url));
const UPDATE = process.env.UPDATE_GOLDEN === '1';
const ALLOWED = new Set([
  'input.yaml',
  'input.json',
  'args.txt',
  'config.yaml',
  'expected.yaml',
  'expected.json',
  'expected.txt',
  'README.md',
]);

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

function caseArgs(dir: string, inputFile: string): string[] {
  const args = ['-f', join(dir, inputFile)];
  if (existsSync(join(dir, 'config.yaml'))) args.push('--config', join(dir, 'config.yaml'));
  const extra = join(dir, 'args.txt');
  if (existsSync(extra)) {
    args.push(
      ...readFileSync(extra, 'utf8')
        .split('\n')
        .map((l) => l.trim())
        .filter((l) => l !== '' && !l.startsWith('#')),
    );
  }
  return args;
}

/** Paths in messages are made relative so expected files do not depend on the checkout. */
function portable(text: string): string {
  return text.split(CASES).join('cases/');
}

const dirs = readdirSync(CASES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name)
  .sort();

test('there are at least 30 golden cases', () => {
  assert.ok(dirs.length >= 30, `only ${dirs.length} cases`);
});

for (const name of dirs) {
  test(`golden: ${name}`, () => {
    const dir = join(CASES, name);
    const files = readdirSync(dir);
    const stray = files.filter((f) => !ALLOWED.has(f));
    assert.deepEqual(stray, [], `unexpected files in ${name}`);
    const inputFile = files.includes('input.json') ? 'input.json' : 'input.yaml';
    assert.ok(files.includes(inputFile), `${name} has no input`);
    const args = caseArgs(dir, inputFile);
    const json = args.includes('json');
    const outFile = join(dir, json ? 'expected.json' : 'expected.yaml');
    const txtFile = join(dir, 'expected.txt');
    const result = run(args);
    const messages = `exit ${result.code}\n${portable(result.stderr)}`;
    if (UPDATE) {
      writeFileSync(outFile, result.stdout);
      writeFileSync(txtFile, messages);
    }
    assert.ok(existsSync(outFile) && existsSync(txtFile), `${name}: expected files missing (UPDATE_GOLDEN=1 writes them)`);
    assert.equal(result.stdout, readFileSync(outFile, 'utf8'), `${name}: output differs`);
    assert.equal(messages, readFileSync(txtFile, 'utf8'), `${name}: exit status or messages differ`);
    const other = join(dir, json ? 'expected.yaml' : 'expected.json');
    assert.ok(!existsSync(other), `${name}: leftover ${other}`);
    if (result.code === 0) {
      // Idempotence: the output, mutated again with the same flags, comes out unchanged.
      const again = run([...args.map((a) => (a === join(dir, inputFile) ? '-' : a))], result.stdout);
      assert.equal(again.code, 0);
      assert.equal(again.stdout, result.stdout, `${name}: a second pass changed the output`);
    }
  });
}
