// The objects of the peer benchmark: the Pod the load generator creates, and the cases both
// webhooks' outputs are compared on (each one a situation the two might treat differently).

export const NAMESPACE = 'peers-bench';

export type Obj = Record<string, unknown>;

/** The load's Pod: one container with one port, no hooks, no probes; both webhooks mutate it. */
export function loadPod(): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { generateName: 'load-', labels: { app: 'shop' } },
    spec: {
      containers: [
        {
          name: 'app',
          image: 'registry.example/shop:1.0',
          ports: [{ name: 'http', containerPort: 8080 }],
          resources: { requests: { cpu: '100m', memory: '128Mi' } },
        },
      ],
    },
  };
}

function pod(name: string, spec: Obj, annotations?: Record<string, string>): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, ...(annotations ? { annotations } : {}) },
    spec,
  };
}

const image = 'registry.example/app:1.0';

/** The comparison cases: name, what it exercises, the object. */
export const CASES: { name: string; what: string; object: Obj }[] = [
  {
    name: 'plain',
    what: 'one container, one numbered port',
    object: pod('plain', { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] }),
  },
  {
    name: 'no-ports',
    what: 'a container without ports (no probe possible)',
    object: pod('no-ports', { containers: [{ name: 'worker', image }] }),
  },
  {
    name: 'udp-first',
    what: 'first port UDP, second TCP',
    object: pod('udp-first', {
      containers: [
        {
          name: 'dns',
          image,
          ports: [
            { name: 'dns', containerPort: 53, protocol: 'UDP' },
            { name: 'admin', containerPort: 8053 },
          ],
        },
      ],
    }),
  },
  {
    name: 'own-hooks',
    what: 'its own preStop and readiness probe',
    object: pod('own-hooks', {
      containers: [
        {
          name: 'app',
          image,
          ports: [{ containerPort: 8080 }],
          lifecycle: { preStop: { exec: { command: ['/bin/drain'] } } },
          readinessProbe: { httpGet: { path: '/ready', port: 8080 } },
        },
      ],
    }),
  },
  {
    name: 'short-grace',
    what: 'terminationGracePeriodSeconds 10',
    object: pod('short-grace', {
      terminationGracePeriodSeconds: 10,
      containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }],
    }),
  },
  {
    name: 'long-grace',
    what: 'terminationGracePeriodSeconds 120',
    object: pod('long-grace', {
      terminationGracePeriodSeconds: 120,
      containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }],
    }),
  },
  {
    name: 'mesh-proxy',
    what: 'an app container and an istio-proxy container',
    object: pod('mesh-proxy', {
      containers: [
        { name: 'app', image, ports: [{ containerPort: 8080 }] },
        { name: 'istio-proxy', image: 'registry.example/proxyv2:1.24', ports: [{ containerPort: 15090 }] },
      ],
    }),
  },
  {
    name: 'named-port',
    what: 'annotation readiness-port naming the second port',
    object: pod(
      'named-port',
      {
        containers: [
          {
            name: 'app',
            image,
            ports: [
              { name: 'http', containerPort: 8080 },
              { name: 'health', containerPort: 9090 },
            ],
          },
        ],
      },
      { 'gracekeeper.io/readiness-port': 'health' },
    ),
  },
  {
    name: 'longer-sleep',
    what: 'annotation pre-stop-sleep 10s',
    object: pod(
      'longer-sleep',
      { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      { 'gracekeeper.io/pre-stop-sleep': '10s' },
    ),
  },
  {
    name: 'opted-out',
    what: 'annotation gracekeeper.io/inject "false"',
    object: pod(
      'opted-out',
      { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      { 'gracekeeper.io/inject': 'false' },
    ),
  },
  {
    name: 'huge-drain',
    what: 'annotation drain-timeout 20m (above the 600s maximum)',
    object: pod(
      'huge-drain',
      { containers: [{ name: 'app', image, ports: [{ containerPort: 8080 }] }] },
      { 'gracekeeper.io/drain-timeout': '20m' },
    ),
  },
  {
    name: 'deployment',
    what: 'a Deployment (pod template)',
    object: {
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: 'deployment' },
      spec: {
        replicas: 1,
        selector: { matchLabels: { app: 'web' } },
        template: {
          metadata: { labels: { app: 'web' } },
          spec: { containers: [{ name: 'web', image, ports: [{ containerPort: 8080 }] }] },
        },
      },
    },
  },
];

/** The API path that creates `object` in the benchmark's namespace. */
export function createPath(object: Obj, dryRun: boolean): string {
  const kind = object.kind;
  const base =
    kind === 'Deployment' ? `/apis/apps/v1/namespaces/${NAMESPACE}/deployments` : `/api/v1/namespaces/${NAMESPACE}/pods`;
  return dryRun ? `${base}?dryRun=All` : base;
}
