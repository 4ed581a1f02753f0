// The Kubernetes words every layer shares: a kind by group, version and name, and the operations
// an admission request names. Nothing here knows gracekeeper's rules; src/kube/ imports nothing.

export type AdmissionOperation = 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';

export interface GroupVersionKind {
  group: string;
  version: string;
  kind: string;
}

/** Reads apiVersion/kind from a manifest (for the CLI, which has no AdmissionRequest). */
export function gvkOf(object: unknown): GroupVersionKind | undefined {
  if (typeof object !== 'object' || object === null) return undefined;
  const { apiVersion, kind } = object as { apiVersion?: unknown; kind?: unknown };
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') return undefined;
  const slash = apiVersion.indexOf('/');
  return slash < 0
    ? { group: '', version: apiVersion, kind }
    : { group: apiVersion.slice(0, slash), version: apiVersion.slice(slash + 1), kind };
}
