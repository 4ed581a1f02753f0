// The benchmark: for each payload and concurrency, gracekeeper and the baseline alternately (A B A
// B, a fresh server process each time), a separate load generator process against each; then a
// soak of gracekeeper for its memory after many admissions.
import { fork } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, release, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import type { LoadConfig, LoadMessage, LoadResult } from './loadgen.js';
import { nodeVersion } from './node.js';
import type { PayloadName } from './payloads.js';
import {
  benchModule,
  cpuMsOf,
  mainThreadCpuMsOf,
  makeCertificate,
  memoryOf,
  startServer,
  type Certificate,
  type StartOptions,
} from './processes.js';
import { median, mergeRounds, percentile, ratios, round, sortedCopy, type Ratio, type Run, type ServerName } from './stats.js';

export interface BenchConfig {
  payloads: PayloadName[];
  concurrencies: number[];
  servers: ServerName[];
  rounds: number;
  warmupMs: number;
  durationMs: number;
  /** Ends a measured window early after this many answers (smoke runs). */
  maxRequests?: number;
  /** Admissions in the soak (0: none), at soakConcurrency, small Pod and Deployment alternately. */
  soak: number;
  soakConcurrency: number;
  /** The soak stops after this long even if short of its count. */
  soakMaxMs: number;
  /** Admissions to gracekeeper with the Kubernetes client loaded, for its memory (0: none). */
  kubeClientAdmissions: number;
  /** The node binary both servers run on (the load generator runs on this process's). */
  node: string;
  nodeOptions: string;
  gracekeeperNodeFlags?: string[];
  /** Profile every measured server process (--cpu-prof) into this directory: <server>-<payload>-c<concurrency>-r<round>.cpuprofile. */
  profileDir?: string;
  log: (line: string) => void;
}

export interface RoundResult {
  server: ServerName;
  payload: PayloadName;
  concurrency: number;
  round: number;
  count: number;
  errors: number;
  /** Reviews gracekeeper shed in the window (429 from its memory budget for large reviews), when any. */
  shed?: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
  p999_ms: number;
  /** VmHWM at the end of the run. */
  rss_mb: number;
  /** Server CPU during the window: share of one core, and CPU time per admission in microseconds. */
  server_cpu: number;
  server_cpu_us_per_request: number;
  /** The part of server_cpu_us_per_request on the main thread (the rest: the JIT compiler and GC helpers). */
  server_main_thread_us_per_request?: number;
  /** Load generator CPU, share of one core. */
  client_cpu: number;
  cold_start_ms: number;
  /** Answers the server gave: the load generator's (warm-up included) and the cold-start probe's. */
  answered: number;
  /** gracekeeper's log: its per-admission lines, and their mean size in bytes. */
  log_admission_lines?: number;
  log_bytes_per_line?: number;
}

export interface SoakResult {
  admissions: number;
  errors: number;
  seconds: number;
  rps: number;
  concurrency: number;
  payloads: PayloadName[];
  rss_mb_after: number;
  rss_mb_peak: number;
  /** [admissions so far, VmRSS MB] every few seconds. */
  rss_series: [number, number][];
}

/** gracekeeper's memory with @kubernetes/client-node loaded, as in a cluster. */
export interface KubeClientMemory {
  admissions: number;
  errors: number;
  rss_mb_idle: number;
  rss_mb_after: number;
}

export interface BenchResults {
  date: string;
  /** node: the Node.js both servers ran on; load_generator_node: the one the load generator ran on. */
  machine: {
    cpu: string;
    cores: number;
    memory_gb: number;
    node: string;
    load_generator_node: string;
    kernel: string;
    /** The 1, 5 and 15 minute load averages when the run started and when it ended (the machine is shared). */
    load_average?: { start: number[]; end: number[] };
  };
  method: Record<string, unknown>;
  runs: Run[];
  ratios: Ratio[];
  cold_start_ms: Partial<Record<ServerName, { median: number; min: number; max: number; samples: number }>>;
  soak?: SoakResult;
  with_kube_client?: KubeClientMemory;
  rounds: RoundResult[];
}

interface LoadRun {
  result: LoadResult;
  serverCpuMs: number;
  /** Of serverCpuMs, the main thread's. */
  serverMainThreadCpuMs: number;
  windowMs: number;
}

