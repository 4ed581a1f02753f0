// Every snippet of docs/gitops.md (its yaml blocks and the files in docs/examples/ it links) is
// parsed and checked against what gracekeeper writes (written-fields.ts): the ignore rules of
// Argo CD and Flux name every field for every kind gracekeeper mutates, the server-side diff
// includes the mutating webhook, and the targets: pods settings parse to that. A snippet of a
// kind this test does not know fails it, so none goes unchecked.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse as parseYaml, parseAllDocuments, stringify } from 'yaml';
import { parseClusterSettings } from '../../src/settings/cluster-settings.js';
import { ROOT, type Obj } from '../deploy/kustomize.js';
import { covers, jqPath, jsonPointer } from './snippet-paths.js';
import { writtenFields, type WorkloadFields } from './written-fields.js';

const DOCS = join(ROOT, 'docs');
const EXAMPLES = join(DOCS, 'examples');
const gitops = readFileSync(join(DOCS, 'gitops.md'), 'utf8');

interface Snippet {
  where: string;
  doc: Obj;
}

function snippets(): Snippet[] {
  const out: Snippet[] = [];
  for (const [i, m] of [...gitops.matchAll(/```yaml\n([\s\S]*?)```/g)].entries()) {
    out.push({ where: `docs/gitops.md yaml block ${i + 1}`, doc: parseYaml(m[1]) as Obj });
  }
  for (const file of readdirSync(EXAMPLES).filter((f) => f.endsWith('.yaml'))) {
    for (const [i, d] of parseAllDocuments(readFileSync(join(EXAMPLES, file), 'utf8')).entries()) {
      if (d.errors.length > 0) throw new Error(`${file}: ${d.errors[0]?.message}`);
      out.push({ where: `docs/examples/${file}#${i}`, doc: d.toJS() as Obj });
    }
  }
  return out;
}

/** The uncovered fields, as "Kind: path" lines. */
function missing(rulesFor: (w: WorkloadFields) => string[][]): string[] {
  return writtenFields().flatMap((w) => {
    const named = rulesFor(w);
    return w.fields.filter((f) => !covers(named, f)).map((f) => `${w.kind}: ${f.join('.')}`);
  });
}

/** Argo CD's rules (an Application's ignoreDifferences or argocd-cm's customizations) as paths. */
function argoPaths(rules: { group?: string; kind?: string; jqPathExpressions?: string[]; jsonPointers?: string[] }[]) {
  return (w: WorkloadFields) =>
    rules
      .filter((r) => (r.group ?? '') === w.group && r.kind === w.kind)
      .flatMap((r) => [...(r.jqPathExpressions ?? []).map(jqPath), ...(r.jsonPointers ?? []).map(jsonPointer)]);
}

/** Flux's ignore rules: `target` fields are regular expressions, `paths` JSON Pointers. */
function fluxPaths(rules: Obj[]) {
  const matches = (pattern: string | undefined, value: string) => pattern === undefined || new RegExp(pattern).test(value);
  return (w: WorkloadFields) =>
    rules
      .filter(
        (r) => matches(r.target?.group as string | undefined, w.group) && matches(r.target?.kind as string | undefined, w.kind),
      )
      .flatMap((r) => (r.paths as string[]).map(jsonPointer));
}

