// YAML as kubectl reads it, checked against kubectl itself: `kubectl label --local -o json` reads a
// file with kubectl's own YAML-to-JSON path (sigs.k8s.io/yaml) and needs no API server. For the
// corpus under corpus/: our reader gives kubectl's values; what we print, kubectl (and YAML 1.1 and
// 1.2 readers) read back the same; `gracekeeper mutate` passes untouched documents through byte for
// byte and changes nothing but its additions in the others. Needs the kubectl the e2e suite builds
// (test/e2e/build-k8s.sh): skipped without it and without Go, a failure with CI=true.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { readDocuments } from '../../src/cli/documents.js';
import { printYaml } from '../../src/cli/yaml-print.js';
import { e2eSkipReason, ensureBinaries } from '../e2e/ensure-binaries.js';

type Obj = Record<string, any>;
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CORPUS = join(ROOT, 'test/yaml/corpus');
const CLI = join(ROOT, 'dist/cli.js');
const dir = mkdtempSync(join(tmpdir(), 'gk-yaml-'));
const skip = e2eSkipReason();
let kubectl = '';

/** Every object in a file as kubectl reads it (one JSON object per document, in order). */
function kubectlRead(file: string): Obj[] {
  const out = execFileSync(kubectl, ['label', '--local', '-f', file, '-o', 'json', 'gracekeeper-probe-'], {
    encoding: 'utf8',
    env: { ...process.env, KUBECONFIG: '/dev/null' },
  });
  // kubectl prints one pretty JSON object per document, each closed by a `}` in column 0.
  const objects = out.split(/^}\n(?=\{)/m).map((t, i, all) => JSON.parse(i < all.length - 1 ? `${t}}` : t) as Obj);
  // The label command leaves an empty labels map where there was none.
  for (const o of objects) if (o.metadata && Object.keys(o.metadata.labels ?? {}).length === 0) delete o.metadata.labels;
  return objects;
}

function kubectlReadText(text: string, name: string): Obj[] {
  const file = join(dir, name);
  writeFileSync(file, text);
  return kubectlRead(file);
}

/** Our reader's documents as JSON values (what kubectl would send), labels normalised as above. */
function ours(text: string): Obj[] {
  return readDocuments(text, 'corpus').documents.map((d) => {
    const o = JSON.parse(JSON.stringify(d)) as Obj;
    if (o.metadata && Object.keys(o.metadata.labels ?? {}).length === 0) delete o.metadata.labels;
    return o;
  });
}

function mutate(file: string, ...extra: string[]) {
  const r = spawnSync(
    process.execPath,
    [CLI, 'mutate', '-f', file, '--namespace-label', 'gracekeeper.io/inject=enabled', ...extra],
    { encoding: 'utf8' },
  );
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
}

const FILES = ['scalars.yaml', 'operator-install.yaml'];

describe('YAML against kubectl’s own reader', { skip }, () => {
  before(async () => {
    kubectl = (await ensureBinaries()).kubectl;
  });

  for (const name of FILES) {
    const file = join(CORPUS, name);
    const text = readFileSync(file, 'utf8');

    it(`${name}: every value we read is the value kubectl reads`, () => {
      const theirs = kubectlRead(file);
      assert.equal(theirs.length, ours(text).length);
      assert.deepEqual(ours(text), theirs);
    });

    it(`${name}: what we print, kubectl and YAML 1.1 and 1.2 readers read back unchanged`, () => {
      const theirs = kubectlRead(file);
      readDocuments(text, name).documents.forEach((doc, i) => {
        const printed = printYaml(doc);
        assert.deepEqual(kubectlReadText(printed, `printed-${i}.yaml`), [theirs[i]], `document ${i + 1} via kubectl`);
        const json = JSON.parse(JSON.stringify(doc)) as unknown;
        for (const version of ['1.1', '1.2'] as const) {
          // The `yaml` package's own 1.1 and 1.2 schemas: base 60, timestamps, 0o17, as the spec says.
          const read = parse(printed, { version, merge: false }) as unknown;
          assert.deepEqual(JSON.parse(JSON.stringify(read)), json, `document ${i + 1}, YAML ${version}`);
        }
      });
    });
  }

  it('scalars.yaml holds no workload: gracekeeper mutate prints it byte for byte', () => {
    const file = join(CORPUS, 'scalars.yaml');
    assert.equal(mutate(file), readFileSync(file, 'utf8'));
  });

  it('operator install: through mutate and kubectl, every value but gracekeeper’s additions is unchanged', () => {
    const file = join(CORPUS, 'operator-install.yaml');
    const input = kubectlRead(file);
    const output = kubectlReadText(mutate(file), 'operator-mutated.yaml');
    const engine = JSON.parse(mutate(file, '-o', 'json')) as Obj;
    assert.equal(output.length, input.length);
    // The ConfigMap and the custom resource: untouched, the same values (and the same bytes).
    assert.deepEqual(output[0], input[0]);
    assert.deepEqual(output[2], input[2]);
    // The Deployment: what kubectl reads from our YAML is exactly the engine's object ...
    const deployment = output[1];
    assert.deepEqual(deployment, engine.items[1]);
    // ... and without gracekeeper's additions, exactly the input.
    const template = structuredClone(deployment.spec.template);
    assert.ok(template.metadata.annotations['gracekeeper.io/injected'], 'the Deployment was mutated');
    delete template.metadata.annotations;
    for (const c of template.spec.containers) {
      assert.ok(c.lifecycle?.preStop, 'a preStop hook was added');
      delete c.lifecycle;
      delete c.readinessProbe;
    }
    assert.deepEqual({ ...deployment, spec: { ...deployment.spec, template } }, input[1]);
    // The values the issue saw come out wrong, spelled out.
    const [manager] = deployment.spec.template.spec.containers;
    assert.deepEqual(manager.args, ['--leader-elect=false', 'no', 'on', 'off', 'yes', '1e3', '0x1F', '1:20', '~', 'null', '']);
    assert.deepEqual(
      manager.env.map((e: Obj) => e.value),
      ['no', 'off', '08', '1:30'],
    );
    const volumes = deployment.spec.template.spec.volumes;
    assert.equal(volumes[0].secret.defaultMode, 0o400);
    assert.equal(volumes[1].configMap.defaultMode, 0o755);
    assert.deepEqual(
      volumes[1].configMap.items.map((i: Obj) => i.mode),
      [0o755, 0o644],
    );
    assert.equal(volumes[2].secret.defaultMode, 420);
  });

  it('a value JSON cannot hold (.inf, .nan): kubectl refuses the file, as we say in the docs', () => {
    const r = spawnSync(kubectl, ['label', '--local', '-f', '-', '-o', 'json', 'x-'], {
      input: 'apiVersion: v1\nkind: ConfigMap\nmetadata: {name: x}\nspec: {a: .inf}\n',
      encoding: 'utf8',
      env: { ...process.env, KUBECONFIG: '/dev/null' },
    });
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /unsupported value: \+Inf/);
  });
});
