// `gracekeeper serve`: flags and environment into ServerOptions, then the server until SIGTERM/SIGINT.
import { parseArgs } from 'node:util';
import { isLogLevel, LOG_LEVELS } from '../runtime/logger.js';
import { startServer, type RunningServer, type ServerOptions } from '../runtime/start.js';
import { parseDurationMs } from '../settings/duration.js';
import { parseMinVersion } from '../runtime/tls-policy.js';
import { UsageError } from './args.js';

export const SERVE_USAGE = `Usage: gracekeeper serve [flags]

Runs the mutating admission webhook: HTTPS POST /mutate, GET /healthz, GET /readyz on --port,
Prometheus metrics on plain HTTP /metrics on --metrics-port. Each flag can also be set by the
environment variable in brackets; a flag wins over its variable.

  --port N                 HTTPS port (8443) [GRACEKEEPER_PORT]
  --metrics-port N         metrics port, plain HTTP (9090) [GRACEKEEPER_METRICS_PORT]
  --bind-address ADDR      address to listen on (every address) [GRACEKEEPER_BIND_ADDRESS]
  --tls-cert-file FILE     serving certificate (PEM, chain allowed), reloaded when it changes [GRACEKEEPER_TLS_CERT_FILE]
  --tls-key-file FILE      its private key (PEM) [GRACEKEEPER_TLS_KEY_FILE]
                           without both: a self-signed certificate for localhost, its CA in --self-signed-dir
  --tls-min-version V      VersionTLS12 (with ECDHE and AEAD ciphers only) or VersionTLS13 (VersionTLS12)
                           [GRACEKEEPER_TLS_MIN_VERSION]
  --client-ca FILE         CA bundle (PEM): POST /mutate then requires a client certificate it verifies,
                           the API server's from its admission kubeconfig; /healthz, /readyz do not (off)
                           [GRACEKEEPER_CLIENT_CA]
  --self-signed-dir DIR    where the self-signed CA and certificate go (./.gracekeeper) [GRACEKEEPER_SELF_SIGNED_DIR]
  --config FILE            cluster settings (YAML), reloaded when it changes [GRACEKEEPER_CONFIG]
  --kubeconfig FILE        cluster to read Namespaces and the version from; else the in-cluster
                           config when in a pod; else none (cluster settings alone) [GRACEKEEPER_KUBECONFIG]
  --namespace NAME         gracekeeper's own namespace, never mutated (gracekeeper) [GRACEKEEPER_NAMESPACE, POD_NAMESPACE]
  --shutdown-delay D       on SIGTERM, keep serving this long after /readyz fails (5s) [GRACEKEEPER_SHUTDOWN_DELAY]
  --shutdown-timeout D     then wait this long for requests in progress (20s) [GRACEKEEPER_SHUTDOWN_TIMEOUT]
  --discovery-interval D   how often to look for the Gateway API's CRDs, installed or removed (1m) [GRACEKEEPER_DISCOVERY_INTERVAL]
  --outcomes on|off        watch how pods of opted-in namespaces stop and start: pods and kubelet events
                           (on) [GRACEKEEPER_OUTCOMES]
  --log-level LEVEL        ${LOG_LEVELS.join(', ')} (info) [GRACEKEEPER_LOG_LEVEL]
  -h, --help               this help

Durations: 500ms, 5s, 1m, 1m30s, or plain seconds.
`;

const STRING_FLAGS = [
  'port',
  'metrics-port',
  'bind-address',
  'tls-cert-file',
  'tls-key-file',
  'tls-min-version',
  'client-ca',
  'self-signed-dir',
  'config',
  'kubeconfig',
  'namespace',
  'shutdown-delay',
  'shutdown-timeout',
  'discovery-interval',
  'outcomes',
  'log-level',
] as const;
type Flag = (typeof STRING_FLAGS)[number];

