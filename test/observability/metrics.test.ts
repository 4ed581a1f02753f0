// Every metric the dashboard and the alerts read is one gracekeeper exports, with the labels they
// group and filter by: the real server runs in-process, answers admissions of each result
// (mutated, skipped, denied, error, a bad request) and is scraped; every query is read by
// Prometheus's own parser (promql-inspect), which also fails on any expression that does not parse.
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { admit as engineAdmit } from '../../src/engine/admit.js';
import { MemoryNamespaceSource, StaticVersionSource } from '../../src/cluster/memory.js';
import { MemoryTrafficSource, type TrafficSourceState } from '../../src/cluster/traffic-source.js';
import { DEPLOY } from '../deploy/kustomize.js';
import { call, getMetrics, replaceFile, review, startTestServer, tempDir, type TestServer } from '../server/helpers.js';
import { deployment, pod } from '../server/fixtures.js';
import { alertQueries, dashboardQueries, inspect, promqlSkip, type Inspected } from './queries.js';

/** Labels the scrape adds to every series (Prometheus Operator's ServiceMonitor relabelling). */
const TARGET_LABELS = new Set(['namespace', 'pod', 'service', 'container', 'endpoint', 'job', 'instance']);

interface Exported {
  /** Sample name -> label name -> values seen. */
  samples: Map<string, Map<string, Set<string>>>;
}

/** The sample names and labels of a scrape; histogram families yield _bucket, _sum and _count. */
export function parseExposition(text: string): Exported {
  const samples = new Map<string, Map<string, Set<string>>>();
  const types = new Map<string, string>();
  for (const line of text.split('\n')) {
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (type) {
      types.set(type[1], type[2]);
      const names = type[2] === 'histogram' ? ['_bucket', '_sum', '_count'].map((s) => type[1] + s) : [type[1]];
      for (const n of names) if (!samples.has(n)) samples.set(n, new Map());
      continue;
    }
    const sample = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? \S+$/.exec(line);
    if (!sample) continue;
    const labels = samples.get(sample[1]) ?? new Map<string, Set<string>>();
    samples.set(sample[1], labels);
    for (const m of (sample[2] ?? '').matchAll(/([a-zA-Z_]\w*)="((?:[^"\\]|\\.)*)"/g)) {
      const values = labels.get(m[1]) ?? new Set<string>();
      values.add(m[2]);
      labels.set(m[1], values);
    }
  }
  return { samples };
}

/** What a query reads that the scrape does not have; empty when all of it is exported. */
export function problems(q: Inspected, exported: Exported): string[] {
  const out: string[] = [];
  if (q.error) return [`${q.id}: does not parse: ${q.error}`];
  for (const metric of q.metrics) if (!exported.samples.has(metric)) out.push(`${q.id}: ${metric} is not exported`);
  const labelsOf = (metric: string) => exported.samples.get(metric) ?? new Map<string, Set<string>>();
  for (const m of q.matchers) {
    if (TARGET_LABELS.has(m.label) || !exported.samples.has(m.metric)) continue;
    const values = labelsOf(m.metric).get(m.label);
    if (!values) out.push(`${q.id}: ${m.metric} has no label ${m.label}`);
    else if (m.type === '=' && !values.has(m.value)) out.push(`${q.id}: ${m.metric}{${m.label}="${m.value}"} never seen`);
  }
  for (const g of q.grouping) {
    for (const label of g.labels) {
      if (TARGET_LABELS.has(label)) continue;
      if (!g.metrics.some((metric) => labelsOf(metric).has(label))) out.push(`${q.id}: no metric of it has the label ${label}`);
    }
  }
  return out;
}

class ReportingTrafficSource extends MemoryTrafficSource {
  override states(): TrafficSourceState[] {
    return [
      { resource: 'services', state: 'synced', objects: 2 },
      { resource: 'ingresses', state: 'error', objects: 0 },
    ];
  }
}

