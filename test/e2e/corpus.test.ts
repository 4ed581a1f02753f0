// The corpus of real-world shapes (test/corpus/) on a real API server. For each case, in its own
// opted-in Namespace: its other objects (Services) are created; every document of the mutated
// output is accepted by a dryRun=All CREATE (the real API server's validation of what gracekeeper
// wrote); and each Pod or workload of the input, created with dryRun=All through the webhook,
// comes back with what `gracekeeper mutate` wrote: the same record, hooks, probes and grace period.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { KUBECTL_YAML } from '../../src/cli/documents.js';
import { findKindRule } from '../../src/engine/kinds.js';
import { gvkOf } from '../../src/kube/gvk.js';
import { CORPUS, goldenCases } from '../golden/cases.js';
import { e2eSkipReason } from './ensure-binaries.js';
import type { Gracekeeper } from './gracekeeper.js';
import { eventually, RECORD, type Obj } from './kube.js';
import { startWebhookEnv, type WebhookEnv } from './setup.js';

const skip = e2eSkipReason();
const cases = goldenCases(CORPUS);

const PLURAL: Record<string, string> = {
  Pod: 'pods',
  Service: 'services',
  Deployment: 'deployments',
  StatefulSet: 'statefulsets',
  DaemonSet: 'daemonsets',
  ReplicaSet: 'replicasets',
  Job: 'jobs',
  CronJob: 'cronjobs',
};

function documents(file: string, namespace: string): Obj[] {
  // Read as kubectl reads YAML (1.1 scalars: 0400 is octal, yes/on are booleans), as mutate does.
  return parseAllDocuments(readFileSync(file, 'utf8'), KUBECTL_YAML)
    .map((d) => d.toJS() as Obj)
    .filter((d) => d !== null)
    .map((d) => (CLUSTER_SCOPED.has(d.kind as string) ? d : { ...d, metadata: { ...d.metadata, namespace } }));
}

/** Kinds an install may hold that live outside Namespaces (they keep no namespace). */
const CLUSTER_SCOPED = new Set([
  'Namespace',
  'ClusterRole',
  'ClusterRoleBinding',
  'CustomResourceDefinition',
  'MutatingWebhookConfiguration',
  'ValidatingWebhookConfiguration',
  'PriorityClass',
  'StorageClass',
  'IngressClass',
]);

function collection(doc: Obj, namespace: string): string {
  const plural = PLURAL[doc.kind as string];
  if (!plural) throw new Error(`the corpus test knows no path for kind ${String(doc.kind)}`);
  const base = (doc.apiVersion as string).includes('/') ? `/apis/${doc.apiVersion}` : `/api/${doc.apiVersion}`;
  return `${base}/namespaces/${namespace}/${plural}`;
}

/** The pod template of a Pod or workload, by the engine's own table. */
function templateOf(doc: Obj): Obj {
  const gvk = gvkOf(doc);
  const rule = gvk && findKindRule(gvk);
  if (!rule) throw new Error(`no pod template in ${String(doc.kind)}`);
  return rule.templatePath.reduce((o: Obj, k) => o?.[k], doc);
}

/** What gracekeeper writes, and nothing the API server adds (service account volumes, defaults elsewhere). */
function written(doc: Obj): Obj {
  const t = templateOf(doc);
  const containers = [...(t.spec.initContainers ?? []), ...t.spec.containers].map((c: Obj) => ({
    name: c.name,
    lifecycle: c.lifecycle,
    readinessProbe: c.readinessProbe,
    startupProbe: c.startupProbe,
  }));
  const record = JSON.parse((t.metadata?.annotations?.[RECORD] as string | undefined) ?? 'null') as Obj | null;
  return {
    record,
    containers,
    terminationGracePeriodSeconds: t.spec.terminationGracePeriodSeconds,
    os: t.spec.os,
    minReadySeconds: doc.spec?.minReadySeconds,
  };
}

describe('the corpus on a real API server', { skip: skip ?? false }, () => {
  let env: WebhookEnv;
  let gk: Gracekeeper;

  before(
    async () => {
      env = await startWebhookEnv();
      gk = await env.start('corpus');
      await env.use(gk);
    },
    { timeout: 60 * 60_000 },
  );
  after(() => env?.stop());

  for (const [i, c] of cases.entries()) {
    it(`corpus/${c.name}`, { timeout: 120_000 }, async () => {
      const ns = await env.kube.namespace(`corpus-${i}`);
      const inputs = documents(c.inputFile, ns);
      const outputs = documents(c.outFile, ns);
      assert.equal(outputs.length, inputs.length, 'one output document per input document');
      // The objects gracekeeper reads but never mutates are created for real: its informers see them.
      // The objects gracekeeper never mutates (Services, ConfigMaps, RBAC, ...) are created for real,
      // as mutate wrote them (the API server accepts them), and its informers see the Services.
      const isOther = (d: Obj) => !findKindRule(gvkOf(d) ?? { group: '', version: '', kind: '' });
      const others = new Set([...inputs.keys()].filter((j) => isOther(inputs[j])));
      if (others.size > 0) await env.kube.apply(outputs.filter((_, j) => others.has(j)));
      // The mutated output: the API server accepts every object of it (and defaults it, as it
      // defaults the input below: what is compared is what both became).
      const accepted = new Map<number, Obj>();
      for (const [j, doc] of outputs.entries()) {
        if (others.has(j)) continue;
        const res = await env.cp.api<Obj>('POST', `${collection(doc, ns)}?dryRun=All`, doc);
        assert.equal(res.status, 201, `${doc.kind}/${doc.metadata.name}: ${res.text.slice(0, 400)}`);
        accepted.set(j, res.body);
      }
      // The webhook on the real API server gives what mutate gave (not for a case sized for another
      // API server version: this one is newer).
      if (c.args.includes('--kube-version')) return;
      for (const [j, doc] of inputs.entries()) {
        if (others.has(j)) continue;
        const want = written(accepted.get(j) as Obj);
        // Until the informers hold the case's Services, the webhook may still answer without them.
        await eventually(
          `${c.name}: ${doc.kind}/${doc.metadata.name} through the webhook as mutate wrote it`,
          async () => {
            const res = await env.cp.api<Obj>('POST', `${collection(doc, ns)}?dryRun=All`, doc);
            assert.equal(res.status, 201, `${doc.kind}/${doc.metadata.name}: ${res.text.slice(0, 400)}`);
            assert.deepEqual(written(res.body), want);
            return true;
          },
          { timeoutMs: 20_000, components: [...env.cp.components, gk.component] },
        );
      }
    });
  }
});
