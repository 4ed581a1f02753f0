// Shared by the server tests: an in-process server on ephemeral ports with captured logs, and an
// HTTPS client that verifies the server against its CA, the way the API server does.
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtempSync, renameSync, writeFileSync } from 'node:fs';
import { Agent, request, type RequestOptions } from 'node:https';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { pino, type Logger } from 'pino';
import { eventually } from '../poll.js';
import { MemoryNamespaceSource, StaticVersionSource } from '../../src/cluster/memory.js';
import { LOG_SERIALIZERS } from '../../src/runtime/log-error.js';
import { startServer, type RunningServer, type ServerOptions } from '../../src/runtime/start.js';

export interface Captured {
  logger: Logger;
  lines: Array<Record<string, unknown>>;
  text: string[];
}

export function captureLogger(level = 'info'): Captured {
  const lines: Array<Record<string, unknown>> = [];
  const text: string[] = [];
  const logger = pino(
    { level, base: undefined, formatters: { level: (label) => ({ level: label }) }, serializers: LOG_SERIALIZERS },
    {
      write(chunk: string) {
        text.push(chunk);
        lines.push(JSON.parse(chunk) as Record<string, unknown>);
      },
    },
  );
  return { logger, lines, text };
}

export interface TestServer extends RunningServer {
  ca: string;
  logs: Captured;
  namespacesSource: MemoryNamespaceSource;
  versionSource: StaticVersionSource;
}

/** A shared directory for the self-signed CA within one test process (made once, reused). */
let selfSignedDir: string | undefined;
export function tempDir(prefix = 'gk-test-'): string {
  return mkdtempSync(join(tmpdir(), prefix));
}

export async function startTestServer(overrides: Partial<ServerOptions> = {}): Promise<TestServer> {
  selfSignedDir ??= tempDir('gk-selfsigned-');
  const logs = captureLogger();
  const namespacesSource = new MemoryNamespaceSource();
  const versionSource = new StaticVersionSource();
  const server = await startServer({
    port: 0,
    metricsPort: 0,
    host: '127.0.0.1',
    selfSignedDir,
    shutdownDelayMs: 0,
    shutdownTimeoutMs: 2000,
    watchIntervalMs: 100,
    logger: logs.logger,
    cluster: { description: 'test', namespaces: namespacesSource, version: versionSource },
    ...overrides,
  });
  const ca = readFileSync(server.caFile ?? server.certFile, 'utf8');
  return Object.assign(server, { ca, logs, namespacesSource, versionSource });
}

export interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  json: any;
  socket: TLSSocket;
  /** The client side's port: the same for requests over one kept-alive connection. */
  localPort?: number;
}

export interface CallOptions {
  method?: string;
  path?: string;
  body?: unknown;
  /** A raw body (sent as is). */
  raw?: string | Buffer;
  headers?: Record<string, string>;
  agent?: Agent | false;
  ca?: string;
  /** A client certificate and its key (PEM), for --client-ca. */
  cert?: string;
  key?: string;
  timeoutMs?: number;
  /** Send the body chunked, without Content-Length. */
  chunked?: boolean;
}

export function call(server: { port: number; ca: string }, options: CallOptions = {}): Promise<Reply> {
  const payload = options.raw ?? (options.body === undefined ? undefined : JSON.stringify(options.body));
  const requestOptions: RequestOptions = {
    host: '127.0.0.1',
    port: server.port,
    servername: 'localhost',
    method: options.method ?? 'POST',
    path: options.path ?? '/mutate',
    ca: options.ca ?? server.ca,
    ...(options.cert ? { cert: options.cert, key: options.key } : {}),
    agent: options.agent ?? false,
    headers: {
      ...(payload === undefined ? {} : { 'content-type': 'application/json' }),
      ...(payload === undefined || options.chunked ? {} : { 'content-length': String(Buffer.byteLength(payload)) }),
      ...(options.chunked ? { 'transfer-encoding': 'chunked' } : {}),
      ...options.headers,
    },
  };
  return new Promise((resolve, reject) => {
    const req = request(requestOptions, (res) => {
      const socket = res.socket as TLSSocket;
      const localPort = socket.localPort;
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: unknown;
        try {
          json = JSON.parse(text);
        } catch {
          json = undefined;
        }
        resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json, socket, localPort });
      });
    });
    req.setTimeout(options.timeoutMs ?? 10_000, () => req.destroy(new Error('client timeout')));
    req.on('error', reject);
    req.end(payload);
  });
}

export function getMetrics(server: { metricsPort: number }): Promise<string> {
  return new Promise((resolve, reject) => {
    httpRequest({ host: '127.0.0.1', port: server.metricsPort, path: '/metrics' }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    })
      .on('error', reject)
      .end();
  });
}

/** The value of one sample in Prometheus text, e.g. metric('x_total{kind="Pod"}'); 0 when absent. */
export function metricValue(text: string, sample: string): number {
  for (const line of text.split('\n')) {
    if (line.startsWith(`${sample} `)) return Number(line.slice(sample.length + 1));
  }
  return 0;
}

export interface ReviewOptions {
  operation?: 'CREATE' | 'UPDATE' | 'DELETE' | 'CONNECT';
  namespace?: string;
  dryRun?: boolean;
  subResource?: string;
  uid?: string;
  oldObject?: unknown;
}

/** An AdmissionReview as the API server sends it for an object. */
export function review(object: any, options: ReviewOptions = {}): any {
  const [group, version] = String(object.apiVersion).includes('/')
    ? String(object.apiVersion).split('/')
    : ['', object.apiVersion];
  const operation = options.operation ?? 'CREATE';
  const namespace = options.namespace ?? object.metadata?.namespace ?? 'default';
  return {
    apiVersion: 'admission.k8s.io/v1',
    kind: 'AdmissionReview',
    request: {
      uid: options.uid ?? randomUUID(),
      kind: { group, version, kind: object.kind },
      resource: { group, version, resource: `${String(object.kind).toLowerCase()}s` },
      requestKind: { group, version, kind: object.kind },
      name: object.metadata?.name,
      namespace,
      operation,
      ...(options.subResource ? { subResource: options.subResource } : {}),
      userInfo: { username: 'admin', groups: ['system:masters'] },
      object: operation === 'DELETE' ? null : object,
      oldObject: options.oldObject ?? (operation === 'CREATE' ? null : object),
      dryRun: options.dryRun ?? false,
      options: { apiVersion: 'meta.k8s.io/v1', kind: operation === 'CREATE' ? 'CreateOptions' : 'UpdateOptions' },
    },
  };
}

export function decodePatch(response: { patch?: string }): any[] {
  return response.patch ? JSON.parse(Buffer.from(response.patch, 'base64').toString('utf8')) : [];
}

/** Polls a condition every 50 ms until it holds, or fails naming what it waited for. */
/** Waits until `predicate` holds (see test/poll.ts). */
export async function until(what: string, predicate: () => Promise<boolean> | boolean, timeoutMs = 8000): Promise<void> {
  await eventually(what, predicate, { timeoutMs });
}

/** Writes a file whole, by rename, the way a ConfigMap or Secret volume update reaches a reader. */
export function replaceFile(path: string, text: string): void {
  writeFileSync(`${path}.tmp`, text);
  renameSync(`${path}.tmp`, path);
}
