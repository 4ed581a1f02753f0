// Shapes found by running `gracekeeper mutate` over public install manifests (Argo CD, kube-prometheus,
// kubebuilder operators, the Kubernetes docs' StatefulSets and CronJobs, Linkerd-injected output):
// each test is one thing an experienced platform engineer would have rejected, before and after.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { probes, run, service, workload } from './readiness-helpers.js';

const port = (containerPort: number, name?: string) => ({ containerPort, ...(name ? { name } : {}) });

test("Argo CD's dex (argocd-dex rundex) gets no probe on the port its Service targets: it listens only once SSO is configured", () => {
  const dex = workload('Deployment', [
    { name: 'dex', image: 'ghcr.io/dexidp/dex:v2.41.1', command: ['/shared/argocd-dex', 'rundex'], ports: [port(5556, 'http')] },
  ]);
  const r = run(dex, [service('argocd-dex-server', [{ port: 5556, targetPort: 5556 }])]);
  assert.deepEqual(probes(r), { dex: '-' });
  assert.deepEqual(
    r.warnings.filter((w) => w.includes('dex')),
    ['container "dex": Argo CD\'s dex listens only once SSO is configured; no readiness probe (readiness-port adds one)'],
  );
  // dex run on its own (`dex serve`) always listens: probed as any server.
  const plain = workload('Deployment', [
    { name: 'dex', image: 'd', command: ['dex', 'serve', '/etc/dex.yaml'], ports: [port(5556)] },
  ]);
  assert.deepEqual(probes(run(plain, [service('dex', [{ port: 5556, targetPort: 5556 }])])), { dex: 5556 });
  // readiness-path opts back in.
  const optIn = workload('Deployment', dex.spec.template.spec.containers, {}, { 'gracekeeper.io/readiness-path': '/healthz' });
  assert.deepEqual(probes(run(optIn, [service('argocd-dex-server', [{ port: 5556, targetPort: 5556 }])])), { dex: 5556 });
});

test('a StatefulSet whose containers carry their own probes gets no headless warning: the gate kept nothing from it', () => {
  const containers = [
    { name: 'mysql', image: 'mysql', ports: [port(3306)], readinessProbe: { exec: { command: ['mysql', '-e', 'SELECT 1'] } } },
  ];
  const sts = workload('StatefulSet', containers, { serviceName: 'mysql' });
  const headless = service('mysql', [{ port: 3306, targetPort: 3306 }], { clusterIP: 'None' });
  assert.deepEqual(
    run(sts, [headless]).warnings.filter((w) => w.startsWith('no readiness probe')),
    [],
  );
  // Governing Service not seen: no warning either, when nothing would have been added.
  assert.deepEqual(
    run(sts, []).warnings.filter((w) => w.startsWith('no readiness probe')),
    [],
  );
  // A container without one still gets the warning.
  const bare = workload('StatefulSet', [{ name: 'kv', image: 'kv', ports: [port(2379)] }], { serviceName: 'mysql' });
  assert.equal(run(bare, [headless]).warnings.filter((w) => w.startsWith('no readiness probe')).length, 1);
});

