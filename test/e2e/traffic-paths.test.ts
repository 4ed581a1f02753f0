// pre-stop-sleep: auto on a real API server: gracekeeper's informers see Services, Ingresses and,
// once their CRDs are installed, Gateway API routes, and size the sleep from them; a Service with
// no matching pods changes nothing; an Ingress added later reaches the next Pods; removing the
// CRDs does not break admissions. The cloud is learnt from a Node's spec.providerID (as deploy/'s
// ServiceAccount, so with exactly the shipped RBAC): an Ingress with no class is then GKE's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { e2eSkipReason } from './ensure-binaries.js';
import { gatewayApiCrdYaml } from './gateway-api.js';
import { getStatus, metricSample, type Gracekeeper } from './gracekeeper.js';
import { container, eventually, recordOf, warnings, type Obj, type PodTemplate } from './kube.js';
import { deployment, sleepHook } from './manifests.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };

const service = (name: string, ns: string, app: string, extra: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: ns, ...(extra.annotations ? { annotations: extra.annotations } : {}) },
  spec: { selector: { app }, ports: [{ port: 80, targetPort: 8080 }], ...extra.spec },
});
const albIngress = (name: string, ns: string, backend: string, delay: number): Obj => ({
  apiVersion: 'networking.k8s.io/v1',
  kind: 'Ingress',
  metadata: {
    name,
    namespace: ns,
    annotations: {
      'alb.ingress.kubernetes.io/target-type': 'ip',
      'alb.ingress.kubernetes.io/target-group-attributes': `deregistration_delay.timeout_seconds=${delay}`,
    },
  },
  spec: {
    ingressClassName: 'alb',
    rules: [
      { http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: backend, port: { number: 80 } } } }] } },
    ],
  },
});

