// The cluster `gracekeeper audit` is tested on: every kind gracekeeper admits, in a namespace
// opted in (created through the webhook) and one not, a Service whose load balancer sizes the
// sleep, and the command run as a user bound to deploy/audit/rbac.yaml's ClusterRole only.
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseAllDocuments } from 'yaml';
import { REPO_ROOT, serviceAccountKubeconfig } from './gracekeeper.js';
import type { Kube, Obj } from './kube.js';
import { app, deployment, meta, pod, template, type WorkloadOptions } from './manifests.js';

export const CLI = join(REPO_ROOT, 'dist/cli.js');

/** Every kind gracekeeper admits, each named after its kind, with a bare Pod. */
export function everyKind(ns: string, o: WorkloadOptions = {}): Obj[] {
  const labelled = (name: string) => ({ selector: { matchLabels: { app: name } }, template: template(name, o) });
  return [
    deployment('deployment', ns, o),
    {
      apiVersion: 'apps/v1',
      kind: 'StatefulSet',
      metadata: meta('statefulset', ns, o),
      spec: { serviceName: 'statefulset', ...labelled('statefulset') },
    },
    // Its governing Service, not headless: the StatefulSet gets a readiness probe like the others.
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'statefulset', namespace: ns },
      spec: { selector: { app: 'statefulset' }, ports: [{ port: 80, targetPort: 'http' }] },
    },
    { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: meta('daemonset', ns, o), spec: labelled('daemonset') },
    {
      apiVersion: 'apps/v1',
      kind: 'ReplicaSet',
      metadata: meta('replicaset', ns, o),
      spec: { replicas: 1, ...labelled('replicaset') },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'Job',
      metadata: meta('job', ns, o),
      spec: { template: template('job', { ...o, spec: { restartPolicy: 'Never' } }) },
    },
    {
      apiVersion: 'batch/v1',
      kind: 'CronJob',
      metadata: meta('cronjob', ns, o),
      spec: {
        schedule: '0 0 1 1 *',
        suspend: true,
        jobTemplate: { spec: { template: template('cronjob', { ...o, spec: { restartPolicy: 'Never' } }) } },
      },
    },
    pod('pod', ns, o),
  ];
}

/** A Service in front of the Deployment: an NLB with instance targets, health check 5 s x 3 = 15 s, + propagationDelay 5 s. */
export function nlbService(ns: string, selects: string): Obj {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: {
      name: selects,
      namespace: ns,
      annotations: {
        'service.beta.kubernetes.io/aws-load-balancer-type': 'external',
        'service.beta.kubernetes.io/aws-load-balancer-healthcheck-interval': '5',
      },
    },
    spec: {
      selector: { app: selects },
      ports: [{ port: 80, targetPort: 8080 }],
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
    },
  };
}

/** A Deployment as `gracekeeper mutate` prints it (for an opted-in namespace), to apply with no webhook. */
export function mutatedOffline(object: Obj): Obj {
  const r = spawnSync(process.execPath, [CLI, 'mutate', '-f', '-', '-o', 'json'], {
    input: JSON.stringify(object),
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`gracekeeper mutate: ${r.status} ${r.stderr}`);
  return JSON.parse(r.stdout) as Obj;
}

export function auditRole(): Obj {
  const docs = parseAllDocuments(readFileSync(join(REPO_ROOT, 'deploy/audit/rbac.yaml'), 'utf8')).map((d) => d.toJS() as Obj);
  const role = docs.find((d) => d.kind === 'ClusterRole');
  if (!role) throw new Error('deploy/audit/rbac.yaml holds no ClusterRole');
  return role;
}

/** A kubeconfig of a service account with no permissions until `bind()` binds the audit ClusterRole to it. */
export async function auditor(kube: Kube): Promise<{ kubeconfig: string; bind(): Promise<void> }> {
  const kubeconfig = await serviceAccountKubeconfig(kube.cp, 'default', 'auditor');
  return {
    kubeconfig,
    async bind() {
      const role = auditRole();
      await kube.apply([
        role,
        {
          apiVersion: 'rbac.authorization.k8s.io/v1',
          kind: 'ClusterRoleBinding',
          metadata: { name: 'gracekeeper-audit' },
          roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: role.metadata.name },
          subjects: [{ kind: 'ServiceAccount', name: 'auditor', namespace: 'default' }],
        },
      ]);
    },
  };
}

export interface Run {
  status: number | null;
  stdout: string;
  stderr: string;
}

/** `gracekeeper audit ARGS` with the given kubeconfig. */
export function audit(kubeconfig: string, args: string[]): Run {
  const r = spawnSync(process.execPath, [CLI, 'audit', '--kubeconfig', kubeconfig, ...args], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

export { app };
