// Readiness from the traffic path: a default probe goes where a Service sends the pod traffic,
// on the container that declares that port; without a known Service only the main container is
// probed. Each test names the defect it reproduces (each failed before this rule).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { trimFor } from '../../src/cluster/trim.js';
import { factsFor, probes, run, service, workload } from './readiness-helpers.js';

type Obj = Record<string, any>;

const port = (containerPort: number, name?: string, protocol?: string): Obj => ({
  containerPort,
  ...(name ? { name } : {}),
  ...(protocol ? { protocol } : {}),
});

test('backup sidecar: a port no Service targets gets no probe (every connection to it started a backup)', () => {
  const sts = workload('Deployment', [
    { name: 'db', image: 'db', ports: [port(3306, 'sql')] },
    { name: 'backup', image: 'b', ports: [port(3307, 'backup')] },
  ]);
  const result = run(sts, [service('db', [{ port: 3306, targetPort: 'sql' }])]);
  assert.deepEqual(probes(result), { db: 3306, backup: '-' });
});

test('broker: the probe goes on the port the Service targets by name, not the admin port listed first', () => {
  const broker = workload('Deployment', [{ name: 'broker', image: 'b', ports: [port(15672, 'management'), port(5672, 'amqp')] }]);
  assert.deepEqual(probes(run(broker, [service('broker', [{ port: 5672, targetPort: 'amqp' }])])), { broker: 5672 });
});

test('targetPort absent is the port; a number no container declares goes on the main container', () => {
  const two = workload('Deployment', [
    { name: 'app', image: 'a', ports: [port(9090, 'metrics'), port(8080)] },
    { name: 'side', image: 's', ports: [port(7000)] },
  ]);
  assert.deepEqual(probes(run(two, [service('web', [{ port: 8080 }])])), { app: 8080, side: '-' });
  assert.deepEqual(probes(run(two, [service('web', [{ port: 80, targetPort: 7000 }])])), { app: '-', side: 7000 });
  assert.deepEqual(probes(run(two, [service('web', [{ port: 80, targetPort: 8888 }])])), { app: 8888, side: '-' });
});

test('no Service known: only the main container, on its first TCP port, never a later container', () => {
  const two = workload('Deployment', [
    { name: 'app', image: 'a', ports: [port(53, 'dns', 'UDP'), port(8080)] },
    { name: 'metrics', image: 'm', ports: [port(9100)] },
  ]);
  const result = run(two);
  assert.deepEqual(probes(result), { app: 8080, metrics: '-' });
  assert.deepEqual(result.warnings, []);
  // A main container without a TCP port, and no Service: no probe and no advice (nothing sends it
  // traffic); a later container is not probed instead.
  const noPort = workload('Deployment', [
    { name: 'app', image: 'a' },
    { name: 'metrics', image: 'm', ports: [port(9100)] },
  ]);
  const r = run(noPort);
  assert.deepEqual(probes(r), { app: '-', metrics: '-' });
  assert.deepEqual(r.warnings, []);
});

test('UDP and SCTP: no TCP probe on them; a Service with no selector counts for nothing', () => {
  const dns = workload('DaemonSet', [
    { name: 'dns', image: 'd', ports: [port(53, 'dns', 'UDP'), port(53, 'dns-tcp'), port(9253, 'metrics')] },
  ]);
  assert.deepEqual(probes(run(dns, [service('dns', [{ port: 53, targetPort: 'dns', protocol: 'UDP' }])])), { dns: '-' });
  const both = [
    { port: 53, targetPort: 'dns', protocol: 'UDP' },
    { port: 53, targetPort: 'dns-tcp' },
  ];
  assert.deepEqual(probes(run(dns, [service('dns', both)])), { dns: 53 });
  const sctp = [{ port: 9253, targetPort: 9253, protocol: 'SCTP' }];
  assert.deepEqual(probes(run(dns, [service('dns', sctp)])), { dns: '-' });
  const noSelector = { ...service('x', [{ port: 80, targetPort: 9253 }]), spec: { ports: [{ port: 80, targetPort: 9253 }] } };
  assert.deepEqual(probes(run(dns, [noSelector])), { dns: 53 }, 'as with no Service: the first TCP port');
});

test('a hostNetwork pod follows the same rule (its ports are the node’s)', () => {
  const agent = workload('DaemonSet', [{ name: 'agent', image: 'a', ports: [{ containerPort: 9100, hostPort: 9100 }] }]);
  agent.spec.template.spec.hostNetwork = true;
  assert.deepEqual(probes(run(agent)), { agent: 9100 });
});

test('a named targetPort no container declares: no probe, and a warning naming both', () => {
  const app = workload('Deployment', [{ name: 'app', image: 'a', ports: [port(8080, 'http')] }]);
  const result = run(app, [service('web', [{ port: 80, targetPort: 'web' }])]);
  assert.deepEqual(probes(result), { app: '-' });
  assert.deepEqual(result.warnings, ['Service "web" targets port "web", which no container declares; no probe on it']);
});

test('explicit readiness-port and user-written probes win as before', () => {
  const two = workload(
    'Deployment',
    [
      { name: 'app', image: 'a', ports: [port(8080)] },
      { name: 'side', image: 's', ports: [port(7000)], readinessProbe: { tcpSocket: { port: 7000 } } },
    ],
    {},
    { 'gracekeeper.io/readiness-port': '8080' },
  );
  const result = run(two, [service('web', [{ port: 80, targetPort: 7000 }])]);
  assert.deepEqual(probes(result), { app: 8080, side: 7000 });
  const record = JSON.parse((result.object as Obj).spec.template.metadata.annotations['gracekeeper.io/injected']);
  assert.deepEqual(record.kept.readinessProbe, ['side']);
});

test('a Pod is sized again at CREATE: a Service added after its workload moves the probe', () => {
  const deployment = workload('Deployment', [{ name: 'app', image: 'a', ports: [port(9090, 'metrics'), port(8080, 'http')] }]);
  const template = (run(deployment).object as Obj).spec.template;
  assert.deepEqual(template.spec.containers[0].readinessProbe.tcpSocket, { port: 9090 }, 'no Service yet: the first port');
  const pod = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { ...template.metadata, name: 'web-1', namespace: 'shop' },
    spec: template.spec,
  };
  const result = run(pod, [service('web', [{ port: 80, targetPort: 'http' }])]);
  assert.deepEqual(probes(result), { app: 8080 });
});

test('the informers keep what the rule reads of a Service: ports (names, appProtocol), clusterIP, publishNotReadyAddresses', () => {
  const full = service('peers', [{ name: 'p', port: 2380, targetPort: 'peer', protocol: 'TCP', appProtocol: 'http' }], {
    clusterIP: 'None',
    publishNotReadyAddresses: true,
    sessionAffinity: 'None',
  });
  const trimmed = trimFor('Service')(full as never) as Obj;
  assert.deepEqual(trimmed.spec, {
    selector: { app: 'web' },
    clusterIP: 'None',
    publishNotReadyAddresses: true,
    ports: [{ name: 'p', port: 2380, targetPort: 'peer', protocol: 'TCP', appProtocol: 'http' }],
  });
  const facts = factsFor([trimmed], 'peers');
  assert.deepEqual(facts.services[0]?.service.ports, [{ targetPort: 'peer', protocol: 'TCP' }]);
  assert.deepEqual(facts.governing, { name: 'peers', service: { headless: true, publishNotReadyAddresses: true } });
  assert.deepEqual(factsFor([], 'peers').governing, { name: 'peers' });
});
