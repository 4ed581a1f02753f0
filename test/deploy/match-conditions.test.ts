// The webhook's matchConditions (issue 24): deploy/base and the chart ship the same one, and it
// can only skip ReplicaSet UPDATEs: its first clauses let every CREATE and every other resource
// through before anything else is read. What it saves and that it skips nothing that matters is
// measured on a real API server in test/e2e/match-conditions.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { helmSkip, isHook, template } from '../helm/chart.js';
import { DEPLOY, findKubectl, one, renderWith, type Obj } from './kustomize.js';

const NAME = 'skip-deployment-replicaset-scaling';

function condition(objects: Obj[]): { name: string; expression: string } {
  const mwc = one(
    objects.filter((o) => !isHook(o)),
    'MutatingWebhookConfiguration',
  );
  assert.equal(mwc.webhooks.length, 1);
  const conditions = mwc.webhooks[0].matchConditions as { name: string; expression: string }[];
  assert.deepEqual(
    conditions.map((c) => c.name),
    [NAME],
  );
  return conditions[0];
}

test('deploy/ ships the condition; it lets every non-UPDATE and every other resource through first', async (t) => {
  const { kubectl, reason } = await findKubectl();
  if (!kubectl) return t.skip(reason);
  const { expression } = condition(renderWith(kubectl, DEPLOY));
  const clauses = expression.split(/\s*\|\|\s*/);
  assert.equal(clauses[0], "request.operation != 'UPDATE'", 'a CREATE is always sent');
  assert.equal(clauses[1], "request.resource.resource != 'replicasets'", 'Pods and every other kind are always sent');
  for (const part of [
    "r.kind == 'Deployment'",
    'object.spec.template != oldObject.spec.template',
    'object.metadata.labels != oldObject.metadata.labels',
    'minReadySeconds',
    "k.startsWith('gracekeeper.io/')",
  ]) {
    assert.ok(expression.includes(part), `sent when: ${part}`);
  }
});

test('the chart ships the same condition as deploy/', { skip: helmSkip }, async (t) => {
  const { kubectl, reason } = await findKubectl();
  if (!kubectl) return t.skip(reason);
  assert.deepEqual(condition(template()), condition(renderWith(kubectl, DEPLOY)));
});
