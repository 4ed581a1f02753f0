// The table's rows for the clouds and paths added with the cloud setting: each family's delay from
// its defaults and annotations, which controller a class belongs to (never the name alone), the
// cloud's default controller for objects that name no class, and unknown controllers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { AWS_ALB_IP_DELAY } from '../../src/traffic/families/aws.js';
import { trafficPaths } from '../../src/traffic/table.js';
import type { Cloud, IngressFacts, RouteFacts, ServiceFacts, TrafficFacts, TrafficPath } from '../../src/traffic/types.js';

const service = (over: Partial<ServiceFacts> = {}): ServiceFacts => ({
  name: 'web',
  type: 'ClusterIP',
  externalTrafficPolicy: 'Cluster',
  annotations: {},
  ...over,
});
const ingress = (over: Partial<IngressFacts> = {}): IngressFacts => ({ name: 'web', annotations: {}, ...over });

function only(facts: TrafficFacts, cloud?: Cloud): TrafficPath {
  const { paths, warnings } = trafficPaths(facts, [], cloud);
  assert.deepEqual(warnings, []);
  assert.equal(paths.length, 1, JSON.stringify(paths));
  return paths[0];
}
const viaService = (s: ServiceFacts, cloud?: Cloud) => only({ services: [{ service: s, ingresses: [], routes: [] }] }, cloud);
const viaIngress = (i: IngressFacts, s: ServiceFacts = service(), cloud?: Cloud) =>
  only({ services: [{ service: s, ingresses: [i], routes: [] }] }, cloud);

describe('AWS', () => {
  it('ALB ip targets: 30 s after propagation, whatever the deregistration delay (it is for requests in flight)', () => {
    for (const attrs of [undefined, 'deregistration_delay.timeout_seconds=300', 'deregistration_delay.timeout_seconds=5']) {
      const annotations: Record<string, string> = { 'alb.ingress.kubernetes.io/target-type': 'ip' };
      if (attrs) annotations['alb.ingress.kubernetes.io/target-group-attributes'] = attrs;
      const path = viaIngress(ingress({ className: 'alb', annotations }));
      assert.equal(path.family, 'aws-alb-ip');
      assert.equal(path.delay, AWS_ALB_IP_DELAY);
      assert.equal(path.afterPropagation, true);
      assert.equal(path.shorten, undefined);
      assert.equal(path.gate?.namespaceLabel?.key, 'elbv2.k8s.aws/pod-readiness-gate-inject');
    }
  });

  it('NLB ip targets keep the whole deregistration delay, at least 120 s, and say how to shorten it', () => {
    const nlb = (attrs?: string) =>
      viaService(
        service({
          type: 'LoadBalancer',
          annotations: {
            'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
            'service.beta.kubernetes.io/aws-load-balancer-nlb-target-type': 'ip',
            ...(attrs ? { 'service.beta.kubernetes.io/aws-load-balancer-target-group-attributes': attrs } : {}),
          },
        }),
      );
    assert.equal(nlb().delay, 300);
    assert.match(nlb().shorten ?? '', /deregistration_delay\.timeout_seconds .*120s/);
    assert.equal(nlb('deregistration_delay.timeout_seconds=30').delay, 120);
    assert.equal(nlb('deregistration_delay.timeout_seconds=30').shorten, undefined, 'at the floor: nothing to shorten');
  });

  it("a class named alb is AWS's only when its IngressClass names AWS's controller or none", () => {
    assert.equal(viaIngress(ingress({ className: 'alb' })).family, 'aws-alb-instance');
    assert.equal(viaIngress(ingress({ className: 'alb', controller: 'ingress.k8s.aws/alb' })).family, 'aws-alb-instance');
    assert.equal(viaIngress(ingress({ className: 'alb', controller: 'ingress.k8s.alibabacloud/alb' })).family, 'alibaba-alb');
    assert.equal(viaIngress(ingress({ className: 'alb' }), service(), 'alibaba').family, 'alibaba-alb');
    const other = viaIngress(ingress({ className: 'alb', controller: 'example.com/other' }));
    assert.equal(other.family, 'ingress');
    assert.equal(other.unknown, true);
  });

  it('Classic ELB (the cloud default): node health check 10 s x 6 with Local, 0 with Cluster', () => {
    const local = viaService(service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }), 'aws');
    assert.deepEqual([local.family, local.delay, local.afterPropagation], ['aws-clb', 60, true]);
    assert.equal(viaService(service({ type: 'LoadBalancer' }), 'aws').delay, 0);
  });
});

describe('Alibaba Cloud ACK', () => {
  it('ALB Ingress: 10 s, its readiness gate', () => {
    const path = viaIngress(ingress({ className: 'alb', controller: 'ingress.k8s.alibabacloud/alb' }));
    assert.deepEqual([path.family, path.delay, path.afterPropagation], ['alibaba-alb', 10, undefined]);
    assert.equal(path.gate?.conditionPrefix, 'target-health.alb.k8s.alibabacloud');
  });

  it('CLB/NLB: pods as backends are undocumented (unknown), nodes as backends the health check', () => {
    const eni = viaService(
      service({
        type: 'LoadBalancer',
        annotations: { 'service.beta.kubernetes.io/alibaba-cloud-loadbalancer-backend-type': 'eni' },
      }),
    );
    assert.deepEqual([eni.family, eni.delay, eni.unknown], ['alibaba-clb', 0, true]);
    assert.equal(eni.gate?.conditionPrefix, 'service.readiness.alibabacloud.com/web');
    const nlb = viaService(
      service({ type: 'LoadBalancer', loadBalancerClass: 'alibabacloud.com/nlb', externalTrafficPolicy: 'Local' }),
    );
    assert.deepEqual([nlb.family, nlb.delay, nlb.afterPropagation], ['alibaba-nlb', 30, true]);
    assert.equal(viaService(service({ type: 'LoadBalancer' }), 'alibaba').family, 'alibaba-clb');
  });
});

