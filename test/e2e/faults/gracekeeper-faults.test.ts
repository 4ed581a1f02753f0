// gracekeeper itself failing under a real API server: SIGKILLed while Pods are being created (with
// the shipped failurePolicy Ignore no creation fails; restarted as a kubelet would, on the same
// port and certificate, it serves again with nobody touching anything), and its serving
// certificate running out (the metric and the log say so before; one that has expired is
// replaced by rotating the files, without a restart).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { e2eSkipReason } from '../ensure-binaries.js';
import { recordOf } from '../kube.js';
import { writeServingCertificate } from './certificates.js';
import { dryRunMutated, faultCluster, logSize, metric, timeUntil, webhookFailures } from './fixture.js';
import { createAcrossKill } from './kill-burst.js';
import type { FaultCluster } from './fixture.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };

describe('gracekeeper killed, and its certificate expiring, under a real API server', opts, () => {
  let f: FaultCluster;
  before(async () => {
    if (!skip) f = await faultCluster();
  });
  after(() => f?.stop());

  it('SIGKILL while Pods are created: none fails; after a restart it mutates again, untouched', async () => {
    const { cp, kube } = f;
    const ns = await kube.namespace('gk-kill');
    const apiLog = cp.components.find((c) => c.name === 'kube-apiserver')?.logPath as string;
    const apiLogFrom = logSize(apiLog);
    const { created, times } = await createAcrossKill(f, ns, (res) => ({
      status: res.status,
      mutated: recordOf(res.body?.metadata) !== undefined,
      text: res.text,
    }));
    const { killedAt, restartAt, readyAt } = times;

    const failed = created.filter((c) => c.status !== 201);
    const down = created.filter((c) => c.at > killedAt + 200 && c.at < restartAt);
    const firstMutatedAfter = created.find((c) => c.at > restartAt && c.mutated)?.at ?? Number.NaN;
    const afterReady = created.filter((c) => c.at > firstMutatedAfter);
    const failOpen = webhookFailures(apiLog, apiLogFrom);
    process.stderr.write(
      `e2e faults: gracekeeper SIGKILLed; ${created.length} Pods created, ${failed.length} failed; ` +
        `${down.filter((c) => !c.mutated).length} of ${down.length} created while it was down unmutated; restarted ` +
        `ready in ${readyAt - restartAt} ms, first mutated Pod ${firstMutatedAfter - readyAt} ms after ready; ` +
        `${afterReady.filter((c) => c.mutated).length} of ${afterReady.length} after it mutated; API server log: ` +
        `${failOpen.length} fail-open lines\n`,
    );
    assert.deepEqual(
      failed.map((c) => c.text.slice(0, 200)),
      [],
      'no Pod creation failed',
    );
    assert.ok(down.length > 0 && down.every((c) => !c.mutated), 'admitted unmutated while it was down');
    assert.ok(failOpen.length > 0 && failOpen.every((l) => /failing open/i.test(l)), 'the API server failed open');
    assert.ok(firstMutatedAfter - readyAt < 2000, 'mutating again at once after the restart');
    assert.ok(afterReady.length > 0 && afterReady.every((c) => c.mutated), 'every Pod since mutated');
  });

  it('its certificate: warned about before it expires, an error once it has, renewed by rotation alone', async () => {
    const { cp, gk, kube } = f;
    const ns = await kube.namespace('gk-cert');
    const warnedAbout = (re: RegExp, level: string) => gk.logLines().some((l) => l.level === level && re.test(String(l.msg)));

    await writeServingCertificate(gk, Date.now() + 3 * 86_400_000 + 60_000);
    await timeUntil('the warning', () => Promise.resolve(warnedAbout(/expires in 3 days/, 'warn')), 10_000);
    const left = await metric(gk, 'gracekeeper_certificate_expiry_seconds');
    assert.ok(left > 3 * 86400 - 60 && left <= 3 * 86400 + 60, `expiry gauge ${left}`);

    // Rotated to one that runs out in seconds; then the pod restarts (say, its node rebooted).
    const expiresAt = Date.now() + 6000;
    await writeServingCertificate(gk, expiresAt);
    await timeUntil('the warning', () => Promise.resolve(warnedAbout(/expires in 1 minute:/, 'warn')), 10_000);
    await timeUntil('the expiry', () => Promise.resolve(warnedAbout(/has expired/, 'error')), 20_000);
    const loggedAfterMs = Date.now() - expiresAt;
    assert.ok((await metric(gk, 'gracekeeper_certificate_expiry_seconds')) < 0);
    gk.signal('SIGKILL');
    await gk.component.exited;
    await gk.restart({ verifyTls: false });
    const pid = gk.component.pid;
    const apiLog = cp.components.find((c) => c.name === 'kube-apiserver')?.logPath as string;
    const apiLogFrom = logSize(apiLog);
    assert.equal(await dryRunMutated(cp, ns), false, 'the API server refuses the expired certificate and fails open');
    assert.ok(
      webhookFailures(apiLog, apiLogFrom).some((l) => /expired/.test(l)),
      'its log names the expiry',
    );

    const renewedAt = Date.now();
    await writeServingCertificate(gk, Date.now() + 30 * 86_400_000);
    const mutatingMs = await timeUntil('mutations with the renewed certificate', () => dryRunMutated(cp, ns), 20_000);
    assert.equal(gk.component.pid, pid, 'no restart');
    assert.ok((await metric(gk, 'gracekeeper_certificate_expiry_seconds')) > 29 * 86400);
    process.stderr.write(
      `e2e faults: certificate expiry: warned at 3 days and at seconds left, the expiry logged ` +
        `${loggedAfterMs} ms after notAfter; renewed by rotation, mutating again ${mutatingMs} ms after the ` +
        `files were written (${Date.now() - renewedAt} ms with the checks)\n`,
    );
  });
});
