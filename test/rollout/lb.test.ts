// The emulated load balancer of the slow-path scenario: its routing table with a fake clock, the
// delay D from the Service's annotations, its nat rules (rendered, and applied by iptables in a
// network namespace of this test's own, when root), and the controller process against a real
// API server (test/e2e's control plane) with --dry-run: a Service with hand-written
// EndpointSlices, an endpoint turned not ready, still routed for D, then not.
import assert from 'node:assert/strict';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startControlPlane, type ControlPlane } from '../e2e/cluster.js';
import { e2eSkipReason } from '../e2e/ensure-binaries.js';
import { hookRule, parseCounters, renderChain } from './lb-rules.js';
import { DelayedTargets } from './lb-targets.js';
import {
  INTERVAL,
  LB_ANNOTATIONS,
  UNHEALTHY_THRESHOLD,
  lbAnnotationsFor,
  lbDelaySeconds,
} from './scenarios/slow-path-annotations.js';
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
    assert.deepEqual(t.draining(), ['10.0.0.1']);
    assert.deepEqual(t.expire(20_999), []);
    assert.deepEqual(t.expire(21_000), [{ t: 21_000, event: 'remove', target: '10.0.0.1' }]);
    assert.deepEqual(t.list(), ['10.0.0.2', '10.0.0.3']);
    assert.deepEqual(t.draining(), []);
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
    assert.deepEqual(t.list(), []);
  });

  it('reads D from the Service annotations: interval x unhealthy threshold', () => {
    assert.equal(lbDelaySeconds(LB_ANNOTATIONS), 20);
    assert.equal(lbDelaySeconds({ [INTERVAL]: '5', [UNHEALTHY_THRESHOLD]: '3' }), 15);
    assert.equal(lbDelaySeconds({ [INTERVAL]: '5' }), undefined);
    assert.equal(lbDelaySeconds({ [INTERVAL]: 'x', [UNHEALTHY_THRESHOLD]: '3' }), undefined);
    assert.equal(lbDelaySeconds(undefined), undefined);
    for (const d of [20, 10, 7, 1]) assert.equal(lbDelaySeconds(lbAnnotationsFor(d)), d, `annotations for ${d} s`);
    assert.equal(lbAnnotationsFor(20), LB_ANNOTATIONS);
  });

  it("sums what it saw over a run's window", () => {
    const w = lbWindow(
      [
        { t: 1400, event: 'tick', connections: 9 },
        { t: 1000, event: 'add', target: 'a' },
        { t: 2000, event: 'tick', connections: 10, toDraining: 4 },
        { t: 3000, event: 'unready', target: 'a' },
        { t: 3500, event: 'remove', target: 'a' },
        { t: 3900, event: 'tick', connections: 10 },
        { t: 9000, event: 'tick', connections: 10 },
      ],
      1500,
      3600,
    );
    assert.deepEqual(w, {
      connections: 20,
      toDraining: 4,
      targets: [
        { t: 1500, event: 'unready', target: 'a' },
        { t: 2000, event: 'remove', target: 'a' },
      ],
    });
  });

  it('renders a nat chain that picks a target at random, and reads its counters back', () => {
    assert.equal(
      renderChain('GK-LB-X', ['10.0.0.1:80', '10.0.0.2:80', '10.0.0.3:80']),
      [
        '*nat',
        ':GK-LB-X - [0:0]',
        '-A GK-LB-X -p tcp -m statistic --mode random --probability 0.3333333333 -j DNAT --to-destination 10.0.0.1:80',
        '-A GK-LB-X -p tcp -m statistic --mode random --probability 0.5000000000 -j DNAT --to-destination 10.0.0.2:80',
        '-A GK-LB-X -p tcp -j DNAT --to-destination 10.0.0.3:80',
        'COMMIT',
        '',
      ].join('\n'),
    );
    assert.equal(renderChain('GK-LB-X', []), '*nat\n:GK-LB-X - [0:0]\nCOMMIT\n');
    assert.deepEqual(hookRule('GK-LB-X', '10.254.9.1', 8001), [
      'OUTPUT',
      '-d',
      '10.254.9.1/32',
      '-p',
      'tcp',
      '--dport',
      '8001',
      '-j',
      'GK-LB-X',
    ]);
    const save = [
      '*nat',
      ':GK-LB-X - [0:0]',
      '[7:420] -A GK-LB-X -p tcp -m statistic --mode random --probability 0.50000000000 -j DNAT --to-destination 10.0.0.1:80',
      '[5:300] -A GK-LB-X -p tcp -j DNAT --to-destination 10.0.0.2:80',
      '[9:540] -A GK-LB-Y -p tcp -j DNAT --to-destination 10.0.0.9:80',
      'COMMIT',
    ].join('\n');
    assert.deepEqual(
      parseCounters(save, 'GK-LB-X'),
      new Map([
        ['10.0.0.1:80', 7],
        ['10.0.0.2:80', 5],
      ]),
    );
  });
});

