// The alert rules with Prometheus's own promtool: `promtool check rules` (syntax, templates) and
// `promtool test rules` with alerts.promtool.yaml, a unit test of each alert. A rule changed
// without its test fails here; so does the chart's copy when it differs.
import assert from 'node:assert/strict';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, describe, it } from 'node:test';
import { parse as parseYaml, stringify } from 'yaml';
import { CHART } from '../helm/chart.js';
import { findTool, runTool } from '../tools/ensure-tool.js';
import { prometheusRule } from './queries.js';
import type { Obj } from '../deploy/kustomize.js';

const promtool = findTool('promtool');
const UNIT_TESTS = join(dirname(fileURLToPath(import.meta.url)), 'alerts.promtool.yaml');

describe('the alert rules, with promtool', { skip: promtool.reason ?? false }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-promtool-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  /** Writes the rule groups as a Prometheus rule file next to the unit tests; runs promtool. */
  const run = (spec: Obj, command: 'check' | 'test') => {
    writeFileSync(join(dir, 'rules.yaml'), stringify(spec));
    copyFileSync(UNIT_TESTS, join(dir, 'alerts.promtool.yaml'));
    const args = command === 'check' ? ['check', 'rules', 'rules.yaml'] : ['test', 'rules', 'alerts.promtool.yaml'];
    return runTool(promtool.path!, args, { cwd: dir, allowFailure: true });
  };

  it('promtool check rules accepts deploy/observability/prometheusrule.yaml', () => {
    const r = run(prometheusRule().spec as Obj, 'check');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS: 7 rules found/);
  });

  it("promtool check rules accepts the chart's copy, which is the same rules", () => {
    const copy = parseYaml(readFileSync(join(CHART, 'files', 'prometheus-rules.yaml'), 'utf8')) as Obj;
    assert.deepEqual(copy, prometheusRule().spec);
    assert.equal(run(copy, 'check').status, 0);
  });

  it('promtool test rules: each alert fires when it should, with its annotations, and only then', () => {
    const r = run(prometheusRule().spec as Obj, 'test');
    assert.equal(r.status, 0, r.stdout + r.stderr);
    assert.match(r.stdout, /SUCCESS/);
  });

  it('the unit tests catch a changed threshold (7 days made 1)', () => {
    const spec = structuredClone(prometheusRule().spec) as Obj;
    const rule = (spec.groups[0].rules as Obj[]).find((x) => x.alert === 'GracekeeperCertificateExpiresSoon') as Obj;
    rule.expr = String(rule.expr).replace('604800', '86400');
    const r = run(spec, 'test');
    assert.notEqual(r.status, 0);
    assert.match(r.stdout + r.stderr, /GracekeeperCertificateExpiresSoon/);
  });

  it('rejects a rule that does not parse (the check is real)', () => {
    const spec = { groups: [{ name: 'x', rules: [{ alert: 'Broken', expr: 'sum(rate(gracekeeper_admissions_total[5m])' }] }] };
    assert.notEqual(run(spec, 'check').status, 0);
  });
});
