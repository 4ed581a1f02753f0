// A slow external path: the app behind a `type: LoadBalancer` Service whose annotations
// (slow-path-annotations.ts) give a cloud load balancer's deregistration delay D, and in front of
// it an emulated load balancer (lb.ts) on the first node that routes to pod addresses and learns
// of a pod's end D seconds late. Load goes to the load balancer's address; the disruption is one
// `kubectl rollout restart`, and the load goes on for D + 4 s once the old pods are gone, for the
// load balancer to have caught up. Arms: without gracekeeper, its defaults, and
// `gracekeeper.io/pre-stop-sleep: auto` on the Deployment (run only where gracekeeper accepts
// that value: a server-side dry run of the Deployment says so).
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { APP, REPO, appManifests, deployApp, type AppSpec } from '../harness.js';
import type { Arm, Cluster, Scenario, ScenarioConditions, ScenarioOptions } from '../scenario.js';
import { BUSYBOX_APP, pinned, rolloutRestart } from './common.js';
import { LB_EXTERNAL_TRAFFIC_POLICY, lbAnnotationsFor } from './slow-path-annotations.js';

const here = dirname(fileURLToPath(import.meta.url));
/** The load balancer's address, on the first node's loopback; one port per arm. */
export const LB_IP = '10.254.9.1';
const LB_PORT: Record<Arm, number> = { without: 8001, with: 8002, auto: 8003 };
const AUTO = { 'gracekeeper.io/pre-stop-sleep': 'auto' };

function spec(c: Cluster, arm: Arm, ns: string): AppSpec {
  return {
    namespace: ns,
    replicas: 3,
    nodeName: pinned(c),
    service: {
      type: 'LoadBalancer',
      annotations: { ...lbAnnotationsFor(c.o.lbDelayS) },
      externalTrafficPolicy: LB_EXTERNAL_TRAFFIC_POLICY,
    },
    ...(arm === 'auto' ? { deploymentAnnotations: AUTO } : {}),
  };
}

/** Why the `auto` arm does not run: the `with` arm is it already, or gracekeeper would not take
 * its Deployment; undefined when it runs. */
async function autoRefused(c: Cluster, ns: string): Promise<string | undefined> {
  if (c.withSettings['pre-stop-sleep'] === 'auto')
    return "the `with` arm is this arm: gracekeeper's settings already say `pre-stop-sleep: auto`";
  const list = appManifests(spec(c, 'auto', ns)) as { items: { kind: string }[] };
  const deployment = list.items.find((i) => i.kind === 'Deployment');
  const r = await c.cp.kubectl(['apply', '--dry-run=server', '-f', '-'], {
    input: JSON.stringify(deployment),
    allowFailure: true,
  });
  if (r.code === 0) return undefined;
  const why = /denied the request: (.*)/.exec(r.stderr)?.[1] ?? r.stderr.trim().split('\n')[0];
  return `pending: gracekeeper does not accept \`pre-stop-sleep: auto\` yet (a server-side dry run of the Deployment was denied: ${why})`;
}

/**
 * The Service first, until gracekeeper's informer holds it, then the rest: as in a cluster where
 * the Service was there before the rollout. Applied in the same instant as its Deployment, a
 * Service can reach gracekeeper after the first Pods' admission (docs/traffic-paths.md, "Limits").
 */
