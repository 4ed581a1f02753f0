// The AdmissionReviews the benchmark sends, shaped as the API server sends them on CREATE: the
// object after defaulting and the built-in admission plugins (service account volume, default
// tolerations), with managedFields, wrapped in an admission.k8s.io/v1 request.

export type PayloadName = 'pod' | 'deployment' | 'pod-1mib';
export const PAYLOAD_NAMES: readonly PayloadName[] = ['pod', 'deployment', 'pod-1mib'];

/** Placeholder uid (36 characters, as a real one); the load generator overwrites it per request. */
export const UID_PLACEHOLDER = '00000000-0000-4000-8000-000000000000';

export interface Payload {
  name: PayloadName;
  body: Buffer;
  /** Byte offset of the uid's 36 characters in body. */
  uidOffset: number;
}

type Json = Record<string, unknown>;

/** managedFields' fieldsV1 for an object as kubectl wrote it: f:key for maps, k:{"name"} for named lists. */
export function fieldsV1(value: unknown): Json {
  if (Array.isArray(value)) {
    const out: Json = {};
    for (const item of value) {
      if (item && typeof item === 'object' && typeof (item as Json).name === 'string') {
        out[`k:{"name":${JSON.stringify((item as Json).name)}}`] = { '.': {}, ...fieldsV1(item) };
      } else if (item && typeof item === 'object' && typeof (item as Json).containerPort === 'number') {
        out[`k:{"containerPort":${(item as { containerPort: number }).containerPort},"protocol":"TCP"}`] = {
          '.': {},
          ...fieldsV1(item),
        };
      }
    }
    return out;
  }
  if (value && typeof value === 'object') {
    const out: Json = {};
    for (const [key, child] of Object.entries(value as Json)) out[`f:${key}`] = fieldsV1(child);
    return out;
  }
  return {};
}

function managedFields(manager: string, applied: Json): Json[] {
  return [
    {
      manager,
      operation: 'Update',
      apiVersion: String(applied.apiVersion),
      time: '2026-11-02T09:14:03Z',
      fieldsType: 'FieldsV1',
      fieldsV1: fieldsV1({ metadata: applied.metadata, spec: applied.spec }),
    },
  ];
}

