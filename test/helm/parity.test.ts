// The chart installs what kustomize does: with its defaults, the objects `make deploy` applies (the
// base plus its TLS Secret and caBundle); with certificates.source=external, the base itself; with
// certManager, deploy/overlays/cert-manager; under another release name and namespace, the same
// objects renamed. Compared after normalise() (test/helm/chart.ts says exactly what it changes).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { findKubectl, parseObjects, renderWith, ROOT, DEPLOY, type Obj } from '../deploy/kustomize.js';
import { blankCertificates, helmSkip, normalise, parseYaml11, template } from './chart.js';

const kubectlFound = await findKubectl();
const skip = helmSkip || kubectlFound.reason || false;
const certsDir = mkdtempSync(join(tmpdir(), 'gk-parity-certs-'));

/** What `make deploy` applies: scripts/deploy.sh --render (openssl certificates in a temp dir). */
function makeDeployRender(kubectl: string): Obj[] {
  const r = spawnSync('bash', [join(ROOT, 'scripts', 'deploy.sh'), '--render'], {
    encoding: 'utf8',
    timeout: 120_000,
    env: { ...process.env, KUBECTL: kubectl, CERTS_DIR: certsDir },
  });
  assert.equal(r.status, 0, r.stderr);
  return parseYaml11(r.stdout);
}

/** A readable difference: the first object that differs, in full. */
function assertSameObjects(actual: Obj[], expected: Obj[]): void {
  const names = (objs: Obj[]) => objs.map((o) => `${o.kind}/${o.metadata?.name}`);
  assert.deepEqual(names(actual), names(expected), 'the same objects');
  for (let i = 0; i < expected.length; i++) assert.deepEqual(actual[i], expected[i], `${names(expected)[i]}`);
}

describe('the Helm chart renders the kustomize objects', { skip }, () => {
  after(() => rmSync(certsDir, { recursive: true, force: true }));
  const kubectl = kubectlFound.kubectl!;
  // renderWith parses YAML 1.2, which reads kustomize's output the same (it writes 288, not 0440).
  const base = () => normalise(renderWith(kubectl, join(DEPLOY, 'base')));

  it('with certificates.source=external: the base, object for object', () => {
    assertSameObjects(normalise(template({ values: { certificates: { source: 'external' } } })), base());
  });

  it('with the defaults: what make deploy applies, certificate bytes aside', () => {
    const chart = template();
    const deploy = makeDeployRender(kubectl);
    assertSameObjects(blankCertificates(normalise(chart)), blankCertificates(normalise(deploy)));
    // What the placeholders hide is there: a TLS Secret with a CA, and that CA as the caBundle.
    const secret = chart.find((o) => o.kind === 'Secret') as Obj;
    assert.deepEqual(Object.keys(secret.data as object).sort(), ['ca.crt', 'tls.crt', 'tls.key']);
    const webhook = chart.find((o) => o.kind === 'MutatingWebhookConfiguration' && !o.metadata.annotations) as Obj;
    assert.equal(webhook.webhooks[0].clientConfig.caBundle, secret.data['ca.crt']);
  });

  it('with certificates.source=certManager: deploy/overlays/cert-manager', () => {
    const chart = normalise(template({ values: { certificates: { source: 'certManager' } } }));
    assertSameObjects(chart, normalise(renderWith(kubectl, join(DEPLOY, 'overlays', 'cert-manager'))));
  });

  it('under release "edge" in namespace "platform": the same objects, renamed', () => {
    const chart = template({ release: 'edge', namespace: 'platform', values: { certificates: { source: 'certManager' } } });
    const names = new Set(chart.map((o) => o.metadata.name as string));
    assert.ok(names.has('edge-gracekeeper') && names.has('edge-gracekeeper-config') && !names.has('gracekeeper'));
    assert.ok(chart.filter((o) => o.metadata.namespace).every((o) => o.metadata.namespace === 'platform'));
    const rename = (s: string) => s.replace(/\bedge-gracekeeper\b/g, 'gracekeeper').replace(/\bplatform\b/g, 'gracekeeper');
    assertSameObjects(normalise(chart, rename), normalise(renderWith(kubectl, join(DEPLOY, 'overlays', 'cert-manager'))));
  });

  it('parses the base the same as YAML 1.1 and 1.2 (so the comparison is not an artefact)', () => {
    const text = spawnSync(kubectl, ['kustomize', join(DEPLOY, 'base')], { encoding: 'utf8' }).stdout;
    assert.deepEqual(parseYaml11(text), parseObjects(text));
  });
});
