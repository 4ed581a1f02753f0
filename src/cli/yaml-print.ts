// Writing YAML that every reader reads back the same: kubectl (go-yaml v2, YAML 1.1 as in
// yaml-scalars.ts), YAML 1.1 readers that follow the spec (base 60 `1:20`, timestamps), and YAML 1.2
// readers (`0o17`, `.inf`). A string any of them would take for a boolean, number, null or date is
// double-quoted; numbers are written in decimal (the value, never the spelling it was read from).
import { Document, visit, type Scalar, type ScalarTag } from 'yaml';
import { resolvePlain } from './yaml-scalars.js';

function implicitTests(version: '1.1' | '1.2'): ((text: string) => boolean)[] {
  const tags = new Document(null, { version }).schema.tags as ScalarTag[];
  return tags
    .filter((tag) => tag.default === true && tag.test && !tag.tag.endsWith(':str'))
    .map((tag) => (text: string) => tag.test!.test(text));
}

const OTHER_READERS = [...implicitTests('1.1'), ...implicitTests('1.2')];

/** Whether some reader would take this string, unquoted, for something other than a string. */
export function readsAsNonString(text: string): boolean {
  return resolvePlain(text).type !== 'str' || OTHER_READERS.some((test) => test(text));
}

/** One document as YAML, with every ambiguous string (values and keys) double-quoted. */
export function printYaml(value: unknown): string {
  const doc = new Document(value);
  visit(doc, {
    Scalar(_key, node: Scalar) {
      if (typeof node.value === 'string' && readsAsNonString(node.value)) node.type = 'QUOTE_DOUBLE';
    },
  });
  return doc.toString({ lineWidth: 0 });
}
