// Pods created without pause while gracekeeper is SIGKILLed and restarted: the shape of the kill
// scenarios (gracekeeper-faults.test.ts, baseline-kill.test.ts), which differ only in what they
// keep of each creation.
import type { ApiResult } from '../util.js';
import type { Obj } from '../kube.js';
import { podObject, sleep, type FaultCluster } from './fixture.js';

export interface KillTimes {
  /** When the SIGKILL was sent, when the restart began, and when gracekeeper was ready again. */
  killedAt: number;
  restartAt: number;
  readyAt: number;
}

/**
 * Two workers create Pods in `ns` (p-<worker>-<i>) until the end: 2 s of creations, SIGKILL, 3 s
 * down, restart, 3 s more. `keep` turns each API answer into what the scenario checks.
 */
export async function createAcrossKill<T>(
  f: Pick<FaultCluster, 'cp' | 'gk'>,
  ns: string,
  keep: (res: ApiResult<Obj>) => T,
): Promise<{ created: (T & { at: number })[]; times: KillTimes }> {
  let running = true;
  const created: (T & { at: number })[] = [];
  const creator = async (worker: number) => {
    for (let i = 0; running; i++) {
      const res = await f.cp.api<Obj>('POST', `/api/v1/namespaces/${ns}/pods`, podObject(`p-${worker}-${i}`, ns));
      created.push({ ...keep(res), at: Date.now() });
    }
  };
  const creators = [creator(0), creator(1)];
  await sleep(2000);
  const killedAt = Date.now();
  f.gk.signal('SIGKILL');
  await f.gk.component.exited;
  await sleep(3000);
  const restartAt = Date.now();
  await f.gk.restart();
  const readyAt = Date.now();
  await sleep(3000);
  running = false;
  await Promise.all(creators);
  return { created, times: { killedAt, restartAt, readyAt } };
}
