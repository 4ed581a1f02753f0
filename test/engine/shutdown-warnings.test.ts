// Every warning of the pod's shutdown path, at its longest (the longest signal name, 63-character
// container names, durations of hours): under 120 characters, and each says what to change.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { shortWaitWarning } from '../../src/engine/rules/mesh.js';
import { istioWait, MAX_PROXY_CONFIG_CHARS } from '../../src/engine/rules/mesh-istio.js';
import { LINKERD_WAIT, linkerdWait } from '../../src/engine/rules/mesh-linkerd.js';
import { nodeShutdownWarning } from '../../src/engine/rules/node-shutdown.js';
import { shellWarning } from '../../src/engine/rules/shell-pid1.js';
import { planStopSignal } from '../../src/engine/rules/stop-signal.js';
import type { PodSpec } from '../../src/kube/pod-types.js';
import { MAX_WARNING_CHARS } from '../../src/kube/clip.js';
import { LINUX_STOP_SIGNALS } from '../../src/settings/signals.js';

/** The verbs of the advice each warning ends with. */
const ADVICE = /\b(raise|lower|set|write|drop|upgrade|start|enable)\b/;

function check(text: string | undefined): void {
  assert.ok(text !== undefined, 'a warning');
  assert.ok(text.length <= MAX_WARNING_CHARS, `${text.length} characters: ${text}`);
  assert.match(text, ADVICE, text);
}

const longest = [...LINUX_STOP_SIGNALS].reduce((a, b) => (b.length > a.length ? b : a));
const spec = (extra: Partial<PodSpec> = {}): PodSpec => ({ containers: [{ name: 'app' }], ...extra });
const v133 = { major: 1, minor: 33 };

describe('shutdown-path warnings', () => {
  it('for a stop signal not written: gate off, old API server, Windows, windowsOptions, an unknown OS', () => {
    assert.equal(longest.length, 'SIGRTMIN+15'.length);
    const plans = [
      planStopSignal(longest, false, v133, spec()),
      planStopSignal(longest, true, { major: 1, minor: 32 }, spec()),
      planStopSignal(longest, true, v133, spec({ os: { name: 'windows' } })),
      planStopSignal(longest, true, v133, spec({ securityContext: { windowsOptions: { runAsUserName: 'x' } } })),
      planStopSignal(longest, true, v133, spec({ os: { name: 'plan9' } })),
    ];
    for (const plan of plans) {
      assert.equal(plan.write, false);
      check('warning' in plan ? plan.warning : undefined);
    }
    assert.deepEqual(planStopSignal(longest, true, v133, spec()), { write: true, addLinuxOS: true });
  });

  it('for a proxy wait shorter than sleep + drain, or one gracekeeper cannot read or merge into', () => {
    check(shortWaitWarning('terminationDrainDuration', 1, 7200));
    check(shortWaitWarning('proxy-wait-before-exit-seconds', 3599, 7200));
    const istio = [
      'terminationDrainDuration: 1s',
      'terminationDrainDuration: soon',
      '- a list',
      `concurrency: 2\n#${'x'.repeat(MAX_PROXY_CONFIG_CHARS)}`,
    ];
    for (const text of istio) check((istioWait(text, 7200) as { warning?: string }).warning);
    const linkerd = (value: string) =>
      linkerdWait(
        { labels: {}, annotations: { [LINKERD_WAIT]: value }, namespaceLabels: {}, namespaceAnnotations: {}, spec: spec() },
        7200,
      );
    for (const value of ['1', '30s', 'never']) check((linkerd(value) as { warning?: string }).warning);
  });

  it('for a shell as process 1, with a container name of 63 characters, and for node shutdown', () => {
    for (const shell of ['sh', 'bash', 'ash', 'dash']) {
      const text = shellWarning('c'.repeat(63), { shell, script: 'a; b' });
      check(text);
      assert.match(text, /start the last command with exec$/);
    }
    assert.match(shellWarning('web', { shell: 'sh', script: 'a; b' }), /^container "web": /);
    check(nodeShutdownWarning(86_400, 30));
    assert.equal(nodeShutdownWarning(30, 30), undefined);
  });
});
