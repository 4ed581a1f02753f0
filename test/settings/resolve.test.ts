import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VALIDATORS } from '../../src/settings/keys.js';
import { nearestKey } from '../../src/settings/nearest-key.js';
import { describeError, MAX_VALUE_LENGTH, quoteValue, resolveSettings } from '../../src/settings/resolve.js';
import { DEFAULT_SETTINGS } from '../../src/settings/types.js';

const P = 'gracekeeper.io/';

test('every key has a validator, and each rejects junk with its accepted form', () => {
  const names = VALIDATORS.map((v) => v.name).sort();
  assert.deepEqual(names, [
    'containers',
    'drain-timeout',
    'inject',
    'mesh',
    'min-ready-seconds',
    'pre-stop-mode',
    'pre-stop-sleep',
    'readiness',
    'readiness-failure-threshold',
    'readiness-initial-delay',
    'readiness-path',
    'readiness-period',
    'readiness-port',
    'readiness-scheme',
    'registry',
    'registry-refresh',
    'registry-wait',
    'sidecar-drain-timeout',
    'startup-timeout',
    'stop-signal',
    'termination-grace-period',
  ]);
  for (const v of VALIDATORS) {
    assert.equal(v.parse('%%junk%%'), undefined, v.name);
    assert.ok(v.accepted.length > 5);
  }
});

test('the ranges of the keys are enforced', () => {
  const r = resolveSettings(DEFAULT_SETTINGS, [
    {
      source: 'pod',
      annotations: {
        [`${P}pre-stop-sleep`]: '3601',
        [`${P}readiness-failure-threshold`]: '101',
        [`${P}readiness-port`]: '0',
        [`${P}readiness-period`]: '0',
        [`${P}readiness-path`]: 'healthz',
        [`${P}containers`]: 'Bad_Name',
      },
    },
  ]);
  assert.deepEqual(
    r.errors.map((e) => e.key).sort(),
    ['containers', 'pre-stop-sleep', 'readiness-failure-threshold', 'readiness-path', 'readiness-period', 'readiness-port'].map(
      (k) => P + k,
    ),
  );
  assert.equal(r.settings.preStopSleep, 'auto', 'an invalid value leaves the default');
});

test('layers apply lowest first; an invalid higher value falls back to the lower one', () => {
  const r = resolveSettings(DEFAULT_SETTINGS, [
    { source: 'namespace', annotations: { [`${P}pre-stop-sleep`]: '3s', [`${P}drain-timeout`]: '40s' } },
    { source: 'workload', annotations: { [`${P}pre-stop-sleep`]: '8s' } },
    { source: 'template', annotations: { [`${P}pre-stop-sleep`]: 'soon', [`${P}readiness`]: 'GRPC', other: 'x' } },
  ]);
  assert.equal(r.settings.preStopSleep, 8);
  assert.equal(r.settings.drainTimeout, 40);
  assert.equal(r.settings.readiness, 'grpc');
  assert.equal(r.errors.length, 1);
  assert.equal(
    describeError(r.errors[0]),
    `${P}pre-stop-sleep="soon": expected auto, or whole seconds (7, 7s, 2m, 1m30s), 0s to 1h`,
  );
});

test('termination-grace-period must exceed pre-stop-sleep, across layers', () => {
  const r = resolveSettings(DEFAULT_SETTINGS, [
    { source: 'namespace', annotations: { [`${P}termination-grace-period`]: '10s' } },
    { source: 'template', annotations: { [`${P}pre-stop-sleep`]: '10s' } },
  ]);
  assert.equal(r.settings.terminationGracePeriod, undefined);
  assert.equal(r.errors[0]?.key, `${P}termination-grace-period`);
  assert.match(r.errors[0].accepted, /greater than pre-stop-sleep \(10s\)/);
});

test('unknown keys get the nearest known key', () => {
  const r = resolveSettings(DEFAULT_SETTINGS, [
    {
      source: 'pod',
      annotations: {
        [`${P}readines-path`]: '/x',
        [`${P}zzzzzzzzzzzzzzzzzzzzz`]: '1',
        [`${P}injected`]: '{}',
      },
    },
  ]);
  assert.deepEqual(
    r.unknown.map((u) => [u.key, u.suggestion]),
    [
      [`${P}readines-path`, `${P}readiness-path`],
      [`${P}zzzzzzzzzzzzzzzzzzzzz`, undefined],
    ],
  );
  assert.equal(nearestKey('drain', ['drain-timeout', 'readiness']), 'drain-timeout');
});

test('a value longer than 2048 characters is invalid; a message quotes its first 64 characters and its length', () => {
  const path = `/${'p'.repeat(MAX_VALUE_LENGTH - 1)}`;
  const ok = resolveSettings(DEFAULT_SETTINGS, [{ source: 'pod', annotations: { 'gracekeeper.io/readiness-path': path } }]);
  assert.equal(ok.settings.readinessPath, path);
  assert.deepEqual(ok.errors, []);
  const names = Array.from({ length: 700 }, (_, i) => `c${i}`).join(',');
  assert.ok(names.length > MAX_VALUE_LENGTH);
  const long = resolveSettings(DEFAULT_SETTINGS, [
    { source: 'pod', annotations: { 'gracekeeper.io/readiness-path': `${path}p`, 'gracekeeper.io/containers': names } },
  ]);
  assert.equal(long.errors.length, 2);
  assert.equal(long.settings.readinessPath, undefined);
  assert.equal(long.settings.containers, undefined);
  const message = describeError(long.errors[0]);
  assert.equal(message.split('"')[1], `/${'p'.repeat(63)}`);
  assert.match(message, /"\.\.\. \(2049 characters\): expected an absolute path/);
  assert.equal(quoteValue('short\n'), '"short\\n"');
});
