// Kyverno's admission controller (cmd/kyverno, built by build-kyverno.sh) run out of cluster
// against the test control plane: --kubeconfig for the API, --serverIP for the address it writes
// into the webhook configurations it registers itself, and its own CA and serving certificate,
// which it makes and keeps in two Secrets of its namespace. Flags otherwise as its Helm chart's
// defaults set them. Started for each phase of the benchmark and stopped after it, with every
// webhook configuration it registered removed, so that one webhook is installed at a time.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import type { ControlPlane } from '../../test/e2e/cluster.js';
import { ProcessGroupSet, tail, type Component } from '../../test/e2e/procs.js';
import { freePorts, waitFor } from '../../test/e2e/util.js';
import { REPO } from './repo.js';

export const KYVERNO_NAMESPACE = 'kyverno';
const SERVICE = 'kyverno-svc';
const MANAGED = 'webhook.kyverno.io/managed-by=kyverno';

export function kyvernoDir(): string {
  const out = execFileSync('bash', [join(REPO, 'bench/peers/build-kyverno.sh'), '--print-dir'], { encoding: 'utf8' });
  const dir = /^KYVERNO_DIR=(.*)$/m.exec(out)?.[1];
  if (!dir) throw new Error(`unexpected output of build-kyverno.sh: ${out}`);
  return dir;
}

/** CRDs (from the release), namespace, ConfigMaps and the policy: once per control plane. */
export async function installKyverno(cp: ControlPlane, dir: string): Promise<void> {
  // Server-side: some of the CRDs are too large for the last-applied annotation.
  await cp.kubectl(['apply', '--server-side', '-R', '-f', join(dir, 'crds')], { timeoutMs: 180_000 });
  await waitFor(
    'the CRDs to be established',
    120_000,
    () => [],
    async () => {
      const { items } = JSON.parse((await cp.kubectl(['get', 'crd', '-o', 'json'])).stdout) as {
        items: { status?: { conditions?: { type: string; status: string }[] } }[];
      };
      return items.every((c) => c.status?.conditions?.some((x) => x.type === 'Established' && x.status === 'True'));
    },
  );
  await cp.kubectl(['apply', '-f', join(REPO, 'bench/peers/kyverno-install.yaml')]);
  await cp.kubectl(['apply', '-f', join(REPO, 'bench/peers/kyverno-policy.yaml')]);
}

export interface Kyverno {
  component: Component;
  pid: number;
  stop(): Promise<void>;
}

/** Starts the admission controller; resolves once its webhook configurations exist. */
export async function startKyverno(cp: ControlPlane, dir: string, logDir: string): Promise<Kyverno> {
  const [webhookPort, metricsPort, runtimeMetricsPort, profilePort] = await freePorts(4);
  const procs = new ProcessGroupSet(logDir, true);
  const component = procs.start(
    'kyverno',
    join(dir, 'kyverno'),
    [
      `--kubeconfig=${cp.kubeconfigPath}`,
      `--serverIP=127.0.0.1:${webhookPort}`,
      '--webhookServerHost=127.0.0.1',
      `--webhookServerPort=${webhookPort}`,
      `--caSecretName=${SERVICE}.${KYVERNO_NAMESPACE}.svc.kyverno-tls-ca`,
      `--tlsSecretName=${SERVICE}.${KYVERNO_NAMESPACE}.svc.kyverno-tls-pair`,
      '--tlsKeyAlgorithm=RSA',
      '--servicePort=443',
      '--resyncPeriod=15m',
      '--crdWatcher=false',
      '--disableMetrics=false',
      '--otelConfig=prometheus',
      '--metricsHost=127.0.0.1',
      `--metricsPort=${metricsPort}`,
      `--controllerRuntimeMetricsAddress=127.0.0.1:${runtimeMetricsPort}`,
      `--profilePort=${profilePort}`,
      '--admissionReports=true',
      '--maxAdmissionReports=1000',
      '--autoUpdateWebhooks=true',
      '--enableConfigMapCaching=true',
      '--enableDeferredLoading=true',
      '--dumpPayload=false',
      '--forceFailurePolicyIgnore=false',
      '--generateValidatingAdmissionPolicy=true',
      '--generateMutatingAdmissionPolicy=false',
      '--dumpPatches=false',
      '--maxAPICallResponseLength=2000000',
      '--apiCallTimeout=30s',
      '--maxGlobalContextEntries=0',
      '--loggingFormat=text',
      '--v=2',
      '--omitEvents=PolicyApplied,PolicySkipped',
      '--enablePolicyException=false',
      '--protectManagedResources=false',
      '--allowInsecureRegistry=false',
      '--registryCredentialHelpers=default,google,amazon,azure,github',
      '--enableReporting=validate,mutate,mutateExisting,imageVerify,generate',
    ],
    {
      ...process.env,
      KYVERNO_NAMESPACE,
      KYVERNO_SERVICEACCOUNT_NAME: 'kyverno-admission-controller',
      KYVERNO_ROLE_NAME: 'kyverno:admission-controller',
      INIT_CONFIG: 'kyverno',
      METRICS_CONFIG: 'kyverno-metrics',
      KYVERNO_POD_NAME: 'kyverno-admission-controller-bench',
      KYVERNO_DEPLOYMENT: 'kyverno-admission-controller',
      KYVERNO_SVC: SERVICE,
    },
  );
  const stop = async (): Promise<void> => {
    await procs.stop(15_000);
    await removeRegistrations(cp);
  };
  try {
    await waitFor(
      'Kyverno to register its mutating webhook for Pods',
      240_000,
      () => [component],
      async () => {
        const r = await cp.kubectl(['get', 'mutatingwebhookconfigurations', '-l', MANAGED, '-o', 'json'], { allowFailure: true });
        if (r.code !== 0) return false;
        const list = JSON.parse(r.stdout) as { items: { webhooks?: { rules?: { resources?: string[] }[] }[] }[] };
        return list.items.some((c) => (c.webhooks ?? []).some((w) => (w.rules ?? []).some((r) => r.resources?.includes('pods'))));
      },
    );
  } catch (err) {
    const log = tail(component.logPath, 60);
    await stop();
    throw new Error(`${(err as Error).message}\n--- kyverno log, last lines:\n${log}`, { cause: err });
  }
  return { component, pid: component.pid, stop };
}

/**
 * Everything a stopped Kyverno leaves registered: its webhook configurations (it does not remove
 * them on exit) and its leases (so that the next start need not wait for them to expire).
 */
export async function removeRegistrations(cp: ControlPlane): Promise<void> {
  for (const kind of ['mutatingwebhookconfigurations', 'validatingwebhookconfigurations']) {
    await cp.kubectl(['delete', kind, '-l', MANAGED, '--ignore-not-found', '--wait=true']);
  }
  await cp.kubectl(['delete', 'leases', '--all', '-n', KYVERNO_NAMESPACE, '--ignore-not-found']);
}
