// The few shapes of the Kubernetes API the engine reads and writes. Everything else passes through.

export interface ObjectMeta {
  name?: string;
  generateName?: string;
  namespace?: string;
  labels?: Record<string, string>;
  annotations?: Record<string, string>;
  managedFields?: unknown[];
  [key: string]: unknown;
}

export interface ContainerPort {
  name?: string;
  containerPort: number;
  protocol?: string;
  [key: string]: unknown;
}

export type Handler = Record<string, unknown>;

export interface Probe {
  httpGet?: { path?: string; port: number | string; scheme?: string; [key: string]: unknown };
  tcpSocket?: { port: number | string; [key: string]: unknown };
  grpc?: { port: number; service?: string };
  exec?: { command?: string[] };
  initialDelaySeconds?: number;
  periodSeconds?: number;
  timeoutSeconds?: number;
  successThreshold?: number;
  failureThreshold?: number;
  [key: string]: unknown;
}

export interface Container {
  name: string;
  ports?: ContainerPort[];
  lifecycle?: { preStop?: Handler; postStart?: Handler; stopSignal?: string; [key: string]: unknown };
  readinessProbe?: Probe;
  startupProbe?: Probe;
  restartPolicy?: string;
  [key: string]: unknown;
}

export interface PodSpec {
  containers: Container[];
  initContainers?: Container[];
  ephemeralContainers?: unknown[];
  terminationGracePeriodSeconds?: number;
  os?: { name?: string; [key: string]: unknown };
  [key: string]: unknown;
}

/** A Pod, or a workload's pod template: the part gracekeeper mutates. */
export interface PodTemplate {
  metadata?: ObjectMeta;
  spec: PodSpec;
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** The value when it is an object (not an array), else an empty one: for reading JSON of any shape. */
export function recordOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

/** The value when it is an array, else an empty one. */
export function listOf(value: unknown): unknown[] {
  return Array.isArray(value) ? (value as unknown[]) : [];
}

/** True when a value looks like a pod spec we can work on (containers is an array of named objects). */
export function isPodSpec(value: unknown): value is PodSpec {
  if (!isRecord(value) || !Array.isArray(value.containers)) return false;
  const init = value.initContainers;
  // null is JSON's "unset"; any other non-list is no pod spec the API server would accept.
  if (init !== undefined && init !== null && !Array.isArray(init)) return false;
  const all: unknown[] = [...(value.containers as unknown[]), ...(Array.isArray(init) ? (init as unknown[]) : [])];
  return all.every((c) => isRecord(c) && typeof c.name === 'string');
}