test('TLS ports get no TCP probe (a Go server logs a handshake error for each); an HTTPS probe when the settings ask for one', () => {
  // kubebuilder's layout: the metrics Service targets kube-rbac-proxy's port named https.
  const operator = workload('Deployment', [
    { name: 'manager', image: 'm' },
    { name: 'kube-rbac-proxy', image: 'p', ports: [port(8443, 'https')] },
  ]);
  const metrics = service('controller-manager-metrics-service', [{ name: 'https', port: 8443, targetPort: 'https' }]);
  const r = run(operator, [metrics]);
  assert.deepEqual(probes(r), { manager: '-', 'kube-rbac-proxy': '-' });
  assert.ok(
    r.warnings.includes(
      'no TCP probe on TLS port 8443 of "kube-rbac-proxy" (servers log each); set readiness-path, readiness-scheme: HTTPS',
    ),
    r.warnings.join('\n'),
  );
  // Told by the Service alone: appProtocol https, or port 443 (the dashboard's 443 -> 8443).
  const app = workload('Deployment', [{ name: 'app', image: 'a', ports: [port(8443)] }]);
  assert.deepEqual(probes(run(app, [service('s', [{ port: 8443, targetPort: 8443, appProtocol: 'https' }])])), { app: '-' });
  assert.deepEqual(probes(run(app, [service('s', [{ port: 443, targetPort: 8443 }])])), { app: '-' });
  // A container port named plain outweighs a Service port of 443; a TLS name does not need 443.
  const plain = workload('Deployment', [{ name: 'app', image: 'a', ports: [port(8080, 'http')] }]);
  assert.deepEqual(probes(run(plain, [service('s', [{ port: 443, targetPort: 'http' }])])), { app: 8080 });
  // A plain port beside the TLS one is probed, and nothing is said.
  const both = workload('Deployment', [{ name: 'app', image: 'a', ports: [port(8443, 'https'), port(8080, 'http')] }]);
  const b = run(both, [
    service('s', [
      { port: 443, targetPort: 'https' },
      { port: 80, targetPort: 'http' },
    ]),
  ]);
  assert.deepEqual(probes(b), { app: 8080 });
  assert.ok(!b.warnings.some((w) => w.includes('TLS')), b.warnings.join('\n'));
  // No Service known: the main container's first port, named https, is held to the same rule.
  const alone = run(workload('Deployment', [{ name: 'app', image: 'a', ports: [port(8443, 'https')] }]));
  assert.deepEqual(probes(alone), { app: '-' });
  assert.ok(
    alone.warnings.some((w) => w.startsWith('no TCP probe on TLS port 8443 of "app"')),
    alone.warnings.join('\n'),
  );
  // readiness-path with readiness-scheme HTTPS: an HTTPS GET completes the handshake.
  const https = workload(
    'Deployment',
    operator.spec.template.spec.containers,
    {},
    {
      'gracekeeper.io/readiness-path': '/healthz',
      'gracekeeper.io/readiness-scheme': 'HTTPS',
    },
  );
  const h = run(https, [metrics]);
  const proxy = (h.object as any).spec.template.spec.containers[1];
  assert.deepEqual(proxy.readinessProbe.httpGet, { path: '/healthz', port: 8443, scheme: 'HTTPS' });
});

test('a manifest Linkerd injected already: no wait annotation (it acts only at injection), a warning saying how; its own preStop read', () => {
  const injected = (proxy: Record<string, unknown>) =>
    workload('Deployment', [
      { name: 'web', image: 'nginx', ports: [port(80, 'http')] },
      { name: 'linkerd-proxy', image: 'l', ...proxy },
    ]);
  const r = run(injected({}));
  const annotations = (r.object as any).spec.template.metadata.annotations ?? {};
  assert.equal(annotations['config.alpha.linkerd.io/proxy-wait-before-exit-seconds'], undefined);
  assert.ok(
    r.warnings.includes(
      'linkerd-proxy injected with no wait (annotations act only at injection): re-inject with --wait-before-exit-seconds=30',
    ),
    r.warnings.join('\n'),
  );
  // Injected with a wait: the injector's hook is the wait; too short, and the warning says so.
  const short = run(injected({ lifecycle: { preStop: { exec: { command: ['/bin/sleep', '10'] } } } }));
  assert.ok(
    short.warnings.includes('linkerd-proxy preStop 10s kept, shorter than sleep + drain 30s: the proxy exits first; raise it'),
  );
  const enough = run(injected({ lifecycle: { preStop: { exec: { command: ['/bin/bash', '-c', 'sleep 40'] } } } }));
  assert.ok(!enough.warnings.some((w) => w.includes('linkerd')), enough.warnings.join('\n'));
  // Not injected yet: the annotation is written for the injector to read, as before.
  const meshed = workload('Deployment', [{ name: 'web', image: 'nginx' }], {}, { 'linkerd.io/inject': 'enabled' });
  const m = run(meshed);
  assert.equal(
    (m.object as any).spec.template.metadata.annotations['config.alpha.linkerd.io/proxy-wait-before-exit-seconds'],
    '30',
  );
});

test('pods that run to completion get no shell-as-PID-1 warning; a server still does', () => {
  const script = { name: 'hello', image: 'busybox', command: ['/bin/sh', '-c', 'date; echo Hello'] };
  const cron = {
    apiVersion: 'batch/v1',
    kind: 'CronJob',
    metadata: { name: 'hello', namespace: 'shop' },
    spec: {
      schedule: '* * * * *',
      jobTemplate: { spec: { template: { spec: { restartPolicy: 'OnFailure', containers: [script] } } } },
    },
  };
  assert.ok(!run(cron).warnings.some((w) => w.includes('PID 1')), run(cron).warnings.join('\n'));
  assert.ok(run(workload('Deployment', [script])).warnings.some((w) => w.includes('stays PID 1')));
});

test('a node agent with no port and no Service: nothing to probe and nothing to advise', () => {
  const agent = workload('DaemonSet', [{ name: 'flanneld', image: 'f', command: ['/opt/bin/flanneld'] }], {});
  const r = run(agent);
  assert.deepEqual(probes(r), { flanneld: '-' });
  assert.ok(!r.warnings.some((w) => w.includes('readiness')), r.warnings.join('\n'));
});
