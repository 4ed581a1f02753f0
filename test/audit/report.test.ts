// The audit's outputs, pure: the kubectl-style table, the JSON shape and summary, and the flags
// (--fail-on, -n/-A, -o) with the exit status they lead to.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AuditItem } from '../../src/audit/classify.js';
import { buildReport, COLUMNS, formatJson, formatTable, lacksCell } from '../../src/audit/report.js';
import { UsageError } from '../../src/cli/args.js';
import { AUDIT_USAGE, exitStatus, parseAuditArgs, parseFailOn } from '../../src/cli/audit-args.js';

function item(o: Partial<AuditItem>): AuditItem {
  return {
    namespace: 'shop',
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    name: 'web',
    optedIn: true,
    status: 'ok',
    reason: 'UPDATE',
    record: true,
    lacks: [],
    warnings: [],
    traffic: { paths: [], decidedBy: 'propagationDelay', family: 'propagationDelay', seconds: 5 },
    ...o,
  };
}

const ITEMS = [
  item({
    kind: 'Pod',
    apiVersion: 'v1',
    name: 'lonely',
    status: 'missing',
    record: false,
    lacks: ['preStop:a'],
    warnings: ['w'],
  }),
  item({
    name: 'api',
    status: 'stale',
    lacks: ['preStop:api', 'terminationGracePeriodSeconds:30->34'],
    traffic: {
      paths: [{ object: 'Ingress/api', family: 'aws-alb-ip', delay: 300, seconds: 305, reason: 'r' }],
      decidedBy: 'Ingress/api (aws-alb-ip)',
      family: 'aws-alb-ip',
      seconds: 305,
    },
  }),
  item({ namespace: 'dev', name: 'web', optedIn: false, status: 'not-opted-in', record: false, lacks: ['readinessProbe:web'] }),
];

describe('audit table', () => {
  it('kubectl-style: a header, aligned columns three spaces apart, sorted by namespace, kind, name', () => {
    const lines = formatTable(buildReport(ITEMS, 2, []), 'any namespace')
      .trimEnd()
      .split('\n');
    assert.deepEqual(lines[0]?.split(/\s{3,}/), [...COLUMNS]);
    assert.deepEqual(
      lines.slice(1).map((l) => l.split(/\s{3,}/)),
      [
        ['dev', 'Deployment', 'web', 'no', 'not-opted-in', 'readinessProbe:web', '-', '5s'],
        ['shop', 'Deployment', 'api', 'yes', 'stale', 'preStop:api,gracePeriod', 'Ingress/api (aws-alb-ip)', '5m5s'],
        ['shop', 'Pod', 'lonely', 'yes', 'missing', 'preStop:a,1 warning', '-', '5s'],
      ],
    );
    const starts = (col: string) => (lines[0] ?? '').indexOf(col);
    for (const line of lines.slice(1)) assert.equal(line.slice(starts('STATUS') - 3, starts('STATUS')), '   ', line);
    assert.equal(lines[2]?.indexOf('stale'), starts('STATUS'));
  });

  it('an empty report says so, as kubectl does', () => {
    assert.equal(formatTable(buildReport([], 1, []), 'namespace shop'), 'No workloads found in namespace shop.\n');
  });

  it('LACKS: "-" for nothing, the denial and the warning count otherwise', () => {
    assert.equal(lacksCell(item({})), '-');
    assert.equal(lacksCell(item({ denial: 'bad', warnings: ['a', 'b'] })), 'invalid annotations,2 warnings');
  });

  it("LACKS names a load balancer's readiness gate the pods do not use, and only then", () => {
    const gated = (inUse: boolean) =>
      item({
        traffic: {
          paths: [
            {
              object: 'Ingress/api',
              family: 'aws-alb-ip',
              delay: 30,
              seconds: 35,
              reason: 'r',
              readinessGate: { inUse, how: 'label Namespace elbv2.k8s.aws/pod-readiness-gate-inject=enabled' },
            },
          ],
          decidedBy: 'Ingress/api (aws-alb-ip)',
          family: 'aws-alb-ip',
          seconds: 35,
        },
      });
    assert.equal(lacksCell(gated(false)), 'LB readiness gate');
    assert.equal(lacksCell(gated(true)), '-');
  });
});

