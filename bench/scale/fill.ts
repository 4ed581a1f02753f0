// Filling a test cluster through its real API server: any number of objects of the kinds below,
// each shaped as a cluster holds them (labels, a few annotations, kubectl's last-applied copy), sent
// by a few kept-alive connections at once. Namespaced kinds go round-robin into the Namespaces
// this fill made (or into one Namespace, "scale", when it made none).
import { Agent, request } from 'node:https';
import type { ControlPlane } from '../../test/e2e/cluster.js';

type Obj = Record<string, unknown>;

interface KindSpec {
  namespaced: boolean;
  /** Only into the Namespaces this fill opted in (the even ones). */
  optedInOnly?: boolean;
  /** The collection to POST to. */
  path: (namespace: string) => string;
  object: (i: number, namespace: string) => Obj;
}

const pad = (i: number) => String(i).padStart(5, '0');

/** Pods go into this many of the opted-in Namespaces at most (each needs its ServiceAccount first). */
const POD_NAMESPACES = 1000;

/** As `kubectl apply` leaves an object: its manifest again, in an annotation. */
function applied(object: Obj): Obj {
  const meta = object.metadata as { annotations?: Record<string, string> };
  meta.annotations = { ...meta.annotations, 'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(object)}\n` };
  return object;
}

export const KINDS: Record<string, KindSpec> = {
  Namespace: {
    namespaced: false,
    path: () => '/api/v1/namespaces',
    object: (i) =>
      applied({
        apiVersion: 'v1',
        kind: 'Namespace',
        metadata: {
          name: `scale-${pad(i)}`,
          labels: { team: `team-${i % 50}`, ...(i % 2 === 0 ? { 'gracekeeper.io/inject': 'enabled' } : {}) },
          annotations: {
            owner: `team-${i % 50}@example.com`,
            ...(i % 3 === 0 ? { 'gracekeeper.io/pre-stop-sleep': '10s', 'gracekeeper.io/drain-timeout': '40s' } : {}),
          },
        },
      }),
  },
  Service: {
    namespaced: true,
    path: (ns) => `/api/v1/namespaces/${ns}/services`,
    // Headless: the test cluster's service range holds 254 addresses.
    object: (i, ns) =>
      applied({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: `svc-${pad(i)}`, namespace: ns, labels: { app: `app-${i}` } },
        spec: { clusterIP: 'None', selector: { app: `app-${i}` }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      }),
  },
  Ingress: {
    namespaced: true,
    path: (ns) => `/apis/networking.k8s.io/v1/namespaces/${ns}/ingresses`,
    object: (i, ns) =>
      applied({
        apiVersion: 'networking.k8s.io/v1',
        kind: 'Ingress',
        metadata: { name: `ing-${pad(i)}`, namespace: ns },
        spec: {
          rules: [
            {
              host: `app-${i}.example.com`,
              http: {
                paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: `svc-${pad(i)}`, port: { number: 80 } } } }],
              },
            },
          ],
        },
      }),
  },
  // A Pod as gracekeeper's webhook leaves it (its record: preStop and readiness probe added), in an
  // opted-in Namespace (see fill()), as the API server holds it before a scheduler or kubelet: the
  // outcomes watch lists and watches every Pod and classifies those of opted-in namespaces.
  Pod: {
    namespaced: true,
    optedInOnly: true,
    path: (ns) => `/api/v1/namespaces/${ns}/pods`,
    object: (i, ns) => ({
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: {
        name: `app-${pad(i)}`,
        namespace: ns,
        labels: { app: `app-${i}`, 'pod-template-hash': '5d8f7c9b4' },
        annotations: {
          'gracekeeper.io/injected':
            '{"version":1,"added":{"preStop":["app"],"readinessProbe":["app"]},"kept":{},"terminationGracePeriodSeconds":{"from":null,"to":30},"fingerprints":{"app/preStop":"a1b2c3d4","app/readinessProbe":"e5f6a7b8"}}',
        },
        ownerReferences: [
          {
            apiVersion: 'apps/v1',
            kind: 'ReplicaSet',
            name: `app-${i}-5d8f7c9b4`,
            uid: `00000000-0000-4000-8000-${pad(i).padStart(12, '0')}`,
            controller: true,
          },
        ],
      },
      spec: {
        terminationGracePeriodSeconds: 30,
        containers: [
          {
            name: 'app',
            image: 'registry.invalid/app:1',
            ports: [{ name: 'http', containerPort: 8080 }],
            env: [{ name: 'MODE', value: 'production' }],
            readinessProbe: { tcpSocket: { port: 8080 }, periodSeconds: 5, failureThreshold: 2 },
            lifecycle: { preStop: { sleep: { seconds: 5 } } },
          },
        ],
      },
    }),
  },
  ConfigMap: {
    namespaced: true,
    path: (ns) => `/api/v1/namespaces/${ns}/configmaps`,
    object: (i, ns) =>
      applied({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${pad(i)}`, namespace: ns }, data: { i: String(i) } }),
  },
};

/** "Namespace=10000,Service=10000" into [kind, count] pairs, in that order (Namespaces first, then what goes in them). */
export function parseFill(text: string): [string, number][] {
  const pairs = text
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s): [string, number] => {
      const [kind, count] = s.split('=');
      if (!kind || !KINDS[kind] || !/^\d+$/.test(count ?? '')) {
        throw new Error(`fill ${JSON.stringify(s)}: expected KIND=COUNT with KIND one of ${Object.keys(KINDS).join(', ')}`);
      }
      return [kind, Number(count)];
    });
  return pairs.sort((a, b) => Number(a[0] !== 'Namespace') - Number(b[0] !== 'Namespace'));
}

/** POSTs the objects with `concurrency` connections; resolves with the seconds each kind took. */
export async function fill(
  cp: ControlPlane,
  spec: [string, number][],
  concurrency = 16,
  log: (line: string) => void = () => {},
): Promise<Record<string, { count: number; seconds: number }>> {
  const { readFileSync } = await import('node:fs');
  const agent = new Agent({
    keepAlive: true,
    maxSockets: concurrency,
    ca: cp.caPem,
    cert: readFileSync(cp.pki.admin.certPath),
    key: readFileSync(cp.pki.admin.keyPath),
  });
  const post = (path: string, body: Obj): Promise<number> =>
    new Promise((resolve, reject) => {
      const payload = JSON.stringify(body);
      const req = request(
        new URL(path, cp.server),
        { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) } },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode ?? 0));
        },
      );
      req.on('error', reject);
      req.end(payload);
    });
  const namespaces: string[] = [];
  const out: Record<string, { count: number; seconds: number }> = {};
  try {
    for (const [kind, count] of spec) {
      const k = KINDS[kind];
      if (k.namespaced && namespaces.length === 0) {
        if ((await post('/api/v1/namespaces', { metadata: { name: 'scale' } })) !== 201)
          throw new Error('cannot create Namespace scale');
        namespaces.push('scale');
      }
      const t0 = performance.now();
      let next = 0;
      const optedIn = namespaces.filter((n) => Number(/(\d+)$/.exec(n)?.[1] ?? 1) % 2 === 0).slice(0, POD_NAMESPACES);
      const into = k.optedInOnly && optedIn.length > 0 ? optedIn : namespaces;
      if (kind === 'Pod') {
        // The ServiceAccount admission plugin wants each namespace's "default" account, which the
        // controller-manager (not run here) would make.
        for (const ns of into) {
          const status = await post(`/api/v1/namespaces/${ns}/serviceaccounts`, { metadata: { name: 'default' } });
          if (status !== 201 && status !== 409) throw new Error(`ServiceAccount default in ${ns}: HTTP ${status}`);
        }
      }
      const worker = async () => {
        for (let i = next++; i < count; i = next++) {
          const ns = k.namespaced ? into[i % into.length] : '';
          const object = k.object(i, ns);
          const status = await post(k.path(ns), object);
          if (status !== 201) throw new Error(`POST ${kind} ${i}: HTTP ${status}`);
          if (kind === 'Namespace') namespaces.push((object.metadata as { name: string }).name);
          if ((i + 1) % 2000 === 0) log(`  ${kind}: ${i + 1} of ${count}`);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, worker));
      out[kind] = { count, seconds: Math.round((performance.now() - t0) / 100) / 10 };
    }
  } finally {
    agent.destroy();
  }
  return out;
}