describe('the dashboard and the alerts read what gracekeeper exports', { skip: promqlSkip }, () => {
  let server: TestServer;
  let exported: Exported;

  before(async () => {
    // The real engine, except that a Pod named "explode" makes it throw: an internal error, admitted unchanged.
    const configFile = join(tempDir(), 'config.yaml');
    const config = readFileSync(join(DEPLOY, 'base', 'config.yaml'), 'utf8');
    writeFileSync(configFile, config);
    server = await startTestServer({
      configFile,
      // Traffic informers as a cluster would report them, so their metrics have samples.
      cluster: {
        description: 'test',
        namespaces: new MemoryNamespaceSource(),
        version: new StaticVersionSource(),
        traffic: new ReportingTrafficSource(),
        outcomes: {
          outcomes: () => undefined,
          states: () => [{ stream: 'pods', state: 'synced' }],
          remembered: () => ({ pods: 3, workloads: 1 }),
          start: () => undefined,
          stop: () => Promise.resolve(),
        },
      },
      admit: (input) => {
        if ((input.object as { metadata?: { name?: string } }).metadata?.name === 'explode') throw new Error('test');
        return engineAdmit(input);
      },
    });
    const explode = pod();
    explode.metadata.name = 'explode';
    for (const [object, namespace] of [
      [pod(), 'shop'],
      [pod(), 'kube-system'],
      [deployment({ 'gracekeeper.io/pre-stop-sleep': 'forever' }), 'shop'],
      [explode, 'shop'],
    ] as const) {
      const reply = await call(server, { body: review(object, { namespace }) });
      assert.equal(reply.status, 200);
    }
    assert.equal((await call(server, { raw: 'not json' })).status, 400);
    // A settings edit and a renewed certificate (the same one, rewritten) are reloaded.
    replaceFile(configFile, `${config}\n# edited\n`);
    replaceFile(server.certFile, `${readFileSync(server.certFile, 'utf8')}\n`);
    await server.checkFiles();
    // Outcomes as the watch reports them (test/e2e/outcomes.test.ts drives the real watch).
    server.metrics.countOutcome('shop', 'killed-at-grace-period');
    server.metrics.countOutcome('shop', 'readiness-never-passed');
    exported = parseExposition(await getMetrics(server));
  });
  after(() => server?.stop());

  it('drove every result, so each label the queries use has samples', () => {
    const results = exported.samples.get('gracekeeper_admissions_total')?.get('result');
    assert.deepEqual([...(results ?? [])].sort(), ['denied', 'error', 'mutated', 'skipped']);
  });

  it('every alert expression parses and reads exported metrics and labels', () => {
    const inspected = inspect(alertQueries());
    assert.equal(inspected.length, 7);
    assert.deepEqual(
      inspected.flatMap((q) => problems(q, exported)),
      [],
    );
  });

  it('every dashboard query parses and reads exported metrics and labels', () => {
    const inspected = inspect(dashboardQueries());
    assert.ok(inspected.length >= 15, `${inspected.length} queries`);
    assert.deepEqual(
      inspected.flatMap((q) => problems(q, exported)),
      [],
    );
  });

  it('would catch a misspelt metric, an unknown label, an unseen value and a parse error', () => {
    const bad = inspect([
      { id: 'name', expr: 'rate(gracekeeper_admission_total[5m])' },
      { id: 'label', expr: 'sum by (verb) (rate(gracekeeper_admissions_total[5m]))' },
      { id: 'value', expr: 'gracekeeper_admissions_total{result="rejected"}' },
      { id: 'parse', expr: 'sum(rate(gracekeeper_admissions_total[5m])' },
    ]).map((q) => problems(q, exported));
    assert.ok(
      bad.every((p) => p.length === 1),
      JSON.stringify(bad),
    );
  });

  it('the dashboard shows admissions by result and kind, latency quantiles, failures, denials, certificate and informer', () => {
    const q = inspect(dashboardQueries());
    const groupsBy = (metric: string, label: string) =>
      q.some((x) => x.grouping.some((g) => g.metrics.includes(metric) && g.labels.includes(label)));
    assert.ok(groupsBy('gracekeeper_admissions_total', 'result'), 'admissions by result');
    assert.ok(groupsBy('gracekeeper_admissions_total', 'kind'), 'admissions by kind');
    for (const quantile of ['0.5', '0.9', '0.99']) {
      assert.ok(
        q.some(
          (x) =>
            x.expr.startsWith(`histogram_quantile(${quantile},`) &&
            x.metrics.includes('gracekeeper_admission_duration_seconds_bucket'),
        ),
        `p${Number(quantile) * 100}`,
      );
    }
    const reads = (metric: string) => q.some((x) => x.metrics.includes(metric));
    assert.ok(reads('gracekeeper_internal_errors_total'), 'fail-open errors');
    assert.ok(
      q.some((x) => x.matchers.some((m) => m.label === 'result' && m.value === 'denied')),
      'denials',
    );
    assert.ok(reads('gracekeeper_certificate_expiry_seconds'), 'certificate expiry');
    assert.ok(reads('gracekeeper_namespace_informer_state'), 'informer health');
  });
});
