// startServer: settings, certificate, cluster sources, routes and listeners put together, and the
// shutdown sequence (readyz fails, keep serving for the delay, close, drain, stop).
import { join } from 'node:path';
import type { SecureVersion } from 'node:tls';
import type { Logger } from 'pino';
import { admit } from '../engine/admit.js';
import type { AdmissionInput, AdmissionResult } from '../engine/types.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import { createApp, type AppDeps } from '../http/routes.js';
import { noCluster } from '../cluster/memory.js';
import type { ClusterSource } from '../cluster/sources.js';
import type { KubeSourceOptions } from '../cluster/kubeconfig.js';
import { createLogger, type LogLevel } from './logger.js';
import { Metrics } from '../metrics/metrics.js';
import { reportFinding } from './outcome-report.js';
import { SettingsStore } from './settings-store.js';
import { ServingCertificate } from './tls.js';
import { loadClientCa } from './client-ca.js';
import {
  closeGracefully,
  createMetricsServer,
  createWebhookServer,
  DEFAULT_TIMEOUTS,
  listen,
  type TransportTimeouts,
} from '../http/transport.js';

export interface ServerOptions {
  port: number;
  metricsPort: number;
  /** Address to bind both listeners to (default: every address). */
  host?: string;
  tlsCertFile?: string;
  tlsKeyFile?: string;
  /** The lowest TLS version accepted (default TLSv1.2, with ECDHE and AEAD ciphers only). */
  tlsMinVersion?: SecureVersion;
  /** A CA bundle: POST /mutate then requires a client certificate it verifies (the API server's). */
  clientCaFile?: string;
  /** Where the self-signed CA and certificate go without cert flags (default ./.gracekeeper). */
  selfSignedDir?: string;
  configFile?: string;
  /** gracekeeper's own namespace (never mutated); the config file's `namespace` wins. */
  ownNamespace?: string;
  kubeconfig?: string;
  /** Cluster sources; overrides kubeconfig / in-cluster detection (tests). */
  cluster?: ClusterSource;
  /** Backoff and version refresh of the real cluster sources. */
  kube?: Pick<KubeSourceOptions, 'backoffInitialMs' | 'backoffMaxMs' | 'versionRefreshMs' | 'discoveryMs'>;
  shutdownDelayMs: number;
  shutdownTimeoutMs: number;
  logLevel?: LogLevel;
  logger?: Logger;
  /** How often watched files (config, certificate) are polled; fs.watch events come sooner. */
  watchIntervalMs?: number;
  timeouts?: Partial<TransportTimeouts>;
  /** Environment for in-cluster detection (default process.env). */
  env?: NodeJS.ProcessEnv;
  /** Replaces the engine (tests). */
  admit?: (input: AdmissionInput) => AdmissionResult;
  /** Told how each request was dispatched (tests). */
  onDispatch?: AppDeps['onDispatch'];
  sleep?: (ms: number) => Promise<void>;
  /** Watch how pods of opted-in namespaces stop and start (docs/outcomes.md); default true. */
  outcomes?: boolean;
  /** How often pods waiting on gracekeeper's probe are checked (tests). */
  outcomeSweepMs?: number;
}

