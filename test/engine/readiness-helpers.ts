// Helpers of the readiness tests: workloads, Services, the traffic facts built from them as the
// edge and `gracekeeper mutate` build them, one admission (checked to be idempotent) and its probes.
import assert from 'node:assert/strict';
import { admit } from '../../src/engine/admit.js';
import type { AdmissionInput } from '../../src/engine/types.js';
import { DEFAULT_CLUSTER_SETTINGS } from '../../src/settings/cluster-settings.js';
import { TrafficIndex } from '../../src/traffic/index.js';
import type { TrafficFacts } from '../../src/traffic/types.js';

type Obj = Record<string, any>;

export const service = (name: string, ports: Obj[], spec: Obj = {}): Obj => ({
  apiVersion: 'v1',
  kind: 'Service',
  metadata: { name, namespace: 'shop' },
  spec: { selector: { app: 'web' }, ports, ...spec },
});

export function workload(kind: string, containers: Obj[], extra: Obj = {}, templateAnnotations: Obj = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind,
    metadata: { name: 'web', namespace: 'shop' },
    spec: {
      selector: { matchLabels: { app: 'web' } },
      template: { metadata: { labels: { app: 'web' }, annotations: templateAnnotations }, spec: { containers } },
      ...extra,
    },
  };
}

/** The facts as `gracekeeper mutate` and the webhook build them: the index, fed the Services. */
export function factsFor(services: Obj[], governing?: string): TrafficFacts {
  const index = new TrafficIndex();
  for (const s of services) index.upsert('Service', s);
  return index.facts('shop', { app: 'web' }, governing);
}

export function run(object: Obj, services: Obj[] = [], extra: Partial<AdmissionInput> = {}) {
  const kind = object.kind as string;
  const group = kind === 'Pod' ? '' : ['Job', 'CronJob'].includes(kind) ? 'batch' : 'apps';
  const governing = object.spec?.serviceName ?? object.spec?.subdomain;
  const input: AdmissionInput = {
    kind: { group, version: 'v1', kind },
    operation: 'CREATE',
    namespace: 'shop',
    object,
    namespaceAnnotations: {},
    cluster: DEFAULT_CLUSTER_SETTINGS,
    traffic: factsFor(services, typeof governing === 'string' ? governing : undefined),
    ...extra,
  };
  const result = admit(input);
  // Idempotence: the output admitted again needs no patch.
  const again = admit({ ...input, object: result.object });
  assert.deepEqual(again.patch, [], 'a second pass changes nothing');
  return result;
}

/** Each container's probe port ('-' for none), in order. */
export function probes(result: { object: unknown }): Record<string, unknown> {
  const o = result.object as Obj;
  const spec = o.kind === 'Pod' ? o.spec : o.kind === 'CronJob' ? o.spec.jobTemplate.spec.template.spec : o.spec.template.spec;
  return Object.fromEntries(
    (spec.containers as Obj[]).map((c) => [c.name, c.readinessProbe?.tcpSocket?.port ?? c.readinessProbe?.httpGet?.port ?? '-']),
  );
}
