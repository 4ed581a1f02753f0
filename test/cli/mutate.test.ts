// `gracekeeper mutate` as a user runs it: the built command, real files, stdin, exit statuses.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'gk-mutate-'));

function gk(args: string[], input?: string) {
  return spawnSync(process.execPath, [CLI, ...args], { input, encoding: 'utf8', cwd: ROOT });
}

test('the README example shows the injected hooks', () => {
  const r = gk(['mutate', '-f', 'examples/deployment.yaml']);
  assert.equal(r.status, 0, r.stderr);
  const out = parse(r.stdout);
  const c = out.spec.template.spec.containers[0];
  assert.deepEqual(c.lifecycle.preStop, { sleep: { seconds: 5 } });
  assert.equal(c.readinessProbe.httpGet.path, '/healthz');
  // sleep 5 + drain 25 = 30, the API server's default: nothing to write (it defaults an unset field to 30).
  assert.equal(out.spec.template.spec.terminationGracePeriodSeconds, undefined);
});

test('stdin, --kube-version and -o json', () => {
  const pod = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'p' },
    spec: { containers: [{ name: 'a', image: 'i' }] },
  });
  const r = gk(['mutate', '-f', '-', '--kube-version', '1.29', '-o', 'json'], pod);
  assert.equal(r.status, 0, r.stderr);
  const out = JSON.parse(r.stdout);
  assert.deepEqual(out.spec.containers[0].lifecycle.preStop, { exec: { command: ['/bin/sh', '-c', 'sleep 5'] } });
  assert.match(r.stderr, /^Warning: Pod\/p: pre-stop-mode exec runs \/bin\/sh -c sleep/m);
});

test('invalid annotations on a workload: messages on stderr, nothing on stdout, exit 1', () => {
  const file = join(dir, 'bad.yaml');
  writeFileSync(
    file,
    `apiVersion: apps/v1
kind: Deployment
metadata: {name: d, annotations: {gracekeeper.io/drain-timeout: forever}}
spec: {selector: {}, template: {spec: {containers: [{name: a, image: i}]}}}
`,
  );
  const r = gk(['mutate', '-f', file]);
  assert.equal(r.status, 1);
  assert.equal(r.stdout, '');
  assert.match(
    r.stderr,
    /Deployment\/d: gracekeeper: invalid annotations on Deployment: gracekeeper.io\/drain-timeout="forever"/,
  );
});

test('unreadable input: file and line named, exit 2; missing file and bad flags exit 2', () => {
  const file = join(dir, 'broken.yaml');
  writeFileSync(file, 'apiVersion: v1\nkind: Pod\nmetadata:\n  name: [unclosed\n');
  const r = gk(['mutate', '-f', file]);
  assert.equal(r.status, 2);
  assert.ok(r.stderr.includes(`${file}:`), r.stderr);
  assert.match(r.stderr, /broken\.yaml:\d+:\d+: /);
  assert.equal(gk(['mutate', '-f', join(dir, 'missing.yaml')]).status, 2);
  assert.equal(gk(['mutate']).status, 2);
  assert.equal(gk(['mutate', '-f', file, '-o', 'xml']).status, 2);
  assert.equal(gk(['mutate', '-f', file, '--kube-version', 'latest']).status, 2);
});

test('--namespace-label: the Namespace labels mesh detection reads, repeated, and a bad form exits 2', () => {
  const deployment = JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'app', image: 'i', ports: [{ containerPort: 8080 }] }] },
      },
    },
  });
  const wait = (r: ReturnType<typeof gk>) => {
    assert.equal(r.status, 0, r.stderr);
    const template = JSON.parse(r.stdout).spec.template;
    return [template.metadata.annotations?.['proxy.istio.io/config'], template.spec.terminationGracePeriodSeconds];
  };
  const base = ['mutate', '-f', '-', '-o', 'json'];
  assert.deepEqual(wait(gk(base, deployment)), [undefined, undefined], 'no label, no mesh: 30 is the API server default');
  const labelled = gk([...base, '--namespace-label', 'team=a', '--namespace-label', 'istio-injection=enabled'], deployment);
  assert.deepEqual(wait(labelled), ['terminationDrainDuration: 30s', 31]);
  assert.deepEqual(wait(gk([...base, '--namespace-label', 'istio-injection=disabled'], deployment)), [undefined, undefined]);
  const bad = gk([...base, '--namespace-label', 'istio-injection'], deployment);
  assert.equal(bad.status, 2);
  assert.match(bad.stderr, /--namespace-label "istio-injection": expected key=value/);
});