export interface RunningServer {
  port: number;
  metricsPort: number;
  /** The CA of the self-signed certificate, when one was made. */
  caFile?: string;
  certFile: string;
  keyFile: string;
  metrics: Metrics;
  log: Logger;
  settings: () => ClusterSettings;
  /** undefined when ready, else why not. */
  notReadyReason: () => string | undefined;
  /** The SIGTERM sequence; resolves when everything is closed. Idempotent. */
  shutdown: () => Promise<void>;
  /** Shutdown without the delay (tests, fatal errors). */
  stop: () => Promise<void>;
  /** Re-reads watched files now instead of waiting for the next poll (tests). */
  checkFiles: () => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startServer(options: ServerOptions): Promise<RunningServer> {
  const log = options.logger ?? createLogger(options.logLevel ?? 'info');
  const metrics = new Metrics();
  const store = await SettingsStore.open(options.configFile, options.ownNamespace);
  const settings = () => store.current();

  let { tlsCertFile: certFile, tlsKeyFile: keyFile } = options;
  let caFile: string | undefined;
  if (!certFile !== !keyFile) throw new Error('--tls-cert-file and --tls-key-file must be given together');
  if (!certFile || !keyFile) {
    // selfsigned (and the crypto library under it) adds about 15 MB to the process: only when used.
    const { ensureSelfSigned } = await import('./self-signed.js');
    const made = await ensureSelfSigned(options.selfSignedDir ?? join(process.cwd(), '.gracekeeper'));
    ({ certFile, keyFile, caFile } = made);
    log.warn(
      { caFile, certFile, reusedCa: made.reusedCa },
      `no --tls-cert-file given: serving a self-signed certificate for localhost; clients must trust the CA in ${caFile}`,
    );
  }
  const clientCa = options.clientCaFile ? await loadClientCa(options.clientCaFile) : undefined;
  const certificate = await ServingCertificate.load(certFile, keyFile, options.tlsMinVersion, clientCa?.pem);
  if (clientCa) {
    log.info(
      { clientCaFile: clientCa.file, subjects: clientCa.subjects },
      'POST /mutate requires a client certificate signed by --client-ca; /healthz and /readyz do not',
    );
  }

  let cluster = options.cluster;
  if (!cluster) {
    const env = options.env ?? process.env;
    // @kubernetes/client-node costs about 80 MiB of memory to load: only when there is a cluster.
    const wanted = options.kubeconfig || (env.KUBERNETES_SERVICE_HOST && env.KUBERNETES_SERVICE_PORT);
    const { kubeCluster, loadKubeConfig } = wanted
      ? await import('../cluster/kubeconfig.js')
      : { kubeCluster: undefined, loadKubeConfig: undefined };
    const kube = loadKubeConfig?.(options.kubeconfig, env);
    if (kube && kubeCluster) {
      cluster = kubeCluster(kube.config, kube.description, {
        ...options.kube,
        log,
        onRestart: () => metrics.informerRestarts.inc(),
        onTrafficRestart: (resource) => metrics.trafficInformerRestarts.inc({ resource }),
        ...(options.outcomes === false
          ? {}
          : {
              outcomes: {
                settings,
                onFinding: (f) => reportFinding(f, metrics, log),
                onNamespace: (ns) => metrics.outcomeNamespace(ns),
                onRestart: (stream) => metrics.outcomeRestarts.inc({ stream }),
                sweepMs: options.outcomeSweepMs,
              },
            }),
      });
    } else {
      log.warn(
        'no cluster to talk to (no --kubeconfig, not in a cluster): running on the cluster settings alone, ' +
          'without namespace annotations, assuming the newest API server for pre-stop-mode auto',
      );
      cluster = noCluster();
    }
  }
  const { namespaces, version, traffic, outcomes } = cluster;
  metrics.sources.outcomeStates = () => outcomes?.states() ?? [];
  metrics.sources.outcomeMemory = () => outcomes?.remembered() ?? { pods: 0, workloads: 0 };
  metrics.sources.certificateNotAfter = () => certificate.info().notAfter;
  metrics.sources.informerState = () => namespaces.state();
  metrics.sources.namespaceCacheSize = () => namespaces.size();
  metrics.sources.trafficStates = () => traffic?.states() ?? [];

  let shuttingDown = false;
  const inFlight = { count: 0 };
  const notReadyReason = (): string | undefined => {
    if (shuttingDown) return 'shutting down';
    if (!namespaces.synced()) return 'namespace cache not synced yet';
    if (!version.ready()) return 'API server version not known yet';
    if (traffic && !traffic.synced()) return 'traffic paths (Services, Ingresses, routes) not synced yet';
    return undefined;
  };
  const app = createApp({
    settings,
    namespaces,
    version,
    owners: cluster.owners,
    traffic,
    outcomes,
    metrics,
    log,
    admit: options.admit ?? admit,
    notReadyReason,
    draining: () => shuttingDown,
    inFlight,
    onDispatch: options.onDispatch,
    clientCertRequired: clientCa !== undefined,
  });
  const timeouts = { ...DEFAULT_TIMEOUTS, ...options.timeouts };
  const server = createWebhookServer(certificate.options(), app, timeouts);
  const metricsServer = createMetricsServer(metrics.registry);
  const watchIntervalMs = options.watchIntervalMs ?? 2000;

  let port: number;
  let metricsPort: number;
  try {
    port = await listen(server, options.port, options.host);
    metricsPort = await listen(metricsServer, options.metricsPort, options.host);
  } catch (err) {
    server.close();
    metricsServer.close();
    throw err;
  }
  certificate.watch(server, watchIntervalMs, log, metrics);
  store.watch(watchIntervalMs, log, metrics);
  namespaces.start();
  version.start();
  traffic?.start();
  outcomes?.start();
  log.info(
    {
      port,
      metricsPort,
      cluster: cluster.description,
      config: options.configFile ?? null,
      ownNamespace: settings().ownNamespace,
      certificate: certificate.info().subject,
      certificateNotAfter: certificate.info().notAfter.toISOString(),
    },
    'gracekeeper serving',
  );

  const sleep = options.sleep ?? defaultSleep;
  let stopping: Promise<void> | undefined;
  const sequence = async (delayMs: number): Promise<void> => {
    shuttingDown = true;
    log.info({ shutdownDelayMs: delayMs }, 'shutting down: /readyz fails now, still serving during the delay');
    if (delayMs > 0) await sleep(delayMs);
    log.info(
      { inFlight: inFlight.count, shutdownTimeoutMs: options.shutdownTimeoutMs },
      'closing the listener; waiting for requests in progress',
    );
    const clean = await closeGracefully(server, options.shutdownTimeoutMs);
    if (!clean) log.warn({ inFlight: inFlight.count }, 'shutdown timeout reached: closed the remaining connections');
    certificate.close();
    store.close();
    await Promise.allSettled([namespaces.stop(), version.stop(), traffic?.stop(), outcomes?.stop()]);
    await closeGracefully(metricsServer, 1000);
    log.info('stopped');
  };
  const shutdown = (delayMs: number) => (stopping ??= sequence(delayMs));

  return {
    port,
    metricsPort,
    caFile,
    certFile,
    keyFile,
    metrics,
    log,
    settings,
    notReadyReason,
    shutdown: () => shutdown(options.shutdownDelayMs),
    stop: () => shutdown(0),
    checkFiles: async () => {
      await Promise.all([certificate.check(), store.check()]);
    },
  };
}
