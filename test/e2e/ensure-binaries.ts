// Finds the Kubernetes and etcd binaries of the e2e suite in the cache, building them with
// build-k8s.sh when missing. Decides whether the suite can run at all: without cached binaries
// and without Go (or without openssl) it is skipped, unless CI=true, where that is a failure.
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { OPENSSL } from './pki.js';

const here = dirname(fileURLToPath(import.meta.url));
export const BUILD_SCRIPT = join(here, 'build-k8s.sh');

export interface Binaries {
  k8sDir: string;
  etcdDir: string;
  etcd: string;
  kubeApiserver: string;
  kubeControllerManager: string;
  kubectl: string;
  kubeScheduler: string;
  kubelet: string;
  kubeProxy: string;
}

export function binaryPaths(): Binaries {
  const out = execFileSync('bash', [BUILD_SCRIPT, '--print-dirs'], { encoding: 'utf8' });
  const vars = Object.fromEntries(
    out
      .trim()
      .split('\n')
      .map((l) => [l.slice(0, l.indexOf('=')), l.slice(l.indexOf('=') + 1)]),
  );
  const k8sDir = vars.K8S_BIN_DIR;
  const etcdDir = vars.ETCD_BIN_DIR;
  if (!k8sDir || !etcdDir) throw new Error(`unexpected output of build-k8s.sh: ${out}`);
  return {
    k8sDir,
    etcdDir,
    etcd: join(etcdDir, 'etcd'),
    kubeApiserver: join(k8sDir, 'kube-apiserver'),
    kubeControllerManager: join(k8sDir, 'kube-controller-manager'),
    kubectl: join(k8sDir, 'kubectl'),
    kubeScheduler: join(k8sDir, 'kube-scheduler'),
    kubelet: join(k8sDir, 'kubelet'),
    kubeProxy: join(k8sDir, 'kube-proxy'),
  };
}

function controlPlaneBinaries(b: Binaries): string[] {
  return [b.etcd, b.kubeApiserver, b.kubeControllerManager, b.kubectl];
}

function hasCommand(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

const isCi = (): boolean => process.env.CI === 'true';

/**
 * Why the e2e suite cannot run here, or undefined when it can (binaries cached or buildable).
 * With CI=true it throws instead of returning a reason: CI must not silently skip the suite.
 */
export function e2eSkipReason(): string | undefined {
  let reason: string | undefined;
  if (process.platform !== 'linux') {
    reason = `the e2e control plane runs on Linux only (this is ${process.platform})`;
  } else if (!hasCommand(OPENSSL, ['version'])) {
    reason = `openssl ('${OPENSSL}') is not installed; it makes the control plane's certificates`;
  } else if (
    !controlPlaneBinaries(binaryPaths()).every((p) => existsSync(p)) &&
    !hasCommand(process.env.GO ?? 'go', ['version'])
  ) {
    reason =
      'Kubernetes binaries are not cached and the Go toolchain is not installed to build them ' +
      '(install Go 1.24+ or run test/e2e/build-k8s.sh where Go is)';
  }
  if (reason && isCi()) throw new Error(`e2e: CI=true, and cannot run: ${reason}`);
  return reason;
}

let building: Promise<Binaries> | undefined;

/** Returns the binaries, building whatever is missing first (progress goes to stderr). */
export function ensureBinaries(opts: { all?: boolean } = {}): Promise<Binaries> {
  const b = binaryPaths();
  const wanted = opts.all ? [...controlPlaneBinaries(b), b.kubeScheduler, b.kubelet, b.kubeProxy] : controlPlaneBinaries(b);
  if (wanted.every((p) => existsSync(p))) return Promise.resolve(b);
  building ??= new Promise<Binaries>((resolve, reject) => {
    process.stderr.write('e2e: building Kubernetes binaries (first run only: about 4 minutes on 2 cores)\n');
    const child = spawn('bash', [BUILD_SCRIPT, ...(opts.all ? ['--all'] : [])], {
      stdio: ['ignore', process.stderr, process.stderr],
    });
    // Leave no build running behind a test process that exits (the build would finish, but
    // hold the lock and two cores for minutes).
    const stopBuild = (): void => void child.kill('SIGTERM');
    process.once('exit', stopBuild);
    child.on('error', reject);
    child.on('exit', (code, signal) => {
      process.removeListener('exit', stopBuild);
      building = undefined;
      if (code === 0 && wanted.every((p) => existsSync(p))) resolve(b);
      else reject(new Error(`build-k8s.sh failed (${code ?? signal}); see the output above`));
    });
  });
  return building;
}
