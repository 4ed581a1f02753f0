import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DEFAULT_CLUSTER_SETTINGS, parseClusterSettings } from '../../src/settings/cluster-settings.js';

test('an empty file gives the defaults', () => {
  const r = parseClusterSettings('');
  assert.ok(r.ok);
  assert.deepEqual(r.value.settings, DEFAULT_CLUSTER_SETTINGS);
  assert.equal(r.value.settings.maxTerminationGracePeriod, 600);
  assert.deepEqual(r.value.settings.excludeContainers, ['istio-proxy', 'linkerd-proxy']);
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
  assert.equal(r.value.settings.targets, 'pods');
  assert.equal(r.value.settings.invalidAnnotations, 'warn');
  assert.deepEqual(r.value.settings.excludeContainers, ['envoy']);
  assert.equal(r.value.settings.maxTerminationGracePeriod, 120);
  assert.deepEqual(r.value.settings.excludeNamespaces, ['legacy']);
  assert.equal(r.value.settings.ownNamespace, 'platform');
  assert.equal(r.value.settings.defaults.preStopSleep, 10);
  assert.equal(r.value.settings.defaults.readiness, 'none');
});

test('the namespace gracekeeper runs in (flag or POD_NAMESPACE) wins over the file', () => {
  const r = parseClusterSettings('namespace: from-file\n', 'from-pod');
  assert.ok(r.ok && r.value.settings.ownNamespace === 'from-pod');
  const fileOnly = parseClusterSettings('namespace: from-file\n');
  assert.ok(fileOnly.ok && fileOnly.value.settings.ownNamespace === 'from-file');
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
  assert.equal(r.error.length, 7, r.error.join('\n'));
  assert.ok(r.error.some((e) => e.includes('did you mean gracekeeper.io/pre-stop-sleep')));
  assert.ok(r.error.some((e) => e.startsWith('targets="everything": expected one of pods, workloads, both')));
});

test('broken YAML and non-mappings are refused with a reason', () => {
  const broken = parseClusterSettings('targets: [pods');
  assert.ok(!broken.ok && broken.error[0].startsWith('not valid YAML'));
  const list = parseClusterSettings('- a\n- b\n');
  assert.ok(!list.ok && /mapping/.test(list.error[0]));
});
