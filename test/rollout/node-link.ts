// Links two nodes of node.ts: a veth pair from one node's network namespace to the other's, with
// a /30 on it and routes to the other node's address and pod range, so that a Service's traffic
// from one node reaches pods on the other, as a flat pod network would. Each node's own default
// route (for ClusterIPs before kube-proxy's DNAT) stays as it is. Both ends vanish with the
// namespaces when the nodes stop.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { Node } from './node.js';

const run = promisify(execFile);

/** The addresses of the link: a's end, b's end (10.254.1.0/30). */
export const LINK = { a: '10.254.1.1', b: '10.254.1.2', prefix: 30 } as const;

/** The commands that link `a` to `b`, as [netns pin, shell script] pairs (for the record and tests). */
export function linkCommands(
  a: Pick<Node, 'ip' | 'podCidr' | 'netns'>,
  b: Pick<Node, 'ip' | 'podCidr' | 'netns'>,
): [string, string][] {
  const end = (self: string, peerAddr: string, dev: string, other: Pick<Node, 'ip' | 'podCidr'>): string =>
    [
      `ip addr add ${self}/${LINK.prefix} dev ${dev}`,
      `ip link set ${dev} up`,
      `ip route add ${other.ip}/32 via ${peerAddr} dev ${dev}`,
      `ip route add ${other.podCidr} via ${peerAddr} dev ${dev}`,
    ].join('\n');
  return [
    [a.netns, `ip link add gkx0 type veth peer name gkx1 netns ${b.netns}`],
    [a.netns, end(LINK.a, LINK.b, 'gkx0', b)],
    [b.netns, end(LINK.b, LINK.a, 'gkx1', a)],
  ];
}

export async function linkNodes(a: Node, b: Node): Promise<void> {
  for (const [netns, script] of linkCommands(a, b)) {
    try {
      await run('nsenter', [`--net=${netns}`, 'sh', '-ec', script]);
    } catch (err) {
      const e = err as { stderr?: string; message: string };
      throw new Error(`linking ${a.name} and ${b.name}: ${e.stderr?.trim() || e.message}`, { cause: err });
    }
  }
}
