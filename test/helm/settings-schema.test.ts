// The chart's `settings` value is the cluster settings file, and values.schema.json must know it
// exactly as the server's parser does: every top-level setting (TOP_LEVEL) and every annotation
// key usable under `defaults:` (VALIDATORS), no more. The chart's defaults are deploy/base's file,
// and what the chart renders is a file the parser accepts. Helm enforces the schema at render time.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml } from 'yaml';
import { parseClusterSettings, TOP_LEVEL } from '../../src/settings/cluster-settings.js';
import { VALIDATORS } from '../../src/settings/keys.js';
import { DEPLOY, one, type Obj } from '../deploy/kustomize.js';
import { CHART, helm, helmSkip, template } from './chart.js';

const schema = JSON.parse(readFileSync(join(CHART, 'values.schema.json'), 'utf8')) as Obj;
const settingsSchema = schema.properties.settings as Obj;
const chartValues = parseYaml(readFileSync(join(CHART, 'values.yaml'), 'utf8')) as Obj;
const baseConfig = parseYaml(readFileSync(join(DEPLOY, 'base', 'config.yaml'), 'utf8')) as Obj;

const sorted = (xs: Iterable<string>) => [...xs].sort();

describe('values.schema.json knows the settings the parser knows', () => {
  it('has exactly the top-level settings of src/settings/cluster-settings.ts, and rejects others', () => {
    assert.deepEqual(sorted(Object.keys(settingsSchema.properties as object)), sorted(TOP_LEVEL));
    assert.equal(settingsSchema.additionalProperties, false);
  });

  it('has exactly the annotation keys of src/settings/keys.ts under defaults, and rejects others', () => {
    const defaults = settingsSchema.properties.defaults as Obj;
    assert.deepEqual(sorted(Object.keys(defaults.properties as object)), sorted(VALIDATORS.map((v) => v.name)));
    assert.equal(defaults.additionalProperties, false);
  });

  it("ships deploy/base/config.yaml's settings as the chart's defaults", () => {
    assert.deepEqual(chartValues.settings, baseConfig);
  });
});

describe('the settings file the chart renders', { skip: helmSkip }, () => {
  const rendered = (values: Obj = {}): string =>
    one(template({ values }), 'ConfigMap', 'gracekeeper-config').data['config.yaml'] as string;

  it('is accepted by the parser, with the defaults and with every optional key set', () => {
    for (const settings of [
      {},
      {
        targets: 'pods',
        namespace: 'platform',
        defaults: {
          'termination-grace-period': '45s',
          containers: 'app, sidecar',
          readiness: 'http',
          'readiness-path': '/healthz',
          'readiness-port': 'http',
          'readiness-scheme': 'HTTPS',
          'startup-timeout': '2m',
          'min-ready-seconds': 10,
          'readiness-failure-threshold': 3,
          inject: false,
        },
      },
    ]) {
      const parsed = parseClusterSettings(rendered({ settings }));
      assert.ok(parsed.ok, `parse errors: ${parsed.ok ? '' : parsed.error.join('; ')}`);
    }
  });

  it('drops a default set to null (the way to unset one)', () => {
    const text = rendered({ settings: { defaults: { 'pre-stop-sleep': null } } });
    assert.equal((parseYaml(text) as Obj).defaults['pre-stop-sleep'], undefined);
    assert.ok(parseClusterSettings(text).ok);
  });

  for (const [what, settings, mention] of [
    ['an unknown top-level setting', { target: 'pods' }, 'target'],
    ['an unknown annotation key', { defaults: { 'pre-stop-slep': '5s' } }, 'pre-stop-slep'],
    ['an unknown target', { targets: 'everything' }, 'targets'],
    ['a malformed duration', { defaults: { 'pre-stop-sleep': '5 seconds' } }, 'pre-stop-sleep'],
    ['an unknown pre-stop mode', { defaults: { 'pre-stop-mode': 'wait' } }, 'pre-stop-mode'],
    ['a list where a name list is not', { excludeNamespaces: 'team-a' }, 'excludeNamespaces'],
  ] as const) {
    it(`is refused at render time for ${what}`, () => {
      const r = helm(['template', 'gracekeeper', CHART], { values: { settings } }, true);
      assert.notEqual(r.status, 0, `helm template accepted ${JSON.stringify(settings)}`);
      assert.match(r.stderr, /values don't meet the specifications of the schema/);
      assert.ok(r.stderr.includes(mention), `the error names ${mention}: ${r.stderr}`);
    });
  }
});
