// The typed settings every mutation decision reads. Built once per request from layered annotations.

export type PreStopMode = 'auto' | 'sleep' | 'exec' | 'none';
export type ReadinessMode = 'auto' | 'http' | 'tcp' | 'grpc' | 'none';
export type ProbeScheme = 'HTTP' | 'HTTPS';
export type MeshMode = 'auto' | 'none';
/** `auto`: detected from the pod template; a framework name: that framework; `none`: no registry. */
export type RegistryMode = 'auto' | 'none' | 'eureka' | 'nacos' | 'consul' | 'dubbo' | 'kitex' | 'etcd';
export const REGISTRY_MODES: readonly RegistryMode[] = ['auto', 'none', 'eureka', 'nacos', 'consul', 'dubbo', 'kitex', 'etcd'];

export interface InjectionSettings {
  /** false when the object carries `gracekeeper.io/inject: "false"`. */
  inject: boolean;
  /** Seconds, or 'auto': sized from the pod's traffic paths at admission. */
  preStopSleep: number | 'auto';
  preStopMode: PreStopMode;
  drainTimeout: number;
  terminationGracePeriod?: number;
  containers?: string[];
  readiness: ReadinessMode;
  readinessPath?: string;
  readinessPort?: number | string;
  readinessScheme: ProbeScheme;
  readinessPeriod: number;
  readinessFailureThreshold: number;
  readinessInitialDelay: number;
  startupTimeout?: number;
  minReadySeconds?: number;
  /** `auto`: keep a detected service-mesh proxy alive while the app sleeps and drains; `none`: leave it. */
  mesh: MeshMode;
  /** Time the native sidecars need after the main containers exit; undefined: 5 s when the pod has any. */
  sidecarDrainTimeout?: number;
  /** `lifecycle.stopSignal` for the selected containers (a Linux signal name the API server accepts). */
  stopSignal?: string;
  /** The service registry the app leaves at SIGTERM (src/traffic/registries). */
  registry: RegistryMode;
  /** Seconds the app waits between leaving the registry and stopping, when the template does not say. */
  registryWait?: number;
  /** Seconds its consumers may go on calling it after it left (their refresh), when the table's default is wrong. */
  registryRefresh?: number;
}

/** The defaults of every key, used when neither the cluster settings nor any annotation say otherwise. */
export const DEFAULT_SETTINGS: Readonly<InjectionSettings> = Object.freeze({
  inject: true,
  preStopSleep: 'auto',
  preStopMode: 'auto',
  drainTimeout: 25,
  readiness: 'auto',
  readinessScheme: 'HTTP',
  readinessPeriod: 5,
  readinessFailureThreshold: 2,
  readinessInitialDelay: 0,
  mesh: 'auto',
  registry: 'auto',
});

/** Where a value came from, lowest precedence first. */
export type LayerSource = 'cluster' | 'namespace' | 'workload' | 'template' | 'pod';

export interface AnnotationLayer {
  source: LayerSource;
  /** Raw `gracekeeper.io/*` annotations of that layer (other keys are ignored). */
  annotations: Record<string, string> | undefined;
}

export interface SettingError {
  key: string;
  value: string;
  accepted: string;
  source: LayerSource;
}

export interface UnknownKey {
  key: string;
  source: LayerSource;
  suggestion?: string;
}
