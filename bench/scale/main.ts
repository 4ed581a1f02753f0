// `make bench-scale`: gracekeeper beside a cluster full of objects and beside an empty one, in one
// run. Two real control planes (etcd and kube-apiserver of test/e2e, no controller-manager: nothing
// here needs one); one is filled through its API server (SCALE_FILL, default Namespace=10000,Service=10000,Ingress=2000).
// Then rounds go to both, in turn (empty then full, full then empty, ...), each with a fresh
// `gracekeeper serve` (dist/cli.js on the image's Node.js or BENCH_NODE, as make bench, with the
// Deployment's NODE_OPTIONS, --kubeconfig to that cluster):
// the time from spawn to /readyz 200, its RSS then, AdmissionReviews of the small Pod for
// SCALE_SECONDS at SCALE_CONCURRENCY over kept-alive connections (bench/loadgen.ts), its RSS after.
// Writes bench/scale.json and the results block of docs/scale.md.
// The p99 comparison is the median of each round's full/empty ratio: the two runs of a round are
// back to back, so a busy machine slows both alike.
// Environment: SCALE_FILL (KIND=COUNT,..., kinds in bench/scale/fill.ts), SCALE_ROUNDS (6),
// SCALE_SECONDS (5), SCALE_WARMUP (1), SCALE_CONCURRENCY (16), SCALE_OUT (bench/scale.json; when
// set, docs/scale.md is left alone).
import { writeFile } from 'node:fs/promises';
import { cpus, release, totalmem } from 'node:os';
import { join } from 'node:path';
import { startControlPlane, type ControlPlane } from '../../test/e2e/cluster.js';
import { benchNode, nodeVersion } from '../node.js';
import { makeCertificate, REPO } from '../processes.js';
import { median, round } from '../stats.js';
import { fill, parseFill } from './fill.js';
import { measureOnce, type Measurement } from './measure.js';
import { updateDoc } from './report.js';

const env = process.env;
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const fillSpec = parseFill(env.SCALE_FILL || 'Namespace=10000,Service=10000,Ingress=2000,Pod=10000');
const rounds = num('SCALE_ROUNDS', 6);
const load = {
  concurrency: num('SCALE_CONCURRENCY', 16),
  warmupMs: num('SCALE_WARMUP', 1) * 1000,
  durationMs: num('SCALE_SECONDS', 5) * 1000,
};
const out = env.SCALE_OUT || join(REPO, 'bench/scale.json');
const log = (line: string) => process.stdout.write(`${line}\n`);
const started = performance.now();
const node = benchNode();

/**
 * The namespace the benchmark's Pod is admitted in, in both clusters: opted in, one annotation, and
 * what sends the Pod traffic: a Service selecting it behind an ALB Ingress with IP targets (a
 * 30 s deregistration delay), so every admission looks up its traffic path in the index.
 */
async function payloadNamespace(cp: ControlPlane): Promise<void> {
  const res = await cp.api('POST', '/api/v1/namespaces', {
    metadata: {
      name: 'shop',
      labels: { 'gracekeeper.io/inject': 'enabled' },
      annotations: { 'gracekeeper.io/drain-timeout': '20s' },
    },
  });
  if (res.status !== 201) throw new Error(`Namespace shop: ${res.status} ${res.text.slice(0, 200)}`);
  const objects: [string, Record<string, unknown>][] = [
    [
      '/api/v1/namespaces/shop/services',
      {
        metadata: { name: 'web' },
        spec: { clusterIP: 'None', selector: { app: 'web' }, ports: [{ name: 'http', port: 80, targetPort: 8080 }] },
      },
    ],
    [
      '/apis/networking.k8s.io/v1/namespaces/shop/ingresses',
      {
        metadata: {
          name: 'web',
          annotations: {
            'alb.ingress.kubernetes.io/target-type': 'ip',
            'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=30',
          },
        },
        spec: {
          ingressClassName: 'alb',
          rules: [
            { http: { paths: [{ path: '/', pathType: 'Prefix', backend: { service: { name: 'web', port: { number: 80 } } } }] } },
          ],
        },
      },
    ],
  ];
  for (const [path, body] of objects) {
    const created = await cp.api('POST', path, body);
    if (created.status !== 201) throw new Error(`${path}: ${created.status} ${created.text.slice(0, 200)}`);
  }
}