describe('audit JSON', () => {
  it('{items, summary}: every status counted, items sorted, absent kinds listed', () => {
    const doc = JSON.parse(formatJson(buildReport(ITEMS, 2, ['httproutes', 'gateways']))) as Record<string, any>;
    assert.deepEqual(Object.keys(doc), ['items', 'summary']);
    assert.deepEqual(doc.summary, {
      total: 3,
      byStatus: { ok: 0, missing: 1, baseline: 0, stale: 1, invalid: 0, 'not-opted-in': 1, excluded: 0 },
      namespaces: 2,
      absentKinds: ['gateways', 'httproutes'],
    });
    assert.deepEqual(
      (doc.items as AuditItem[]).map((i) => `${i.namespace}/${i.kind}/${i.name}`),
      ['dev/Deployment/web', 'shop/Deployment/api', 'shop/Pod/lonely'],
    );
    assert.deepEqual(doc.items[1].lacks, ['preStop:api', 'terminationGracePeriodSeconds:30->34']);
  });
});

describe('audit flags', () => {
  it('--fail-on: missing, stale, both in any order; anything else names what is accepted', () => {
    assert.deepEqual(parseFailOn('missing'), ['missing']);
    assert.deepEqual(parseFailOn('stale, missing'), ['missing', 'stale']);
    for (const bad of ['', 'ok', 'missing,', 'Missing', 'missing;stale']) {
      assert.throws(
        () => parseFailOn(bad),
        (e: Error) => e instanceof UsageError && /expected missing, stale/.test(e.message),
        bad,
      );
    }
    assert.deepEqual(parseAuditArgs(['--fail-on', 'stale', '--fail-on', 'missing']).failOn, ['missing', 'stale']);
  });

  it('exit status 3 only when an item has a status --fail-on names', () => {
    assert.equal(exitStatus(['ok', 'missing'], []), 0);
    assert.equal(exitStatus(['ok', 'missing'], ['stale']), 0);
    assert.equal(exitStatus(['ok', 'missing'], ['missing']), 3);
    assert.equal(exitStatus(['stale'], ['missing', 'stale']), 3);
    assert.equal(exitStatus(['not-opted-in', 'excluded', 'invalid'], ['missing', 'stale']), 0);
  });

  it('--config names the settings file; --settings is its alias, and the two together are refused', () => {
    assert.deepEqual(parseAuditArgs(['--config', 'c.yaml']).config, { path: 'c.yaml', flag: '--config' });
    assert.deepEqual(parseAuditArgs(['--settings', 's.yaml']).config, { path: 's.yaml', flag: '--settings' });
    assert.throws(() => parseAuditArgs(['--config', 'c.yaml', '--settings', 's.yaml']), /--settings is an alias of --config/);
    assert.match(AUDIT_USAGE, /\[--config FILE\]/);
    assert.match(AUDIT_USAGE, /--settings FILE +an alias of --config/);
  });

  it('-n or -A, -o table or json, nothing else', () => {
    assert.deepEqual(parseAuditArgs([]), {
      kubeconfig: undefined,
      context: undefined,
      namespace: undefined,
      allNamespaces: false,
      output: 'table',
      failOn: [],
      config: undefined,
      help: false,
    });
    assert.equal(parseAuditArgs(['-A', '-o', 'json']).output, 'json');
    assert.equal(parseAuditArgs(['-n', 'shop']).namespace, 'shop');
    const usage = (args: string[], text: RegExp) =>
      assert.throws(
        () => parseAuditArgs(args),
        (e: Error) => e instanceof UsageError && text.test(e.message),
        args.join(' '),
      );
    usage(['-n', 'a', '-A'], /one or the other/);
    usage(['-o', 'yaml'], /expected table or json/);
    usage(['--watch'], /Unknown option/);
    usage(['extra'], /positional/);
  });
});
