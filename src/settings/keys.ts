// The table of annotation keys: one entry a key, with its parser, the accepted form (used in every
// error message), its default and its effect (the reference in docs/ is generated from this table).
import { linuxStopSignal } from './signals.js';
import { autoOr, boolean, containerList, duration, integer, oneOf, port, urlPath } from './value-forms.js';
import { REGISTRY_MODES, type InjectionSettings } from './types.js';

export const PREFIX = 'gracekeeper.io/';
export const RECORD_KEY = `${PREFIX}injected`;
export const INJECT_KEY = `${PREFIX}inject`;

type Field = keyof InjectionSettings;

export interface KeyValidator<F extends Field = Field> {
  /** Annotation name without the prefix, e.g. "pre-stop-sleep". */
  name: string;
  field: F;
  /** Human text of what is accepted, used in every error message. */
  accepted: string;
  /** The default in words, where the default value alone does not say it (e.g. "every regular container"). */
  defaultText?: string;
  /** What the key does, for the reference. */
  effect: string;
  parse(raw: string): InjectionSettings[F] | undefined;
}

function entry<F extends Field>(v: KeyValidator<F>): KeyValidator<F> {
  return v;
}

const DURATION_FORM = 'whole seconds (7, 7s, 2m, 1m30s)';

export const VALIDATORS: readonly KeyValidator[] = [
  entry({
    name: 'inject',
    field: 'inject',
    accepted: '"true" or "false"',
    effect:
      '`"false"`: leave the object alone, and take back what gracekeeper added before; the nearest layer decides, so `"true"` on a workload or pod template opts back in what its Namespace or the cluster `defaults` opted out',
    parse: boolean,
  }),
  entry({
    name: 'pre-stop-sleep',
    field: 'preStopSleep',
    accepted: `auto, or ${DURATION_FORM}, 0s to 1h`,
    effect:
      'the delay before SIGTERM, while endpoints and load balancers forget the pod; `auto`: sized from what sends the pod traffic ([traffic paths](traffic-paths.md)); `0` adds no hook',
    parse: autoOr(duration(0, 3600)),
  }),
  entry({
    name: 'pre-stop-mode',
    field: 'preStopMode',
    accepted: 'auto, sleep, exec or none',
    effect:
      '`sleep`: the native `lifecycle.preStop.sleep` action; `exec`: `["/bin/sh","-c","sleep N"]`; `auto`: `sleep` on API servers 1.30 and newer, else `exec`; `none`: no hook',
    parse: oneOf(['auto', 'sleep', 'exec', 'none'] as const, (s) => s.toLowerCase()),
  }),
  entry({
    name: 'drain-timeout',
    field: 'drainTimeout',
    accepted: `${DURATION_FORM}, 0s to 1h`,
    effect: 'how long the app needs after SIGTERM to finish in-flight work; part of the grace period',
    parse: duration(0, 3600),
  }),
  entry({
    name: 'termination-grace-period',
    field: 'terminationGracePeriod',
    accepted: `${DURATION_FORM}, 1s to 2h, greater than pre-stop-sleep`,
    effect: 'an exact terminationGracePeriodSeconds instead of the computed one (it may lower it)',
    parse: duration(1, 7200),
  }),
  entry({
    name: 'containers',
    field: 'containers',
    accepted: 'comma-separated container names',
    defaultText: 'every regular container',
    effect: 'which containers get hooks and probes; a native sidecar only when named here',
    parse: containerList,
  }),
  entry({
    name: 'readiness',
    field: 'readiness',
    accepted: 'auto, http, tcp, grpc or none',
    effect:
      '`auto`: `http` when `readiness-path` is set, else `tcp`, on the port a Service sends traffic to (see "Where readiness probes go")',
    parse: oneOf(['auto', 'http', 'tcp', 'grpc', 'none'] as const, (s) => s.toLowerCase()),
  }),
  entry({
    name: 'readiness-path',
    field: 'readinessPath',
    accepted: 'an absolute path like /healthz',
    effect: 'the httpGet path (`http` without a path probes `/`)',
    parse: urlPath,
  }),
  entry({
    name: 'readiness-port',
    field: 'readinessPort',
    accepted: 'a port 1-65535 or a declared port name',
    defaultText: "the Services' targetPort, else the main container's first TCP port",
    effect: "the probed port, on every selected container; a name is resolved against the container's own ports",
    parse: port,
  }),
  entry({
    name: 'readiness-scheme',
    field: 'readinessScheme',
    accepted: 'HTTP or HTTPS',
    effect: 'the httpGet scheme',
    parse: oneOf(['HTTP', 'HTTPS'] as const, (s) => s.toUpperCase()),
  }),
  entry({
    name: 'readiness-period',
    field: 'readinessPeriod',
    accepted: `${DURATION_FORM}, 1s to 1h`,
    effect: 'periodSeconds of the readiness probe (and of the startup probe)',
    parse: duration(1, 3600),
  }),
  entry({
    name: 'readiness-failure-threshold',
    field: 'readinessFailureThreshold',
    accepted: 'an integer from 1 to 100',
    effect: 'failureThreshold of the readiness probe',
    parse: integer(1, 100),
  }),
  entry({
    name: 'readiness-initial-delay',
    field: 'readinessInitialDelay',
    accepted: `${DURATION_FORM}, 0s to 1h`,
    effect: 'initialDelaySeconds of the readiness probe',
    parse: duration(0, 3600),
  }),
  entry({
    name: 'startup-timeout',
    field: 'startupTimeout',
    accepted: `${DURATION_FORM}, 1s to 24h`,
    effect: 'adds a startupProbe on the readiness handler, failureThreshold = ceil(timeout / period)',
    parse: duration(1, 86400),
  }),
  entry({
    name: 'min-ready-seconds',
    field: 'minReadySeconds',
    accepted: `${DURATION_FORM}, 0s to 24h`,
    effect: '`spec.minReadySeconds` of Deployments, StatefulSets, DaemonSets and ReplicaSets, when unset',
    parse: duration(0, 86400),
  }),
  entry({
    name: 'mesh',
    field: 'mesh',
    accepted: 'auto or none',
    effect:
      '`auto`: an Istio or Linkerd proxy (classic sidecar) waits sleep + drain before it exits, written into its own annotation; `none`: left alone',
    parse: oneOf(['auto', 'none'] as const, (s) => s.toLowerCase()),
  }),
  entry({
    name: 'sidecar-drain-timeout',
    field: 'sidecarDrainTimeout',
    accepted: `${DURATION_FORM}, 0s to 1h`,
    defaultText: '`5s` when the pod has native sidecars, else `0s`',
    effect:
      'time the native sidecars (init containers with `restartPolicy: Always`) need after the main containers exit; added to the grace period',
    parse: duration(0, 3600),
  }),
  entry({
    name: 'stop-signal',
    field: 'stopSignal',
    accepted: 'a Linux signal name such as SIGQUIT or SIGUSR1',
    effect:
      '`lifecycle.stopSignal` of each selected container that has none, and `spec.os.name: linux` when unset; only with the cluster setting `stopSignals: true`',
    parse: linuxStopSignal,
  }),
  entry({
    name: 'registry',
    field: 'registry',
    accepted: 'auto, none, eureka, nacos, consul, dubbo, kitex or etcd',
    effect:
      "the service registry the app leaves at SIGTERM ([registries](registries.md)): the grace period covers its wait after leaving, and a warning says when that wait is shorter than its consumers' refresh; `auto`: detected from the containers' environment and `-D` properties",
    parse: oneOf(REGISTRY_MODES, (s) => s.toLowerCase()),
  }),
  entry({
    name: 'registry-wait',
    field: 'registryWait',
    accepted: `${DURATION_FORM}, 0s to 1h`,
    defaultText: "read from the template, else the framework's default",
    effect: 'how long the app waits between leaving the registry and stopping; added to the grace period',
    parse: duration(0, 3600),
  }),
  entry({
    name: 'registry-refresh',
    field: 'registryRefresh',
    accepted: `${DURATION_FORM}, 0s to 1h`,
    defaultText: "the framework's consumers' default",
    effect: "how long the app's consumers may go on calling it after it left the registry (their refresh); only warns",
    parse: duration(0, 3600),
  }),
];

export const VALIDATOR_BY_NAME: ReadonlyMap<string, KeyValidator> = new Map(VALIDATORS.map((v) => [v.name, v]));

/** Every key name a user may write under the prefix (the record is known but not a setting). */
export const KNOWN_NAMES: readonly string[] = [...VALIDATORS.map((v) => v.name), 'injected'];