/** Forks the load generator and follows its messages; reads the server's CPU at the window's edges. */
export function runLoad(
  config: LoadConfig,
  serverPid: number,
  onProgress?: (count: number) => void,
  limitMs = 15 * 60_000,
): Promise<LoadRun> {
  const { execArgv, file } = benchModule('loadgen');
  const child = fork(file, [JSON.stringify(config)], { execArgv, stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  return new Promise((resolve, reject) => {
    let cpu0 = 0;
    let cpu1 = 0;
    let main0 = 0;
    let main1 = 0;
    let t0 = 0;
    let t1 = 0;
    let result: LoadResult | undefined;
    const timer = setTimeout(() => child.kill('SIGKILL'), limitMs);
    child.on('message', (message: LoadMessage) => {
      if (message.type === 'measuring') {
        cpu0 = cpuMsOf(serverPid);
        main0 = mainThreadCpuMsOf(serverPid);
        t0 = performance.now();
      } else if (message.type === 'measured') {
        cpu1 = cpuMsOf(serverPid);
        main1 = mainThreadCpuMsOf(serverPid);
        t1 = performance.now();
      } else if (message.type === 'progress') onProgress?.(message.count);
      else result = message.result;
    });
    child.once('close', (code, signal) => {
      clearTimeout(timer);
      if (result) resolve({ result, serverCpuMs: cpu1 - cpu0, serverMainThreadCpuMs: main1 - main0, windowMs: t1 - t0 });
      else reject(new Error(`load generator exited (${code ?? signal}) without a result`));
    });
  });
}

function machine(node: string, loadAtStart: number[]): BenchResults['machine'] {
  const load = (l: number[]): number[] => l.map((x) => round(x, 2));
  return {
    cpu: cpus()[0]?.model ?? 'unknown',
    cores: cpus().length,
    memory_gb: round(totalmem() / 2 ** 30, 1),
    node: nodeVersion(node),
    load_generator_node: process.version,
    kernel: release(),
    load_average: { start: load(loadAtStart), end: load(loadavg()) },
  };
}

async function runOne(
  config: BenchConfig,
  server: ServerName,
  payload: PayloadName,
  concurrency: number,
  roundNo: number,
  certificate: Certificate,
  dir: string,
): Promise<RoundResult & { samples: number[]; elapsedMs: number }> {
  const logFile = join(dir, `${server}.log`);
  const options: StartOptions = {
    node: config.node,
    certificate,
    logFile,
    nodeOptions: config.nodeOptions,
    gracekeeperNodeFlags: config.gracekeeperNodeFlags,
    ...(config.profileDir
      ? { profile: { dir: config.profileDir, name: `${server}-${payload}-c${concurrency}-r${roundNo}.cpuprofile` } }
      : {}),
  };
  const proc = await startServer(server, options);
  let load: LoadRun;
  let peakMb: number;
  try {
    load = await runLoad(
      {
        port: proc.port,
        caFile: certificate.caFile,
        payloads: [payload],
        concurrency,
        warmupMs: config.warmupMs,
        durationMs: config.durationMs,
        maxRequests: config.maxRequests,
        expectPatch: server === 'gracekeeper',
        keepSamples: true,
      },
      proc.pid,
    );
    peakMb = memoryOf(proc.pid).peakMb;
  } finally {
    await proc.stop();
  }
  const log = server === 'gracekeeper' ? await admissionLines(logFile) : undefined;
  await rm(logFile, { force: true });
  const { result } = load;
  const sorted = sortedCopy(result.samples);
  return {
    server,
    payload,
    concurrency,
    round: roundNo,
    count: result.count,
    errors: result.errors,
    ...(result.shed > 0 ? { shed: result.shed } : {}),
    rps: round(result.count / (result.elapsedMs / 1000), 0),
    p50_ms: round(percentile(sorted, 50), 3),
    p99_ms: round(percentile(sorted, 99), 3),
    p999_ms: round(percentile(sorted, 99.9), 3),
    rss_mb: round(peakMb, 1),
    server_cpu: round(load.serverCpuMs / load.windowMs, 2),
    server_cpu_us_per_request: round((load.serverCpuMs * 1000) / Math.max(1, result.count), 0),
    server_main_thread_us_per_request: round((load.serverMainThreadCpuMs * 1000) / Math.max(1, result.count), 0),
    client_cpu: round(result.clientCpu, 2),
    cold_start_ms: round(proc.coldStartMs, 1),
    answered: result.answered + 1,
    ...(log ? { log_admission_lines: log.lines, log_bytes_per_line: round(log.bytes / Math.max(1, log.lines), 0) } : {}),
    samples: result.samples,
    elapsedMs: result.elapsedMs,
    ...(result.firstError ? { firstError: result.firstError } : {}),
  };
}

/** The per-admission lines in gracekeeper's log file, and their bytes. */
async function admissionLines(file: string): Promise<{ lines: number; bytes: number }> {
  const text = await readFile(file);
  let lines = 0;
  let bytes = 0;
  for (let start = 0; start < text.length;) {
    let end = text.indexOf(10, start);
    if (end < 0) end = text.length;
    if (text.subarray(start, end).includes('"msg":"admission"')) {
      lines++;
      bytes += end - start + 1;
    }
    start = end + 1;
  }
  return { lines, bytes };
}

async function soak(config: BenchConfig, certificate: Certificate): Promise<SoakResult> {
  const payloads: PayloadName[] = ['pod', 'deployment'];
  // The log goes to /dev/null here: a million lines would be ~300 MB of disk for no information.
  const proc = await startServer('gracekeeper', {
    node: config.node,
    certificate,
    logFile: '/dev/null',
    nodeOptions: config.nodeOptions,
  });
  const series: [number, number][] = [];
  let lastReport = 0;
  const started = performance.now();
  let load: LoadRun;
  let after: { rssMb: number; peakMb: number };
  try {
    load = await runLoad(
      {
        port: proc.port,
        caFile: certificate.caFile,
        payloads,
        concurrency: config.soakConcurrency,
        warmupMs: 0,
        durationMs: config.soakMaxMs,
        maxRequests: config.soak,
        expectPatch: true,
        keepSamples: false,
        progressMs: 2000,
      },
      proc.pid,
      (count) => {
        const rss = round(memoryOf(proc.pid).rssMb, 1);
        series.push([count, rss]);
        if (performance.now() - lastReport > 30_000) {
          lastReport = performance.now();
          config.log(`  soak: ${count} admissions, RSS ${rss} MB, ${((performance.now() - started) / 1000).toFixed(0)} s`);
        }
      },
      config.soakMaxMs + 60_000,
    );
    after = memoryOf(proc.pid);
  } finally {
    await proc.stop();
  }
  const { result } = load;
  series.push([result.count, round(after.rssMb, 1)]);
  return {
    admissions: result.count,
    errors: result.errors,
    seconds: round(result.elapsedMs / 1000, 1),
    rps: round(result.count / (result.elapsedMs / 1000), 0),
    concurrency: config.soakConcurrency,
    payloads,
    rss_mb_after: round(after.rssMb, 1),
    rss_mb_peak: round(after.peakMb, 1),
    rss_series: series,
  };
}

/**
 * In a cluster gracekeeper also loads @kubernetes/client-node (for the Namespace informer and the
 * API server's version). There is no cluster here: a kubeconfig naming a loopback port where
 * nothing listens makes it load the client, whose informer then retries in the background.
 */
async function kubeClientMemory(config: BenchConfig, certificate: Certificate, dir: string): Promise<KubeClientMemory> {
  const kubeconfig = join(dir, 'kubeconfig.yaml');
  await writeFile(
    kubeconfig,
    [
      'apiVersion: v1',
      'kind: Config',
      'current-context: none',
      'clusters: [{name: none, cluster: {server: "https://127.0.0.1:9"}}]',
      'users: [{name: none, user: {token: none}}]',
      'contexts: [{name: none, context: {cluster: none, user: none}}]',
      '',
    ].join('\n'),
  );
  const proc = await startServer('gracekeeper', {
    node: config.node,
    certificate,
    logFile: '/dev/null',
    nodeOptions: config.nodeOptions,
    serveArgs: ['--kubeconfig', kubeconfig],
  });
  try {
    await new Promise((resolve) => setTimeout(resolve, 1000));
    const idle = memoryOf(proc.pid).rssMb;
    const { result } = await runLoad(
      {
        port: proc.port,
        caFile: certificate.caFile,
        payloads: ['pod', 'deployment'],
        concurrency: 16,
        warmupMs: 0,
        durationMs: 120_000,
        maxRequests: config.kubeClientAdmissions,
        expectPatch: true,
        keepSamples: false,
      },
      proc.pid,
    );
    return {
      admissions: result.count,
      errors: result.errors,
      rss_mb_idle: round(idle, 1),
      rss_mb_after: round(memoryOf(proc.pid).rssMb, 1),
    };
  } finally {
    await proc.stop();
  }
}

export async function runBench(config: BenchConfig): Promise<BenchResults> {
  const loadAtStart = loadavg();
  const dir = await mkdtemp(join(tmpdir(), 'gracekeeper-bench-'));
  try {
    const certificate = await makeCertificate(dir);
    const rounds: (RoundResult & { samples: number[]; elapsedMs: number })[] = [];
    for (const payload of config.payloads) {
      for (const concurrency of config.concurrencies) {
        for (let r = 1; r <= config.rounds; r++) {
          for (const server of config.servers) {
            const one = await runOne(config, server, payload, concurrency, r, certificate, dir);
            rounds.push(one);
            config.log(
              `  ${payload} c=${concurrency} ${server} #${r}: ${one.rps} rps, p50 ${one.p50_ms} ms, p99 ${one.p99_ms} ms, ` +
                `RSS ${one.rss_mb} MB, server CPU ${one.server_cpu} (${one.server_cpu_us_per_request} us/req, ` +
                `main thread ${one.server_main_thread_us_per_request}), ` +
                `client CPU ${one.client_cpu}${one.shed ? `, ${one.shed} shed (429)` : ''}${one.errors ? `, ${one.errors} ERRORS: ${(one as { firstError?: string }).firstError}` : ''}`,
            );
          }
        }
      }
    }
    const runs: Run[] = [];
    for (const payload of config.payloads) {
      for (const concurrency of config.concurrencies) {
        for (const server of config.servers) {
          const mine = rounds.filter((r) => r.server === server && r.payload === payload && r.concurrency === concurrency);
          runs.push(
            mergeRounds(
              { server, payload, concurrency },
              mine.map((r) => ({ ...r, rssMb: r.rss_mb })),
            ),
          );
        }
      }
    }
    const coldStart: BenchResults['cold_start_ms'] = {};
    for (const server of config.servers) {
      const values = rounds.filter((r) => r.server === server).map((r) => r.cold_start_ms);
      coldStart[server] = {
        median: round(median(values), 1),
        min: Math.min(...values),
        max: Math.max(...values),
        samples: values.length,
      };
    }
    let soakResult: SoakResult | undefined;
    if (config.soak > 0) {
      config.log(`  soak: ${config.soak} admissions at concurrency ${config.soakConcurrency}...`);
      soakResult = await soak(config, certificate);
    }
    let kubeClient: KubeClientMemory | undefined;
    if (config.kubeClientAdmissions > 0) {
      config.log(`  with the Kubernetes client loaded: ${config.kubeClientAdmissions} admissions...`);
      kubeClient = await kubeClientMemory(config, certificate, dir);
    }
    return {
      date: new Date().toISOString(),
      machine: machine(config.node, loadAtStart),
      method: {
        rounds: config.rounds,
        warmup_ms: config.warmupMs,
        window_ms: config.durationMs,
        node_options: config.nodeOptions,
        gracekeeper:
          'node --enable-source-maps dist/cli.js serve, --log-level info, log to a file; own TLS certificate (EC P-256)',
        baseline: 'bench/baseline.ts: node:https, read body, JSON.parse, fixed allowed AdmissionReview with the uid',
        load: 'bench/loadgen.ts in its own process: undici, one keep-alive TLS connection per concurrent request, fresh uid each',
      },
      runs,
      ratios: ratios(runs),
      cold_start_ms: coldStart,
      ...(soakResult ? { soak: soakResult } : {}),
      ...(kubeClient ? { with_kube_client: kubeClient } : {}),
      rounds: rounds.map(({ samples: _s, elapsedMs: _e, ...rest }) => rest),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
