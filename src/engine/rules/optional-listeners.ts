// Programs known to open their port only when they are configured: a readiness probe on that port
// would keep their pods from ever becoming Ready in an install that does not use them (a default
// install's rollout and `kubectl wait --for=condition=Available` hang, a GitOps tool shows the app
// Degraded), while a Service still targets the port. Each row names where the behaviour is read.
// Explicit readiness-port or readiness-path opts back in, as everywhere.
import type { Container } from '../../kube/pod-types.js';

interface OptionalListener {
  /** What the warning says of it. */
  says: string;
  /** Whether the container runs it, from its command and args. */
  runs(argv: readonly string[]): boolean;
}

const baseName = (path: string): string => path.slice(path.lastIndexOf('/') + 1);

export const OPTIONAL_LISTENERS: readonly OptionalListener[] = [
  {
    // Argo CD's `argocd-dex rundex` starts dex only once SSO is configured in argocd-cm and logs
    // "dex is not configured" otherwise (argoproj/argo-cd, cmd/argocd-dex/commands/argocd_dex.go).
    says: "Argo CD's dex listens only once SSO is configured",
    runs: (argv) => argv.some((a) => baseName(a) === 'argocd-dex') && argv.includes('rundex'),
  },
];

function argvOf(c: Container): string[] {
  const list = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v) => typeof v === 'string') : []);
  return [...list(c.command), ...list(c.args)];
}

/** The optional listener a container runs, if it is one of the table's. */
export function optionalListener(c: Container): OptionalListener | undefined {
  const argv = argvOf(c);
  if (argv.length === 0) return undefined;
  return OPTIONAL_LISTENERS.find((row) => row.runs(argv));
}
