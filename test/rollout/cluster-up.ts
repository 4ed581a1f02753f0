// The proofs' cluster (make rollout-proof, make outcomes-proof): the real nodes of node.ts joined to
// a control plane of test/e2e/cluster.ts, and gracekeeper installed from deploy/ as the e2e suite
// does, serving on loopback.
import { parse } from 'yaml';
import { join } from 'node:path';
import type { ControlPlane } from '../e2e/cluster.js';
import {
  pointWebhookAt,
  renderDeploy,
  serviceAccountKubeconfig,
  shippedConfig,
  shippedServiceAccount,
  startGracekeeper,
  type Gracekeeper,
} from '../e2e/gracekeeper.js';
import { buildImages, startNode, type Node } from './node.js';
import { linkNodes } from './node-link.js';

export interface NodesOptions {
  /** One node, or two linked (the eviction scenario). */
  nodes: 1 | 2;
  /** kube-proxy's iptables.minSyncPeriod. */
  minSyncPeriod: string;
  /** Keep the nodes' directories (logs, configs) after stop(). */
  keep: boolean;
}

/** gracekeeper, installed from deploy/ as the e2e suite does (minus its own Deployment, whose
 * image does not exist here): Namespace, RBAC, ConfigMap; then the server on loopback as deploy/'s
 * ServiceAccount with the shipped settings; then the webhook configuration. */
export async function installGracekeeper(
  cp: ControlPlane,
  log: (m: string) => void,
  args: string[] = [],
): Promise<{ gk: Gracekeeper; defaults: Record<string, string> }> {
  const docs = await renderDeploy(cp);
  const skipKinds = new Set(['MutatingWebhookConfiguration', 'Deployment', 'Service', 'PodDisruptionBudget']);
  await cp.kubectl(['apply', '-f', '-'], {
    input: JSON.stringify({ apiVersion: 'v1', kind: 'List', items: docs.filter((d) => !skipKinds.has(d.kind ?? '')) }),
  });
  const sa = shippedServiceAccount(docs);
  const gk = await startGracekeeper({
    cp,
    name: 'gracekeeper',
    config: shippedConfig(docs),
    args: [`--namespace=${sa.namespace}`, ...args],
    kubeconfigPath: await serviceAccountKubeconfig(cp, sa.namespace, sa.name),
  });
  await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(pointWebhookAt(docs, gk.url, gk.caPem)) });
  log(`gracekeeper serving on ${gk.url}, webhook installed`);
  const settings = parse(shippedConfig(docs) ?? '') as { defaults?: Record<string, unknown> } | null;
  const defaults = Object.fromEntries(Object.entries(settings?.defaults ?? {}).map(([k, v]) => [k, String(v)]));
  return { gk, defaults };
}

export async function startNodes(cp: ControlPlane, o: NodesOptions, workDir: string, log: (m: string) => void): Promise<Node[]> {
  const imagesDir = join(workDir, 'images');
  await buildImages(imagesDir);
  const common = { iptablesMinSyncPeriod: o.minSyncPeriod, keepDir: o.keep, log, imagesDir };
  const first = startNode(cp, common);
  const second =
    o.nodes === 2
      ? startNode(cp, { ...common, name: 'gk-node-2', ip: '10.254.0.3', podCidr: '10.88.128.0/17', scheduler: false })
      : undefined;
  const nodes = await Promise.allSettled([first, ...(second ? [second] : [])]);
  const up = nodes.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
  const failed = nodes.find((r) => r.status === 'rejected');
  if (failed) {
    await Promise.all(up.map((n) => n.stop().catch(() => {})));
    throw failed.reason;
  }
  if (up.length === 2) {
    await linkNodes(up[0], up[1]);
    log(`${up[0].name} and ${up[1].name} linked`);
  }
  return up;
}
