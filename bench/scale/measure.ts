// One round of the scale benchmark on one cluster: a fresh `gracekeeper serve` as the Deployment
// runs it, timed from spawn to /readyz 200, its memory then and after a window of admissions.
import { spawn } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';
import type { ControlPlane } from '../../test/e2e/cluster.js';
import { metricSample } from '../../test/e2e/gracekeeper.js';
import { runLoad } from '../harness.js';
import { deploymentNodeOptions, freePort, memoryOf, REPO, type Certificate } from '../processes.js';
import { percentile, round, sortedCopy } from '../stats.js';

/** empty, full, or full with `--outcomes=off` (the same cluster without the outcomes watch). */
export type Variant = 'empty' | 'full' | 'full-outcomes-off';

export interface Measurement {
  cluster: Variant;
  round?: number;
  /** From spawning the process to the first 200 of /readyz (the Namespace cache synced). */
  ready_ms: number;
  /** gracekeeper_namespace_cache_size once ready. */
  cached_namespaces: number;
  /** gracekeeper_traffic_objects for services and ingresses once ready. */
  cached_services: number;
  cached_ingresses: number;
  /** From spawning to the outcomes' Pod stream listed (0 with --outcomes=off); RSS is measured after it. */
  outcomes_synced_ms: number;
  /** Pods the outcomes memory held then (gracekeeper_outcome_memory_entries{kind="pods"}). */
  outcome_pods: number;
  /** Admissions whose sleep the payload's path (an ALB Ingress, IP targets) decided: all of them, or the run is void. */
  path_decided: number;
  /** VmRSS once ready; VmHWM (peak) after the admissions. */
  rss_mb_ready: number;
  rss_mb_after: number;
  rss_mb_peak: number;
  admissions: number;
  errors: number;
  rps: number;
  p50_ms: number;
  p99_ms: number;
}

export interface LoadSettings {
  concurrency: number;
  warmupMs: number;
  durationMs: number;
}

function status(port: number, path: string, ca: Buffer): Promise<number> {
  return new Promise((resolve) => {
    const req = request({ host: '127.0.0.1', port, path, ca, servername: 'localhost', agent: false, timeout: 1000 }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode ?? 0));
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
    req.end();
  });
}

/** One sample of gracekeeper's metrics, 0 when absent. */
async function metric(metricsPort: number, sample: string): Promise<number> {
  return (await metricSample(metricsPort, sample)) || 0;
}

export async function measureOnce(
  node: string,
  cluster: Variant,
  cp: ControlPlane,
  certificate: Certificate,
  load: LoadSettings,
  logFile: string,
): Promise<Measurement> {
  const [port, metricsPort] = [await freePort(), await freePort()];
  const ca = readFileSync(certificate.caFile);
  const args = [
    '--enable-source-maps',
    join(REPO, 'dist/cli.js'),
    'serve',
    `--port=${port}`,
    `--metrics-port=${metricsPort}`,
    '--bind-address=127.0.0.1',
    `--tls-cert-file=${certificate.certFile}`,
    `--tls-key-file=${certificate.keyFile}`,
    `--config=${join(REPO, 'deploy/base/config.yaml')}`,
    '--namespace=gracekeeper',
    `--kubeconfig=${cp.kubeconfigPath}`,
    '--shutdown-delay=0s',
    '--shutdown-timeout=2s',
    ...(cluster === 'full-outcomes-off' ? ['--outcomes=off'] : []),
  ];
  const out = openSync(logFile, 'w');
  const t0 = performance.now();
  const child = spawn(node, args, {
    cwd: REPO,
    env: { ...process.env, NODE_OPTIONS: deploymentNodeOptions() },
    stdio: ['ignore', out, out],
  });
  closeSync(out);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    let readyMs: number | undefined;
    while (readyMs === undefined) {
      if (child.exitCode !== null) throw new Error(`gracekeeper exited: ${readFileSync(logFile, 'utf8').slice(-2000)}`);
      if (performance.now() - t0 > 120_000) throw new Error('gracekeeper not ready within 120 s');
      if ((await status(port, '/readyz', ca)) === 200) readyMs = performance.now() - t0;
      else await new Promise((r) => setTimeout(r, 10));
    }
    const pid = child.pid as number;
    // Readiness does not wait for outcomes (they never hold admissions up); memory is read once the
    // Pod stream has listed every Pod, so that it includes what outcomes cost.
    let outcomesMs = 0;
    if (cluster !== 'full-outcomes-off') {
      const synced = 'gracekeeper_outcome_stream_state{stream="pods",state="synced"}';
      while ((await metric(metricsPort, synced)) !== 1) {
        if (performance.now() - t0 > 120_000) throw new Error('outcomes Pod stream not listed within 120 s');
        await new Promise((r) => setTimeout(r, 20));
      }
      outcomesMs = Math.round(performance.now() - t0);
    }
    const outcomePods = await metric(metricsPort, 'gracekeeper_outcome_memory_entries{kind="pods"}');
    const ready = memoryOf(pid);
    const cached = await metric(metricsPort, 'gracekeeper_namespace_cache_size');
    const services = await metric(metricsPort, 'gracekeeper_traffic_objects{resource="services"}');
    const ingresses = await metric(metricsPort, 'gracekeeper_traffic_objects{resource="ingresses"}');
    const run = await runLoad(
      {
        port,
        caFile: certificate.caFile,
        payloads: ['pod'],
        concurrency: load.concurrency,
        warmupMs: load.warmupMs,
        durationMs: load.durationMs,
        expectPatch: true,
        keepSamples: true,
      },
      pid,
    );
    const after = memoryOf(pid);
    const decided = await metric(metricsPort, 'gracekeeper_traffic_path_decisions_total{family="aws-alb-ip"}');
    const sorted = sortedCopy(run.result.samples);
    return {
      cluster,
      ready_ms: Math.round(readyMs),
      cached_namespaces: cached,
      cached_services: services,
      cached_ingresses: ingresses,
      path_decided: decided,
      outcomes_synced_ms: outcomesMs,
      outcome_pods: outcomePods,
      rss_mb_ready: round(ready.rssMb, 1),
      rss_mb_after: round(after.rssMb, 1),
      rss_mb_peak: round(after.peakMb, 1),
      admissions: run.result.count,
      errors: run.result.errors,
      rps: round(run.result.count / (run.result.elapsedMs / 1000), 0),
      p50_ms: round(percentile(sorted, 50), 3),
      p99_ms: round(percentile(sorted, 99), 3),
    };
  } finally {
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
}
