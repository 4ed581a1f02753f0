// Helm 4 installs and upgrades with server-side apply (field manager `helm`, operation Apply); Helm 3
// patched client-side (`helm`, Update). On the real API server of the e2e suite, with both Helms of
// test/tools/build.sh: who owns the webhook's caBundle after a fresh Helm 4 install, after a Helm 3
// release is upgraded with Helm 4 (server-side auto, which keeps the release's client-side method,
// and --server-side=true, which moves Helm's fields to Apply), and with cert-manager's CA injector
// emulated as another field manager writing the caBundle (a PATCH, as the injector does by default,
// and a server-side apply, as it does with its ServerSideApply gate). Every upgrade must succeed
// without --force-conflicts, and the caBundle must be the CA that serves the webhook.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from './cluster.js';
import { e2eSkipReason } from './ensure-binaries.js';
import type { Obj } from './kube.js';
import { CHART } from '../helm/chart.js';
import { findTool, runTool } from '../tools/ensure-tool.js';

const helm3 = findTool('helm3');
const helm4 = findTool('helm4');
const skip = e2eSkipReason() ?? helm3.reason ?? helm4.reason ?? false;
const INJECTOR = 'cert-manager-cainjector';
const WEBHOOK = 'mutate.gracekeeper.io';

/** The field managers (manager/operation) that own webhooks[name=WEBHOOK].clientConfig.caBundle. */
function caBundleOwners(mwc: Obj): string[] {
  const entries = (mwc.metadata.managedFields ?? []) as Obj[];
  return entries
    .filter((e) => {
      const hook = (e.fieldsV1 as Obj | undefined)?.['f:webhooks']?.[`k:{"name":"${WEBHOOK}"}`] as Obj | undefined;
      return hook?.['f:clientConfig']?.['f:caBundle'] !== undefined;
    })
    .map((e) => `${String(e.manager)}/${String(e.operation)}`)
    .sort();
}

/** Minimal cert-manager CRDs (Issuer, Certificate), so that the chart's certManager objects are stored. */
function certManagerCrd(kind: string): Obj {
  const plural = `${kind.toLowerCase()}s`;
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: { name: `${plural}.cert-manager.io` },
    spec: {
      group: 'cert-manager.io',
      scope: 'Namespaced',
      names: { kind, plural, singular: kind.toLowerCase(), listKind: `${kind}List` },
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        },
      ],
    },
  };
}

