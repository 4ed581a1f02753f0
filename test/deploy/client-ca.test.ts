// Authenticating the API server (issue 24): the kustomize component deploy/components/client-ca and
// the chart's clientCa.caBundle each give the container `--client-ca` on a mounted CA bundle that
// exists in the rendering; `gracekeeper serve` accepts the rendered arguments; off by default; the
// chart's schema refuses a bundle that is not PEM.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { test } from 'node:test';
import { parseServeArgs } from '../../src/cli/serve.js';
import { helm, template, CHART } from '../helm/chart.js';
import { DEPLOY, findKubectl, one, renderWith, type Obj } from './kustomize.js';

function makeCa(dir: string): string {
  const file = join(dir, 'ca.crt');
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-keyout', join(dir, 'ca.key'),
    '-out', file, '-subj', '/CN=apiserver-webhook-client-ca', '-days', '1', '-addext', 'basicConstraints=critical,CA:TRUE',
  ], { stdio: 'ignore' }); // prettier-ignore
  return file;
}

/** The --client-ca the container is given, checked to lie in a mounted volume that names `configMap`. */
function clientCaMount(deployment: Obj): { file: string; configMap: string } {
  const container = deployment.spec.template.spec.containers[0];
  const options = parseServeArgs(container.args as string[], {});
  assert.ok(options !== 'help');
  const file = options.clientCaFile;
  assert.ok(file, 'the container is given --client-ca');
  const mount = (container.volumeMounts as Obj[]).find((m) => file.startsWith(`${m.mountPath as string}/`));
  assert.ok(mount, `${file} lies in a mounted volume`);
  assert.equal(mount.readOnly, true);
  const volume = (deployment.spec.template.spec.volumes as Obj[]).find((v) => v.name === mount.name);
  assert.ok(volume?.configMap?.name, 'the volume is a ConfigMap');
  assert.equal(file.slice((mount.mountPath as string).length + 1), 'ca.crt');
  return { file, configMap: volume.configMap.name as string };
}

const hasClientCa = (deployment: Obj) =>
  (deployment.spec.template.spec.containers[0].args as string[]).some((a) => a.startsWith('--client-ca'));

test('the kustomize component: --client-ca on the ConfigMap the overlay generates; off by default', async (t) => {
  const { kubectl, reason } = await findKubectl();
  if (!kubectl) return t.skip(reason);
  const dir = mkdtempSync(join(tmpdir(), 'gk-client-ca-'));
  const caFile = makeCa(dir);
  writeFileSync(
    join(dir, 'kustomization.yaml'),
    [
      `resources: [${relative(dir, DEPLOY)}]`,
      `components: [${relative(dir, join(DEPLOY, 'components', 'client-ca'))}]`,
      'configMapGenerator:',
      '  - name: gracekeeper-client-ca',
      '    namespace: gracekeeper',
      '    files: [ca.crt=ca.crt]',
      '',
    ].join('\n'),
  );
  const objects = renderWith(kubectl, dir);
  const { configMap } = clientCaMount(one(objects, 'Deployment', 'gracekeeper'));
  assert.match(configMap, /^gracekeeper-client-ca-[a-z0-9]+$/, 'the generated, hashed name: a new CA rolls the pods');
  const cm = one(objects, 'ConfigMap', configMap);
  assert.equal(cm.data['ca.crt'], readFileSync(caFile, 'utf8'));
  assert.equal(hasClientCa(one(renderWith(kubectl, DEPLOY), 'Deployment', 'gracekeeper')), false, 'off by default');
});

test('the chart: clientCa.caBundle renders the ConfigMap, the mount and --client-ca; off by default', () => {
  const dir = mkdtempSync(join(tmpdir(), 'gk-client-ca-'));
  const pem = readFileSync(makeCa(dir), 'utf8');
  const plain = template();
  assert.equal(hasClientCa(one(plain, 'Deployment')), false, 'off by default');
  assert.equal(plain.filter((o) => o.kind === 'ConfigMap' && /client-ca/.test(o.metadata.name as string)).length, 0);
  const objects = template({ values: { clientCa: { caBundle: pem } } });
  const deployment = one(objects, 'Deployment');
  const { configMap } = clientCaMount(deployment);
  assert.equal(one(objects, 'ConfigMap', configMap).data['ca.crt'], pem);
  assert.match(deployment.spec.template.metadata.annotations['gracekeeper.io/client-ca-sha256'] as string, /^[0-9a-f]{64}$/);
});

test("the chart's schema refuses a clientCa.caBundle that holds no PEM certificate", () => {
  const r = helm(['template', 'gk', CHART], { values: { clientCa: { caBundle: 'LS0tLS1CRUdJTiBDRVJU' } } }, true);
  assert.notEqual(r.status, 0);
  assert.match(r.stderr, /clientCa/);
});
