// The preStop hook: a native sleep action or an exec of /bin/sh, per the mode and the API server.
import { atLeast, type KubeVersion } from '../kube-version.js';
import type { Handler } from '../../kube/pod-types.js';
import type { PreStopMode } from '../../settings/types.js';

/** The native sleep action is beta and on by default from Kubernetes 1.30. */
export const SLEEP_ACTION_MIN: KubeVersion = { major: 1, minor: 30 };

/** The concrete mode for a request: `auto` decided by the API server version. */
export function effectiveMode(mode: PreStopMode, version: KubeVersion | undefined): 'sleep' | 'exec' | 'none' {
  if (mode === 'auto') return atLeast(version, SLEEP_ACTION_MIN) ? 'sleep' : 'exec';
  return mode;
}

/** The handler gracekeeper writes, or undefined when no hook is wanted. */
export function preStopHandler(mode: 'sleep' | 'exec' | 'none', seconds: number): Handler | undefined {
  if (mode === 'none' || seconds <= 0) return undefined;
  if (mode === 'sleep') return { sleep: { seconds } };
  return { exec: { command: ['/bin/sh', '-c', `sleep ${seconds}`] } };
}
