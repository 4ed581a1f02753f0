// gracekeeper SIGKILLed while Pods are created, as in gracekeeper-faults.test.ts, with the
// in-process baseline installed (deploy/baseline/policy.yaml): the Pods admitted while it is down
// carry the baseline (a preStop sleep, the grace period, the mark) instead of nothing, and those
// admitted once it is back are refined (its record, no mark).
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAllDocuments } from 'yaml';
import { e2eSkipReason } from '../ensure-binaries.js';
import { admissionLine, REPO_ROOT } from '../gracekeeper.js';
import { eventually, recordOf, type Obj } from '../kube.js';
import { MAP_V1, servesMutatingAdmissionPolicyV1 } from '../policy-api.js';
import { faultCluster, podObject, type FaultCluster } from './fixture.js';
import { createAcrossKill } from './kill-burst.js';

const skip = e2eSkipReason();
const opts = { skip: skip ?? false };
const MARK = 'gracekeeper.io/baseline';

describe('gracekeeper killed with the baseline installed, under a real API server', opts, () => {
  let f: FaultCluster;
  let served = false;
  before(async () => {
    if (skip) return;
    f = await faultCluster();
    // 1.35 does not serve the API: nothing to kill around (baseline.test.ts checks nothing changes there).
    served = await servesMutatingAdmissionPolicyV1(f.cp);
    if (!served) return;
    const text = readFileSync(join(REPO_ROOT, 'deploy', 'baseline', 'policy.yaml'), 'utf8');
    await f.kube.apply(parseAllDocuments(text).map((d) => d.toJSON() as Obj));
  });
  after(() => f?.stop());

  it('SIGKILL while Pods are created: every Pod has at least the baseline; after the restart, refined', async (t) => {
    if (!served) return t.skip(`the API server does not serve ${MAP_V1}`);
    const { cp, gk, kube } = f;
    const ns = await kube.namespace('gk-kill-baseline');
    // The policy is in effect once a Pod created with gracekeeper stopped carries the mark: here,
    // with gracekeeper up, once its log shows a Pod whose sleep was already there.
    await eventually(
      'the baseline in effect',
      async () => {
        const name = `probe-${Date.now()}`;
        await cp.api('POST', `/api/v1/namespaces/${ns}/pods?dryRun=All`, podObject(name, ns));
        const line = await admissionLine(gk, name);
        return line && !(line.changes as string[]).includes('preStop:app') ? true : undefined;
      },
      { timeoutMs: 30_000, components: [...cp.components, gk.component] },
    );
    const { created, times } = await createAcrossKill(f, ns, (res) => {
      const c = res.body?.spec?.containers?.[0];
      return {
        status: res.status,
        record: recordOf(res.body?.metadata) !== undefined,
        mark: res.body?.metadata?.annotations?.[MARK] !== undefined,
        sleep: c?.lifecycle?.preStop?.sleep?.seconds === 5,
        text: res.text,
      };
    });
    const { killedAt, restartAt } = times;

    const failed = created.filter((c) => c.status !== 201);
    const down = created.filter((c) => c.at > killedAt + 200 && c.at < restartAt);
    const firstRefined = created.find((c) => c.at > restartAt && c.record)?.at ?? Number.NaN;
    const afterBack = created.filter((c) => c.at > firstRefined);
    const withoutBaseline = created.filter((c) => !c.sleep);
    const downBaselineOnly = down.filter((c) => c.mark && !c.record);
    process.stderr.write(
      `e2e faults: gracekeeper SIGKILLed with the baseline installed; ${created.length} Pods created, ` +
        `${failed.length} failed; ${withoutBaseline.length} without a preStop sleep; ${downBaselineOnly.length} of ` +
        `${down.length} created while it was down carry the baseline alone; ` +
        `${afterBack.filter((c) => c.record && !c.mark).length} of ${afterBack.length} after it was back refined\n`,
    );
    assert.deepEqual(
      failed.map((c) => c.text.slice(0, 200)),
      [],
      'no Pod creation failed',
    );
    assert.equal(withoutBaseline.length, 0, 'every Pod has a preStop sleep');
    assert.ok(down.length > 0 && down.every((c) => c.mark && !c.record), 'the baseline alone while it was down');
    assert.ok(afterBack.length > 0 && afterBack.every((c) => c.record && !c.mark), 'refined since it is back');
  });
});
