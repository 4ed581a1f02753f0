// Rolling update: `kubectl rollout restart` of a Deployment behind a ClusterIP Service, each
// waited for with `kubectl rollout status`, under steady load from the node, a new TCP
// connection per request.
import { deployApp } from '../harness.js';
import type { Scenario } from '../scenario.js';
import { BUSYBOX_APP, clusterIp, pinned, rolloutRestart } from './common.js';

export const rollingUpdate: Scenario = {
  name: 'rolling-update',
  arms: ['without', 'with'],
  replicas: (o) => o.replicas,
  describe: (o) => ({
    disruption: `${o.restarts} \`kubectl rollout restart\`s, each waited for with \`kubectl rollout status\``,
    app: `${BUSYBOX_APP}; ${o.replicas} replicas; RollingUpdate maxSurge 25% maxUnavailable 25%`,
    path: 'ClusterIP Service port 80 (kube-proxy, iptables)',
    load: `${o.rate} req/s from the node, a new TCP connection per request, ${o.timeoutMs / 1000} s timeout`,
  }),
  async setup(c, arm, ns) {
    const podSpec = await deployApp(c.cp, arm, { namespace: ns, replicas: c.o.replicas, nodeName: pinned(c) });
    const ip = await clusterIp(c.cp, ns);
    return { loadArgs: [`--url=http://${ip}/`], conntrackIp: ip, podSpec };
  },
  async disrupt(c, _arm, ns, _run, at) {
    for (let i = 1; i <= c.o.restarts; i++) await rolloutRestart(c.cp, ns, i, at);
  },
};
