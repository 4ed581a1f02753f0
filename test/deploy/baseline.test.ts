// The kustomize side of the baseline: deploy/overlays/webhook-free is the policy and its binding
// alone, and deploy/components/baseline adds them to an overlay of the install, rendered by
// kubectl's own kustomize.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';

import { join, relative } from 'node:path';
import { after, describe, it } from 'node:test';
import { DEPLOY, findKubectl, renderWith } from './kustomize.js';

const found = await findKubectl();
const kinds = (objects: Record<string, any>[]) => objects.map((o) => `${o.kind}/${o.metadata.name}`).sort();

describe('the baseline in kustomize', { skip: found.reason ?? false }, () => {
  const kubectl = found.kubectl as string;
  const dir = mkdtempSync(join(DEPLOY, '..', '.tmp-baseline-overlay-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('the webhook-free overlay: the policy and its binding, nothing else', () => {
    const objects = renderWith(kubectl, join(DEPLOY, 'overlays', 'webhook-free'));
    assert.deepEqual(kinds(objects), [
      'MutatingAdmissionPolicy/gracekeeper-baseline',
      'MutatingAdmissionPolicyBinding/gracekeeper-baseline',
    ]);
    for (const o of objects) assert.equal(o.metadata.labels['app.kubernetes.io/part-of'], 'gracekeeper');
  });

  it('the component adds them to the install', () => {
    writeFileSync(
      join(dir, 'kustomization.yaml'),
      [
        'apiVersion: kustomize.config.k8s.io/v1beta1',
        'kind: Kustomization',
        'resources:',
        `  - ${relative(dir, join(DEPLOY, 'base'))}`,
        'components:',
        `  - ${relative(dir, join(DEPLOY, 'components', 'baseline'))}`,
        '',
      ].join('\n'),
    );
    const base = kinds(renderWith(kubectl, join(DEPLOY, 'base')));
    const withBaseline = kinds(renderWith(kubectl, dir));
    assert.deepEqual(
      withBaseline.filter((k) => !base.includes(k)),
      ['MutatingAdmissionPolicy/gracekeeper-baseline', 'MutatingAdmissionPolicyBinding/gracekeeper-baseline'],
    );
    assert.equal(withBaseline.length, base.length + 2);
  });
});
