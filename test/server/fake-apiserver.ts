// A small stand-in for the Kubernetes API server, enough for the Namespace informer and /version:
// list, watch (JSON lines), and ways to misbehave (failing lists, dropped watches, 410 Gone).
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

interface Namespace {
  apiVersion: 'v1';
  kind: 'Namespace';
  metadata: { name: string; resourceVersion: string; labels?: Record<string, string>; annotations?: Record<string, string> };
}

export class FakeApiServer {
  readonly namespaces = new Map<string, Namespace>();
  version = { major: '1', minor: '37', gitVersion: 'v1.37.2' };
  /** The next N list calls answer 500. */
  failLists = 0;
  /** The next N /version calls answer 500. */
  failVersions = 0;
  /** List requests answered (a paged list counts each page). */
  lists = 0;
  watches = 0;
  private rv = 100;
  private readonly open = new Set<ServerResponse>();
  /** Watches of the traffic informers' kinds, which never get an event here. */
  private readonly idle = new Set<ServerResponse>();
  private readonly server = createServer((req, res) => this.handle(req.url ?? '/', res));
  port = 0;

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  async stop(): Promise<void> {
    for (const res of [...this.open, ...this.idle]) res.destroy();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  /** A kubeconfig file for this server (plain HTTP, no credentials). */
  kubeconfig(dir: string): string {
    const file = join(dir, 'kubeconfig');
    writeFileSync(
      file,
      JSON.stringify({
        apiVersion: 'v1',
        kind: 'Config',
        'current-context': 'fake',
        clusters: [{ name: 'fake', cluster: { server: `http://127.0.0.1:${this.port}`, 'insecure-skip-tls-verify': true } }],
        users: [{ name: 'fake', user: {} }],
        contexts: [{ name: 'fake', context: { cluster: 'fake', user: 'fake' } }],
      }),
    );
    return file;
  }

  /** Sets a namespace; with `notify` (default) open watches get the event. */
  set(name: string, annotations: Record<string, string>, notify = true, labels?: Record<string, string>): void {
    const type = this.namespaces.has(name) ? 'MODIFIED' : 'ADDED';
    const ns: Namespace = {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name, resourceVersion: String(++this.rv), ...(labels ? { labels } : {}), annotations },
    };
    this.namespaces.set(name, ns);
    if (notify) this.broadcast({ type, object: ns });
  }

  delete(name: string, notify = true): void {
    const ns = this.namespaces.get(name);
    if (!ns) return;
    this.namespaces.delete(name);
    if (notify)
      this.broadcast({ type: 'DELETED', object: { ...ns, metadata: { ...ns.metadata, resourceVersion: String(++this.rv) } } });
  }

  /** Cuts every open watch connection (the client sees an error). */
  dropWatches(): void {
    for (const res of [...this.open, ...this.idle]) res.destroy();
    this.open.clear();
  }

  /** Tells every open watch its resource version is too old, then ends it (the client re-lists). */
  expireWatches(): void {
    for (const res of this.open) {
      res.end(
        `${JSON.stringify({ type: 'ERROR', object: { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 410, reason: 'Expired' } })}\n`,
      );
    }
    this.open.clear();
  }

  private broadcast(event: unknown): void {
    for (const res of this.open) res.write(`${JSON.stringify(event)}\n`);
  }

  private handle(url: string, res: ServerResponse): void {
    const { pathname, searchParams } = new URL(url, 'http://x');
    const json = (code: number, body: unknown) => {
      res.writeHead(code, { 'content-type': 'application/json' });
      res.end(JSON.stringify(body));
    };
    if (pathname === '/version') {
      if (this.failVersions > 0) {
        this.failVersions--;
        return json(500, { kind: 'Status', code: 500 });
      }
      return json(200, this.version);
    }
    // The traffic informers' kinds: always empty here (watches stay open, and the Gateway API's
    // kinds are not installed).
    if (
      ['/api/v1/services', '/apis/networking.k8s.io/v1/ingresses', '/apis/networking.k8s.io/v1/ingressclasses'].includes(pathname)
    ) {
      if (searchParams.get('watch') === 'true') {
        res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
        res.flushHeaders();
        this.idle.add(res);
        res.on('close', () => this.idle.delete(res));
        return;
      }
      return json(200, { apiVersion: 'v1', kind: 'List', metadata: { resourceVersion: String(this.rv) }, items: [] });
    }
    if (pathname !== '/api/v1/namespaces') return json(404, { kind: 'Status', code: 404 });
    if (searchParams.get('watch') === 'true') {
      this.watches++;
      res.writeHead(200, { 'content-type': 'application/json', 'transfer-encoding': 'chunked' });
      res.flushHeaders();
      this.open.add(res);
      res.on('close', () => this.open.delete(res));
      return;
    }
    this.lists++;
    if (this.failLists > 0) {
      this.failLists--;
      return json(500, { kind: 'Status', apiVersion: 'v1', status: 'Failure', code: 500, message: 'etcd is sad' });
    }
    // Pages as the API server cuts them: `limit` items, a `continue` token while more are left.
    const all = [...this.namespaces.values()].sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
    const from = Number(searchParams.get('continue') ?? 0);
    const limit = Number(searchParams.get('limit') ?? 0) || all.length;
    const items = all.slice(from, from + limit);
    const more = from + limit < all.length;
    json(200, {
      apiVersion: 'v1',
      kind: 'NamespaceList',
      metadata: { resourceVersion: String(this.rv), ...(more ? { continue: String(from + limit) } : {}) },
      items,
    });
  }
}
