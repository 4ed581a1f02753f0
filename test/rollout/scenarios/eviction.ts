// Eviction, as a node drain does it: on two nodes, `kubectl drain` of the node that holds the
// app's 3 pods (it cordons the node, then evicts each pod through the Eviction API, retrying
// every 5 s those the PodDisruptionBudget refuses, so one at a time), then `kubectl uncordon`.
// The replacements start on the other node; the next run drains that one. Setup puts all 3 pods
// on the first node (the second cordoned meanwhile). The drain picks the namespace's pods only
// (--pod-selector), so the other arm's pods stay where they are.
import { APP, deployApp, pods } from '../harness.js';
import type { Scenario } from '../scenario.js';
import { BUSYBOX_APP, clusterIp } from './common.js';

const REPLICAS = 3;

export const eviction: Scenario = {
  name: 'eviction',
  arms: ['without', 'with'],
  replicas: () => REPLICAS,
  describe: (o) => ({
    disruption:
      '`kubectl drain` (cordon, then the Eviction API) of the node holding the 3 pods, PodDisruptionBudget maxUnavailable 1; ' +
      'then `kubectl uncordon`; runs alternate between the two nodes',
    app: `${BUSYBOX_APP}; ${REPLICAS} replicas, all on the drained node`,
    path: 'ClusterIP Service port 80 (kube-proxy, iptables) on the first node; pods on the second reached over a veth link between the nodes',
    load: `${o.rate} req/s from the first node, a new TCP connection per request, ${o.timeoutMs / 1000} s timeout`,
    nodes: 2,
  }),
  async setup(c, arm, ns) {
    if (c.nodes.length < 2) return 'needs a second node (--nodes=2)';
    const second = c.nodes[1].name;
    await c.cp.kubectl(['cordon', second]);
    try {
      const podSpec = await deployApp(c.cp, arm, { namespace: ns, replicas: REPLICAS, pdbMaxUnavailable: 1 });
      const ip = await clusterIp(c.cp, ns);
      return { loadArgs: [`--url=http://${ip}/`], conntrackIp: ip, podSpec };
    } finally {
      await c.cp.kubectl(['uncordon', second]);
    }
  },
  async disrupt(c, _arm, ns, _run, at) {
    const where = new Set((await pods(c.cp, ns)).map((p) => p.spec.nodeName));
    const [node] = where;
    if (where.size !== 1 || !node) throw new Error(`${ns}: the ${APP} pods are not on one node: ${[...where].join(', ')}`);
    at(`drain ${node}`);
    const r = await c.cp.kubectl(
      ['drain', node, `--pod-selector=proof=${ns}`, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s'],
      { timeoutMs: 320_000 },
    );
    const refused = (r.stderr + r.stdout).match(/violate the pod's disruption budget/g)?.length ?? 0;
    at(`drained ${node} (${refused} evictions refused by the PodDisruptionBudget, retried)`);
    await c.cp.kubectl(['uncordon', node]);
    at(`uncordoned ${node}`);
  },
};
