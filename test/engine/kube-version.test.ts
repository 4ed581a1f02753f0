// The releases gracekeeper is tested on, and the warning for an API server outside them.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { parseKubeVersion, TESTED_RELEASES, untestedReleaseWarning, type KubeVersion } from '../../src/engine/kube-version.js';

const v = (text: string): KubeVersion => parseKubeVersion(text) ?? assert.fail(text);

test('the tested releases are the e2e matrix: 1.35 to 1.37', () => {
  assert.deepEqual(TESTED_RELEASES, { oldest: { major: 1, minor: 35 }, newest: { major: 1, minor: 37 } });
});

test('no warning within the tested releases', () => {
  for (const version of ['v1.35.0', 'v1.36.3', 'v1.37.2-eks.1'])
    assert.equal(untestedReleaseWarning(v(version)), undefined, version);
});

test('older releases: a warning that names the version, the range and what to do, under 120 characters', () => {
  for (const version of ['1.34', 'v1.29.3', '1.9']) {
    const warning = untestedReleaseWarning(v(version)) ?? assert.fail(`no warning for ${version}`);
    assert.match(warning, /^Kubernetes 1\.\d+ is older than the releases gracekeeper is tested on \(1\.35 to 1\.37\); upgrade/);
    assert.ok(warning.length < 120, warning);
  }
});

test('newer releases: a warning without advice', () => {
  for (const version of ['1.38', 'v2.0.0']) {
    assert.match(
      untestedReleaseWarning(v(version)) ?? '',
      /is newer than the releases gracekeeper is tested on \(1\.35 to 1\.37\)$/,
    );
  }
});