const clusters: Record<'empty' | 'full', ControlPlane | undefined> = { empty: undefined, full: undefined };
try {
  log('starting two control planes');
  const [empty, full] = await Promise.all([
    startControlPlane({ controllerManager: false }),
    startControlPlane({ controllerManager: false }),
  ]);
  clusters.empty = empty;
  clusters.full = full;
  await Promise.all([payloadNamespace(empty), payloadNamespace(full)]);
  log(`filling one: ${fillSpec.map(([k, n]) => `${n} ${k}`).join(', ')}`);
  const filled = await fill(full, fillSpec, 16, log);
  log(`filled: ${JSON.stringify(filled)}`);

  const dir = full.dir;
  const certificate = await makeCertificate(dir);
  const measurements: Measurement[] = [];
  const ratios: number[] = [];
  const offRatios: number[] = [];
  for (let r = 1; r <= rounds; r++) {
    // The full cluster twice: with outcomes (the default) and with --outcomes=off, for their cost.
    const order =
      r % 2 === 1 ? (['empty', 'full', 'full-outcomes-off'] as const) : (['full-outcomes-off', 'full', 'empty'] as const);
    for (const name of order) {
      const m = await measureOnce(
        node,
        name,
        clusters[name === 'empty' ? 'empty' : 'full'] as ControlPlane,
        certificate,
        load,
        join(dir, `gk-${name}-${r}.log`),
      );
      measurements.push({ ...m, round: r });
      log(
        `round ${r} ${name}: ready ${m.ready_ms} ms, outcomes listed ${m.outcomes_synced_ms} ms (${m.outcome_pods} pods), ${m.cached_namespaces} namespaces, ${m.cached_services} services, ${m.cached_ingresses} ingresses cached, RSS ${m.rss_mb_ready} MB ready, ` +
          `${m.rss_mb_peak} MB peak; ${m.admissions} admissions, p50 ${m.p50_ms} ms, p99 ${m.p99_ms} ms, ${m.errors} errors, ${m.path_decided} sized by the ALB path`,
      );
    }
    const ofRound = (c: Measurement['cluster']) => measurements.find((m) => m.round === r && m.cluster === c) as Measurement;
    ratios.push(round(ofRound('full').p99_ms / ofRound('empty').p99_ms, 2));
    offRatios.push(round(ofRound('full').p99_ms / ofRound('full-outcomes-off').p99_ms, 2));
  }

  const summary = (name: Measurement['cluster']) => {
    const ms = measurements.filter((m) => m.cluster === name);
    return {
      outcomes_synced_ms_median: median(ms.map((m) => m.outcomes_synced_ms)),
      ready_ms_median: median(ms.map((m) => m.ready_ms)),
      ready_ms_max: Math.max(...ms.map((m) => m.ready_ms)),
      rss_mb_ready_median: round(median(ms.map((m) => m.rss_mb_ready)), 1),
      rss_mb_peak_max: round(Math.max(...ms.map((m) => m.rss_mb_peak)), 1),
      p50_ms_median: round(median(ms.map((m) => m.p50_ms)), 3),
      p99_ms_median: round(median(ms.map((m) => m.p99_ms)), 3),
      rps_median: round(median(ms.map((m) => m.rps)), 0),
    };
  };
  const e = summary('empty');
  const f = summary('full');
  const off = summary('full-outcomes-off');
  const p99Ratio = round(median(ratios), 2);
  const results = {
    date: new Date().toISOString(),
    machine: {
      cpu: cpus()[0]?.model ?? 'unknown',
      cores: cpus().length,
      memory_gb: round(totalmem() / 2 ** 30, 1),
      node: nodeVersion(node),
      kernel: release(),
    },
    method: {
      fill: Object.fromEntries(fillSpec),
      fill_seconds: filled,
      rounds,
      order:
        'each round both clusters back to back (the full one with and without outcomes), empty first in odd rounds; a fresh gracekeeper process each',
      payload: 'pod (bench/payloads.ts), in Namespace shop, behind a Service and an ALB Ingress (IP targets)',
      ...load,
    },
    targets: { ready_ms: 10_000, rss_mb: 200, p99_ratio: 1.1 },
    empty: e,
    full: f,
    full_outcomes_off: off,
    p99_ratio_full_to_empty: p99Ratio,
    p99_ratio_outcomes_on_to_off: round(median(offRatios), 2),
    p99_ratios_on_to_off_by_round: offRatios,
    p99_ratios_by_round: ratios,
    met: {
      ready: f.ready_ms_max <= 10_000,
      rss: f.rss_mb_peak_max < 200,
      p99: p99Ratio <= 1.1,
    },
    measurements,
  };
  await writeFile(out, `${JSON.stringify(results, null, 1)}\n`);
  log(`empty: ${JSON.stringify(e)}`);
  log(`full:  ${JSON.stringify(f)}`);
  log(`full, --outcomes=off:  ${JSON.stringify(off)}`);
  log(`p99 full/empty ${p99Ratio}; targets met: ${JSON.stringify(results.met)}`);
  // Every filled Pod is in an opted-in namespace: outcomes must have seen each one.
  const pods = Object.fromEntries(fillSpec).Pod ?? 0;
  if (measurements.some((m) => m.cluster === 'full' && m.outcome_pods < pods)) {
    log(`ERROR: outcomes saw fewer than the ${pods} Pods of opted-in namespaces: docs/scale.md not updated`);
    process.exitCode = 1;
  } else if (measurements.some((m) => m.errors > 0 || m.path_decided < m.admissions)) {
    log('ERRORS in a run (or admissions not sized by their traffic path): docs/scale.md not updated');
    process.exitCode = 1;
  } else if (!env.SCALE_OUT) {
    await updateDoc(join(REPO, 'docs/scale.md'), results);
    log('docs/scale.md results updated');
  }
  log(`wrote ${out} in ${((performance.now() - started) / 1000).toFixed(0)} s`);
} finally {
  await Promise.all([clusters.empty?.stop(), clusters.full?.stop()]);
}
