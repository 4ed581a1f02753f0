// The workloads of the outcomes proof (outcomes-proof.ts), each shaped to give one finding on a
// real kubelet, all from the proof's busybox image (node.ts's APP_IMAGE: httpd on :8080 after 3 s,
// exits at once on SIGTERM):
//   clean        httpd behind a Service: gracekeeper's probe on :8080 passes; deleted, it stops
//                within its grace period;
//   ignores-term PID 1 is `sleep` (the kernel drops a signal PID 1 has no handler for): deleted
//                with a 10 s grace period (gracekeeper.io/termination-grace-period), it is killed;
//   hook-fails   a preStop hook the user wrote that cannot start (its program is missing, as
//                /bin/sh is on a distroless image under pre-stop-mode exec): FailedPreStopHook;
//   never-ready  gracekeeper.io/readiness-port 9999, where nothing listens: its probe never passes.
import { APP_IMAGE } from './node.js';

export type AppName = 'clean' | 'ignores-term' | 'hook-fails' | 'never-ready';
export const APPS: readonly AppName[] = ['clean', 'ignores-term', 'hook-fails', 'never-ready'];

/** What each app should be reported as, and what it must never be. */
export const EXPECTED: Record<AppName, { finding: string; never: string[] }> = {
  clean: { finding: 'clean', never: ['killed-at-grace-period', 'prestop-hook-failed', 'readiness-never-passed'] },
  'ignores-term': { finding: 'killed-at-grace-period', never: ['prestop-hook-failed', 'readiness-never-passed'] },
  'hook-fails': { finding: 'prestop-hook-failed', never: ['killed-at-grace-period', 'readiness-never-passed'] },
  'never-ready': { finding: 'readiness-never-passed', never: ['killed-at-grace-period', 'prestop-hook-failed'] },
};

type Obj = Record<string, unknown>;

function container(app: AppName): Obj {
  const base: Obj = { name: 'app', image: APP_IMAGE, imagePullPolicy: 'Never' };
  switch (app) {
    case 'ignores-term':
      return { ...base, command: ['/bin/sleep', '3600'] };
    case 'hook-fails':
      return {
        ...base,
        ports: [{ name: 'http', containerPort: 8080 }],
        lifecycle: { preStop: { exec: { command: ['/bin/no-such-shell', '-c', 'sleep 5'] } } },
      };
    default:
      return { ...base, ports: [{ name: 'http', containerPort: 8080 }] };
  }
}

const templateAnnotations: Partial<Record<AppName, Record<string, string>>> = {
  'ignores-term': { 'gracekeeper.io/termination-grace-period': '10s' },
  'never-ready': { 'gracekeeper.io/readiness-port': '9999' },
};

/** A Deployment of one replica per app, and a Service for those that serve. */
export function outcomeApps(ns: string): Obj {
  const items: Obj[] = [];
  for (const app of APPS) {
    const labels = { app };
    items.push({
      apiVersion: 'apps/v1',
      kind: 'Deployment',
      metadata: { name: app, namespace: ns },
      spec: {
        replicas: 1,
        selector: { matchLabels: labels },
        template: {
          metadata: { labels, ...(templateAnnotations[app] ? { annotations: templateAnnotations[app] } : {}) },
          spec: { automountServiceAccountToken: false, enableServiceLinks: false, containers: [container(app)] },
        },
      },
    });
    if (app === 'clean' || app === 'hook-fails') {
      items.push({
        apiVersion: 'v1',
        kind: 'Service',
        metadata: { name: app, namespace: ns },
        spec: { selector: labels, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
      });
    }
  }
  return { apiVersion: 'v1', kind: 'List', items };
}