async function serviceSeen(c: Cluster, app: AppSpec): Promise<void> {
  const list = appManifests(app) as { items: { kind: string }[] };
  const service = list.items.find((i) => i.kind === 'Service');
  const before = await c.trafficObjects('services');
  await c.cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(service) });
  const deadline = Date.now() + 30_000;
  while ((await c.trafficObjects('services')) <= before) {
    if (Date.now() > deadline) throw new Error(`gracekeeper did not see the Service of ${app.namespace} within 30 s`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

interface LbLine {
  t: number;
  event: string;
  target?: string;
  connections?: number;
  toDraining?: number;
}

/** What the load balancer saw over [from, to]: new connections, those sent to targets already
 * seen not ready, and its target changes (t from `from`). A `tick` counts since the one before. */
export function lbWindow(lines: LbLine[], from: number, to: number, pollMs = 500): Record<string, unknown> {
  let connections = 0;
  let toDraining = 0;
  const targets: { t: number; event: string; target: string }[] = [];
  for (const l of lines) {
    if (l.event === 'tick' && l.t > from && l.t <= to + pollMs) {
      connections += l.connections ?? 0;
      toDraining += l.toDraining ?? 0;
    } else if (l.target && l.t >= from && l.t <= to) {
      targets.push({ t: l.t - from, event: l.event, target: l.target });
    }
  }
  return { connections, toDraining, targets };
}

function describe(o: ScenarioOptions, annotations: Readonly<Record<string, string>>): ScenarioConditions {
  const D = o.lbDelayS;
  return {
    disruption: '1 `kubectl rollout restart`, waited for with `kubectl rollout status`',
    app: `${BUSYBOX_APP}; 3 replicas; RollingUpdate maxSurge 25% maxUnavailable 25%`,
    path:
      `an EMULATED cloud load balancer (test/rollout/lb.ts): a layer-4 balancer in the node's network namespace (a nat chain ` +
      `sending each new connection for its address to a pod IP at random, not through kube-proxy), its targets learned ` +
      `from the EndpointSlices of a \`type: LoadBalancer\` Service (polled every 0.5 s): a pod is routed from the first poll ` +
      `that shows it ready, and still routed for D = ${D} s after the first that shows it not ready or gone; D from the ` +
      `Service's annotations ${JSON.stringify(annotations)} (interval x unhealthy threshold); ` +
      `externalTrafficPolicy ${LB_EXTERNAL_TRAFFIC_POLICY}`,
    load: `${o.rate} req/s from the node to the load balancer, a new TCP connection per request, ${o.timeoutMs / 1000} s timeout`,
    deregistrationDelayS: D,
    serviceAnnotations: annotations,
    externalTrafficPolicy: LB_EXTERNAL_TRAFFIC_POLICY,
    autoArm: `the Deployment annotated ${JSON.stringify(AUTO)}`,
  };
}

export const slowPath: Scenario = {
  name: 'slow-path',
  arms: ['without', 'with', 'auto'],
  replicas: () => 3,
  tailMs: (o) => o.lbDelayS * 1000 + 4000,
  describe: (o) => describe(o, lbAnnotationsFor(o.lbDelayS)),
  async setup(c, arm, ns) {
    if (arm === 'auto') {
      const why = await autoRefused(c, ns);
      if (why) return why;
    }
    if (arm !== 'without') await serviceSeen(c, spec(c, arm, ns));
    const podSpec = await deployApp(c.cp, arm, spec(c, arm, ns));
    const node = c.nodes[0];
    await node.execInNetns(['sh', '-c', `ip addr show dev lo | grep -q ' ${LB_IP}/' || ip addr add ${LB_IP}/32 dev lo`]);
    const eventsFile = join(c.workDir, `lb-${ns}.jsonl`);
    const argv = node.inNode([
      process.execPath,
      '--import',
      'tsx',
      join(here, '..', 'lb.ts'),
      `--server=${c.cp.server}`,
      `--ca=${c.cp.pki.ca.certPath}`,
      `--cert=${c.cp.pki.admin.certPath}`,
      `--key=${c.cp.pki.admin.keyPath}`,
      `--namespace=${ns}`,
      `--service=${APP}`,
      `--vip=${LB_IP}:${LB_PORT[arm]}`,
      `--chain=GK-LB-${arm.toUpperCase()}`,
      `--events=${eventsFile}`,
    ]);
    const child = spawn(argv[0], argv.slice(1), { cwd: REPO, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    await new Promise<void>((resolve, reject) => {
      child.stderr.setEncoding('utf8').on('data', (d: string) => {
        stderr += d;
        if (stderr.includes('lb: listening')) resolve();
      });
      child.on('exit', (code) => reject(new Error(`lb exited (${code}): ${stderr}`)));
    });
    c.log(`${ns}: ${stderr.trim().split('\n')[0]}`);
    return {
      loadArgs: [`--url=http://${LB_IP}:${LB_PORT[arm]}/`],
      // The load balancer's connections are tracked like a ClusterIP's: no run inherits another's.
      conntrackIp: LB_IP,
      podSpec,
      collect: (from, to) =>
        lbWindow(
          readFileSync(eventsFile, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((l) => JSON.parse(l) as LbLine),
          from,
          to,
        ),
      stop: async () => {
        child.kill('SIGTERM');
        await new Promise((r) => (child.exitCode === null ? child.once('exit', r) : r(undefined)));
      },
    };
  },
  async disrupt(c, _arm, ns, _run, at) {
    await rolloutRestart(c.cp, ns, 1, at);
  },
};
