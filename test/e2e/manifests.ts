// Manifests of the e2e scenarios: an app container, pod templates, Deployments and Pods with the
// options the tests vary, and the hooks and probes gracekeeper writes by default.
import type { Container, Obj } from './kube.js';

export const IMAGE = 'registry.invalid/app:1';
export const P = 'gracekeeper.io/';

export const app = (extra: Partial<Container> = {}): Container => ({
  name: 'app',
  image: IMAGE,
  ports: [{ name: 'http', containerPort: 8080 }],
  ...extra,
});

export interface TemplateOptions {
  containers?: Container[];
  initContainers?: Container[];
  annotations?: Record<string, string>;
  labels?: Record<string, string>;
  spec?: Obj;
}

export function template(appLabel: string, o: TemplateOptions = {}): Obj {
  return {
    metadata: { labels: { app: appLabel, ...o.labels }, ...(o.annotations ? { annotations: o.annotations } : {}) },
    spec: {
      containers: o.containers ?? [app()],
      ...(o.initContainers ? { initContainers: o.initContainers } : {}),
      ...o.spec,
    },
  };
}

export interface WorkloadOptions extends TemplateOptions {
  /** Annotations and labels of the workload's own metadata. */
  metaAnnotations?: Record<string, string>;
  metaLabels?: Record<string, string>;
  replicas?: number;
  workloadSpec?: Obj;
}

export function meta(name: string, ns: string, o: WorkloadOptions): Obj {
  return {
    name,
    namespace: ns,
    ...(o.metaLabels ? { labels: o.metaLabels } : {}),
    ...(o.metaAnnotations ? { annotations: o.metaAnnotations } : {}),
  };
}

export function deployment(name: string, ns: string, o: WorkloadOptions = {}): Obj {
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: meta(name, ns, o),
    spec: {
      replicas: o.replicas ?? 1,
      selector: { matchLabels: { app: name } },
      template: template(name, o),
      ...o.workloadSpec,
    },
  };
}

export function pod(name: string, ns: string, o: TemplateOptions = {}): Obj {
  const t = template(name, o);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: ns, ...t.metadata }, spec: t.spec };
}

export const sleepHook = (seconds: number): Obj => ({ preStop: { sleep: { seconds } } });
export const tcpProbe = (port: number, o: Obj = {}): Obj => ({
  tcpSocket: { port },
  periodSeconds: 5,
  timeoutSeconds: 1,
  successThreshold: 1,
  failureThreshold: 2,
  ...o,
});