const root = process.getuid?.() === 0;
const haveTools = ['iptables-restore', 'unshare', 'nsenter', 'ip'].every(
  (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status === 0,
);

describe(
  'emulated load balancer: the rules, applied in a network namespace',
  { skip: root && haveTools ? undefined : 'needs root, iptables, unshare' },
  () => {
    it('sends connections for the address to every target, and refuses them with no target', () => {
      const dir = mkdtempSync(join(tmpdir(), 'gk-lb-ns-'));
      const pin = join(dir, 'net');
      try {
        writeFileSync(pin, '');
        const run = (script: string, input?: string): string => {
          const r = spawnSync('nsenter', [`--net=${pin}`, 'sh', '-ec', script], { input, encoding: 'utf8' });
          assert.equal(r.status, 0, r.stderr);
          return r.stdout;
        };
        assert.equal(spawnSync('mount', ['--bind', dir, dir]).status, 0);
        spawnSync('mount', ['--make-private', dir]);
        assert.equal(spawnSync('unshare', [`--net=${pin}`, 'true']).status, 0);
        run(
          'ip link set lo up; ip addr add 10.254.9.1/32 dev lo; ip addr add 10.1.0.2/32 dev lo; ip addr add 10.1.0.3/32 dev lo',
        );
        run('iptables-restore --noflush', renderChain('GK-LB-T', ['10.1.0.2:8080', '10.1.0.3:8080']));
        run(`iptables -t nat -I ${hookRule('GK-LB-T', '10.254.9.1', 80).join(' ')}`);
        // Two servers answering with their own address, and 40 connections to the load balancer's.
        const script = join(dir, 'ask.cjs');
        writeFileSync(
          script,
          `const net = require('node:net');
        const servers = ['10.1.0.2', '10.1.0.3'].map((ip) => net.createServer((c) => c.end(ip)).listen(8080, ip));
        const ask = () => new Promise((r) => { const c = net.connect(80, '10.254.9.1'); let d = '';
          c.on('data', (x) => (d += x)); c.on('end', () => r(d)); c.on('error', (e) => r(e.code)); });
        setTimeout(() => Promise.all(Array.from({ length: Number(process.argv[2]) }, ask)).then((a) => {
          console.log(JSON.stringify(a)); servers.forEach((s) => s.close()); }), 200);`,
        );
        const answers = JSON.parse(run(`${process.execPath} ${script} 40`)) as string[];
        assert.deepEqual(new Set(answers), new Set(['10.1.0.2', '10.1.0.3']), answers.join(' '));
        const counters = parseCounters(run('iptables-save -c -t nat'), 'GK-LB-T');
        assert.equal(
          [...counters.values()].reduce((a, b) => a + b, 0),
          40,
        );
        run('iptables-restore --noflush', renderChain('GK-LB-T', []));
        const refused = JSON.parse(run(`${process.execPath} ${script} 1`)) as string[];
        assert.deepEqual(refused, ['ECONNREFUSED']);
      } finally {
        spawnSync('umount', [pin]);
        spawnSync('umount', [dir]);
        rmSync(dir, { recursive: true, force: true });
      }
    });
  },
);

const skip = e2eSkipReason();

describe('emulated load balancer: the controller, against a real API server', { skip }, () => {
  let cp: ControlPlane;
  let lb: ChildProcess;
  let dir: string;
  const ns = 'lb-test';
  const targets = ['10.1.0.2', '10.1.0.3'];
  const slice = (ready: boolean[]) => ({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: 'web-1', namespace: ns, labels: { 'kubernetes.io/service-name': 'web' } },
    addressType: 'IPv4',
    ports: [{ name: 'http', port: 8080, protocol: 'TCP' }],
    endpoints: targets.map((ip, i) => ({ addresses: [ip], conditions: { ready: ready[i] } })),
  });
  const lines = () =>
    readFileSync(join(dir, 'events.jsonl'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((l) => JSON.parse(l) as { t: number; event: string; target?: string; targets?: string[]; seconds?: number });

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'gk-lb-test-'));
    cp = await startControlPlane({ controllerManager: false });
    await cp.kubectl(['create', 'namespace', ns]);
    // No selector: the Service's endpoints are the slice written here. D = 1 x 2 = 2 s.
    await cp.kubectl(['apply', '-f', '-'], {
      input: JSON.stringify({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: 'web', namespace: ns, annotations: { [INTERVAL]: '1', [UNHEALTHY_THRESHOLD]: '2' } },
        spec: { type: 'LoadBalancer', ports: [{ name: 'http', port: 80 }] },
      }),
    });
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(slice([true, true])) });
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
        '--vip=10.254.9.1:80',
        '--chain=GK-LB-TEST',
        `--events=${join(dir, 'events.jsonl')}`,
        '--poll=200ms',
        '--dry-run',
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
    await cp?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  it('routes to every ready endpoint, keeps one that is not ready for D, then drops it', async () => {
    const all = targets.map((ip) => `${ip}:8080`);
    assert.deepEqual(
      lines()
        .filter((l) => l.event === 'rules')
        .at(-1)?.targets,
      all,
    );
    assert.deepEqual(lines().find((l) => l.event === 'delay')?.seconds, 2);
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(slice([false, true])) });
    await new Promise((r) => setTimeout(r, 1000));
    assert.deepEqual(
      lines()
        .filter((l) => l.event === 'rules')
        .at(-1)?.targets,
      all,
      'still routed within D (2 s)',
    );
    await new Promise((r) => setTimeout(r, 2500));
    const rules = lines().filter((l) => l.event === 'rules');
    assert.deepEqual(rules.at(-1)?.targets, [all[1]], 'gone after D');
    assert.deepEqual(
      lines()
        .filter((l) => l.target === all[0])
        .map((l) => l.event),
      ['add', 'unready', 'remove'],
    );
    const unready = lines().find((l) => l.event === 'unready')!;
    const last = rules.at(-1)!;
    assert.ok(last.t - unready.t >= 2000 && last.t - unready.t < 2300, `removed ${last.t - unready.t} ms after`);
  });
});
