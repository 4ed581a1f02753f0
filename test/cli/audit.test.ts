// `gracekeeper audit` as a user runs it, before any cluster answers: the built command, its usage
// errors (exit 2, naming what is accepted), a kubeconfig's contexts, and a cluster that cannot be
// reached (exit 1, one line, no stack trace). The audit against a real API server is test/e2e/audit.test.ts.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { loadClientKubeConfig } from '../../src/cluster/kubeconfig.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gk-audit-'));

function gk(args: string[], env: NodeJS.ProcessEnv = {}) {
  return spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), 'audit', ...args], {
    encoding: 'utf8',
    env: { ...process.env, ...env },
    timeout: 60_000,
  });
}

/** A kubeconfig with two contexts whose server is `server`. */
function kubeconfig(server: string): string {
  const path = join(dir, `kubeconfig-${Math.random().toString(36).slice(2)}`);
  const cluster = { name: 'c', cluster: { server, 'insecure-skip-tls-verify': true } };
  const user = { name: 'u', user: { token: 'not-a-real-token' } };
  const contexts = [
    { name: 'first', context: { cluster: 'c', user: 'u', namespace: 'shop' } },
    { name: 'second', context: { cluster: 'c', user: 'u' } },
  ];
  writeFileSync(
    path,
    JSON.stringify({
      apiVersion: 'v1',
      kind: 'Config',
      clusters: [cluster],
      users: [user],
      contexts,
      'current-context': 'first',
    }),
  );
  return path;
}

/** A loopback port nothing listens on. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

describe('gracekeeper audit, the command', () => {
  it('--help prints the usage and exits 0; gracekeeper --help lists audit', () => {
    const r = gk(['--help']);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: gracekeeper audit/);
    assert.match(r.stdout, /--fail-on LIST/);
    const top = spawnSync(process.execPath, [join(ROOT, 'dist/cli.js'), '--help'], { encoding: 'utf8' });
    assert.match(top.stdout, /^ {2}audit {4}/m);
  });

  it('bad arguments exit 2 with a message naming what is accepted, and the usage', () => {
    for (const [args, message] of [
      [['--fail-on', 'all'], /--fail-on "all": expected missing, stale, or both comma-separated/],
      [['-o', 'yaml'], /-o "yaml": expected table or json/],
      [['-n', 'a', '-A'], /give one or the other/],
      [['--bogus'], /Unknown option '--bogus'/],
    ] as const) {
      const r = gk([...args]);
      assert.equal(r.status, 2, args.join(' '));
      assert.match(r.stderr, message);
      assert.match(r.stderr, /Usage: gracekeeper audit/);
      assert.equal(r.stdout, '');
    }
  });

  it('an unreadable kubeconfig or settings file exits 2 naming it; an unknown context names the known ones', () => {
    const missing = gk(['--kubeconfig', join(dir, 'none')]);
    assert.equal(missing.status, 2);
    assert.match(missing.stderr, /no such file/);
    const settings = join(dir, 'config.yaml');
    writeFileSync(settings, 'targets: everything\n');
    const bad = gk(['--kubeconfig', kubeconfig('https://127.0.0.1:1'), '--settings', settings]);
    assert.equal(bad.status, 2);
    assert.match(bad.stderr, new RegExp(`--settings ${settings}: .*targets`));
    const badConfig = gk(['--kubeconfig', kubeconfig('https://127.0.0.1:1'), '--config', settings]);
    assert.equal(badConfig.status, 2);
    assert.match(badConfig.stderr, new RegExp(`--config ${settings}: .*targets`));
    const context = gk(['--kubeconfig', kubeconfig('https://127.0.0.1:1'), '--context', 'third']);
    assert.equal(context.status, 2);
    assert.match(context.stderr, /context "third" is not in the kubeconfig; it has: first, second/);
  });

  it('--context picks the context; its namespace is the default one', () => {
    const path = kubeconfig('https://127.0.0.1:1');
    assert.equal(loadClientKubeConfig(path).getCurrentContext(), 'first');
    assert.equal(loadClientKubeConfig(path, 'second').getCurrentContext(), 'second');
    assert.equal(loadClientKubeConfig(path, 'second').getContextObject('first')?.namespace, 'shop');
  });

  it('a cluster that does not answer exits 1 with one line and no stack trace', async () => {
    const r = gk(['--kubeconfig', kubeconfig(`https://127.0.0.1:${await closedPort()}`), '-A']);
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^gracekeeper audit: GET \/version: connect ECONNREFUSED 127\.0\.0\.1:\d+\n$/);
    assert.equal(r.stdout, '');
  });
});