describe('Helm 4 server-side apply and the webhook caBundle, on a real API server', { skip }, () => {
  let cp: ControlPlane;
  let home: string;
  const run = (which: 'helm3' | 'helm4', args: string[]) =>
    runTool((which === 'helm3' ? helm3.path : helm4.path) ?? which, [...args, '--kubeconfig', cp.kubeconfigPath], {
      env: { HELM_CACHE_HOME: join(home, 'cache'), HELM_CONFIG_HOME: join(home, 'config'), HELM_DATA_HOME: join(home, 'data') },
    });
  const get = async (args: string[]): Promise<Obj> =>
    JSON.parse((await cp.kubectl(['get', ...args, '-o', 'json'])).stdout) as Obj;
  const webhookConfig = (release: string) =>
    get(['mutatingwebhookconfiguration', `${release}-gracekeeper`, '--show-managed-fields']);
  const caBundleOf = (mwc: Obj): string | undefined => (mwc.webhooks as Obj[])[0]?.clientConfig?.caBundle as string | undefined;
  const generatedCa = async (release: string) =>
    (await get(['-n', release, 'secret', `${release}-gracekeeper-tls`])).data['ca.crt'] as string;
  const install = async (which: 'helm3' | 'helm4', release: string, args: string[] = []) => {
    await cp.kubectl(['create', 'namespace', release]);
    const r = run(which, ['install', release, CHART, '--namespace', release, '--take-ownership', ...args]);
    assert.match(r.stdout, /STATUS: deployed/);
  };
  const upgrade = (which: 'helm3' | 'helm4', release: string, args: string[]) => {
    const r = run(which, ['upgrade', release, CHART, '-n', release, '--reuse-values', ...args]);
    assert.match(r.stdout, /STATUS: deployed/, r.stderr);
  };
  /** cert-manager's CA injector: a JSON patch of the caBundle with its own field manager (an Update). */
  const injectByPatch = (release: string, ca: string) =>
    cp.kubectl([
      'patch',
      'mutatingwebhookconfiguration',
      `${release}-gracekeeper`,
      '--type=json',
      `--field-manager=${INJECTOR}`,
      '-p',
      JSON.stringify([{ op: 'add', path: '/webhooks/0/clientConfig/caBundle', value: ca }]),
    ]);
  /** The same with the injector's ServerSideApply gate: an apply of only the caBundle. */
  const injectByApply = (release: string, ca: string) =>
    cp.kubectl(['apply', '--server-side', `--field-manager=${INJECTOR}`, '--force-conflicts', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'admissionregistration.k8s.io/v1',
        kind: 'MutatingWebhookConfiguration',
        metadata: { name: `${release}-gracekeeper` },
        webhooks: [{ name: WEBHOOK, clientConfig: { caBundle: ca } }],
      }),
    });
  // Two CAs for the injector to inject (any PEM will do: the API server stores the bytes).
  let injectedA: string;
  let injectedB: string;

  before(
    async () => {
      home = mkdtempSync(join(tmpdir(), 'gk-helm-ssa-'));
      cp = await startControlPlane();
      injectedA = Buffer.from(cp.caPem).toString('base64');
      injectedB = Buffer.from(`${cp.caPem}\n`).toString('base64');
      await cp.kubectl(['apply', '-f', '-'], {
        input: JSON.stringify({
          apiVersion: 'v1',
          kind: 'List',
          items: [certManagerCrd('Issuer'), certManagerCrd('Certificate')],
        }),
      });
      await cp.kubectl([
        'wait',
        '--for=condition=Established',
        'crd/issuers.cert-manager.io',
        'crd/certificates.cert-manager.io',
      ]);
    },
    { timeout: 60 * 60_000 },
  );
  after(async () => {
    await cp?.stop();
    rmSync(home, { recursive: true, force: true });
  });

  it('a fresh Helm 4 install applies server-side; a renewal on upgrade moves the caBundle', { timeout: 240_000 }, async () => {
    await install('helm4', 'fresh');
    let mwc = await webhookConfig('fresh');
    assert.equal(caBundleOf(mwc), await generatedCa('fresh'));
    assert.deepEqual(caBundleOwners(mwc), ['helm/Apply']);
    const first = caBundleOf(mwc);
    upgrade('helm4', 'fresh', ['--set', 'certificates.generate.renewDays=400']);
    mwc = await webhookConfig('fresh');
    assert.notEqual(caBundleOf(mwc), first, 'a new CA');
    assert.equal(caBundleOf(mwc), await generatedCa('fresh'));
    assert.deepEqual(caBundleOwners(mwc), ['helm/Apply']);
  });

  it(
    'a Helm 3 release upgraded with Helm 4 (server-side auto): stays client-side, the caBundle follows a renewal',
    { timeout: 240_000 },
    async () => {
      await install('helm3', 'from3');
      assert.deepEqual(caBundleOwners(await webhookConfig('from3')), ['helm/Update']);
      upgrade('helm4', 'from3', ['--set', 'settings.defaults.pre-stop-sleep=7s']);
      let mwc = await webhookConfig('from3');
      assert.equal(caBundleOf(mwc), await generatedCa('from3'), 'the certificate kept');
      assert.deepEqual(caBundleOwners(mwc), ['helm/Update'], 'auto keeps the method the release was installed with');
      const kept = caBundleOf(mwc);
      upgrade('helm4', 'from3', ['--set', 'certificates.generate.renewDays=400']);
      mwc = await webhookConfig('from3');
      assert.notEqual(caBundleOf(mwc), kept);
      assert.equal(caBundleOf(mwc), await generatedCa('from3'));
    },
  );

  it(
    "a Helm 3 release upgraded with Helm 4 --server-side=true: Helm's fields move to Apply, no conflict on renewal",
    { timeout: 240_000 },
    async () => {
      await install('helm3', 'to-ssa');
      const before = caBundleOf(await webhookConfig('to-ssa'));
      upgrade('helm4', 'to-ssa', ['--server-side=true', '--set', 'certificates.generate.renewDays=400']);
      let mwc = await webhookConfig('to-ssa');
      assert.notEqual(caBundleOf(mwc), before, 'renewed in the same upgrade that changed the method');
      assert.equal(caBundleOf(mwc), await generatedCa('to-ssa'));
      assert.deepEqual(caBundleOwners(mwc), ['helm/Apply'], "Helm 3's client-side ownership upgraded, not left to conflict");
      // Later upgrades (auto: now server-side) keep it.
      upgrade('helm4', 'to-ssa', ['--set', 'settings.defaults.pre-stop-sleep=7s']);
      mwc = await webhookConfig('to-ssa');
      assert.equal(caBundleOf(mwc), await generatedCa('to-ssa'));
      assert.deepEqual(caBundleOwners(mwc), ['helm/Apply']);
    },
  );

  it(
    'cert-manager mode with Helm 4: the chart writes no caBundle, the injector owns it, upgrades keep it',
    { timeout: 240_000 },
    async () => {
      await install('helm4', 'cm4', ['--set', 'certificates.source=certManager']);
      let mwc = await webhookConfig('cm4');
      assert.equal(caBundleOf(mwc), undefined, 'no caBundle until the injector writes one');
      assert.equal(mwc.metadata.annotations['cert-manager.io/inject-ca-from'], 'cm4/cm4-gracekeeper-serving');
      await injectByPatch('cm4', injectedA);
      upgrade('helm4', 'cm4', ['--set', 'settings.defaults.pre-stop-sleep=7s']);
      mwc = await webhookConfig('cm4');
      assert.equal(caBundleOf(mwc), injectedA, 'the injected CA survives a Helm 4 upgrade');
      assert.deepEqual(caBundleOwners(mwc), [`${INJECTOR}/Update`]);
      await injectByApply('cm4', injectedB);
      upgrade('helm4', 'cm4', ['--set', 'settings.defaults.pre-stop-sleep=8s']);
      mwc = await webhookConfig('cm4');
      assert.equal(caBundleOf(mwc), injectedB);
      assert.ok(caBundleOwners(mwc).includes(`${INJECTOR}/Apply`), caBundleOwners(mwc).join());
      assert.ok(!caBundleOwners(mwc).some((o) => o.startsWith('helm/')), 'Helm never owns it');
    },
  );

  it(
    'cert-manager mode, Helm 3 release upgraded with Helm 4 (auto, then --server-side=true): the injected caBundle kept',
    { timeout: 240_000 },
    async () => {
      await install('helm3', 'cm3', ['--set', 'certificates.source=certManager']);
      await injectByPatch('cm3', injectedA);
      upgrade('helm4', 'cm3', ['--set', 'settings.defaults.pre-stop-sleep=7s']);
      assert.equal(caBundleOf(await webhookConfig('cm3')), injectedA);
      upgrade('helm4', 'cm3', ['--server-side=true', '--set', 'settings.defaults.pre-stop-sleep=8s']);
      const mwc = await webhookConfig('cm3');
      assert.equal(caBundleOf(mwc), injectedA);
      assert.deepEqual(caBundleOwners(mwc), [`${INJECTOR}/Update`]);
    },
  );
});
