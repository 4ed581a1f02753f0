// The three set-ups the benchmark alternates between, each installed alone: no webhook,
// gracekeeper (`dist/cli.js serve` with its default settings, behind the MutatingWebhookConfiguration
// of deploy/), and Kyverno with bench/peers/kyverno-policy.yaml. Installing one waits until a
// dry-run Pod comes back mutated; removing it waits until one comes back as it was sent.
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { ControlPlane } from '../../test/e2e/cluster.js';
import { pointWebhookAt, renderDeploy, startGracekeeper } from '../../test/e2e/gracekeeper.js';
import { waitFor } from '../../test/e2e/util.js';
import { removeRegistrations, startKyverno } from './kyverno.js';
import { createPath, loadPod, type Obj } from './pods.js';

export type WebhookName = 'none' | 'gracekeeper' | 'kyverno';
export const WEBHOOKS: readonly WebhookName[] = ['none', 'gracekeeper', 'kyverno'];

export interface Installed {
  name: WebhookName;
  /** The webhook's server process (none for "none"). */
  pid?: number;
  logPath?: string;
  remove(): Promise<void>;
}

export interface SetupContext {
  cp: ControlPlane;
  kyvernoDir: string;
  workDir: string;
}

/** One server-side dry-run create; the object the API server would have stored. */
export async function dryRun(cp: ControlPlane, object: Obj): Promise<{ status: number; body: Obj }> {
  const r = await cp.api<Obj>('POST', createPath(object, true), object);
  return { status: r.status, body: r.body };
}

async function mutated(cp: ControlPlane): Promise<boolean | undefined> {
  const r = await dryRun(cp, loadPod());
  if (r.status !== 201) return undefined;
  return JSON.stringify(r.body).includes('"preStop"');
}

async function until(cp: ControlPlane, what: string, want: boolean, timeoutMs = 120_000): Promise<void> {
  await waitFor(
    what,
    timeoutMs,
    () => [],
    async () => (await mutated(cp)) === want,
  );
}

let phase = 0;

export async function install(name: WebhookName, ctx: SetupContext): Promise<Installed> {
  const { cp } = ctx;
  const dir = join(ctx.workDir, `${String(++phase).padStart(2, '0')}-${name}`);
  await mkdir(dir, { recursive: true });
  if (name === 'none') {
    await until(cp, 'a dry-run Pod admitted without mutation', false);
    return { name, remove: () => Promise.resolve() };
  }
  if (name === 'gracekeeper') {
    const gk = await startGracekeeper({ cp, name: 'gracekeeper' });
    const mwc = pointWebhookAt(await renderDeploy(cp), gk.url, gk.caPem);
    await cp.kubectl(['apply', '-f', '-'], { input: JSON.stringify(mwc) });
    await until(cp, 'gracekeeper to mutate a dry-run Pod', true);
    return {
      name,
      pid: gk.component.pid,
      logPath: gk.logPath,
      remove: async () => {
        await cp.kubectl(['delete', 'mutatingwebhookconfiguration', String(mwc.metadata?.name), '--wait=true']);
        await until(cp, 'a dry-run Pod admitted without gracekeeper', false);
        await gk.stop();
      },
    };
  }
  await removeRegistrations(cp); // left over from an interrupted run
  const ky = await startKyverno(cp, ctx.kyvernoDir, dir);
  await until(cp, 'Kyverno to mutate a dry-run Pod', true, 240_000);
  return {
    name,
    pid: ky.pid,
    logPath: ky.component.logPath,
    remove: async () => {
      await ky.stop();
      await until(cp, 'a dry-run Pod admitted without Kyverno', false);
    },
  };
}
