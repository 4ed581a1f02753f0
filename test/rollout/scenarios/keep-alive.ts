// Keep-alive clients: a rolling update (one `kubectl rollout restart`), but the app (app/main.go) serves HTTP/1.1 with
// persistent connections and drains on SIGTERM as a well-behaved app does (stops accepting,
// closes idle connections, answers in-flight requests with `Connection: close`), and the load
// generator keeps a pool of persistent connections through the ClusterIP Service, each pinned to
// one pod by conntrack for as long as it lives. Each request takes 50 ms of work in the app.
import { deployApp } from '../harness.js';
import { KEEPALIVE_IMAGE } from '../node.js';
import type { Scenario } from '../scenario.js';
import { clusterIp, pinned, rolloutRestart } from './common.js';

const REPLICAS = 3;
const CONNECTIONS = 16;
const PATH = '/?work=50ms';
const RESTARTS = 1;

export const keepAlive: Scenario = {
  name: 'keep-alive',
  arms: ['without', 'with'],
  replicas: () => REPLICAS,
  describe: (o) => ({
    disruption: `${RESTARTS} \`kubectl rollout restart\`, waited for with \`kubectl rollout status\``,
    app:
      'test/rollout/app/main.go (Go net/http) on :8080 started after 3 s; HTTP/1.1 keep-alive; 50 ms of work per request; ' +
      'on SIGTERM stops accepting, closes idle connections, answers in-flight requests with `Connection: close`, exits when drained; ' +
      `${REPLICAS} replicas; RollingUpdate maxSurge 25% maxUnavailable 25%`,
    path: 'ClusterIP Service port 80 (kube-proxy, iptables); conntrack pins each connection to one pod',
    load:
      `${o.rate} req/s from the node over a pool of ${CONNECTIONS} persistent HTTP/1.1 connections (Node.js http.Agent, ` +
      `keepAlive, FIFO); a request waits for a free connection; a connection the server closes is replaced by a new one; ` +
      `no retries; ${o.timeoutMs / 1000} s timeout`,
  }),
  async setup(c, arm, ns) {
    const podSpec = await deployApp(c.cp, arm, {
      namespace: ns,
      replicas: REPLICAS,
      image: KEEPALIVE_IMAGE,
      nodeName: pinned(c),
    });
    const ip = await clusterIp(c.cp, ns);
    return { loadArgs: [`--url=http://${ip}${PATH}`, `--keep-alive=${CONNECTIONS}`], conntrackIp: ip, podSpec };
  },
  async disrupt(c, _arm, ns, _run, at) {
    for (let i = 1; i <= RESTARTS; i++) await rolloutRestart(c.cp, ns, i, at);
  },
};
