// The one way generated blocks of the Markdown pages are found and replaced.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { marked, replaceMarked } from '../../scripts/doc-block.js';

test('a marked block is replaced whole, markers included, and a missing marker is undefined', () => {
  const text = 'before\n<!-- a -->\nold\n<!-- /a -->\nafter\n';
  assert.equal(
    replaceMarked(text, '<!-- a -->', '<!-- /a -->', marked('<!-- a -->', 'new', '<!-- /a -->')),
    'before\n<!-- a -->\nnew\n<!-- /a -->\nafter\n',
  );
  assert.equal(replaceMarked(text, '<!-- b -->', '<!-- /a -->', 'x'), undefined);
  assert.equal(replaceMarked('<!-- /a --> <!-- a -->', '<!-- a -->', '<!-- /a -->', 'x'), undefined, 'close before open');
});