describe('Tencent Cloud TKE', () => {
  it('direct access: known only with grace deletion; through nodes otherwise', () => {
    const direct = { 'service.cloud.tencent.com/direct-access': 'true' };
    const unknown = viaService(service({ type: 'LoadBalancer', annotations: direct }));
    assert.deepEqual([unknown.family, unknown.delay, unknown.unknown], ['tencent-clb-direct', 0, true]);
    const graceful = viaService(
      service({ type: 'LoadBalancer', annotations: { ...direct, 'service.cloud.tencent.com/enable-grace-deletion': 'true' } }),
    );
    assert.deepEqual([graceful.delay, graceful.unknown], [0, undefined]);
    assert.equal(viaService(service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }), 'tencent').family, 'tencent-clb');
  });

  it("TKE's own Ingress: class qcloud, or no class on Tencent Cloud", () => {
    assert.equal(viaIngress(ingress({ className: 'qcloud' })).family, 'tencent-clb');
    const direct = viaIngress(
      ingress({ annotations: { 'ingress.cloud.tencent.com/direct-access': 'true' } }),
      service(),
      'tencent',
    );
    assert.equal(direct.family, 'tencent-clb-direct');
  });
});

describe('Azure AKS', () => {
  it('Azure Load Balancer: probe interval x count with Local (5 x 2 by default, annotations win)', () => {
    const lb = (annotations: Record<string, string>) =>
      viaService(service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local', annotations }), 'azure');
    assert.equal(lb({}).delay, 10);
    assert.equal(
      lb({
        'service.beta.kubernetes.io/azure-load-balancer-health-probe-interval': '10',
        'service.beta.kubernetes.io/azure-load-balancer-health-probe-num-of-probe': '3',
      }).delay,
      30,
    );
  });

  it('a bad probe annotation is a warning naming it and the default used', () => {
    const { paths, warnings } = trafficPaths(
      {
        services: [
          {
            service: service({
              type: 'LoadBalancer',
              externalTrafficPolicy: 'Local',
              annotations: { 'service.beta.kubernetes.io/azure-load-balancer-health-probe-interval': '1' },
            }),
            ingresses: [],
            routes: [],
          },
        ],
      },
      [],
    );
    assert.equal(paths[0]?.delay, 10);
    assert.match(warnings[0]?.text ?? '', /health-probe-interval="1" is not 5-300; using 5/);
  });

  it('AGIC: 90 s, by its IngressClass controller or class name', () => {
    assert.equal(viaIngress(ingress({ className: 'x', controller: 'azure/application-gateway' })).delay, 90);
    assert.equal(viaIngress(ingress({ className: 'azure-application-gateway' })).family, 'azure-agic');
  });
});

describe('Huawei CCE, headless Services, unknown controllers', () => {
  it('Huawei ELB: no documented delay, so unknown', () => {
    const path = viaService(service({ type: 'LoadBalancer', annotations: { 'kubernetes.io/elb.class': 'union' } }));
    assert.deepEqual([path.family, path.unknown], ['huawei-elb', true]);
    const local = viaService(service({ type: 'LoadBalancer', externalTrafficPolicy: 'Local' }), 'huawei');
    assert.deepEqual([local.family, local.delay, local.afterPropagation, local.unknown], ['huawei-elb', 30, true, undefined]);
  });

  it('headless: 30 s of DNS caching after propagation; nothing with publishNotReadyAddresses', () => {
    const path = viaService(service({ headless: true }));
    assert.deepEqual([path.family, path.delay, path.afterPropagation], ['headless-dns', 30, true]);
    assert.equal(viaService(service({ headless: true, publishNotReadyAddresses: true })).delay, 0);
  });

  it('an Ingress with no class is the cloud default controller, else unknown and named', () => {
    assert.equal(viaIngress(ingress(), service(), 'gcp').family, 'gke-neg');
    const unknown = viaIngress(ingress(), service(), 'azure');
    assert.deepEqual([unknown.family, unknown.delay, unknown.unknown], ['ingress', 0, true]);
    assert.match(unknown.reason, /no class, no default IngressClass/);
  });

  it('a route whose GatewayClass controller is unknown is named', () => {
    const route: RouteFacts = {
      kind: 'HTTPRoute',
      name: 'web',
      namespace: 'shop',
      annotations: {},
      gateways: [{ name: 'shop/edge', className: 'acme', controller: 'example.com/acme' }],
    };
    const { paths } = trafficPaths({ services: [{ service: service(), ingresses: [], routes: [route] }] }, []);
    assert.deepEqual([paths[0]?.family, paths[0]?.unknown], ['gateway', true]);
    assert.match(paths[0]?.reason ?? '', /example\.com\/acme/);
  });

  it("a LoadBalancer Service with a class of its own is not the cloud's default", () => {
    const path = viaService(service({ type: 'LoadBalancer', loadBalancerClass: 'example.com/lb' }), 'aws');
    assert.equal(path.family, 'cloud-lb');
  });
});
