// The stop signals the API server accepts in `lifecycle.stopSignal` of a Linux pod: the set
// supportedStopSignalsLinux in Kubernetes' pkg/apis/core/validation/validation.go (v1.37.2, the
// same list in 1.35.4 and 1.34.4; the names are the core.Signal constants of pkg/apis/core/types.go). A Windows pod accepts only
// SIGTERM and SIGKILL (supportedStopSignalsWindows).

const BASE = [
  'SIGABRT',
  'SIGALRM',
  'SIGBUS',
  'SIGCHLD',
  'SIGCLD',
  'SIGCONT',
  'SIGFPE',
  'SIGHUP',
  'SIGILL',
  'SIGINT',
  'SIGIO',
  'SIGIOT',
  'SIGKILL',
  'SIGPIPE',
  'SIGPOLL',
  'SIGPROF',
  'SIGPWR',
  'SIGQUIT',
  'SIGSEGV',
  'SIGSTKFLT',
  'SIGSTOP',
  'SIGSYS',
  'SIGTERM',
  'SIGTRAP',
  'SIGTSTP',
  'SIGTTIN',
  'SIGTTOU',
  'SIGURG',
  'SIGUSR1',
  'SIGUSR2',
  'SIGVTALRM',
  'SIGWINCH',
  'SIGXCPU',
  'SIGXFSZ',
] as const;

/** SIGRTMIN, SIGRTMIN+1 ... SIGRTMIN+15, SIGRTMAX-14 ... SIGRTMAX-1, SIGRTMAX. */
const REALTIME = [
  'SIGRTMIN',
  ...Array.from({ length: 15 }, (_, i) => `SIGRTMIN+${i + 1}`),
  ...Array.from({ length: 14 }, (_, i) => `SIGRTMAX-${14 - i}`),
  'SIGRTMAX',
];

export const LINUX_STOP_SIGNALS: ReadonlySet<string> = new Set<string>([...BASE, ...REALTIME]);

export const WINDOWS_STOP_SIGNALS: ReadonlySet<string> = new Set(['SIGTERM', 'SIGKILL']);

/** A signal name as the API server spells it ("sigquit" and " SIGQUIT " too), or undefined. */
export function linuxStopSignal(raw: string): string | undefined {
  const name = raw.trim().toUpperCase();
  return LINUX_STOP_SIGNALS.has(name) ? name : undefined;
}
