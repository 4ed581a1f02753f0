// MutatingAdmissionPolicy (admissionregistration.k8s.io/v1, on by default from Kubernetes 1.36)
// beside gracekeeper on a real API server: a platform team's policy and gracekeeper mutate the same
// Pod, and each keeps what the other wrote. The policy sets a label and a grace period below what
// gracekeeper needs; the Pod is stored with the label, gracekeeper's hook and record, and the grace
// period gracekeeper raised. On 1.35 the v1 API is not served: the test checks that, and stops.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from './ensure-binaries.js';
import { container, recordOf, type Obj, type PodTemplate } from './kube.js';
import { pod, sleepHook } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const LABEL = 'policy.example.com/seen';

function policy(ns: string): Obj[] {
  return [
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicy',
      metadata: { name: 'platform-defaults' },
      spec: {
        matchConstraints: {
          resourceRules: [{ apiGroups: [''], apiVersions: ['v1'], operations: ['CREATE'], resources: ['pods'] }],
        },
        failurePolicy: 'Fail',
        reinvocationPolicy: 'Never',
        mutations: [
          {
            patchType: 'ApplyConfiguration',
            applyConfiguration: {
              expression: `Object{ metadata: Object.metadata{ labels: {"${LABEL}": "true"} }, spec: Object.spec{ terminationGracePeriodSeconds: 10 } }`,
            },
          },
        ],
      },
    },
    {
      apiVersion: 'admissionregistration.k8s.io/v1',
      kind: 'MutatingAdmissionPolicyBinding',
      metadata: { name: 'platform-defaults' },
      spec: {
        policyName: 'platform-defaults',
        matchResources: { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': ns } } },
      },
    },
  ];
}

describe('a MutatingAdmissionPolicy beside gracekeeper on a real API server', { skip: skip ?? false }, () => {
  let env: WebhookEnv;
  let minor: number;
  let served: boolean;

  before(
    async () => {
      env = await startWebhookEnv();
      await env.use(await env.start('gracekeeper'));
      const version = (await env.cp.api<{ minor: string }>('GET', '/version')).body;
      minor = Number.parseInt(version.minor, 10);
      const discovery = (await env.cp.api<{ resources: { name: string }[] }>('GET', '/apis/admissionregistration.k8s.io/v1'))
        .body;
      served = discovery.resources.some((r) => r.name === 'mutatingadmissionpolicies');
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  it('is served as admissionregistration.k8s.io/v1 from 1.36 on, not before', () => {
    assert.equal(served, minor >= 36, `Kubernetes 1.${minor}: v1 MutatingAdmissionPolicy served: ${served}`);
  });

  it("each keeps what the other wrote: the policy's label, gracekeeper's hook and the grace period it needs", async (t) => {
    if (!served) return t.skip(`Kubernetes 1.${minor} does not serve MutatingAdmissionPolicy v1`);
    const ns = await env.kube.namespace('with-policy');
    await env.kube.apply(policy(ns));
    // The policy takes effect once the API server's policy informer has it: retry until the label lands.
    let stored: Obj | undefined;
    for (let i = 0; i < 60 && stored?.metadata.labels?.[LABEL] !== 'true'; i++) {
      const name = `web-${i}`;
      await env.kube.apply(pod(name, ns));
      const got = await env.kube.mustGet(`/api/v1/namespaces/${ns}/pods/${name}`);
      stored = got;
      if (got.metadata.labels?.[LABEL] !== 'true') await new Promise((r) => setTimeout(r, 500));
    }
    const p = stored ?? assert.fail('no Pod stored');
    assert.equal(p.metadata.labels?.[LABEL], 'true', "the policy's label");
    assert.deepEqual(container(p as PodTemplate, 'app').lifecycle, sleepHook(5), "gracekeeper's preStop");
    assert.ok(recordOf(p.metadata), "gracekeeper's record");
    assert.equal(p.spec.terminationGracePeriodSeconds, 30, "raised from the policy's 10 s to sleep 5 s + drain 25 s");
  });
});
