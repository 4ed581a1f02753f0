// The processes of a run: a certificate for them, gracekeeper or the baseline on a free loopback
// port, the time to their first answered admission (cold start), their memory and CPU from /proc.
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { request } from 'node:https';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { newCertificateAuthority, serverCertificate } from '../src/runtime/self-signed.js';
import { parse as parseYaml } from 'yaml';
import { makePayload } from './payloads.js';
import type { ServerName } from './stats.js';

// Compiled, this file is bench/.build/bench/processes.js (rootDir is the repository: bench/ imports
// src/ and scripts/ too).
export const REPO = fileURLToPath(new URL(import.meta.url.endsWith('.ts') ? '..' : '../../..', import.meta.url));

/** Node arguments that run a sibling bench module: compiled JS under bench/.build, else the .ts through tsx. */
export function benchModule(name: string): { execArgv: string[]; file: string } {
  const ts = import.meta.url.endsWith('.ts');
  return {
    execArgv: ts ? ['--import', 'tsx'] : [],
    file: fileURLToPath(new URL(`./${name}.${ts ? 'ts' : 'js'}`, import.meta.url)),
  };
}

export interface Certificate {
  caFile: string;
  certFile: string;
  keyFile: string;
}

/** A CA and a serving certificate for localhost and 127.0.0.1, as `gracekeeper serve` makes for itself. */
export async function makeCertificate(dir: string): Promise<Certificate> {
  const ca = await newCertificateAuthority();
  const leaf = await serverCertificate(ca, new Date(), 1);
  const files = { caFile: join(dir, 'ca.crt'), certFile: join(dir, 'tls.crt'), keyFile: join(dir, 'tls.key') };
  await writeFile(files.caFile, ca.cert);
  await writeFile(files.certFile, leaf.cert);
  await writeFile(files.keyFile, leaf.key, { mode: 0o600 });
  return files;
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** NODE_OPTIONS of the gracekeeper container in deploy/base/deployment.yaml: the bench runs both servers with them. */
export function deploymentNodeOptions(): string {
  const deployment = parseYaml(readFileSync(join(REPO, 'deploy/base/deployment.yaml'), 'utf8')) as {
    spec: { template: { spec: { containers: { name: string; env?: { name: string; value?: string }[] }[] } } };
  };
  const container = deployment.spec.template.spec.containers.find((c) => c.name === 'gracekeeper');
  return container?.env?.find((e) => e.name === 'NODE_OPTIONS')?.value ?? '';
}

export interface ServerProcess {
  server: ServerName;
  child: ChildProcess;
  pid: number;
  port: number;
  /** From spawn to the first answered admission, ms. */
  coldStartMs: number;
  stop: () => Promise<void>;
}

export interface StartOptions {
  /** The node binary the server runs on (bench/node.ts). */
  node: string;
  certificate: Certificate;
  /** Where the server's stdout (gracekeeper's JSON log) goes: a file path, or /dev/null. */
  logFile: string;
  /** Node flags for both servers, as NODE_OPTIONS (the Deployment sets --max-old-space-size=256). */
  nodeOptions: string;
  /** Extra node flags for gracekeeper (e.g. --cpu-prof). */
  gracekeeperNodeFlags?: string[];
  /**
   * Profile the server (either one) with --cpu-prof: the .cpuprofile goes to `dir` as `name`. Node
   * writes it when the process exits normally, which both servers do on SIGTERM (gracekeeper after
   * its shutdown sequence, the baseline once its connections are closed).
   */
  profile?: { dir: string; name: string };
  /** Extra `gracekeeper serve` flags. */
  serveArgs?: string[];
}

/** gracekeeper as the Deployment runs it (dist/cli.js, --enable-source-maps, log level info); or the baseline. */
function command(server: ServerName, port: number, options: StartOptions): string[] {
  const { certFile, keyFile } = options.certificate;
  const profile = options.profile
    ? ['--cpu-prof', `--cpu-prof-dir=${options.profile.dir}`, `--cpu-prof-name=${options.profile.name}`]
    : [];
  if (server === 'baseline') {
    const { execArgv, file } = benchModule('baseline');
    return [...profile, ...execArgv, file, String(port), certFile, keyFile];
  }
  return [
    ...profile,
    ...(options.gracekeeperNodeFlags ?? []),
    '--enable-source-maps',
    join(REPO, 'dist/cli.js'),
    'serve',
    '--port',
    String(port),
    '--metrics-port',
    '0',
    '--bind-address',
    '127.0.0.1',
    '--tls-cert-file',
    certFile,
    '--tls-key-file',
    keyFile,
    '--config',
    join(REPO, 'deploy/base/config.yaml'),
    '--namespace',
    'gracekeeper',
    '--log-level',
    'info',
    '--shutdown-delay',
    '0s',
    '--shutdown-timeout',
    '2s',
    ...(options.serveArgs ?? []),
  ];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** One POST /mutate of the small Pod; resolves with the answer's status and body, rejects on connection errors. */
export function admitOnce(port: number, ca: Buffer): Promise<{ status: number; body: string }> {
  const { body } = makePayload('pod');
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: '127.0.0.1',
        port,
        servername: 'localhost',
        ca,
        method: 'POST',
        path: '/mutate',
        agent: false,
        headers: { 'content-type': 'application/json', 'content-length': body.length },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

export async function startServer(server: ServerName, options: StartOptions): Promise<ServerProcess> {
  const port = await freePort();
  const ca = readFileSync(options.certificate.caFile);
  const env: NodeJS.ProcessEnv = { ...process.env, NODE_OPTIONS: options.nodeOptions };
  delete env.KUBERNETES_SERVICE_HOST;
  delete env.KUBERNETES_SERVICE_PORT;
  const log = openSync(options.logFile, 'w');
  let stderr = '';
  const started = performance.now();
  const child = spawn(options.node, command(server, port, options), { cwd: REPO, env, stdio: ['ignore', log, 'pipe'] });
  closeSync(log);
  child.stderr?.on('data', (chunk: Buffer) => {
    if (stderr.length < 10_000) stderr += chunk.toString('utf8');
  });
  let exited: string | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = `exited (${code ?? signal})`;
      resolve();
    }),
  );

  let coldStartMs: number;
  for (;;) {
    if (exited) throw new Error(`${server} ${exited} before answering: ${stderr.slice(0, 2000)}`);
    if (performance.now() - started > 30_000) {
      child.kill('SIGKILL');
      throw new Error(`${server} did not answer an admission within 30 s: ${stderr.slice(0, 2000)}`);
    }
    const answer = await admitOnce(port, ca).catch(() => undefined);
    if (answer) {
      if (answer.status !== 200 || !answer.body.includes('"allowed":true')) {
        child.kill('SIGKILL');
        throw new Error(`${server} answered the first admission with ${answer.status}: ${answer.body.slice(0, 300)}`);
      }
      if (server === 'gracekeeper' && !answer.body.includes('"patch"')) {
        child.kill('SIGKILL');
        throw new Error(`gracekeeper did not mutate the small Pod: ${answer.body.slice(0, 300)}`);
      }
      coldStartMs = performance.now() - started;
      break;
    }
    await sleep(5);
  }

  const stop = async () => {
    if (exited) return;
    child.kill('SIGTERM');
    // Writing a profile takes a while: a process killed before it has written none.
    const timer = setTimeout(() => child.kill('SIGKILL'), options.profile ? 60_000 : 5000);
    await exit;
    clearTimeout(timer);
  };
  return { server, child, pid: child.pid as number, port, coldStartMs, stop };
}

/** VmRSS (now) and VmHWM (peak since start) of a process, MB. */
export function memoryOf(pid: number): { rssMb: number; peakMb: number } {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (field: string) => Number(new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(status)?.[1] ?? NaN);
  return { rssMb: kb('VmRSS') / 1024, peakMb: kb('VmHWM') / 1024 };
}

/** CPU time (user + system) a process has used, ms (Linux clock ticks of 10 ms). */
export function cpuMsOf(pid: number): number {
  return ticksMs(readFileSync(`/proc/${pid}/stat`, 'utf8'));
}

/**
 * CPU time of a process's main thread alone (the event loop: JavaScript, TLS, HTTP), ms. The rest
 * of cpuMsOf is V8's and libuv's other threads: mostly the optimising compiler while code warms up,
 * and the garbage collector's helpers.
 */
export function mainThreadCpuMsOf(pid: number): number {
  return ticksMs(readFileSync(`/proc/${pid}/task/${pid}/stat`, 'utf8'));
}

function ticksMs(stat: string): number {
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  // After "pid (comm) ": state is field 3, utime 14 and stime 15 (1-based) -> indexes 11 and 12.
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