const SERVICE_ACCOUNT_VOLUME = {
  name: 'kube-api-access-7xq2d',
  projected: {
    defaultMode: 420,
    sources: [
      { serviceAccountToken: { expirationSeconds: 3607, path: 'token' } },
      { configMap: { name: 'kube-root-ca.crt', items: [{ key: 'ca.crt', path: 'ca.crt' }] } },
      { downwardAPI: { items: [{ path: 'namespace', fieldRef: { apiVersion: 'v1', fieldPath: 'metadata.namespace' } }] } },
    ],
  },
};
const SERVICE_ACCOUNT_MOUNT = {
  name: 'kube-api-access-7xq2d',
  readOnly: true,
  mountPath: '/var/run/secrets/kubernetes.io/serviceaccount',
};
const CONTAINER_DEFAULTS = {
  terminationMessagePath: '/dev/termination-log',
  terminationMessagePolicy: 'File',
  imagePullPolicy: 'IfNotPresent',
};
const POD_DEFAULTS = {
  restartPolicy: 'Always',
  terminationGracePeriodSeconds: 30,
  dnsPolicy: 'ClusterFirst',
  serviceAccountName: 'default',
  serviceAccount: 'default',
  securityContext: {},
  schedulerName: 'default-scheduler',
  priority: 0,
  enableServiceLinks: true,
  preemptionPolicy: 'PreemptLowerPriority',
};
const DEFAULT_TOLERATIONS = [
  { key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
  { key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 },
];

function container(name: string, image: string, extra: Json): Json {
  return {
    name,
    image,
    ...extra,
    resources: { requests: { cpu: '100m', memory: '128Mi' }, limits: { memory: '256Mi' } },
    ...CONTAINER_DEFAULTS,
  };
}

function podSpec(containers: Json[], extra: Json = {}): Json {
  return {
    volumes: [SERVICE_ACCOUNT_VOLUME],
    containers: containers.map((c) => ({ ...c, volumeMounts: [...((c.volumeMounts as Json[]) ?? []), SERVICE_ACCOUNT_MOUNT] })),
    ...POD_DEFAULTS,
    ...extra,
    tolerations: DEFAULT_TOLERATIONS,
  };
}

function review(
  resource: { group: string; version: string; kind: string; resource: string },
  object: Json,
  manager: string,
): Json {
  const meta = object.metadata as Json;
  const gvk = { group: resource.group, version: resource.version, kind: resource.kind };
  const gvr = { group: resource.group, version: resource.version, resource: resource.resource };
  return {
    kind: 'AdmissionReview',
    apiVersion: 'admission.k8s.io/v1',
    request: {
      uid: UID_PLACEHOLDER,
      kind: gvk,
      resource: gvr,
      requestKind: gvk,
      requestResource: gvr,
      name: meta.name,
      namespace: meta.namespace,
      operation: 'CREATE',
      userInfo: { username: 'kubernetes-admin', groups: ['kubeadm:cluster-admins', 'system:authenticated'] },
      object,
      oldObject: null,
      dryRun: false,
      options: { kind: 'CreateOptions', apiVersion: 'meta.k8s.io/v1', fieldManager: manager, fieldValidation: 'Strict' },
    },
  };
}

/** A small Pod: one container with a port, as `kubectl run` or a bare manifest gives. */
export function smallPod(envCount = 2, envValueLength = 16): Json {
  const env = Array.from({ length: envCount }, (_, i) => ({
    name: `SETTING_${String(i).padStart(5, '0')}`,
    value: 'v'.repeat(envValueLength),
  }));
  const applied: Json = {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name: 'web', namespace: 'shop', labels: { app: 'web', 'app.kubernetes.io/version': '1.4.2' } },
    spec: {
      containers: [
        {
          name: 'web',
          image: 'registry.example.com/shop/web:1.4.2',
          ports: [{ name: 'http', containerPort: 8080, protocol: 'TCP' }],
          env,
        },
      ],
    },
  };
  const appliedMeta = applied.metadata as Json;
  const appliedContainer = ((applied.spec as Json).containers as Json[])[0];
  return {
    kind: 'Pod',
    apiVersion: 'v1',
    metadata: { ...appliedMeta, managedFields: managedFields('kubectl-client-side-apply', applied) },
    spec: podSpec([container('web', String(appliedContainer.image), { ports: appliedContainer.ports, env })]),
    status: {},
  };
}

