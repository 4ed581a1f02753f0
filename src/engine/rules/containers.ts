// Which containers get hooks and probes: regular ones by default, named sidecars only when asked.
import type { Container, PodSpec } from '../../kube/pod-types.js';

export interface Selection {
  containers: Container[];
  warnings: string[];
}

function isNativeSidecar(c: Container): boolean {
  return c.restartPolicy === 'Always';
}

/**
 * Every regular container, or exactly the named ones (which may include native sidecars).
 * Excluded names (service-mesh proxies) are always skipped. Plain init and ephemeral
 * containers are never selected.
 */
export function selectContainers(spec: PodSpec, names: readonly string[] | undefined, excluded: readonly string[]): Selection {
  const warnings: string[] = [];
  const regular = spec.containers;
  const init = spec.initContainers ?? [];
  if (names === undefined) {
    return { containers: regular.filter((c) => !excluded.includes(c.name)), warnings };
  }
  const selected: Container[] = [];
  for (const name of names) {
    if (excluded.includes(name)) {
      warnings.push(`container "${name}" is in excludeContainers; gracekeeper leaves it alone`);
      continue;
    }
    const container = regular.find((c) => c.name === name);
    if (container) {
      selected.push(container);
      continue;
    }
    const initContainer = init.find((c) => c.name === name);
    if (initContainer && isNativeSidecar(initContainer)) selected.push(initContainer);
    else if (initContainer) warnings.push(`init container "${name}" is not a sidecar (restartPolicy: Always); skipped`);
    else warnings.push(`gracekeeper.io/containers names "${name}", which this pod does not have`);
  }
  return { containers: selected, warnings };
}
