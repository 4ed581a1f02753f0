// The faster code paths that came out of profiling give exactly what the code they replaced gave:
// the diff turns the view of one object into the other, fingerprints byte for byte (they
// are stored in records on objects in clusters), copies as spread makes them.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import fastJsonPatch from 'fast-json-patch';
import { copyOf } from '../../src/engine/copy.js';
import { fingerprint, stableStringify } from '../../src/engine/record/fingerprint.js';
import { findKindRule } from '../../src/engine/kinds.js';
import { diff, project } from '../../src/engine/patch.js';
import type { Handler } from '../../src/kube/pod-types.js';
import { fastRoute } from '../../src/http/routes.js';
import { BatchedLines, createLogger } from '../../src/runtime/logger.js';
import { pod } from '../server/fixtures.js';
import { call, decodePatch, review, startTestServer } from '../server/helpers.js';

/** The stableStringify this project shipped first (map/filter/join). */
function referenceStringify(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(referenceStringify).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.keys(value)
      .filter((k) => (value as Record<string, unknown>)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${referenceStringify((value as Record<string, unknown>)[k])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

/** JSON-like values, with undefined where JavaScript objects can hold it. */
const loose = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: 'small' },
    fc.constant(undefined),
    fc.constant(null),
    fc.boolean(),
    fc.integer(),
    fc.double(),
    fc.string(),
    fc.array(tie('value'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 4 }),
  ),
})).value;

/** A change to a JSON tree that keeps the untouched branches as the same objects (as the engine does). */
function mutate(value: unknown, seed: number): unknown {
  if (typeof value !== 'object' || value === null) return seed % 3 === 0 ? value : `v${seed}`;
  const copy: Record<string, unknown> | unknown[] = Array.isArray(value) ? [...value] : { ...(value as Record<string, unknown>) };
  const keys = Object.keys(copy);
  const action = seed % 5;
  if (keys.length > 0 && action < 3) {
    const key = keys[seed % keys.length];
    (copy as Record<string, unknown>)[key] =
      action === 2 ? mutate((copy as Record<string, unknown>)[key], seed >> 2) : { changed: seed };
  } else if (action === 3 && keys.length > 0) {
    if (Array.isArray(copy)) copy.pop();
    else delete copy[keys[0]];
  } else if (Array.isArray(copy)) copy.push({ added: seed });
  else copy[`k/${seed}~`] = [seed];
  return copy;
}

