// The emulated load balancer of the slow-path scenario (lb.ts, lb-targets.ts): its routing table
// with a fake clock, the delay D from the Service's annotations, and the process itself against a
// real API server (test/e2e's control plane): a Service with hand-written EndpointSlices whose
// endpoints are two HTTP servers of this process (on this machine's own address and two ports:
// the API server takes no loopback address in an EndpointSlice; the traffic stays on the
// machine), an endpoint turned not ready, still routed for D, then not. No root, no node.
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, get, type Server } from 'node:http';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from '../e2e/cluster.js';
import { e2eSkipReason } from '../e2e/ensure-binaries.js';
import { freePorts } from '../e2e/util.js';
import type { AddressInfo } from 'node:net';
import { DelayedTargets } from './lb-targets.js';
import { INTERVAL, LB_ANNOTATIONS, UNHEALTHY_THRESHOLD, lbDelaySeconds } from './scenarios/slow-path-annotations.js';
import { lbWindow } from './scenarios/slow-path.js';

const here = dirname(fileURLToPath(import.meta.url));

describe('emulated load balancer: routing table', () => {
  it('routes an address from when it is seen ready until D after it is not', () => {
    const t = new DelayedTargets(20_000);
    assert.deepEqual(t.observe(['10.0.0.1', '10.0.0.2'], 0), [
      { t: 0, event: 'add', target: '10.0.0.1' },
      { t: 0, event: 'add', target: '10.0.0.2' },
    ]);
    assert.deepEqual(t.observe(['10.0.0.2', '10.0.0.3'], 1000), [
      { t: 1000, event: 'add', target: '10.0.0.3' },
      { t: 1000, event: 'unready', target: '10.0.0.1', removeAt: 21_000 },
    ]);
    assert.deepEqual(t.observe(['10.0.0.2', '10.0.0.3'], 2000), [], 'seen not ready once: nothing more until D');
    assert.deepEqual(t.list(), ['10.0.0.1', '10.0.0.2', '10.0.0.3']);
    const picks = [t.pick(), t.pick(), t.pick(), t.pick()];
    assert.deepEqual(
      picks.map((p) => p?.target),
      ['10.0.0.1', '10.0.0.2', '10.0.0.3', '10.0.0.1'],
      'round robin, draining targets included',
    );
    assert.deepEqual(
      picks.map((p) => p?.draining),
      [true, false, false, true],
    );
    assert.deepEqual(t.expire(20_999), []);
    assert.deepEqual(t.expire(21_000), [{ t: 21_000, event: 'remove', target: '10.0.0.1' }]);
    assert.deepEqual(t.list(), ['10.0.0.2', '10.0.0.3']);
  });

  it('keeps an address that is ready again before D, and uses a new D for later removals', () => {
    const t = new DelayedTargets(5000);
    t.observe(['a'], 0);
    t.observe([], 100);
    assert.deepEqual(t.observe(['a'], 200), [{ t: 200, event: 'ready-again', target: 'a' }]);
    assert.deepEqual(t.expire(10_000), []);
    t.setDelay(0);
    assert.equal(t.delay, 0);
    assert.deepEqual(
      t.observe([], 300).map((e) => e.event),
      ['unready', 'remove'],
    );
    assert.equal(t.pick(), undefined);
  });

  it('reads D from the Service annotations: interval x unhealthy threshold', () => {
    assert.equal(lbDelaySeconds(LB_ANNOTATIONS), 20);
    assert.equal(lbDelaySeconds({ [INTERVAL]: '5', [UNHEALTHY_THRESHOLD]: '3' }), 15);
    assert.equal(lbDelaySeconds({ [INTERVAL]: '5' }), undefined);
    assert.equal(lbDelaySeconds({ [INTERVAL]: 'x', [UNHEALTHY_THRESHOLD]: '3' }), undefined);
    assert.equal(lbDelaySeconds(undefined), undefined);
  });

  it("sums what it saw over a run's window", () => {
    const w = lbWindow(
      [
        { t: 500, event: 'second', connections: 9, errors: { ETIMEDOUT: 9 } },
        { t: 1000, event: 'add', target: 'a' },
        { t: 2000, event: 'second', connections: 10, toDraining: 4, errors: { ECONNREFUSED: 3 } },
        { t: 3000, event: 'second', connections: 10, errors: { ECONNREFUSED: 1, ETIMEDOUT: 1 } },
        { t: 3500, event: 'remove', target: 'a' },
        { t: 9000, event: 'second', connections: 10 },
      ],
      1500,
      3600,
    );
    assert.deepEqual(w, {
      connections: 20,
      toDraining: 4,
      failedToPods: { ECONNREFUSED: 4, ETIMEDOUT: 1 },
      targets: [{ t: 2000, event: 'remove', target: 'a' }],
    });
  });
});

