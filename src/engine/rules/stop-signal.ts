// `stop-signal`: lifecycle.stopSignal (KEP-4960, Kubernetes 1.33+, feature gate ContainerStopSignals).
// The API server requires spec.os.name on a pod with a stop signal, accepts only SIGTERM and SIGKILL
// for Windows, and forbids windowsOptions on a Linux pod (pkg/apis/core/validation: validateStopSignal,
// validateLinux); without the gate it drops the field silently (pkg/api/pod: dropContainerStopSignals).
import { atLeast, type KubeVersion } from '../kube-version.js';
import { isRecord, type Container, type PodSpec } from '../../kube/pod-types.js';

export const STOP_SIGNAL_MIN: KubeVersion = { major: 1, minor: 33 };

export type StopSignalPlan = { write: false; warning?: string } | { write: true; addLinuxOS: boolean };

export function planStopSignal(
  signal: string | undefined,
  enabled: boolean,
  version: KubeVersion | undefined,
  spec: PodSpec,
): StopSignalPlan {
  if (signal === undefined) return { write: false };
  const not = `stop-signal ${signal} not written`;
  if (!enabled)
    return { write: false, warning: `${not}: the cluster must enable the ContainerStopSignals gate, then stopSignals: true` };
  if (!atLeast(version, STOP_SIGNAL_MIN))
    return { write: false, warning: `${not}: lifecycle.stopSignal needs Kubernetes 1.33 or newer; upgrade or drop the key` };
  const os = spec.os?.name;
  if (os === 'windows')
    return { write: false, warning: `${not}: a Windows pod takes only SIGTERM or SIGKILL; drop the key for it` };
  if (os === 'linux') return { write: true, addLinuxOS: false };
  if (os !== undefined) return { write: false, warning: `${not}: spec.os.name is neither linux nor windows; set it to linux` };
  if (hasWindowsOptions(spec))
    return { write: false, warning: `${not}: windowsOptions set, so no Linux pod; drop the key or the windowsOptions` };
  return { write: true, addLinuxOS: true };
}

function hasWindowsOptions(spec: PodSpec): boolean {
  if (isRecord(spec.securityContext) && spec.securityContext.windowsOptions !== undefined) return true;
  const all: Container[] = [...spec.containers, ...(spec.initContainers ?? [])];
  return all.some((c) => isRecord(c.securityContext) && c.securityContext.windowsOptions !== undefined);
}
