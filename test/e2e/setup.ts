// The setting of most e2e scenarios: a real control plane with deploy/ applied as `kubectl apply -k`
// would (everything but the webhook configuration), gracekeeper running as deploy/'s
// ServiceAccount with exactly its RBAC, and the shipped MutatingWebhookConfiguration pointed at it.
import { parse, stringify } from 'yaml';
import { startControlPlane, type ControlPlane, type ControlPlaneOptions } from './cluster.js';
import {
  pointWebhookAt,
  renderDeploy,
  serviceAccountKubeconfig,
  shippedConfig,
  shippedServiceAccount,
  startGracekeeper,
  type Gracekeeper,
  type Manifest,
} from './gracekeeper.js';
import { eventually, Kube, recordOf, type Obj } from './kube.js';
import { pod } from './manifests.js';

export interface WebhookEnv {
  cp: ControlPlane;
  kube: Kube;
  docs: Manifest[];
  ownNamespace: string;
  /** Another gracekeeper as deploy/'s ServiceAccount, its settings the shipped ones with `settings` over them. */
  start(name: string, settings?: Record<string, unknown>, port?: number, args?: string[]): Promise<Gracekeeper>;
  /** Points the webhook at `gk` and waits until the API server's admissions reach it. */
  use(gk: Gracekeeper): Promise<void>;
  /** Whether a dry-run Pod CREATE in `ns` comes back with gracekeeper's record. */
  mutatesPods(ns: string): Promise<boolean>;
  stop(): Promise<void>;
}

export async function startWebhookEnv(options: ControlPlaneOptions = {}): Promise<WebhookEnv> {
  const cp = await startControlPlane(options);
  const servers: Gracekeeper[] = [];
  try {
    const kube = new Kube(cp);
    const docs = await renderDeploy(cp);
    await kube.apply(docs.filter((d) => d.kind !== 'MutatingWebhookConfiguration'));
    const sa = shippedServiceAccount(docs);
    const kubeconfigPath = await serviceAccountKubeconfig(cp, sa.namespace, sa.name);
    const shipped = (parse(shippedConfig(docs) ?? '') ?? {}) as Obj;
    const probeNs = await kube.namespace('e2e-probe');
    const env: WebhookEnv = {
      cp,
      kube,
      docs,
      ownNamespace: sa.namespace,
      async start(name, settings = {}, port, args = []) {
        const gk = await startGracekeeper({
          cp,
          name,
          port,
          kubeconfigPath,
          config: stringify({ ...shipped, ...settings }),
          args: [`--namespace=${sa.namespace}`, ...args],
        });
        servers.push(gk);
        return gk;
      },
      async use(gk) {
        await kube.apply(pointWebhookAt(docs, gk.url, gk.caPem));
        const before = gk.logLines().length;
        await eventually(
          `admissions to reach ${gk.url}`,
          async () => ((await env.mutatesPods(probeNs)) && gk.logLines().length > before) || undefined,
          { components: [...cp.components, gk.component] },
        );
      },
      async mutatesPods(ns) {
        const res = await cp.api<Obj>('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, pod('probe', ns));
        if (res.status !== 201) throw new Error(`dry-run Pod: ${res.status} ${res.text.slice(0, 300)}`);
        return recordOf(res.body.metadata) !== undefined;
      },
      async stop() {
        for (const s of servers) await s.stop();
        await cp.stop();
      },
    };
    return env;
  } catch (err) {
    for (const s of servers) await s.stop();
    await cp.stop();
    throw err;
  }
}
