// Small helpers the scenarios share: the ClusterIP of the app's Service, a rollout restart waited
// for as `kubectl rollout status` does, and the node every pod but the eviction scenario's is
// pinned to when there are two.
import type { ControlPlane } from '../../e2e/cluster.js';
import { APP } from '../harness.js';
import type { Cluster } from '../scenario.js';

export async function clusterIp(cp: ControlPlane, ns: string): Promise<string> {
  return (await cp.kubectl(['-n', ns, 'get', 'service', APP, '-o', 'jsonpath={.spec.clusterIP}'])).stdout.trim();
}

export async function rolloutRestart(cp: ControlPlane, ns: string, i: number, at: (what: string) => void): Promise<void> {
  at(`restart ${i}`);
  await cp.kubectl(['-n', ns, 'rollout', 'restart', `deployment/${APP}`]);
  await cp.kubectl(['-n', ns, 'rollout', 'status', `deployment/${APP}`, '--timeout=300s'], { timeoutMs: 320_000 });
  at(`rollout status ${i} done`);
}

/** The first node's name when there are two (pods stay where the load generator is), else none. */
export function pinned(c: Cluster): string | undefined {
  return c.nodes.length > 1 ? c.nodes[0].name : undefined;
}

/** The busybox app's behaviour, in words. */
export const BUSYBOX_APP = 'busybox httpd on :8080 started after `sleep 3`; exits at once on SIGTERM';
