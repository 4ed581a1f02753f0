// etcd's v3 API as JSON over its client port (the grpc-gateway; the e2e etcd listens on plain HTTP
// on loopback), for what no Kubernetes API offers: its current revision, and compaction.

interface RangeAnswer {
  header?: { revision?: string };
}

async function post<T>(etcdUrl: string, path: string, body: unknown): Promise<T> {
  const res = await fetch(`${etcdUrl}${path}`, { method: 'POST', body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`etcd ${path}: ${res.status} ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** etcd's current revision. */
export async function etcdRevision(etcdUrl: string): Promise<number> {
  const answer = await post<RangeAnswer>(etcdUrl, '/v3/kv/range', { key: Buffer.from('/registry/').toString('base64') });
  const revision = Number(answer.header?.revision);
  if (!Number.isInteger(revision)) throw new Error(`etcd gave no revision: ${JSON.stringify(answer)}`);
  return revision;
}

/** Compacts etcd's history up to its current revision (physically, waiting for it); returns that revision. */
export async function compactEtcd(etcdUrl: string): Promise<number> {
  const revision = await etcdRevision(etcdUrl);
  await post(etcdUrl, '/v3/kv/compaction', { revision: String(revision), physical: true });
  return revision;
}

/** Whether etcd has compacted away `revision`: a read at it is refused. */
export async function compactedAway(etcdUrl: string, revision: number): Promise<boolean> {
  const res = await fetch(`${etcdUrl}/v3/kv/range`, {
    method: 'POST',
    body: JSON.stringify({ key: Buffer.from('/registry/namespaces/').toString('base64'), revision: String(revision) }),
  });
  const text = await res.text();
  if (res.ok) return false;
  if (/required revision has been compacted/.test(text)) return true;
  throw new Error(`etcd read at ${revision}: ${res.status} ${text.slice(0, 300)}`);
}
