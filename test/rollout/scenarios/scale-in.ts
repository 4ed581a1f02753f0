// Scale-in, as an autoscaler does it: a Deployment of 6 replicas scaled to 3 under load, until
// the 3 removed pods are gone, then back to 6 until all are ready.
import { APP, deployApp, waitSettled } from '../harness.js';
import type { Scenario } from '../scenario.js';
import { BUSYBOX_APP, clusterIp, pinned } from './common.js';

const FULL = 6;
const LOW = 3;

export const scaleIn: Scenario = {
  name: 'scale-in',
  arms: ['without', 'with'],
  replicas: () => FULL,
  describe: (o) => ({
    disruption: `\`kubectl scale --replicas=${LOW}\`, until the ${FULL - LOW} removed pods are gone; then \`--replicas=${FULL}\`, until all are ready`,
    app: `${BUSYBOX_APP}; ${FULL} replicas`,
    path: 'ClusterIP Service port 80 (kube-proxy, iptables)',
    load: `${o.rate} req/s from the node, a new TCP connection per request, ${o.timeoutMs / 1000} s timeout`,
  }),
  async setup(c, arm, ns) {
    const podSpec = await deployApp(c.cp, arm, { namespace: ns, replicas: FULL, nodeName: pinned(c) });
    const ip = await clusterIp(c.cp, ns);
    return { loadArgs: [`--url=http://${ip}/`], conntrackIp: ip, podSpec };
  },
  async disrupt(c, _arm, ns, _run, at) {
    at(`scale to ${LOW}`);
    await c.cp.kubectl(['-n', ns, 'scale', `deployment/${APP}`, `--replicas=${LOW}`]);
    await waitSettled(c.cp, ns, LOW);
    at(`${FULL - LOW} pods gone`);
    at(`scale to ${FULL}`);
    await c.cp.kubectl(['-n', ns, 'scale', `deployment/${APP}`, `--replicas=${FULL}`]);
  },
};
