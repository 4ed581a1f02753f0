// Watches of the e2e control plane's API, for tests that must see the order in which things
// happen from the API server's side: every event with its object's resourceVersion. On this
// control plane (one etcd) a resourceVersion is the etcd revision of the write, so versions of
// different resources compare; a DELETED event carries the revision of the deletion itself.
import { readFileSync } from 'node:fs';
import type { ClientRequest } from 'node:http';
import { request } from 'node:https';
import type { ControlPlane } from './cluster.js';

export interface WatchEvent {
  type: 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';
  /** The path watched, e.g. /apis/apps/v1/deployments. */
  path: string;
  kind: string;
  namespace?: string;
  name: string;
  resourceVersion: number;
  object: Record<string, any>;
}

export interface Watches {
  events: WatchEvent[];
  stop(): void;
}

/** The current resourceVersion of the store (a list's), to start watches from. */
export async function currentResourceVersion(cp: ControlPlane): Promise<string> {
  const res = await cp.api<{ metadata: { resourceVersion: string } }>('GET', '/api/v1/namespaces?limit=1');
  return res.body.metadata.resourceVersion;
}

/** Starts a watch of each path from `resourceVersion`; events are appended as they arrive. */
export function watchAll(cp: ControlPlane, paths: string[], resourceVersion: string): Watches {
  const events: WatchEvent[] = [];
  const requests: ClientRequest[] = [];
  const tls = {
    ca: cp.caPem,
    cert: readFileSync(cp.pki.admin.certPath, 'utf8'),
    key: readFileSync(cp.pki.admin.keyPath, 'utf8'),
  };
  for (const path of paths) {
    const url = new URL(`${path}?watch=1&allowWatchBookmarks=false&resourceVersion=${resourceVersion}`, cp.server);
    const req = request(url, { ...tls, agent: false, headers: { accept: 'application/json' } }, (res) => {
      let buffer = '';
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let nl: number;
        while ((nl = buffer.indexOf('\n')) >= 0) {
          const line = buffer.slice(0, nl);
          buffer = buffer.slice(nl + 1);
          if (line.trim() === '') continue;
          const e = JSON.parse(line) as { type: WatchEvent['type']; object: Record<string, any> };
          events.push({
            type: e.type,
            path,
            kind: e.object.kind as string,
            namespace: e.object.metadata?.namespace as string | undefined,
            name: e.object.metadata?.name as string,
            resourceVersion: Number(e.object.metadata?.resourceVersion),
            object: e.object,
          });
        }
      });
      res.on('error', () => {});
    });
    req.on('error', () => {}); // stop() aborts the requests
    req.end();
    requests.push(req);
  }
  return { events, stop: () => requests.forEach((r) => r.destroy()) };
}