describe('fast paths give what the code they replaced gave', () => {
  it('the diff over the projected views turns one into the other, for pods and workloads', () => {
    const json = fc.jsonValue({ maxDepth: 4 });
    let nonEmpty = 0;
    fc.assert(
      fc.property(json, json, fc.nat(), fc.constantFrom('Pod', 'Deployment', 'CronJob'), (spec, meta, seed, kind) => {
        // A "__proto__" key: fast-json-patch's applyPatch below refuses it (and this test's mutate
        // would set a prototype); no Kubernetes object can carry one (an unknown field is dropped,
        // annotation and label keys must start with a letter or digit). A random draw found it once.
        fc.pre(!JSON.stringify([spec, meta]).includes('"__proto__"'));
        const rule = findKindRule(
          kind === 'Pod'
            ? { group: '', version: 'v1', kind }
            : kind === 'Deployment'
              ? { group: 'apps', version: 'v1', kind }
              : { group: 'batch', version: 'v1', kind },
        );
        assert.ok(rule);
        const template = { metadata: { annotations: meta }, spec };
        const wrap = (t: unknown): Record<string, unknown> => {
          let out: unknown = t;
          for (const key of [...rule.templatePath].reverse()) out = { [key]: out };
          return (rule.templatePath.length === 0 ? { ...(t as object) } : out) as Record<string, unknown>;
        };
        const before = wrap(template);
        const after = wrap(mutate(template, seed));
        const ops = diff(before, after, rule);
        if (ops.length > 0) nonEmpty++;
        const patched = fastJsonPatch.applyPatch(
          structuredClone(project(before, rule)),
          structuredClone(ops),
          true,
          false,
        ).newDocument;
        assert.deepEqual(patched, JSON.parse(JSON.stringify(project(after, rule))));
      }),
      { numRuns: 500 },
    );
    assert.ok(nonEmpty > 250, `only ${nonEmpty} of 500 pairs differed`);
  });

  it('stableStringify and fingerprints are the same text and hash as before', () => {
    fc.assert(
      fc.property(loose, (value) => {
        assert.equal(stableStringify(value), referenceStringify(value));
        if (value !== null && typeof value === 'object') {
          const reference = createHash('sha256').update(referenceStringify(value)).digest('hex').slice(0, 12);
          assert.equal(fingerprint(value as Handler), reference);
        }
      }),
      { numRuns: 1000 },
    );
    // Keys and strings of any UTF-16 code units: quotes, backslashes, control characters, lone surrogates.
    const text = fc.string({ unit: 'binary', maxLength: 8 });
    fc.assert(
      fc.property(fc.dictionary(text, fc.oneof(text, fc.array(text, { maxLength: 3 }))), text, (map, lone) => {
        assert.equal(stableStringify(map), referenceStringify(map));
        assert.equal(stableStringify(lone), JSON.stringify(lone));
      }),
      { numRuns: 1000 },
    );
    assert.equal(stableStringify({ 'a"b': '\ud800\n\\' }), referenceStringify({ 'a"b': '\ud800\n\\' }));
  });

  it('copyOf copies as spread does, "__proto__" keys included', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.oneof(fc.string(), fc.constant('__proto__')), loose), (value) => {
        const parsed = JSON.parse(JSON.stringify(value)) as object;
        assert.deepStrictEqual(copyOf(parsed), { ...parsed });
      }),
      { numRuns: 500 },
    );
    const evil = JSON.parse('{"a":1,"__proto__":{"polluted":true}}') as Record<string, unknown>;
    const copy = copyOf(evil);
    assert.equal(Object.getPrototypeOf(copy), Object.prototype);
    assert.deepEqual(Object.keys(copy), ['a', '__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('log lines are batched in order, flushed on demand, and look as pino writes them', () => {
    const writes: string[] = [];
    const batched = new BatchedLines({ write: (text) => writes.push(text) }, 300, 60_000);
    const log = createLogger('info', batched);
    for (let i = 0; i < 10; i++) log.info({ uid: `u${i}`, changes: ['preStop:web'] }, 'admission');
    assert.ok(writes.length >= 1 && writes.length < 10, `${writes.length} writes for 10 lines`);
    log.flush();
    batched.close();
    const lines = writes
      .join('')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    assert.deepEqual(
      lines.map((l) => l.uid),
      ['u0', 'u1', 'u2', 'u3', 'u4', 'u5', 'u6', 'u7', 'u8', 'u9'],
    );
    for (const line of lines) {
      assert.deepEqual(Object.keys(line), ['level', 'time', 'uid', 'changes', 'msg']);
      assert.equal(line.level, 'info');
      assert.match(String(line.time), /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
    }
  });

  it('POST /mutate takes the fast path as the API server spells it, and express answers the other spellings alike', async () => {
    const ways: Array<[string, string | undefined]> = [];
    const server = await startTestServer({ onDispatch: (way, _method, url) => ways.push([way, url]) });
    try {
      const body = review(pod(), { uid: 'fast-path' });
      const fast = await call(server, { body });
      assert.equal(fast.status, 200);
      assert.ok(decodePatch(fast.json.response).length > 0);
      const viaQuery = await call(server, { body, path: '/mutate?timeout=5s' });
      assert.deepEqual(viaQuery.json, fast.json);
      for (const path of ['/mutate/', '/MUTATE']) {
        const other = await call(server, { body, path });
        assert.equal(other.status, 200, path);
        assert.equal(other.headers['content-type'], fast.headers['content-type'], path);
        assert.deepEqual(other.json, fast.json, path);
      }
      await call(server, { method: 'GET', path: '/healthz' });
      assert.deepEqual(ways, [
        ['fast', '/mutate'],
        ['fast', '/mutate?timeout=5s'],
        ['express', '/mutate/'],
        ['express', '/MUTATE'],
        ['express', '/healthz'],
      ]);
      const logged = server.logs.lines.filter((l) => l.msg === 'admission' && l.uid === 'fast-path');
      assert.equal(logged.length, 4, 'one log line per admission on either path');
    } finally {
      await server.stop();
    }
  });

  it('fastRoute matches exactly the method and path, with any query, and nothing else', () => {
    const routes = [
      { method: 'POST' as const, path: '/mutate', fast: true, handle: () => {} },
      { method: 'GET' as const, path: '/healthz', fast: false, handle: () => {} },
    ];
    for (const url of ['/mutate', '/mutate?timeout=10s', '/mutate?'])
      assert.equal(fastRoute(routes, 'POST', url), routes[0], url);
    for (const [method, url] of [
      ['POST', '/mutatex'],
      ['POST', '/mutate/'],
      ['POST', '/MUTATE'],
      ['GET', '/mutate'],
      ['GET', '/healthz'],
      ['POST', undefined],
    ] as const) {
      assert.equal(fastRoute(routes, method, url), undefined, `${method} ${url}`);
    }
  });
});
