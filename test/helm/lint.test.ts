// `helm lint --strict` and `helm template` over the value combinations that change what the chart
// renders: the defaults (generated certificates), cert-manager (its own CA or an issuer of yours),
// external certificates, observability on, and every other value set away from its default. Each
// rendering is checked for what that combination promises.
import assert from 'node:assert/strict';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { copyFileSync, cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { one, type Obj } from '../deploy/kustomize.js';
import { CHART, helm, helmSkip, isHook, parseYaml11, template } from './chart.js';

const CA_BUNDLE = Buffer.from('-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n').toString('base64');

const COMBINATIONS: Record<string, Obj> = {
  default: {},
  certManager: { certificates: { source: 'certManager' } },
  'certManager with a ClusterIssuer': {
    certificates: { source: 'certManager', certManager: { issuerRef: { kind: 'ClusterIssuer', name: 'corp-ca' } } },
  },
  external: { certificates: { source: 'external', external: { caBundle: CA_BUNDLE } } },
  'observability on': {
    observability: {
      serviceMonitor: { enabled: true, labels: { release: 'prom' } },
      prometheusRule: { enabled: true, labels: { release: 'prom' } },
      dashboard: { enabled: true, annotations: { grafana_folder: 'Platform' } },
    },
  },
  'every other value changed': {
    replicaCount: 3,
    image: { repository: 'registry.example.com/gk', digest: `sha256:${'a'.repeat(64)}`, pullPolicy: 'Always' },
    imagePullSecrets: [{ name: 'regcred' }],
    // Helm merges maps with the defaults: null removes the default cpu limit.
    resources: { requests: { cpu: '200m', memory: '256Mi' }, limits: { cpu: null, memory: '512Mi' } },
    priorityClass: { create: false, name: 'system-cluster-critical' },
    namespace: { create: false },
    nodeSelector: { 'kubernetes.io/os': 'linux' },
    tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'platform', effect: 'NoSchedule' }],
    webhook: {
      failurePolicy: 'Fail',
      timeoutSeconds: 10,
      namespaceSelector: { matchLabels: { team: 'a' }, matchExpressions: [] },
    },
    certificates: { secretName: 'custom-tls', generate: { days: 90, renewDays: 10 } },
  },
};

const kinds = (objects: Obj[]) => objects.filter((o) => !isHook(o)).map((o) => o.kind as string);
const webhookOf = (objects: Obj[]) =>
  one(
    objects.filter((o) => !isHook(o)),
    'MutatingWebhookConfiguration',
  );

