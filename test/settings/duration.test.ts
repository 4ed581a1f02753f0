import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatDuration, parseDuration } from '../../src/settings/duration.js';

test('durations accept bare seconds, s, m, h and combinations', () => {
  const cases: Array<[string, number]> = [
    ['7', 7],
    ['7s', 7],
    ['2m', 120],
    ['1m30s', 90],
    ['1h', 3600],
    ['1h2m3s', 3723],
    ['0', 0],
    [' 5s ', 5],
  ];
  for (const [text, seconds] of cases) assert.equal(parseDuration(text), seconds, text);
});

test('durations reject fractions, negatives, other units and junk', () => {
  for (const text of ['', '1.5s', '-3', '5ms', '1d', 's', 'm', 'soon', '1s1m', '10000000000']) {
    assert.equal(parseDuration(text), undefined, text);
  }
});

test('formatDuration writes the short form', () => {
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(90), '1m30s');
  assert.equal(formatDuration(600), '10m');
  assert.equal(formatDuration(3723), '1h2m3s');
});