/** Milliseconds from a flag's duration (500ms, 5s, 1m30s, plain seconds), or a usage error naming the flag. */
export function flagDurationMs(text: string, flag: string): number {
  const ms = parseDurationMs(text);
  if (ms === undefined) throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected a duration such as 500ms, 5s or 1m`);
  return ms;
}

function parsePort(text: string, flag: string): number {
  const port = Number(text);
  if (!/^\d+$/.test(text.trim()) || port > 65535)
    throw new UsageError(`--${flag} ${JSON.stringify(text)}: expected a port 0-65535`);
  return port;
}

function envName(flag: Flag): string {
  return `GRACEKEEPER_${flag.toUpperCase().replace(/-/g, '_')}`;
}

export function parseServeArgs(argv: string[], env: NodeJS.ProcessEnv): ServerOptions | 'help' {
  const { values, positionals } = parseArgs({
    args: argv,
    options: {
      ...Object.fromEntries(STRING_FLAGS.map((f) => [f, { type: 'string' as const }])),
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
    allowPositionals: true,
  });
  if (values.help) return 'help';
  if (positionals.length > 0) throw new UsageError(`unexpected argument ${JSON.stringify(positionals[0])}`);
  const get = (flag: Flag): string | undefined => {
    const value = (values as Record<string, string | undefined>)[flag] ?? env[envName(flag)];
    return value === '' ? undefined : value;
  };
  const logLevel = get('log-level') ?? 'info';
  if (!isLogLevel(logLevel))
    throw new UsageError(`--log-level ${JSON.stringify(logLevel)}: expected one of ${LOG_LEVELS.join(', ')}`);
  const outcomes = get('outcomes') ?? 'on';
  if (outcomes !== 'on' && outcomes !== 'off') throw new UsageError(`--outcomes ${JSON.stringify(outcomes)}: expected on or off`);
  const certFile = get('tls-cert-file');
  const keyFile = get('tls-key-file');
  if (!certFile !== !keyFile) throw new UsageError('--tls-cert-file and --tls-key-file must be given together');
  const minText = get('tls-min-version') ?? 'VersionTLS12';
  const tlsMinVersion = parseMinVersion(minText);
  if (!tlsMinVersion)
    throw new UsageError(`--tls-min-version ${JSON.stringify(minText.slice(0, 40))}: expected VersionTLS12 or VersionTLS13`);
  return {
    port: parsePort(get('port') ?? '8443', 'port'),
    metricsPort: parsePort(get('metrics-port') ?? '9090', 'metrics-port'),
    host: get('bind-address'),
    tlsCertFile: certFile,
    tlsKeyFile: keyFile,
    tlsMinVersion,
    clientCaFile: get('client-ca'),
    selfSignedDir: get('self-signed-dir'),
    configFile: get('config'),
    kubeconfig: get('kubeconfig'),
    ownNamespace: get('namespace') ?? (env.POD_NAMESPACE || undefined),
    shutdownDelayMs: flagDurationMs(get('shutdown-delay') ?? '5s', 'shutdown-delay'),
    shutdownTimeoutMs: flagDurationMs(get('shutdown-timeout') ?? '20s', 'shutdown-timeout'),
    kube: { discoveryMs: flagDurationMs(get('discovery-interval') ?? '1m', 'discovery-interval') },
    logLevel,
    outcomes: outcomes === 'on',
    env,
  };
}

export async function runServe(argv: string[]): Promise<number> {
  let options: ServerOptions | 'help';
  try {
    options = parseServeArgs(argv, process.env);
  } catch (err) {
    process.stderr.write(`gracekeeper serve: ${(err as Error).message}\n\n${SERVE_USAGE}`);
    return 2;
  }
  if (options === 'help') {
    process.stdout.write(SERVE_USAGE);
    return 0;
  }
  let server: RunningServer;
  try {
    server = await startServer(options);
  } catch (err) {
    process.stderr.write(`gracekeeper serve: ${(err as Error).message}\n`);
    return 1;
  }
  const code = await new Promise<number>((resolve) => {
    let signals = 0;
    const onSignal = (signal: NodeJS.Signals) => {
      signals++;
      if (signals > 1) {
        server.log.warn({ signal }, 'second signal: exiting at once');
        resolve(1);
        return;
      }
      server.log.info({ signal }, 'signal received');
      server.shutdown().then(
        () => resolve(0),
        (err: unknown) => {
          server.log.error({ err }, 'shutdown failed');
          resolve(1);
        },
      );
    };
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  });
  server.log.flush();
  // Libraries may hold timers or sockets (the Kubernetes client); the sequence is over, so exit.
  process.exit(code);
}
