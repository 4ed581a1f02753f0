// -h/--help on every command, from the built CLI and the kubectl plugin entry: the usage, exit 0.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { COMMANDS, runCli, wantsHelp, type Command } from '../../src/cli/commands.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function run(entry: 'cli.js' | 'kubectl-gracekeeper.js', args: string[]) {
  return spawnSync(process.execPath, [join(ROOT, 'dist', entry), ...args], { encoding: 'utf8', timeout: 30_000 });
}

const USAGE_OF: Record<string, RegExp> = {
  serve: /^Usage: gracekeeper serve/,
  mutate: /^Usage: gracekeeper mutate -f FILE/,
  audit: /^Usage: gracekeeper audit/,
  policy: /^Usage: gracekeeper policy/,
};

test('every command answers -h and --help with its usage and exit 0, also after other flags', () => {
  assert.deepEqual(
    COMMANDS.map((c) => c.name),
    Object.keys(USAGE_OF),
  );
  for (const entry of ['cli.js', 'kubectl-gracekeeper.js'] as const) {
    for (const [name, usage] of Object.entries(USAGE_OF)) {
      for (const args of [
        [name, '--help'],
        [name, '-h'],
        [name, '-f', 'x.yaml', '--help'],
        ['help', name],
      ]) {
        const r = run(entry, args);
        assert.equal(r.status, 0, `${entry} ${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, usage, `${entry} ${args.join(' ')}`);
        assert.equal(r.stderr, '');
      }
    }
    for (const args of [['--help'], ['-h'], ['help']]) {
      const r = run(entry, args);
      assert.equal(r.status, 0, args.join(' '));
      for (const name of Object.keys(USAGE_OF)) assert.match(r.stdout, new RegExp(`^ {2}${name} +\\S`, 'm'));
    }
  }
});

test('no command: the usage on stderr, exit 2; an unknown one is named', () => {
  const none = run('cli.js', []);
  assert.equal(none.status, 2);
  assert.match(none.stderr, /Commands:/);
  const bad = run('cli.js', ['mutant', '--help']);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /unknown command "mutant"/);
});

test('after --, -h is an argument, not a request for help', () => {
  assert.equal(wantsHelp(['--', '-h']), false);
  assert.equal(wantsHelp(['-n', 'x', '-h']), true);
});

test('a command added to the table gets its help with no code of its own', async () => {
  const out: string[] = [];
  const policy: Command = {
    name: 'example',
    summary: 'an example command',
    usage: () => Promise.resolve('Usage: gracekeeper example\n'),
    run: () => Promise.reject(new Error('not run for --help')),
  };
  const io = { stdout: (t: string) => void out.push(t), stderr: (t: string) => void out.push(t), readStdin: () => '' };
  assert.equal(await runCli(['example', '--help'], io, [...COMMANDS, policy]), 0);
  assert.equal(await runCli(['--help'], io, [...COMMANDS, policy]), 0);
  assert.equal(out[0], 'Usage: gracekeeper example\n');
  assert.match(out[1], /^ {2}example +an example command$/m);
});
