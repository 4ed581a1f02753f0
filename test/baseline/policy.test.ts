// `gracekeeper policy` and the files it renders: the command as a user runs it (settings in, the
// policy and binding out, --help, bad input), and the shipped deploy/baseline/policy.yaml kept
// equal to its render of deploy/base/config.yaml. (What the policy does: test/e2e/baseline.test.ts,
// on a real API server.)
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { runPolicy } from '../../src/cli/policy.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'gk-policy-'));

function run(args: string[]): { status: number; stdout: string; stderr: string } {
  let stdout = '';
  let stderr = '';
  const status = runPolicy(args, {
    stdout: (t) => (stdout += t),
    stderr: (t) => (stderr += t),
    readStdin: () => '',
  });
  return { status, stdout, stderr };
}

type Obj = Record<string, any>;
const docs = (text: string): Obj[] => parseAllDocuments(text).map((d) => d.toJSON() as Obj);
const variable = (policy: Obj, name: string): string =>
  (policy.spec.variables as Obj[]).find((v) => v.name === name)?.expression as string;

test('--help prints the usage and exits 0', () => {
  for (const flag of ['--help', '-h']) {
    const r = run([flag]);
    assert.equal(r.status, 0);
    assert.match(r.stdout, /^Usage: gracekeeper policy/);
  }
});

test("the defaults: a v1 policy and its binding, the webhook's selectors and kinds", () => {
  const r = run([]);
  assert.equal(r.status, 0, r.stderr);
  const [policy, binding] = docs(r.stdout) as [Obj, Obj];
  assert.equal(policy.apiVersion, 'admissionregistration.k8s.io/v1');
  assert.equal(policy.kind, 'MutatingAdmissionPolicy');
  assert.equal(policy.spec.failurePolicy, 'Ignore');
  assert.equal(policy.spec.reinvocationPolicy, 'IfNeeded');
  assert.deepEqual(policy.spec.matchConstraints.namespaceSelector.matchExpressions[1].values, [
    'kube-system',
    'kube-public',
    'kube-node-lease',
    'gracekeeper',
  ]);
  assert.deepEqual(
    (policy.spec.matchConstraints.resourceRules as Obj[]).flatMap((r) => r.resources),
    ['pods', 'deployments', 'statefulsets', 'daemonsets', 'replicasets', 'jobs', 'cronjobs'],
  );
  assert.equal(policy.spec.mutations[0].patchType, 'JSONPatch');
  assert.deepEqual(binding.spec, { policyName: 'gracekeeper-baseline' });
  assert.match(variable(policy, 'sleepWanted'), /^variables\.sleepText == 'auto' \? 5 :/);
});

test('--config: the cluster settings are rendered in; -o json; --name', () => {
  const config = join(dir, 'config.yaml');
  writeFileSync(
    config,
    [
      'targets: pods',
      'propagationDelay: 12s',
      'maxTerminationGracePeriod: 90s',
      'excludeContainers: [envoy]',
      'excludeNamespaces: [batch-jobs]',
      'defaults:',
      '  drain-timeout: 40s',
      '',
    ].join('\n'),
  );
  const r = run(['--config', config, '--namespace', 'gk', '--name', 'baseline-a', '-o', 'json']);
  assert.equal(r.status, 0, r.stderr);
  const [policy, binding] = JSON.parse(r.stdout).items as [Obj, Obj];
  assert.equal(policy.metadata.name, 'baseline-a');
  assert.equal(binding.spec.policyName, 'baseline-a');
  assert.deepEqual(
    policy.spec.matchConstraints.resourceRules.map((x: Obj) => x.resources),
    [['pods']],
  );
  assert.deepEqual(policy.spec.matchConstraints.namespaceSelector.matchExpressions[1].values, [
    'kube-system',
    'kube-public',
    'kube-node-lease',
    'gk',
    'batch-jobs',
  ]);
  assert.match(variable(policy, 'sleepWanted'), /\? 12 :/);
  assert.match(variable(policy, 'sleep'), /> 90 - 1 \? 90 - 1 :/);
  assert.match(variable(policy, 'needHook'), /\['envoy'\]/);
  assert.match(variable(policy, 'drainText'), /orValue\('40'\)/);
  assert.match(variable(policy, 'drain'), /: 40$/);
});

test('bad input: a message naming it, exit status 2', () => {
  const bad = join(dir, 'bad.yaml');
  writeFileSync(bad, 'propagationDelay: soon\n');
  const r = run(['--config', bad]);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /propagationDelay/);
  assert.equal(run(['-o', 'xml']).status, 2);
  assert.equal(run(['--name', 'Not_A_Name']).status, 2);
  assert.equal(run(['--config', join(dir, 'missing.yaml')]).status, 2);
  assert.equal(run(['--bogus']).status, 2);
});

test('deploy/baseline/policy.yaml is the render of deploy/base/config.yaml (make policy rewrites it)', () => {
  const r = run(['--config', join(ROOT, 'deploy/base/config.yaml')]);
  assert.equal(r.status, 0, r.stderr);
  assert.deepEqual(docs(readFileSync(join(ROOT, 'deploy/baseline/policy.yaml'), 'utf8')), docs(r.stdout));
});
