// Small helpers of the e2e control plane: free ports, HTTPS requests as a client certificate,
// kubectl, and polling with a deadline that gives up early when a component has died.
import { spawn } from 'node:child_process';
import { request } from 'node:https';
import { createServer, type AddressInfo, type Server } from 'node:net';
import { dirname, join } from 'node:path';
import { eventually } from '../poll.js';
import type { Component } from './procs.js';

/** `n` distinct free TCP ports on 127.0.0.1 (all held open at once, then released). */
export async function freePorts(n: number): Promise<number[]> {
  const servers: Server[] = [];
  try {
    for (let i = 0; i < n; i++) {
      const srv = createServer();
      servers.push(srv);
      await new Promise<void>((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((s) => (s.address() as AddressInfo).port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

export interface ApiResult<T> {
  status: number;
  body: T;
  text: string;
}

export interface TlsClient {
  ca: string;
  cert: string;
  key: string;
}

/** One HTTPS request to the API server; the body is sent as JSON (a PATCH as a JSON merge patch), the answer parsed if JSON. */
export function apiRequest<T>(
  server: string,
  tls: TlsClient,
  method: string,
  path: string,
  body?: unknown,
  timeoutMs = 10_000,
): Promise<ApiResult<T>> {
  const payload = body === undefined ? undefined : JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = request(
      new URL(path, server),
      {
        method,
        ...tls,
        agent: false,
        timeout: timeoutMs,
        headers: {
          accept: 'application/json',
          ...(payload === undefined
            ? {}
            : { 'content-type': method === 'PATCH' ? 'application/merge-patch+json' : 'application/json' }),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let parsed: unknown = text;
          try {
            parsed = JSON.parse(text);
          } catch {
            // not JSON (e.g. /readyz): keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: parsed as T, text });
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${method} ${path}: timed out`)));
    req.on('error', reject);
    req.end(payload);
  });
}

export interface KubectlOptions {
  /** Written to kubectl's stdin (for `apply -f -`). */
  input?: string;
  /** Default 60 s; kubectl is killed after it. */
  timeoutMs?: number;
  /** Resolve with the result instead of throwing when kubectl exits non-zero. */
  allowFailure?: boolean;
}

export interface KubectlResult {
  code: number;
  stdout: string;
  stderr: string;
}

export function runKubectl(
  kubectl: string,
  kubeconfigPath: string,
  args: string[],
  opts: KubectlOptions = {},
): Promise<KubectlResult> {
  return new Promise((resolve, reject) => {
    // Discovery cached beside the kubeconfig, one cache per control plane: kubectl's default
    // (~/.kube/cache/discovery/HOST_PORT) outlives a run, and a later control plane of another
    // version on a reused port then maps kinds it does not serve (a POST to a 404 instead of "no
    // matches for kind").
    const cacheDir = join(dirname(kubeconfigPath), 'kubectl-cache');
    const child = spawn(kubectl, [`--kubeconfig=${kubeconfigPath}`, `--cache-dir=${cacheDir}`, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      env: { ...process.env, KUBECONFIG: kubeconfigPath },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', (err) => {
      clearTimeout(timer);
      reject(err);
    });
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      const result = { code: code ?? -1, stdout, stderr };
      if (code === 0 || opts.allowFailure) resolve(result);
      else {
        reject(new Error(`kubectl ${args.join(' ')} failed (${code ?? signal}):\n${stderr}${stdout}`));
      }
    });
    child.stdin.on('error', () => {}); // kubectl may exit before reading all of its input
    child.stdin.end(opts.input ?? '');
  });
}

/** Waits until `check` holds; fails at once when one of `components()` has exited (see test/poll.ts). */
export async function waitFor(
  what: string,
  timeoutMs: number,
  components: () => Component[],
  check: () => Promise<boolean>,
): Promise<void> {
  await eventually(what, check, { timeoutMs: Math.max(timeoutMs, 0), components, intervalMs: 100 });
}