/** A Deployment with four containers, a plain init container and a native sidecar, applied by kubectl. */
export function deployment(): Json {
  const probe = (path: string, port: string) => ({
    httpGet: { path, port, scheme: 'HTTP' },
    timeoutSeconds: 1,
    periodSeconds: 10,
    successThreshold: 1,
    failureThreshold: 3,
  });
  const containers = [
    container('api', 'registry.example.com/shop/api:3.12.0', {
      args: ['--listen=:8080', '--metrics=:9102'],
      ports: [
        { name: 'http', containerPort: 8080, protocol: 'TCP' },
        { name: 'metrics', containerPort: 9102, protocol: 'TCP' },
      ],
      env: [
        { name: 'DATABASE_URL', valueFrom: { secretKeyRef: { name: 'api-db', key: 'url' } } },
        { name: 'LOG_FORMAT', value: 'json' },
        { name: 'GOMAXPROCS', valueFrom: { resourceFieldRef: { resource: 'limits.cpu', divisor: '0' } } },
      ],
      livenessProbe: probe('/livez', 'http'),
    }),
    container('worker', 'registry.example.com/shop/api:3.12.0', {
      command: ['/app/worker'],
      env: [{ name: 'QUEUE', value: 'orders' }],
      ports: [{ name: 'worker-http', containerPort: 8081, protocol: 'TCP' }],
      readinessProbe: probe('/ready', 'worker-http'),
    }),
    container('log-shipper', 'registry.example.com/infra/fluent-bit:3.1', {
      volumeMounts: [{ name: 'logs', mountPath: '/var/log/app' }],
    }),
    container('metrics-exporter', 'registry.example.com/infra/statsd-exporter:0.26', {
      ports: [
        { name: 'statsd', containerPort: 9125, protocol: 'UDP' },
        { name: 'exporter', containerPort: 9103, protocol: 'TCP' },
      ],
    }),
  ];
  const initContainers = [
    container('migrate', 'registry.example.com/shop/api:3.12.0', { command: ['/app/migrate', '--wait'] }),
    container('proxy', 'registry.example.com/infra/envoy:1.31', {
      restartPolicy: 'Always',
      ports: [{ name: 'proxy', containerPort: 15001, protocol: 'TCP' }],
      args: ['--config-path', '/etc/envoy/envoy.yaml'],
    }),
  ].map((c) => ({ ...c, volumeMounts: [SERVICE_ACCOUNT_MOUNT] }));
  const labels = { app: 'api', 'app.kubernetes.io/name': 'api', 'app.kubernetes.io/part-of': 'shop' };
  const templateMeta = { labels, annotations: { 'gracekeeper.io/readiness-path': '/ready', 'prometheus.io/scrape': 'true' } };
  const applied: Json = {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'api', namespace: 'shop', labels, annotations: { 'gracekeeper.io/drain-timeout': '40s' } },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'api' } },
      template: { metadata: templateMeta, spec: { containers, initContainers, volumes: [{ name: 'logs', emptyDir: {} }] } },
    },
  };
  const metadata = applied.metadata as Json;
  return {
    kind: 'Deployment',
    apiVersion: 'apps/v1',
    metadata: {
      ...metadata,
      annotations: {
        ...(metadata.annotations as Json),
        'kubectl.kubernetes.io/last-applied-configuration': `${JSON.stringify(applied)}\n`,
      },
      managedFields: managedFields('kubectl-client-side-apply', applied),
    },
    spec: {
      replicas: 3,
      selector: { matchLabels: { app: 'api' } },
      template: {
        metadata: { creationTimestamp: null, ...templateMeta },
        spec: podSpec(containers, { initContainers, volumes: [{ name: 'logs', emptyDir: {} }, SERVICE_ACCOUNT_VOLUME] }),
      },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '25%', maxSurge: '25%' } },
      revisionHistoryLimit: 10,
      progressDeadlineSeconds: 600,
    },
    status: {},
  };
}

const POD_RESOURCE = { group: '', version: 'v1', kind: 'Pod', resource: 'pods' };
const DEPLOYMENT_RESOURCE = { group: 'apps', version: 'v1', kind: 'Deployment', resource: 'deployments' };

function encode(name: PayloadName, value: Json): Payload {
  const body = Buffer.from(JSON.stringify(value), 'utf8');
  const uidOffset = body.indexOf(UID_PLACEHOLDER, 0, 'latin1');
  if (uidOffset < 0 || body.indexOf(UID_PLACEHOLDER, uidOffset + 1, 'latin1') >= 0)
    throw new Error(`${name}: uid placeholder not found once`);
  return { name, body, uidOffset };
}

/** A Pod whose environment makes the review `target` bytes (within 1%): env variables with 100-byte values. */
function largePod(target: number): Payload {
  const build = (count: number) => encode('pod-1mib', review(POD_RESOURCE, smallPod(count, 100), 'kubectl-client-side-apply'));
  const one = build(100).body.length;
  const perVariable = (build(200).body.length - one) / 100;
  return build(Math.max(1, Math.floor(100 + (target - one) / perVariable)));
}

export function makePayload(name: PayloadName): Payload {
  switch (name) {
    case 'pod':
      return encode(name, review(POD_RESOURCE, smallPod(), 'kubectl-client-side-apply'));
    case 'deployment':
      return encode(name, review(DEPLOYMENT_RESOURCE, deployment(), 'kubectl-client-side-apply'));
    case 'pod-1mib':
      return largePod(1024 * 1024);
  }
}