describe('pre-stop-sleep auto from the traffic paths, on a real API server', opts, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;
  const deployments = (ns: string) => `/apis/apps/v1/namespaces/${ns}/deployments`;
  const sleepOf = (t: PodTemplate) => container(t, 'app').lifecycle;

  before(
    async () => {
      env = await startWebhookEnv();
      // A Node as GKE's cloud-controller-manager leaves it (no kubelet: tainted, so nothing lands on it).
      await env.kube.apply({
        apiVersion: 'v1',
        kind: 'Node',
        metadata: { name: 'gke-pool-1-abcd' },
        spec: {
          providerID: 'gce://example-project/europe-west1-b/gke-pool-1-abcd',
          unschedulable: true,
          taints: [{ key: 'example.com/no-kubelet', effect: 'NoSchedule' }],
        },
      });
      gk = await env.start('gracekeeper', {}, undefined, ['--discovery-interval=1s']);
      await env.use(gk);
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  /** How many objects of `resource` gracekeeper's informers hold (its metrics say). */
  const count = async (resource: string): Promise<number> =>
    (await metricSample(gk.metricsPort, `gracekeeper_traffic_objects{resource="${resource}"}`)) || 0;
  /** Waits until gracekeeper's informers hold `n` objects of `resource`. */
  const holds = (resource: string, n: number) =>
    eventually(`gracekeeper to hold ${n} ${resource}`, async () => ((await count(resource)) >= n ? true : undefined));

  it('a Deployment behind a Service and an ALB Ingress gets the longer sleep and grace period, with a warning', async () => {
    const ns = await env.kube.namespace('traffic-alb');
    // The ALB takes 30 s to apply a deregistration, counted from when the controller learns of the
    // pod's end: + propagationDelay 5 s. The deregistration delay (40 s) is for requests in flight.
    await env.kube.apply([service('web', ns, 'web'), albIngress('web', ns, 'web', 40)]);
    await holds('ingresses', 1);
    const res = await env.kube.apply(deployment('web', ns));
    assert.ok(
      warnings(res).some((w) => w.includes('pre-stop-sleep auto: 35s for Ingress/web (aws-alb-ip)')),
      `the warning names the path: ${res.stderr}`,
    );
    assert.ok(
      warnings(res).some((w) => w.includes('elbv2.k8s.aws/pod-readiness-gate-inject=enabled')),
      `the warning names the readiness gate: ${res.stderr}`,
    );
    const stored = await env.kube.mustGet(`${deployments(ns)}/web`);
    const t = stored.spec.template as PodTemplate;
    assert.deepEqual(sleepOf(t), sleepHook(35));
    assert.equal(t.spec.terminationGracePeriodSeconds, 60);
    assert.deepEqual(recordOf(t.metadata)?.sleep, { seconds: 35, by: 'Ingress/web (aws-alb-ip)' });
    const [rs] = await env.kube.ownedEventually(`/apis/apps/v1/namespaces/${ns}/replicasets`, stored, 1);
    const [pod] = await env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rs, 1);
    assert.deepEqual(sleepOf(pod as PodTemplate), sleepHook(35), 'its Pod carries the same');
  });

  it("the cloud learnt from a Node's providerID: an Ingress with no class is GKE's own (NEGs, 60 s)", async () => {
    await eventually(
      'gracekeeper to learn the cloud',
      () => gk.logLines().some((l) => l.msg === 'cloud learnt from the Nodes' && l.cloud === 'gcp') || undefined,
    );
    const ns = await env.kube.namespace('traffic-cloud-default');
    const before = await count('ingresses');
    await env.kube.apply([
      service('web', ns, 'web'),
      {
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: 'web', namespace: ns },
        spec: { defaultBackend: { service: { name: 'web', port: { number: 80 } } } },
      },
    ]);
    await holds('ingresses', before + 1);
    await env.kube.apply(deployment('web', ns));
    const t = (await env.kube.mustGet(`${deployments(ns)}/web`)).spec.template as PodTemplate;
    assert.deepEqual(sleepOf(t), sleepHook(60));
    assert.deepEqual(recordOf(t.metadata)?.sleep, { seconds: 60, by: 'Ingress/web (gke-neg)' });
  });

  it('a Service that selects no pod of the Deployment changes nothing', async () => {
    const ns = await env.kube.namespace('traffic-unrelated');
    await env.kube.apply([
      service('other', ns, 'other', {
        annotations: { 'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb-ip' },
        spec: { type: 'LoadBalancer' },
      }),
    ]);
    await holds('services', 2);
    await env.kube.apply(deployment('web', ns));
    const t = (await env.kube.mustGet(`${deployments(ns)}/web`)).spec.template as PodTemplate;
    assert.deepEqual(sleepOf(t), sleepHook(5));
    assert.equal(recordOf(t.metadata)?.sleep, undefined);
  });

  it('an NLB Service with externalTrafficPolicy Local sizes the Deployment and its Pods: health check + propagationDelay', async () => {
    const ns = await env.kube.namespace('traffic-nlb-local');
    const before = await count('services');
    await env.kube.apply(
      service('web', ns, 'web', {
        annotations: {
          'service.beta.kubernetes.io/aws-load-balancer-type': 'nlb',
          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '10',
          'service.beta.kubernetes.io/aws-load-balancer-healthcheck-unhealthy-threshold': '2',
        },
        spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' },
      }),
    );
    await holds('services', before + 1);
    await env.kube.apply(deployment('web', ns));
    const stored = await env.kube.mustGet(`${deployments(ns)}/web`);
    // health check 10 s x 2, counted once kube-proxy has learnt of the pod's end: + propagationDelay 5 s.
    assert.deepEqual(sleepOf(stored.spec.template as PodTemplate), sleepHook(25));
    const [rs] = await env.kube.ownedEventually(`/apis/apps/v1/namespaces/${ns}/replicasets`, stored, 1);
    const [pod] = await env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rs, 1);
    assert.deepEqual(sleepOf(pod as PodTemplate), sleepHook(25));
    assert.deepEqual(recordOf(pod.metadata)?.sleep, { seconds: 25, by: 'Service/web (aws-nlb-instance)' });
  });

  it('an Ingress added after the Deployment reaches its next Pods', async () => {
    const ns = await env.kube.namespace('traffic-late');
    await env.kube.apply([service('web', ns, 'web'), deployment('web', ns)]);
    const stored = await env.kube.mustGet(`${deployments(ns)}/web`);
    assert.deepEqual(sleepOf(stored.spec.template), sleepHook(5));
    const [rs] = await env.kube.ownedEventually(`/apis/apps/v1/namespaces/${ns}/replicasets`, stored, 1);
    const [first] = await env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rs, 1);
    assert.deepEqual(sleepOf(first as PodTemplate), sleepHook(5));

    const ingresses = await count('ingresses');
    await env.kube.apply(albIngress('web', ns, 'web', 25));
    await holds('ingresses', ingresses + 1);
    await env.cp.kubectl(['-n', ns, 'scale', 'deployment/web', '--replicas=2']);
    const pods = await env.kube.ownedEventually(`/api/v1/namespaces/${ns}/pods`, rs, 2);
    const added = pods.find((p) => p.metadata.name !== first.metadata.name) as Obj;
    assert.deepEqual(sleepOf(added as PodTemplate), sleepHook(35), 'the new Pod is sized again at its CREATE');
    assert.equal(added.spec.terminationGracePeriodSeconds, 60);
    assert.deepEqual(recordOf(added.metadata)?.sleep, { seconds: 35, by: 'Ingress/web (aws-alb-ip)' });
    const template = (await env.kube.mustGet(`${deployments(ns)}/web`)).spec.template as PodTemplate;
    assert.deepEqual(sleepOf(template), sleepHook(5), 'the template is left as it was until its next UPDATE');
  });

  it('with the Gateway API CRDs installed, an HTTPRoute path is honoured; removed, admissions go on', async () => {
    const crds = parseAllDocuments(gatewayApiCrdYaml()).map((d) => d.toJS() as Obj);
    await env.kube.apply(crds, ['--server-side']);
    for (const crd of crds) {
      await env.cp.kubectl(['wait', '--for=condition=Established', '--timeout=60s', `crd/${crd.metadata.name as string}`]);
    }
    const ns = await env.kube.namespace('traffic-route');
    await env.kube.apply([
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'GatewayClass',
        metadata: { name: 'gke-l7-global-external-managed' },
        spec: { controllerName: 'networking.gke.io/gateway' },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'Gateway',
        metadata: { name: 'public', namespace: ns },
        spec: { gatewayClassName: 'gke-l7-global-external-managed', listeners: [{ name: 'http', port: 80, protocol: 'HTTP' }] },
      },
      {
        apiVersion: 'gateway.networking.k8s.io/v1',
        kind: 'HTTPRoute',
        metadata: { name: 'web', namespace: ns },
        spec: { parentRefs: [{ name: 'public' }], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
      },
      service('web', ns, 'web'),
    ]);
    await holds('httproutes', 1);
    await holds('gatewayclasses', 1);
    await env.kube.apply(deployment('web', ns));
    const t = (await env.kube.mustGet(`${deployments(ns)}/web`)).spec.template as PodTemplate;
    assert.deepEqual(sleepOf(t), sleepHook(60));
    assert.deepEqual(recordOf(t.metadata)?.sleep, { seconds: 60, by: 'HTTPRoute/web (gke-neg)' });

    for (const crd of crds) await env.cp.kubectl(['delete', 'crd', crd.metadata.name as string, '--wait=true']);
    await eventually(
      'gracekeeper to forget the routes',
      () => gk.logLines().some((l) => l.resource === 'httproutes' && String(l.msg).startsWith('gone')) || undefined,
    );
    const after = await env.kube.namespace('traffic-after-crds');
    await env.kube.apply([service('web', after, 'web'), deployment('web', after)]);
    const plain = (await env.kube.mustGet(`${deployments(after)}/web`)).spec.template as PodTemplate;
    assert.deepEqual(sleepOf(plain), sleepHook(5), 'still mutated');
    assert.ok(await env.mutatesPods(after));
    assert.equal(await getStatus(`https://127.0.0.1:${gk.port}/readyz`, gk.caPem), 200, 'still ready');
    assert.equal(gk.component.hasExited(), false);
  });
});
