import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CLUSTER_SETTINGS, parseClusterSettings } from '../../src/settings/cluster-settings.js';

test('an empty file gives the defaults', () => {
  const r = parseClusterSettings('');
  assert.ok(r.ok);
  assert.deepEqual(r.settings, DEFAULT_CLUSTER_SETTINGS);
  assert.equal(r.settings.maxTerminationGracePeriod, 600);
  assert.deepEqual(r.settings.excludeContainers, ['istio-proxy', 'linkerd-proxy']);
});

test('every setting is read, defaults go through the annotation validators', () => {
  const r = parseClusterSettings(`
targets: pods
invalidAnnotations: warn
excludeContainers: [envoy]
maxTerminationGracePeriod: 2m
excludeNamespaces: [legacy]
namespace: platform
defaults:
  pre-stop-sleep: 10
  gracekeeper.io/readiness: none
`);
  assert.ok(r.ok);
  assert.equal(r.settings.targets, 'pods');
  assert.equal(r.settings.invalidAnnotations, 'warn');
  assert.deepEqual(r.settings.excludeContainers, ['envoy']);
  assert.equal(r.settings.maxTerminationGracePeriod, 120);
  assert.deepEqual(r.settings.excludeNamespaces, ['legacy']);
  assert.equal(r.settings.ownNamespace, 'platform');
  assert.equal(r.settings.defaults.preStopSleep, 10);
  assert.equal(r.settings.defaults.readiness, 'none');
});

test('the namespace gracekeeper runs in (flag or POD_NAMESPACE) wins over the file', () => {
  const r = parseClusterSettings('namespace: from-file\n', 'from-pod');
  assert.ok(r.ok && r.settings.ownNamespace === 'from-pod');
  const fileOnly = parseClusterSettings('namespace: from-file\n');
  assert.ok(fileOnly.ok && fileOnly.settings.ownNamespace === 'from-file');
});

test('every error in a bad file is reported at once', () => {
  const r = parseClusterSettings(`
targets: everything
invalidAnnotations: maybe
maxTerminationGracePeriod: forever
excludeContainers: proxy
colour: blue
defaults:
  pre-stop-sleep: soon
  pre-stop-slep: 5s
`);
  assert.ok(!r.ok);
  assert.equal(r.errors.length, 7, r.errors.join('\n'));
  assert.ok(r.errors.some((e) => e.includes('did you mean gracekeeper.io/pre-stop-sleep')));
  assert.ok(r.errors.some((e) => e.startsWith('targets="everything": expected one of pods, workloads, both')));
});

test('broken YAML and non-mappings are refused with a reason', () => {
  const broken = parseClusterSettings('targets: [pods');
  assert.ok(!broken.ok && broken.errors[0].startsWith('not valid YAML'));
  const list = parseClusterSettings('- a\n- b\n');
  assert.ok(!list.ok && /mapping/.test(list.errors[0]));
});
