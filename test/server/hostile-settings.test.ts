// A settings file built to exhaust the server (issue 24): a flow list of 300,000 items under 1 MB
// fits a ConfigMap and ran the YAML parser out of a 256 MB heap (V8 abort, exit 134) at reload and
// again at start. Now the text is bounded before it is parsed: at start the server refuses with a
// message and exit 1, at reload it keeps the last good settings and logs why. Run as a child
// process with the heap cap, the way a replica runs. An emptied file keeps the last good settings.
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { MAX_SETTINGS_BYTES, MAX_SETTINGS_ITEMS, settingsTextProblem } from '../../src/settings/bounds.js';
import { parseClusterSettings } from '../../src/settings/cluster-settings.js';
import { call, replaceFile, review, startTestServer, tempDir, until } from './helpers.js';
import { pod } from './fixtures.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const HEAP = '--max-old-space-size=256';

/** `targets: pods` and an excludeNamespaces flow list of `n` items (300,000: 900 KB). */
const hostile = (n: number) =>
  `targets: pods\nexcludeNamespaces: [${Array.from({ length: n }, (_, i) => `n${i % 10}`).join(',')}]\n`;

describe('the settings text is bounded before it is parsed', () => {
  it('refuses a file over the size bound, too many entries, or too deep a nesting, quickly', () => {
    const started = performance.now();
    assert.match(settingsTextProblem(hostile(300_000)) ?? '', /bytes: at most 65536 are read/);
    assert.match(parseClusterSettings(hostile(300_000)).ok ? '' : 'refused', /refused/);
    const many = `excludeNamespaces:\n${'  - a\n'.repeat(MAX_SETTINGS_ITEMS + 1)}`;
    assert.ok(Buffer.byteLength(many) < MAX_SETTINGS_BYTES);
    assert.match(settingsTextProblem(many) ?? '', /more than 2000 list entries/);
    assert.match(settingsTextProblem(`x: ${'['.repeat(10_000)}`) ?? '', /nested deeper than 16/);
    assert.ok(performance.now() - started < 2000, 'bounded work');
  });

  it('accepts the shipped file and a list of 1,000 namespaces', () => {
    const shipped = parseClusterSettings(spawnSync('cat', [join(ROOT, 'deploy/base/config.yaml')], { encoding: 'utf8' }).stdout);
    assert.ok(shipped.ok);
    const names = Array.from({ length: 1000 }, (_, i) => `team-${i}`);
    const parsed = parseClusterSettings(`excludeNamespaces: [${names.join(', ')}]\n`);
    assert.ok(parsed.ok && parsed.value.settings.excludeNamespaces.length === 1000);
  });
});

describe('a hostile settings file, in a child process with a 256 MB heap', () => {
  it('at start: exit 1 with a message naming the bound, not a V8 abort', () => {
    const file = join(tempDir(), 'config.yaml');
    writeFileSync(file, hostile(300_000));
    const r = spawnSync(
      process.execPath,
      [HEAP, CLI, 'serve', '--port', '0', '--metrics-port', '0', '--bind-address', '127.0.0.1', '--config', file],
      { encoding: 'utf8', cwd: tempDir(), timeout: 60_000 },
    );
    assert.equal(r.signal, null);
    assert.equal(r.status, 1, r.stderr);
    assert.match(r.stderr, /--config .*config\.yaml: .*larger than 65536 bytes/);
    assert.doesNotMatch(r.stderr, /heap|^\s+at /m);
  });

  it('at reload: keeps the last good settings, logs why, and keeps serving', async () => {
    const dir = tempDir();
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'targets: workloads\n');
    const child = spawn(
      process.execPath,
      [HEAP, CLI, 'serve', '--port', '0', '--metrics-port', '0', '--bind-address', '127.0.0.1', '--config', file],
      { cwd: dir, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      await until('serving', () => /gracekeeper serving/.test(out), 30_000);
      // Both: too large (read refused), and within the size but too many entries (lexer refused).
      replaceFile(file, hostile(300_000));
      await until('the refusal logged', () => /larger than 65536 bytes/.test(out), 30_000);
      replaceFile(file, `targets: pods\nexcludeNamespaces: [${'a,'.repeat(20_000)}a]\n`);
      await until('the second refusal logged', () => /more than 2000 list entries/.test(out), 30_000);
      replaceFile(file, 'targets: both\n');
      await until('a good file taken up again', () => /"targets":"both".*cluster settings reloaded/.test(out), 30_000);
      assert.equal(child.exitCode, null, 'still running');
    } finally {
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
    }
  });
});

describe('an emptied settings file', () => {
  it('keeps the last good settings and says so; a file of defaults written on purpose is taken', async () => {
    const file = join(tempDir(), 'config.yaml');
    replaceFile(file, 'targets: pods\nexcludeNamespaces: [team-a]\n');
    const server = await startTestServer({ configFile: file });
    try {
      replaceFile(file, '');
      await server.checkFiles();
      assert.equal(server.settings().targets, 'pods');
      assert.deepEqual(server.settings().excludeNamespaces, ['team-a']);
      assert.ok(server.logs.lines.some((l) => l.level === 'error' && /the file is now empty/.test(String(l.msg))));
      replaceFile(file, '# only a comment\n');
      await server.checkFiles();
      assert.equal(server.settings().targets, 'pods');
      replaceFile(file, 'targets: both\n');
      await until('the defaults written on purpose', () => server.settings().targets === 'both');
      assert.deepEqual(server.settings().excludeNamespaces, []);
      const reply = await call(server, { body: review(pod()) });
      assert.ok(reply.json.response.patch);
    } finally {
      await server.stop();
    }
  });

  it('an empty file at start is every default, as before (nothing to keep)', async () => {
    const file = join(tempDir(), 'config.yaml');
    replaceFile(file, '');
    const server = await startTestServer({ configFile: file });
    try {
      assert.equal(server.settings().targets, 'both');
      replaceFile(file, 'targets: pods\n');
      await until('taken', () => server.settings().targets === 'pods');
    } finally {
      await server.stop();
    }
  });
});
