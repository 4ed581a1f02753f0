// The resolution of unquoted scalars kubectl applies (go-yaml v2 via sigs.k8s.io/yaml), value by
// value as `kubectl label --local -o json` printed them (test/yaml/kubectl-parity.test.ts checks
// the whole corpus against kubectl itself), and the printer's quoting.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { readDocuments } from '../../src/cli/documents.js';
import { printYaml, readsAsNonString } from '../../src/cli/yaml-print.js';
import { resolvePlain } from '../../src/cli/yaml-scalars.js';

const KUBECTL: Array<[string, unknown]> = [
  ['0400', 256],
  ['0755', 493],
  ['0644', 420],
  ['420', 420],
  ['08', 8],
  ['0_7', 7],
  ['+12', 12],
  ['-0', 0],
  ['1_000', 1000],
  ['1.', 1],
  ['99999999999999999999', 100000000000000000000],
  ['0x1F', 31],
  ['-0x1F', -31],
  ['0o17', 15],
  ['0b101', 5],
  ['-0b11', -3],
  ['0xFFFFFFFFFFFFFFFFFF', '0xFFFFFFFFFFFFFFFFFF'],
  ['1e3', 1000],
  ['.5', 0.5],
  ['+.5', 0.5],
  ['1_0.5', 10.5],
  ['0.1e-7', 1e-8],
  ['1e400', '1e400'],
  ['.iNf', '.iNf'],
  ['.inf', Infinity],
  ['-.Inf', -Infinity],
  ['y', true],
  ['Yes', true],
  ['ON', true],
  ['n', false],
  ['NO', false],
  ['Off', false],
  ['yES', 'yES'],
  ['nO', 'nO'],
  ['~', null],
  ['Null', null],
  ['', null],
  ['1:20', '1:20'],
  ['12:30:45', '12:30:45'],
  ['2026-12-04', '2026-12-04'],
  ['--leader-elect=false', '--leader-elect=false'],
];

test('unquoted scalars resolve as kubectl resolves them', () => {
  for (const [text, value] of KUBECTL) assert.deepEqual(resolvePlain(text).value, value, JSON.stringify(text));
  assert.ok(Number.isNaN(resolvePlain('.nan').value));
});

test('a document: octal modes, booleans, bool keys, timestamps as strings, merge keys', () => {
  const [doc] = readDocuments('a: [0400, no, on, "no", 2026-12-04, 1:20]\non: 1\nm: {<<: {x: 0755}}\n', 't').documents;
  assert.deepEqual(doc, { a: [256, false, true, 'no', '2026-12-04', '1:20'], true: 1, m: { x: 493 } });
});

test('the printer quotes what any reader would misread, and writes numbers in decimal', () => {
  for (const s of ['no', 'on', 'y', 'N', '0400', '1e3', '0x1F', '0o17', '1:20', '~', 'null', '', '2026-12-04', '1_000', '.inf'])
    assert.ok(readsAsNonString(s), s);
  for (const s of ['--leader-elect=false', 'nginx', 'yES', 'sleep 5', '/bin/sh']) assert.ok(!readsAsNonString(s), s);
  assert.equal(
    printYaml({ mode: 256, args: ['no', '1:20', 'x'], on: 'yes' }),
    'mode: 256\nargs:\n  - "no"\n  - "1:20"\n  - x\n"on": "yes"\n',
  );
});
