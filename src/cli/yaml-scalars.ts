// Plain YAML scalars as kubectl reads them. kubectl, Helm and client-go turn YAML into JSON with
// sigs.k8s.io/yaml, whose YAML reader is a fork of go-yaml v2: YAML 1.1 booleans and octals, but
// not quite the YAML 1.1 of the spec (nor of the `yaml` package's 'yaml-1.1' schema). This module is
// that reader's resolution of an unquoted scalar, rule for rule (goyaml.v2/resolve.go):
//   - by its first character: `+`/`-` a sign, a digit, one of `yYnNtTfFoO~`, or `.`; any other
//     first character (and every quoted or block scalar) is a string;
//   - a fixed table: y Y yes Yes YES true True TRUE on On ON (true), n N no No NO false False FALSE
//     off Off OFF (false), "" ~ null Null NULL (null), .nan .inf +.inf -.inf in three spellings;
//   - after a sign or digit, with every `_` removed: Go's strconv.ParseInt(s, 0, 64), so 0755 is
//     octal, 0x1F hex, 0o17 octal, 0b101 binary; then a float `1e3`, `1.5`, `.5`, `08`;
//   - no base 60 (`1:20` is a string), and timestamps stay strings (`2026-12-04`);
//   - beyond 64 bits, a decimal spelling is a float (99999999999999999999), a 0x one a string.
// Integers beyond 2^53 lose precision as every JavaScript number does.
import type { ScalarTag, Tags } from 'yaml';

export type Resolved =
  | { type: 'str'; value: string }
  | { type: 'null'; value: null }
  | { type: 'bool'; value: boolean }
  | { type: 'int' | 'float'; value: number };

const TABLE = new Map<string, Resolved>();
for (const [value, words] of [
  [true, 'y Y yes Yes YES true True TRUE on On ON'],
  [false, 'n N no No NO false False FALSE off Off OFF'],
] as const) {
  for (const word of words.split(' ')) TABLE.set(word, { type: 'bool', value });
}
for (const word of ['', '~', 'null', 'Null', 'NULL']) TABLE.set(word, { type: 'null', value: null });
for (const [value, words] of [
  [NaN, '.nan .NaN .NAN'],
  [Infinity, '.inf .Inf .INF +.inf +.Inf +.INF'],
  [-Infinity, '-.inf -.Inf -.INF'],
] as const) {
  for (const word of words.split(' ')) TABLE.set(word, { type: 'float', value });
}

/** What strconv.ParseInt(s, 0, 64) (or ParseUint, or big.Int's SetString beyond) accepts. */
const GO_INT = /^([-+]?)(0[xX][0-9a-fA-F]+|0[oO][0-7]+|0[bB][01]+|0[0-7]*|[1-9][0-9]*)$/;
/** go-yaml's yamlStyleFloat. */
const GO_FLOAT = /^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$/;
/** strconv.ParseFloat on a scalar that starts with a dot (no underscores allowed there). */
const DOT_FLOAT = /^\.[0-9]+([eE][-+]?[0-9]+)?$/;
const HINTED = /^[-+0-9yYnNtTfFoO~.]/;

/** The value of an unquoted scalar, as kubectl reads it. */
export function resolvePlain(text: string): Resolved {
  const known = TABLE.get(text);
  if (known) return known;
  if (!HINTED.test(text)) return { type: 'str', value: text };
  const first = text[0];
  if (first === '.') {
    const value = Number(text);
    return DOT_FLOAT.test(text) && Number.isFinite(value) ? { type: 'float', value } : { type: 'str', value: text };
  }
  if (first !== '+' && first !== '-' && !(first! >= '0' && first! <= '9')) return { type: 'str', value: text };
  const plain = text.replace(/_/g, '');
  const int = GO_INT.exec(plain);
  const value = int ? goInt(int[1]!, int[2]!) : undefined;
  if (value !== undefined) return { type: 'int', value };
  // Out of int64 and uint64 range: a decimal (or 0-led) spelling is still a float, a 0x one a string.
  if (GO_FLOAT.test(plain)) {
    // ParseFloat fails on a value out of range (1e400): go-yaml then keeps the string.
    const value = Number(plain);
    if (Number.isFinite(value)) return { type: 'float', value };
  }
  return { type: 'str', value: text };
}

const INT64_MIN = -(2n ** 63n);
const UINT64_MAX = 2n ** 64n - 1n;

/** ParseInt's or ParseUint's value, or undefined when out of both ranges (strconv.ErrRange). */
function goInt(sign: string, digits: string): number | undefined {
  let literal = digits.toLowerCase();
  if (/^0[0-7]+$/.test(literal)) literal = `0o${literal.slice(1)}`;
  const magnitude = BigInt(literal);
  const value = sign === '-' ? -magnitude : magnitude;
  if (value < INT64_MIN || value > UINT64_MAX) return undefined;
  return Number(value) || 0;
}

const YAML_TAG = 'tag:yaml.org,2002:';

/** A tag of the `yaml` package that claims the unquoted scalars kubectl reads as `type`. */
function goTag(type: 'null' | 'bool' | 'int' | 'float'): ScalarTag {
  const accepts = (text: string): boolean => {
    const resolved = resolvePlain(text).type;
    // An explicit !!float also takes an integer (go-yaml converts it), never the other way round.
    return resolved === type || (type === 'float' && resolved === 'int');
  };
  return {
    tag: `${YAML_TAG}${type}`,
    default: true,
    identify: () => false,
    test: { test: accepts } as unknown as RegExp,
    resolve: (text: string) => resolvePlain(text).value,
  };
}

/** go-yaml keeps a timestamp a string, even under an explicit !!timestamp tag. */
const TIMESTAMP_AS_STRING: ScalarTag = {
  tag: `${YAML_TAG}timestamp`,
  identify: () => false,
  resolve: (text: string) => text,
};

/**
 * The `yaml` package's tags for reading as kubectl does: its collections, strings and merge keys
 * (`<<`, which go-yaml honours), and the four scalar types above in place of the package's own.
 * The YAML 1.1 extras go-yaml does not read into JSON (!!binary, !!omap, !!pairs, !!set) are left
 * out: an explicit one is an unresolved tag, read as a plain string, map or sequence.
 */
export function kubectlTags(defaults: Tags): Tags {
  const kept = defaults.filter((tag) => {
    const name = typeof tag === 'string' ? '' : tag.tag;
    return ['map', 'seq', 'str', 'merge'].some((t) => name === `${YAML_TAG}${t}`);
  });
  return [...kept, goTag('null'), goTag('bool'), goTag('int'), goTag('float'), TIMESTAMP_AS_STRING];
}