describe('helm lint and helm template', { skip: helmSkip }, () => {
  for (const [name, values] of Object.entries(COMBINATIONS)) {
    it(`lints cleanly (--strict): ${name}`, () => {
      const r = helm(['lint', '--strict', CHART], { values });
      assert.match(r.stdout, /1 chart\(s\) linted, 0 chart\(s\) failed/);
    });
  }

  it('generates a CA and a serving certificate for the Service, and gives the CA to the webhook', () => {
    const objects = template({ release: 'gk', namespace: 'platform' });
    const secret = one(objects, 'Secret', 'gk-gracekeeper-tls');
    const pem = (k: string) => Buffer.from(secret.data[k] as string, 'base64').toString();
    const ca = new X509Certificate(pem('ca.crt'));
    const cert = new X509Certificate(pem('tls.crt'));
    assert.ok(ca.ca && !cert.ca);
    assert.ok(cert.verify(ca.publicKey), 'signed by the CA');
    assert.ok(cert.checkPrivateKey(createPrivateKey(pem('tls.key'))), 'the key belongs to the certificate');
    for (const dns of ['gk-gracekeeper', 'gk-gracekeeper.platform', 'gk-gracekeeper.platform.svc']) {
      assert.ok(cert.checkHost(dns), `names ${dns}`);
    }
    assert.ok(cert.checkHost('gk-gracekeeper.platform.svc.cluster.local'));
    const notAfter = Date.parse(secret.metadata.annotations['gracekeeper.io/certificate-not-after'] as string);
    assert.ok(Math.abs(notAfter - Date.parse(cert.validTo)) < 120_000, 'the annotation records the expiry');
    assert.ok(Math.abs(Date.parse(cert.validTo) - Date.now() - 365 * 86_400_000) < 86_400_000, 'valid 365 days');
    assert.equal(webhookOf(objects).webhooks[0].clientConfig.caBundle, secret.data['ca.crt']);
  });

  it('with cert-manager: no Secret, the injector annotation, and the issuer given', () => {
    const own = template({ values: COMBINATIONS.certManager });
    assert.ok(!kinds(own).includes('Secret'));
    assert.equal(webhookOf(own).metadata.annotations['cert-manager.io/inject-ca-from'], 'gracekeeper/gracekeeper-serving');
    assert.equal(webhookOf(own).webhooks[0].clientConfig.caBundle, undefined);
    const corp = template({ values: COMBINATIONS['certManager with a ClusterIssuer'] });
    assert.deepEqual(
      kinds(corp).filter((k) => k === 'Issuer' || k === 'Certificate'),
      ['Certificate'],
    );
    assert.deepEqual(one(corp, 'Certificate').spec.issuerRef, {
      group: 'cert-manager.io',
      kind: 'ClusterIssuer',
      name: 'corp-ca',
    });
  });

  it('with external certificates: no Secret, the caBundle given', () => {
    const objects = template({ values: COMBINATIONS.external });
    assert.ok(!kinds(objects).includes('Secret') && !kinds(objects).includes('Certificate'));
    assert.equal(webhookOf(objects).webhooks[0].clientConfig.caBundle, CA_BUNDLE);
  });

  it('with observability on: a ServiceMonitor on the metrics port, the rules and the dashboard', () => {
    const objects = template({ values: COMBINATIONS['observability on'] });
    const sm = one(objects, 'ServiceMonitor');
    assert.equal(sm.metadata.labels.release, 'prom');
    assert.deepEqual(sm.spec.endpoints, [{ port: 'metrics', path: '/metrics', scheme: 'http', interval: '30s' }]);
    const service = one(objects, 'Service');
    assert.ok(Object.entries(sm.spec.selector.matchLabels as object).every(([k, v]) => service.metadata.labels[k] === v));
    assert.ok((service.spec.ports as Obj[]).some((p) => p.name === 'metrics'));
    assert.ok((one(objects, 'PrometheusRule').spec.groups[0].rules as Obj[]).length >= 4);
    const dashboard = one(objects, 'ConfigMap', 'gracekeeper-dashboard');
    assert.equal(dashboard.metadata.labels.grafana_dashboard, '1');
    assert.equal(dashboard.metadata.annotations.grafana_folder, 'Platform');
    assert.equal((JSON.parse(dashboard.data['dashboard.json'] as string) as Obj).uid, 'gracekeeper');
    assert.ok(!kinds(template()).some((k) => k === 'ServiceMonitor' || k === 'PrometheusRule'), 'off by default');
  });

  it('applies every other value where it belongs', () => {
    const objects = template({ values: COMBINATIONS['every other value changed'] });
    assert.ok(!kinds(objects).includes('Namespace') && !kinds(objects).includes('PriorityClass'));
    const d = one(objects, 'Deployment');
    const pod = d.spec.template.spec as Obj;
    const c = pod.containers[0] as Obj;
    assert.equal(d.spec.replicas, 3);
    assert.equal(c.image, `registry.example.com/gk@sha256:${'a'.repeat(64)}`);
    assert.equal(c.imagePullPolicy, 'Always');
    assert.deepEqual(pod.imagePullSecrets, [{ name: 'regcred' }]);
    assert.deepEqual(c.resources, { requests: { cpu: '200m', memory: '256Mi' }, limits: { memory: '512Mi' } });
    assert.equal(pod.priorityClassName, 'system-cluster-critical');
    assert.deepEqual(pod.nodeSelector, { 'kubernetes.io/os': 'linux' });
    assert.equal(pod.tolerations[0].key, 'dedicated');
    assert.equal((pod.volumes as Obj[]).find((v) => v.name === 'tls')?.secret.secretName, 'custom-tls');
    one(objects, 'Secret', 'custom-tls');
    const w = webhookOf(objects).webhooks[0] as Obj;
    assert.equal(w.failurePolicy, 'Fail');
    assert.equal(w.timeoutSeconds, 10);
    assert.deepEqual(w.namespaceSelector, {
      matchLabels: { team: 'a' },
      matchExpressions: [
        {
          key: 'kubernetes.io/metadata.name',
          operator: 'NotIn',
          values: ['kube-system', 'kube-public', 'kube-node-lease', 'gracekeeper'],
        },
      ],
    });
  });

  it('has no priority class when none is created or named', () => {
    const d = one(template({ values: { priorityClass: { create: false } } }), 'Deployment');
    assert.equal(d.spec.template.spec.priorityClassName, undefined);
  });

  it('refuses what Kubernetes would: an unknown failure policy, a timeout over 30 s, an unknown source', () => {
    for (const values of [
      { webhook: { failurePolicy: 'Maybe' } },
      { webhook: { timeoutSeconds: 31 } },
      { certificates: { source: 'vault' } },
      { replicaCount: 0 },
      { replicas: 2 },
    ]) {
      const r = helm(['template', 'gracekeeper', CHART], { values }, true);
      assert.notEqual(r.status, 0, JSON.stringify(values));
    }
  });

  it('refuses Kubernetes older than 1.30 (kubeVersion)', () => {
    const r = helm(['template', 'gracekeeper', CHART], { args: ['--kube-version', '1.29.0'] }, true);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /kubeVersion/);
  });

  it('its install notes warn on Kubernetes older than the tested releases (1.35 to 1.37), and only there', () => {
    // `helm template` leaves NOTES.txt out: a copy of the chart renders it into a ConfigMap.
    const dir = mkdtempSync(join(tmpdir(), 'gk-notes-'));
    try {
      const chart = join(dir, 'gracekeeper');
      cpSync(CHART, chart, { recursive: true });
      copyFileSync(join(chart, 'templates', 'NOTES.txt'), join(chart, 'files', 'NOTES.txt'));
      writeFileSync(
        join(chart, 'templates', 'notes-as-configmap.yaml'),
        'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: notes\ndata:\n  notes: {{ tpl (.Files.Get "files/NOTES.txt") . | quote }}\n',
      );
      const notes = (kubeVersion: string): string => {
        const out = helm(['template', 'gracekeeper', chart, '--show-only', 'templates/notes-as-configmap.yaml'], {
          args: ['--kube-version', kubeVersion],
        });
        return String(one(parseYaml11(out.stdout), 'ConfigMap').data.notes);
      };
      for (const old of ['1.30.0', 'v1.34.4']) {
        assert.match(
          notes(old),
          /WARNING: Kubernetes v?1\.3[04]\.\d is older than the releases gracekeeper is tested on\n\(1\.35 to 1\.37\)/,
          old,
        );
      }
      for (const tested of ['1.35.0', 'v1.37.2', '1.38.0']) {
        const text = notes(tested);
        assert.match(text, /kubectl label namespace NAME gracekeeper\.io\/inject=enabled/);
        assert.doesNotMatch(text, /WARNING/, tested);
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
