// `helm install`, `helm upgrade` and `helm uninstall` of deploy/helm/gracekeeper on the real API
// server of the e2e suite (etcd, kube-apiserver, kube-controller-manager; no kubelet, so the Pods
// stay Pending, which is all an install needs). Checks what only an API server can: every object
// is accepted and the Pods pass the namespace's restricted Pod Security; the generated
// certificate survives an upgrade and is renewed when due; and an uninstall deletes the webhook
// configuration before anything else (seen in the API server's watch events) and leaves nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from './cluster.js';
import { e2eSkipReason } from './ensure-binaries.js';
import { eventually, type Obj } from './kube.js';
import { currentResourceVersion, watchAll } from './watch.js';
import { CHART, HELM, helmSkip } from '../helm/chart.js';
import { runTool } from '../tools/ensure-tool.js';

const skip = e2eSkipReason() ?? helmSkip;
const NS = 'gracekeeper';
const RELEASE = 'gracekeeper';

describe('helm install, upgrade and uninstall on a real API server', { skip }, () => {
  let cp: ControlPlane;
  let home: string;
  const helm = (args: string[]) =>
    runTool(HELM, [...args, '--kubeconfig', cp.kubeconfigPath], {
      env: { HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') },
    });
  const get = async (args: string[]): Promise<Obj> =>
    JSON.parse((await cp.kubectl(['get', ...args, '-o', 'json'])).stdout) as Obj;
  const secret = () => get(['-n', NS, 'secret', 'gracekeeper-tls']);
  const caBundle = async () =>
    (await get(['mutatingwebhookconfiguration', 'gracekeeper'])).webhooks[0].clientConfig.caBundle as string;

  before(
    async () => {
      home = mkdtempSync(join(tmpdir(), 'gk-helm-home-'));
      cp = await startControlPlane();
    },
    { timeout: 60 * 60_000 },
  );
  after(async () => {
    await cp?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it(
    'installs: every object stored, the namespace restricted, the Pods admitted by Pod Security',
    { timeout: 180_000 },
    async () => {
      // As docs/helm.md says: Helm stores the release in its namespace before it creates anything, so
      // the namespace is created first, and the release adopts it (and labels it) with --take-ownership.
      await cp.kubectl(['create', 'namespace', NS]);
      const r = helm(['install', RELEASE, CHART, '--namespace', NS, '--take-ownership']);
      assert.match(r.stdout, /STATUS: deployed/);
      const status = JSON.parse(helm(['status', RELEASE, '-n', NS, '-o', 'json']).stdout) as Obj;
      assert.equal(status.info.status, 'deployed');
      for (const object of [
        'namespace/gracekeeper',
        'priorityclass/gracekeeper',
        'clusterrole/gracekeeper',
        'clusterrolebinding/gracekeeper',
        'mutatingwebhookconfiguration/gracekeeper',
      ]) {
        await get([object]);
      }
      for (const object of [
        'serviceaccount',
        'configmap/gracekeeper-config',
        'secret/gracekeeper-tls',
        'deployment',
        'service',
        'pdb',
      ]) {
        await get(['-n', NS, object.includes('/') ? object : `${object}/gracekeeper`]);
      }
      const ns = await get(['namespace', NS]);
      assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
      assert.equal(ns.metadata.annotations['meta.helm.sh/release-name'], RELEASE, 'the release adopted the namespace');
      const deployment = await get(['-n', NS, 'deployment', 'gracekeeper']);
      const tls = (deployment.spec.template.spec.volumes as Obj[]).find((v) => v.name === 'tls');
      assert.equal(tls?.secret.defaultMode, 0o440, 'defaultMode 0440 read as octal');
      // The ReplicaSet controller made both Pods: the restricted level admitted them.
      await eventually(
        'two Pending gracekeeper Pods',
        async () => {
          const pods = (await get(['-n', NS, 'pods'])).items as Obj[];
          return pods.length === 2 ? pods : undefined;
        },
        { timeoutMs: 60_000, components: cp.components },
      );
      assert.equal(await caBundle(), (await secret()).data['ca.crt']);
    },
  );

  it('upgrades: new settings applied, the generated certificate kept', { timeout: 180_000 }, async () => {
    const before = await secret();
    const r = helm(['upgrade', RELEASE, CHART, '-n', NS, '--reuse-values', '--set', 'settings.defaults.pre-stop-sleep=7s']);
    assert.match(r.stdout, /REVISION: 2/);
    const config = await get(['-n', NS, 'configmap', 'gracekeeper-config']);
    assert.match(config.data['config.yaml'] as string, /pre-stop-sleep: 7s/);
    const after = await secret();
    assert.deepEqual(after.data, before.data, 'the same CA, certificate and key');
    assert.equal(after.metadata.uid, before.metadata.uid, 'the same Secret, not a new one');
    assert.equal(
      after.metadata.annotations['gracekeeper.io/certificate-not-after'],
      before.metadata.annotations['gracekeeper.io/certificate-not-after'],
    );
    assert.equal(await caBundle(), after.data['ca.crt']);
  });

  it('upgrades: a certificate within renewDays of expiry is replaced, with the caBundle', { timeout: 180_000 }, async () => {
    const before = await secret();
    // renewDays above days: the kept certificate is always due.
    helm(['upgrade', RELEASE, CHART, '-n', NS, '--reuse-values', '--set', 'certificates.generate.renewDays=400']);
    const after = await secret();
    assert.notEqual(after.data['tls.crt'], before.data['tls.crt']);
    assert.notEqual(after.data['ca.crt'], before.data['ca.crt']);
    assert.equal(await caBundle(), after.data['ca.crt']);
  });

  it('uninstalls: the webhook configuration deleted first, then everything, nothing left', { timeout: 240_000 }, async () => {
    const paths = [
      '/apis/admissionregistration.k8s.io/v1/mutatingwebhookconfigurations',
      '/apis/apps/v1/deployments',
      '/api/v1/services',
      '/api/v1/secrets',
      '/api/v1/configmaps',
      '/api/v1/serviceaccounts',
      '/apis/policy/v1/poddisruptionbudgets',
      '/apis/rbac.authorization.k8s.io/v1/clusterroles',
      '/apis/rbac.authorization.k8s.io/v1/clusterrolebindings',
      '/apis/scheduling.k8s.io/v1/priorityclasses',
      '/api/v1/namespaces',
    ];
    const watches = watchAll(cp, paths, await currentResourceVersion(cp));
    try {
      helm(['uninstall', RELEASE, '-n', NS]);
      await eventually(
        `namespace ${NS} gone`,
        async () => ((await cp.api('GET', `/api/v1/namespaces/${NS}`)).status === 404 ? true : undefined),
        { timeoutMs: 120_000, components: cp.components },
      );
      await eventually('the namespace deletion event', () =>
        Promise.resolve(watches.events.some((e) => e.type === 'DELETED' && e.kind === 'Namespace' && e.name === NS) || undefined),
      );
    } finally {
      watches.stop();
    }
    const deletions = watches.events.filter((e) => e.type === 'DELETED').sort((a, b) => a.resourceVersion - b.resourceVersion);
    const ours = deletions.filter((e) => e.namespace === NS || e.name === 'gracekeeper');
    const first = ours[0];
    assert.ok(first, 'deletions were seen');
    assert.equal(first.kind, 'MutatingWebhookConfiguration', `first deletion: ${first.kind}/${first.name}`);
    assert.ok((first.object.webhooks as Obj[] | undefined)?.length === 1, "the release's webhook configuration, not the hook's");
    for (const kind of ['Deployment', 'Service', 'Secret', 'ConfigMap', 'ClusterRole', 'PriorityClass', 'Namespace']) {
      const e = ours.find((d) => d.kind === kind);
      assert.ok(e, `${kind} deleted`);
      assert.ok(e.resourceVersion > first.resourceVersion, `${kind} deleted after the webhook configuration`);
    }
    // The hook's empty configuration came and went after the real one was gone.
    const hook = watches.events.filter((e) => e.kind === 'MutatingWebhookConfiguration' && e.type === 'ADDED');
    assert.equal(hook.length, 1);
    assert.ok(hook[0].resourceVersion > first.resourceVersion && !(hook[0].object.webhooks as Obj[] | undefined)?.length);

    // Nothing of the release anywhere: no object with its labels in any listable resource, no
    // cluster-scoped object of its name, no release record.
    const resources = (await cp.kubectl(['api-resources', '--verbs=list', '-o', 'name'])).stdout.trim().split('\n');
    const left = await cp.kubectl([
      'get',
      resources.join(','),
      '-A',
      '-l',
      `app.kubernetes.io/instance=${RELEASE}`,
      '-o',
      'name',
    ]);
    assert.equal(left.stdout.trim(), '', `left behind: ${left.stdout}`);
    for (const kind of ['priorityclass', 'clusterrole', 'clusterrolebinding', 'mutatingwebhookconfiguration']) {
      const r = await cp.kubectl(['get', kind, 'gracekeeper'], { allowFailure: true });
      assert.notEqual(r.code, 0, `${kind}/gracekeeper is gone`);
    }
    const records = await cp.kubectl(['get', 'secrets', '-A', '-l', 'owner=helm', '-o', 'name']);
    assert.equal(records.stdout.trim(), '');
  });
});