/** This machine's first non-loopback IPv4 address. */
const hostIp = Object.values(networkInterfaces())
  .flat()
  .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;
const skip = e2eSkipReason() ?? (hostIp ? undefined : 'no non-loopback IPv4 address on this machine');

describe('emulated load balancer: the process, against a real API server', { skip }, () => {
  let cp: ControlPlane;
  let lb: ChildProcess;
  let lbPort: number;
  let dir: string;
  const servers: Server[] = [];
  const names: string[] = [];
  const ns = 'lb-test';
  /** One slice per endpoint (each its own port), ready or not. */
  const slices = (ready: boolean[]) => ({
    apiVersion: 'v1',
    kind: 'List',
    items: names.map((name, i) => ({
      apiVersion: 'discovery.k8s.io/v1',
      kind: 'EndpointSlice',
      metadata: { name: `web-${i}`, namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
      addressType: 'IPv4',
      ports: [{ name: 'http', port: Number(name.split(':')[1]), protocol: 'TCP' }],
      endpoints: [{ addresses: [hostIp], conditions: { ready: ready[i] } }],
    })),
  });
  const ask = (): Promise<string> =>
    new Promise((resolve) => {
      const req = get({ host: '127.0.0.1', port: lbPort, path: '/', agent: false, timeout: 3000 }, (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve(body));
      });
      req.on('timeout', () => req.destroy(new Error('timeout')));
      req.on('error', (e: Error & { code?: string }) => resolve(`error ${e.code ?? e.message}`));
    });
  const answers = async (n: number): Promise<Set<string>> => new Set(await Promise.all(Array.from({ length: n }, ask)));

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gk-lb-test-'));
    cp = await startControlPlane({ controllerManager: false });
    for (let i = 0; i < 2; i++) {
      const s = createServer((_req, res) => res.end(names[i]));
      await new Promise<void>((r) => s.listen(0, hostIp, r));
      servers.push(s);
      names.push(`${hostIp}:${(s.address() as AddressInfo).port}`);
    }
    await cp.kubectl(['create', 'namespace', ns]);
    // No selector: the Service's endpoints are the slices written here. D = 1 x 2 = 2 s.
    await cp.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns, annotations: { [INTERVAL]: '1', [UNHEALTHY_THRESHOLD]: '2' } },
        spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }] },
      }),
    });
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(slices([true, true])) });
    [lbPort] = await freePorts(1);
    lb = spawn(
      process.execPath,
      [
        '--import',
        'tsx',
        join(here, 'lb.ts'),
        `--server=${cp.server}`,
        `--ca=${cp.pki.ca.certPath}`,
        `--cert=${cp.pki.admin.certPath}`,
        `--key=${cp.pki.admin.keyPath}`,
        `--namespace=${ns}`,
        '--service=web',
        `--listen=127.0.0.1:${lbPort}`,
        `--events=${join(dir, 'events.jsonl')}`,
        '--poll=200ms',
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    await new Promise<void>((resolve, reject) => {
      let err = '';
      lb.stderr?.on('data', (d: Buffer) => {
        err += d.toString();
        if (err.includes('lb: listening')) resolve();
      });
      lb.on('exit', (code) => reject(new Error(`lb exited ${code}: ${err}`)));
    });
  });

  after(async () => {
    lb?.kill('SIGTERM');
    for (const s of servers) s.close();
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes to every ready endpoint, keeps one that is not ready for D, then drops it', async () => {
    assert.deepEqual(await answers(8), new Set(names));
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(slices([false, true])) });
    await new Promise((r) => setTimeout(r, 600));
    assert.deepEqual(await answers(8), new Set(names), 'still routed within D (2 s)');
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(await answers(8), new Set([names[1]]), 'gone after D');

    // A routed target that refuses: the client's connection is reset, the code counted.
    servers[1].close();
    await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await answers(4), new Set(['error ECONNRESET']));
    await new Promise((r) => setTimeout(r, 1200));
    const lines = readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: number; event: string; target?: string; errors?: Record<string, number> });
    assert.deepEqual(
      lines.filter((l) => l.target === names[0]).map((l) => l.event),
      ['add', 'unready', 'remove'],
    );
    const unready = lines.find((l) => l.event === 'unready')!;
    const removed = lines.find((l) => l.event === 'remove')!;
    assert.ok(removed.t - unready.t >= 2000 && removed.t - unready.t < 2500, `removed ${removed.t - unready.t} ms after`);
    const refused = lines.reduce((n, l) => n + (l.errors?.ECONNREFUSED ?? 0), 0);
    assert.equal(refused, 4);
  });
});
