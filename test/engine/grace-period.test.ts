import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decideGracePeriod } from '../../src/engine/rules/grace-period.js';
import { decideSleep } from '../../src/engine/rules/sleep.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';

const base = { current: undefined, preStopSleep: 5, drainTimeout: 25, exact: undefined, max: 600, userSleep: 0 };

test('max(current, sleep + drain, sleep + 1), unset counting as 30', () => {
  assert.equal(decideGracePeriod(base).seconds, 30);
  assert.equal(decideGracePeriod({ ...base, drainTimeout: 40 }).seconds, 45);
  assert.equal(decideGracePeriod({ ...base, drainTimeout: 0, current: 2 }).seconds, 6);
  assert.equal(decideGracePeriod({ ...base, current: 90 }).seconds, 90, 'never lowered');
});

test('clamped to the maximum with a warning; a user value above the maximum is kept', () => {
  const clamped = decideGracePeriod({ ...base, drainTimeout: 3600 });
  assert.equal(clamped.seconds, 600);
  assert.match(clamped.warnings[0], /3605 clamped to the cluster maximum 10m/);
  const user = decideGracePeriod({ ...base, current: 3600, drainTimeout: 3600 });
  assert.equal(user.seconds, 3600);
  assert.deepEqual(user.warnings, []);
});

test('an exact value is used as is (even lower), clamped, and never below a user sleep hook', () => {
  assert.equal(decideGracePeriod({ ...base, current: 120, exact: 45 }).seconds, 45);
  assert.equal(decideGracePeriod({ ...base, exact: 900 }).seconds, 600);
  const raised = decideGracePeriod({ ...base, current: 120, exact: 10, userSleep: 20 });
  assert.equal(raised.seconds, 20);
  assert.match(raised.warnings[0], /own sleep hook/);
});

test('a sleep that would not fit under the maximum grace period, or an exact one, is lowered', () => {
  const cluster = DEFAULT_CLUSTER_SETTINGS;
  const sleep = (setting: number | 'auto', exactGrace?: number) =>
    decideSleep({ setting, traffic: undefined, cluster, exactGrace, announce: false });
  assert.deepEqual(sleep(5), { seconds: 5, warnings: [], sizeWarnings: [] });
  const lowered = sleep(900);
  assert.equal(lowered.seconds, 599);
  assert.match(lowered.sizeWarnings[0] ?? '', /lowered to 9m59s/);
  assert.deepEqual(sleep('auto'), {
    seconds: 5,
    auto: { by: 'propagationDelay', family: 'propagationDelay' },
    warnings: [],
    sizeWarnings: [],
  });
  const underExact = sleep('auto', 3);
  assert.equal(underExact.seconds, 2);
  assert.match(underExact.sizeWarnings[0] ?? '', /propagationDelay lowered to 2s, under the grace period/);
});

test('native sidecars add their drain; a classic mesh proxy is outlasted by a second', () => {
  assert.equal(decideGracePeriod({ ...base, sidecarDrain: 5 }).seconds, 35);
  assert.equal(decideGracePeriod({ ...base, proxyWait: 30 }).seconds, 31);
  assert.equal(decideGracePeriod({ ...base, proxyWait: 90, sidecarDrain: 5 }).seconds, 91, 'a longer user wait wins');
  assert.equal(decideGracePeriod({ ...base, current: 60, sidecarDrain: 5 }).seconds, 60, 'never lowered');
  assert.equal(decideGracePeriod({ ...base, exact: 20, sidecarDrain: 5, proxyWait: 30 }).seconds, 20, 'exact stays exact');
});
