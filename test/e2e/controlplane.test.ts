// Smoke test of the e2e infrastructure: a real control plane starts, serves the pinned release,
// runs its controllers (a Deployment gets a ReplicaSet and Pods, which stay Pending: there is no
// scheduler or kubelet), and stop() leaves no process or file behind.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { startControlPlane, type ControlPlane } from './cluster.js';
import { e2eSkipReason } from './ensure-binaries.js';
import { groupAlive } from './procs.js';

const skip = e2eSkipReason();
/** The release K8S_RELEASE selects, and the versions its go.mod files pin (what build-k8s.sh builds). */
const RELEASE = process.env.K8S_RELEASE ?? '1.37';
const pinned = (dir: string, module: string): string | undefined => {
  const gomod = readFileSync(new URL(`./${dir}/${RELEASE}/go.mod`, import.meta.url), 'utf8');
  return new RegExp(`^require ${module.replace(/\./g, '\\.')} (v\\S+)$`, 'm').exec(gomod)?.[1];
};
if (skip) process.stderr.write(`e2e: skipping the control-plane tests: ${skip}\n`);

async function eventually<T>(what: string, timeoutMs: number, fn: () => Promise<T | undefined>): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

interface Item {
  metadata: { name: string; ownerReferences?: { kind: string; name: string }[] };
  status?: { phase?: string; conditions?: { type: string; status: string }[] };
}

const deployment = (ns: string): string =>
  JSON.stringify({
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace: ns },
    spec: {
      replicas: 2,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels: { app: 'web' } },
        spec: { containers: [{ name: 'web', image: 'registry.invalid/web:1', ports: [{ containerPort: 8080 }] }] },
      },
    },
  });

// Each test is skipped (not the suite), so that the runner's summary counts them as skipped.
const opts = { skip: skip ?? false };

describe('e2e control plane', () => {
  let cp: ControlPlane | undefined;

  // The first run on a machine builds the binaries (tens of minutes); later ones take seconds.
  before(
    async () => {
      if (skip) return;
      cp = await startControlPlane();
      process.stderr.write(`e2e: control plane up in ${cp.startupMs} ms at ${cp.server}\n`);
    },
    { timeout: 60 * 60_000 },
  );

  after(async () => {
    await cp?.stop();
  });

  it(`serves the pinned Kubernetes release (K8S_RELEASE ${RELEASE}) on the pinned etcd`, opts, async () => {
    const { stdout } = await cp!.kubectl(['version', '-o', 'json']);
    const v = JSON.parse(stdout) as {
      clientVersion: { gitVersion: string; major: string; minor: string };
      serverVersion: { gitVersion: string; major: string; minor: string };
    };
    const k8s = pinned('k8s', 'k8s.io/kubernetes');
    assert.match(k8s ?? '', new RegExp(`^v${RELEASE.replace('.', '\\.')}\\.\\d+$`), `k8s/${RELEASE}/go.mod pins ${k8s}`);
    assert.equal(v.serverVersion.gitVersion, k8s);
    assert.equal(v.clientVersion.gitVersion, v.serverVersion.gitVersion);
    assert.equal(`${v.serverVersion.major}.${v.serverVersion.minor}`, RELEASE);
    const etcd = (await (await fetch(`${cp!.etcdUrl}/version`)).json()) as { etcdserver: string };
    assert.equal(`v${etcd.etcdserver}`, pinned('etcd', 'go.etcd.io/etcd/server/v3'));
  });

  it('runs a Deployment to a ReplicaSet and Pending Pods', opts, async () => {
    const c = cp!;
    const ns = 'smoke';
    await c.kubectl(['create', 'namespace', ns]);
    await c.kubectl(['apply', '-f', '-'], { input: deployment(ns) });

    const rs = await eventually('the ReplicaSet', 30_000, async () => {
      const { stdout } = await c.kubectl(['get', 'replicasets', '-n', ns, '-o', 'json']);
      const items = (JSON.parse(stdout) as { items: Item[] }).items;
      return items.length === 1 ? items[0] : undefined;
    });
    assert.deepEqual(
      rs.metadata.ownerReferences?.map((o) => `${o.kind}/${o.name}`),
      ['Deployment/web'],
    );

    const pods = await eventually('2 Pods', 30_000, async () => {
      const { stdout } = await c.kubectl(['get', 'pods', '-n', ns, '-l', 'app=web', '-o', 'json']);
      const items = (JSON.parse(stdout) as { items: Item[] }).items;
      return items.length === 2 ? items : undefined;
    });
    for (const pod of pods) {
      assert.equal(pod.metadata.ownerReferences?.[0]?.name, rs.metadata.name);
      assert.equal(pod.status?.phase, 'Pending', 'no scheduler or kubelet: Pods stay Pending');
    }
  });

  it('stops cleanly, leaving no process and no temp dir', opts, async () => {
    const c = cp!;
    const pids = [...c.components.map((x) => x.pid), c.watchdogPid];
    assert.ok(
      c.components.every((x) => groupAlive(x.pid)),
      'every component runs before stop()',
    );
    await c.stop();
    await eventually('the watchdog to exit', 5_000, () => Promise.resolve(groupAlive(c.watchdogPid) ? undefined : true));
    assert.deepEqual(pids.filter(groupAlive), [], 'no process group survives stop()');
    assert.equal(existsSync(c.dir), false, 'the temp dir is removed');
    await c.stop(); // idempotent
  });
});