/** Checks one snippet; returns what kind of snippet it was. Throws on an unknown kind. */
function check(s: Snippet): string {
  const d = s.doc;
  const compare = d.metadata?.annotations?.['argocd.argoproj.io/compare-options'] as string | undefined;
  if (compare !== undefined) {
    const options = compare.split(',').map((o) => o.trim());
    assert.ok(
      options.includes('ServerSideDiff=true') && options.includes('IncludeMutationWebhook=true'),
      `${s.where}: ${compare}`,
    );
    return 'argocd server-side diff';
  }
  if (d.kind === 'Application' && d.spec?.ignoreDifferences) {
    assert.deepEqual(missing(argoPaths(d.spec.ignoreDifferences as Obj[])), [], s.where);
    return 'argocd ignoreDifferences';
  }
  if (d.kind === 'ConfigMap' && d.metadata?.name === 'argocd-cm') {
    const rules = Object.entries(d.data as Record<string, string>)
      .filter(([k]) => k.startsWith('resource.customizations.ignoreDifferences.'))
      .map(([k, v]) => {
        const [group, kind] = k.slice('resource.customizations.ignoreDifferences.'.length).split('_');
        return { group, kind, ...(parseYaml(v) as Obj) };
      });
    assert.deepEqual(missing(argoPaths(rules)), [], s.where);
    return 'argocd-cm ignoreDifferences';
  }
  if (d.kind === 'HelmRelease' && d.spec?.driftDetection) {
    assert.notEqual(d.spec.driftDetection.mode, 'disabled');
    assert.deepEqual(missing(fluxPaths(d.spec.driftDetection.ignore as Obj[])), [], s.where);
    return 'flux HelmRelease';
  }
  if (d.kind === 'Kustomization' && String(d.apiVersion).startsWith('kustomize.toolkit.fluxcd.io/')) {
    assert.deepEqual(missing(fluxPaths(d.spec.driftIgnoreRules as Obj[])), [], s.where);
    return 'flux Kustomization';
  }
  const settings = (d.settings ?? d) as Obj;
  if (settings.targets !== undefined) {
    const parsed = parseClusterSettings(stringify(settings));
    assert.ok(parsed.ok && parsed.value.settings.targets === 'pods', `${s.where}: targets: pods`);
    return 'targets: pods';
  }
  throw new Error(`${s.where}: a snippet this test does not know how to check`);
}

describe('docs/gitops.md snippets name what gracekeeper writes', () => {
  const all = snippets();

  it('checks every snippet, of each kind the page describes', () => {
    const kinds = new Set(all.map(check));
    assert.deepEqual([...kinds].sort(), [
      'argocd ignoreDifferences',
      'argocd server-side diff',
      'argocd-cm ignoreDifferences',
      'flux HelmRelease',
      'flux Kustomization',
      'targets: pods',
    ]);
  });

  it('links every example file, and every link is there', () => {
    const linked = [...gitops.matchAll(/\]\((examples\/[^)]+)\)/g)].map((m) => m[1]);
    for (const l of linked) assert.ok(existsSync(join(DOCS, l)), l);
    for (const f of readdirSync(EXAMPLES)) assert.ok(linked.includes(`examples/${f}`), `gitops.md links examples/${f}`);
  });

  it('lists the fields in its table as the check knows them', () => {
    for (const field of [
      'spec.containers[*].lifecycle.preStop',
      'spec.containers[*].readinessProbe',
      'spec.containers[*].startupProbe',
      'spec.initContainers[*]',
      'spec.terminationGracePeriodSeconds',
      'metadata.annotations["gracekeeper.io/injected"]',
      'spec.minReadySeconds',
    ]) {
      assert.ok(gitops.includes(`\`${field}\``), field);
    }
  });

  it('would fail a rule set missing one field, or one kind', () => {
    const app = all.find((s) => s.doc.kind === 'Application' && s.doc.spec?.ignoreDifferences)!.doc;
    const rules = structuredClone(app.spec.ignoreDifferences) as Obj[];
    (rules[0].jqPathExpressions as string[]).pop();
    assert.equal(missing(argoPaths(rules)).length, 1);
    assert.ok(missing(argoPaths(rules.filter((r) => r.kind !== 'CronJob'))).some((m) => m.startsWith('CronJob:')));
    const hr = all.find((s) => s.doc.kind === 'HelmRelease')!.doc;
    const ignore = structuredClone(hr.spec.driftDetection.ignore) as Obj[];
    ignore[0].paths = (ignore[0].paths as string[]).filter((p) => !p.includes('/containers/1/'));
    assert.ok(missing(fluxPaths(ignore)).length > 0, 'the second container is required');
  });
});
