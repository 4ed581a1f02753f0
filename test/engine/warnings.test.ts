// Warnings that keep their advice: bounded by whole clauses, never cut inside a word, under 120
// characters; a sleep size said only when it was written; the exec hook's need for a shell.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clip, MAX_WARNING_CHARS } from '../../src/kube/clip.js';
import { run, service, workload } from './readiness-helpers.js';
import { TrafficIndex } from '../../src/traffic/index.js';

/** Every word of a clipped line is a whole word of the original line. */
function wholeWords(clipped: string, original: string): void {
  const words = new Set(original.split(/\s+/));
  for (const w of clipped
    .replace(/…/g, ' ')
    .split(/\s+/)
    .filter((x) => x !== '')) {
    assert.ok(words.has(w) || words.has(`${w},`) || words.has(`${w};`), `"${w}" is cut out of a word in: ${clipped}`);
  }
}

test('clip: whole clauses, the first and the last kept, never part of a word', () => {
  const long = `pre-stop-sleep auto: 5m5s for Ingress/${'checkout-frontend-'.repeat(3)}web (aws-alb-ip); ALB ip targets: deregistration delay 300s + propagation 5s`;
  const c = clip(long);
  assert.ok(c.length <= MAX_WARNING_CHARS, c);
  // The long name is shortened first (its start kept, then …); every other word is whole.
  assert.ok(c.startsWith('pre-stop-sleep auto: 5m5s for Ingress/checkout-fro… (aws-alb-ip)'), c);
  wholeWords(c.replace(/Ingress\/\S+…/, ''), long);
  const advice =
    'first says what; a middle clause that is long enough to matter here, and another one — with more; set the key to fix it';
  const clipped = clip(advice, 80);
  assert.ok(clipped.endsWith('set the key to fix it'), clipped);
  assert.ok(clipped.startsWith('first says what; '), clipped);
  assert.ok(clipped.length <= 80);
  wholeWords(clipped, advice);
  // One clause too long alone: cut at a space.
  const prose = 'word '.repeat(40).trim();
  const p = clip(prose, 50);
  assert.ok(p.length <= 50 && p.endsWith('word…'), p);
});

test('clip shortens long names before it drops a clause: the advice at the end stays (it lost "set ... to add one")', () => {
  const line =
    'no readiness probe: governing Service "argocd-application-controller" not seen; set gracekeeper.io/readiness-port to add one';
  assert.equal(line.length, 124);
  assert.equal(
    clip(line),
    'no readiness probe: governing Service "argocd-application-cont…" not seen; set gracekeeper.io/readiness-port to add one',
  );
  const sleep =
    'pre-stop-sleep auto: 35s for Service/kvstore-peers-of-the-orders-ledger (headless-dns); headless: DNS cached up to 30s + propagation 5s';
  const c = clip(sleep);
  assert.ok(c.length <= MAX_WARNING_CHARS, c);
  assert.match(
    c,
    /^pre-stop-sleep auto: 35s for Service\/kvstore-peers\S*… \(headless-dns\); headless: DNS cached up to 30s \+ propagation 5s$/,
  );
  // A short name is never shortened; nothing changes in a line that fits.
  assert.equal(clip('container "a": x'), 'container "a": x');
});

test('the ALB warning with a long Ingress name keeps whole words (it ended "... deregistration delay 300s + propagati…")', () => {
  const name = 'storefront-checkout-payments-gateway-public-web';
  const index = new TrafficIndex();
  index.upsert('Service', service('web', [{ port: 80, targetPort: 8080 }]));
  index.upsert('Ingress', {
    metadata: {
      name,
      namespace: 'shop',
      annotations: {
        'alb.ingress.kubernetes.io/target-type': 'ip',
        'alb.ingress.kubernetes.io/target-group-attributes': 'deregistration_delay.timeout_seconds=300',
      },
    },
    spec: { ingressClassName: 'alb', rules: [{ http: { paths: [{ backend: { service: { name: 'web' } } }] } }] },
  });
  const d = workload('Deployment', [{ name: 'app', image: 'a', ports: [{ containerPort: 8080 }] }]);
  const result = run(d, [], { traffic: index.facts('shop', { app: 'web' }) });
  const sleep = result.warnings.find((w) => w.startsWith('pre-stop-sleep auto'));
  assert.ok(sleep, result.warnings.join('\n'));
  assert.ok(sleep.length <= MAX_WARNING_CHARS);
  assert.ok(!/propagati…$/.test(sleep) && !/[a-z]…$/.test(sleep.replace(/ …$/, '')), sleep);
  // ALB ip targets: 35 s whatever the deregistration delay (docs/traffic-paths.md).
  assert.match(sleep, /^pre-stop-sleep auto: 35s for Ingress\//);
});

test('no sleep size is reported when no hook was written (every container kept its own)', () => {
  const own = workload('Deployment', [
    {
      name: 'controller',
      image: 'c',
      ports: [{ name: 'http', containerPort: 80 }],
      lifecycle: { preStop: { exec: { command: ['/wait-shutdown'] } } },
    },
  ]);
  const lb = service('lb', [{ port: 80, targetPort: 'http' }], { type: 'LoadBalancer', externalTrafficPolicy: 'Local' });
  const kept = run(own, [lb]);
  assert.deepEqual(
    kept.warnings.filter((w) => w.includes('pre-stop-sleep')),
    [],
    'said "pre-stop-sleep auto: 35s" for a sleep never written',
  );
  // With a container that gets the hook, the size is said.
  const mixed = workload('Deployment', [...own.spec.template.spec.containers, { name: 'app', image: 'a' }]);
  assert.ok(run(mixed, [lb]).warnings.some((w) => w.startsWith('pre-stop-sleep auto: 35s')));
});

test('the exec hook needs a shell in the image: said once per object, naming pre-stop-mode', () => {
  const two = workload('Deployment', [
    { name: 'a', image: 'distroless/a', ports: [{ containerPort: 8080 }] },
    { name: 'b', image: 'distroless/b' },
  ]);
  const old = run(two, [], { kubeVersion: { major: 1, minor: 29 } });
  const shell = old.warnings.filter((w) => w.includes('shell'));
  assert.equal(shell.length, 1, old.warnings.join('\n'));
  assert.match(shell[0], /pre-stop-mode/);
  assert.ok(shell[0].length <= MAX_WARNING_CHARS);
  const explicit = run(workload('Deployment', two.spec.template.spec.containers, {}, { 'gracekeeper.io/pre-stop-mode': 'exec' }));
  assert.equal(explicit.warnings.filter((w) => w.includes('shell')).length, 1);
  assert.equal(run(two).warnings.filter((w) => w.includes('shell')).length, 0, 'the sleep action needs no shell');
  const hooks = workload('Deployment', [{ name: 'a', image: 'a', lifecycle: { preStop: { exec: { command: ['/stop'] } } } }]);
  assert.equal(run(hooks, [], { kubeVersion: { major: 1, minor: 29 } }).warnings.filter((w) => w.includes('shell')).length, 0);
});
