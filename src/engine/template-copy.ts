// The copy of a pod template that strip and inject work on. Only what they assign to is copied:
// the spec and each container (they replace lifecycle, probes and the grace period, never edit
// inside them). Everything deeper is shared with the request's object, so the diff, which skips
// identical references, walks only what changed, and a 1 MiB env is never cloned.
import { copyOf } from './copy.js';
import type { Container, ObjectMeta, PodSpec, PodTemplate } from './pod-types.js';

function copyContainers(list: unknown): unknown {
  return Array.isArray(list) ? list.map((c: Container) => copyOf(c)) : list;
}

export function copyTemplate(metadata: ObjectMeta | undefined, spec: PodSpec): PodTemplate & { metadata: ObjectMeta } {
  const copy = copyOf(spec);
  copy.containers = copyContainers(spec.containers) as Container[];
  if ('initContainers' in spec) copy.initContainers = copyContainers(spec.initContainers) as Container[];
  return { metadata: metadata ?? {}, spec: copy };
}
