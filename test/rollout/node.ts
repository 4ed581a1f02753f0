// A real Kubernetes node on this machine, joined to a control plane of test/e2e/cluster.ts:
// containerd (CRI) and runc from Debian, kubelet, kube-proxy (iptables mode) and (on the first
// node) kube-scheduler, running real containers from locally built images. A second node, with
// its own name, address and pod range, is linked to the first by node-link.ts.
//
// Isolation, so that nothing of it touches the host's network or mounts, and cleanup is total:
//  - The node lives in its own network namespace (pinned on <dir>/ns/net): kubelet, containerd and
//    the pods' bridge, kube-proxy's iptables rules, conntrack, sysctls. It reaches the API server
//    (on the host's loopback) through a forwarder: 127.0.0.1:<port> in the namespace, a unix
//    socket, then 127.0.0.1:<port> on the host. The node's own address is 10.254.0.2 on an interface
//    (one end of a veth pair whose other end stays down) that also carries the default route that
//    ClusterIP traffic needs before kube-proxy's DNAT sends it to a pod.
//  - containerd and kubelet share a private mount namespace (pinned on <dir>/ns/mnt), where
//    /run/containerd and /var/lib/cni are bind mounts of directories under <dir>: every mount they
//    make (overlay rootfs, volumes, netns files) vanishes with the namespace.
//  - Every process (and every container: kubelet's cgroup root is inside it) runs in the cgroup
//    subtree /gracekeeper-rollout-<id>; cleanup.sh kills whatever is in it, removes it, unmounts
//    the pins and the directory. It runs on stop(), and from a detached watchdog if this process
//    dies any other way.
import { execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync, mkdirSync, appendFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { createConnection, createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { ControlPlane } from '../e2e/cluster.js';
import { ProcessGroupSet, tail, type Component } from '../e2e/procs.js';
import { freePorts, waitFor } from '../e2e/util.js';
import { issueClientCert } from '../e2e/pki.js';

const run = promisify(execFile);
const here = dirname(fileURLToPath(import.meta.url));

export const NODE_NAME = 'gk-node';
export const NODE_IP = '10.254.0.2';
/** Every node's pods (kube-proxy's clusterCIDR); each node takes a part of it (podCidr). */
export const CLUSTER_CIDR = '10.88.0.0/16';
export const POD_CIDR = '10.88.0.0/17';
export const PAUSE_IMAGE = 'gracekeeper.local/pause:1';
export const APP_IMAGE = 'gracekeeper.local/test-app:1';
export const KEEPALIVE_IMAGE = 'gracekeeper.local/keepalive-app:1';
const IMAGE_ARCHIVES = ['pause', 'app', 'keepalive'];
/** The CPU weight of a node's cgroup subtree: eight ordinary processes' (1024 each). */
export const NODE_CPU_SHARES = 8192;

export interface NodeOptions {
  /** The node's name, address and pod range (defaults NODE_NAME, NODE_IP, POD_CIDR). */
  name?: string;
  ip?: string;
  podCidr?: string;
  /** A directory where buildImages() wrote the images (default: built for this node). */
  imagesDir?: string;
  /** cpu.shares of the node's cgroup subtree (default NODE_CPU_SHARES). */
  cpuShares?: number;
  /** Run the cluster's kube-scheduler on this node (default true; one per cluster). */
  scheduler?: boolean;
  /** kube-proxy's iptables.minSyncPeriod (default "3s"). */
  iptablesMinSyncPeriod?: string;
  /** Keep <dir> (logs, configs) after stop(). */
  keepDir?: boolean;
  log?: (message: string) => void;
}

export interface Node {
  name: string;
  ip: string;
  podCidr: string;
  /** The pin of the node's network namespace (for nsenter --net=). */
  netns: string;
  dir: string;
  cgroup: string;
  components: readonly Component[];
  /** argv that runs a command inside the node's network namespace. */
  inNetns(argv: string[]): string[];
  /** argv that runs a command inside the node's network namespace and cgroup (so that cleanup
   * kills it too, whatever happens). */
  inNode(argv: string[]): string[];
  /** Runs a command in the node's network namespace; resolves with stdout. */
  execInNetns(argv: string[]): Promise<string>;
  stop(): Promise<void>;
}

const CLEANUP = join(here, 'cleanup.sh');
const IMAGES = join(here, 'images.sh');

async function sh(cmd: string, args: string[]): Promise<string> {
  try {
    return (await run(cmd, args, { maxBuffer: 16 << 20 })).stdout;
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    throw new Error(`${cmd} ${args.join(' ')}: ${e.stderr?.trim() || e.message}`, { cause: err });
  }
}

/** Builds the images of every node (images.sh) into `dir`. */
export async function buildImages(dir: string): Promise<void> {
  await sh('bash', [IMAGES, dir]);
}

/** What this machine lacks for a node, in words; undefined when everything is there. */
export function nodePrerequisiteProblem(): string | undefined {
  if (process.getuid?.() !== 0) return 'needs root (network namespaces, mounts, cgroups)';
  const missing = ['containerd', 'ctr', 'runc', 'iptables', 'nsenter', 'unshare', 'umoci', 'ip'].filter(
    (c) => spawnSync('sh', ['-c', `command -v ${c}`]).status !== 0,
  );
  for (const p of ['/usr/lib/cni/bridge', '/usr/lib/cni/host-local', '/usr/lib/cni/loopback', '/bin/busybox'])
    if (!existsSync(p)) missing.push(p);
  if (missing.length) {
    return (
      `missing ${missing.join(', ')} (apt-get install containerd runc ` +
      'containernetworking-plugins iptables conntrack busybox-static umoci util-linux iproute2)'
    );
  }
  if (!existsSync('/sys/fs/cgroup/pids/cgroup.procs')) {
    return 'needs cgroup v1 hierarchies under /sys/fs/cgroup (pids, memory, cpu, ...)';
  }
  return undefined;
}

function b64(s: string): string {
  return Buffer.from(s).toString('base64');
}

/** A client certificate from the control plane's CA (test/e2e/pki.ts), as PEM text for a kubeconfig. */
async function clientPair(
  cp: ControlPlane,
  dir: string,
  name: string,
  user: string,
  groups: string[] = [],
): Promise<{ cert: string; key: string }> {
  const pair = await issueClientCert(dir, cp.pki.ca, name, user, groups);
  return { cert: await readFile(pair.certPath, 'utf8'), key: await readFile(pair.keyPath, 'utf8') };
}

async function writeKubeconfig(path: string, server: string, caPem: string, pair: { cert: string; key: string }): Promise<void> {
  await writeFile(
    path,
    `${JSON.stringify(
      {
        apiVersion: 'v1',
        kind: 'Config',
        clusters: [{ name: 'c', cluster: { server, 'certificate-authority-data': b64(caPem) } }],
        users: [{ name: 'u', user: { 'client-certificate-data': b64(pair.cert), 'client-key-data': b64(pair.key) } }],
        contexts: [{ name: 'c', context: { cluster: 'c', user: 'u' } }],
        'current-context': 'c',
      },
      null,
      2,
    )}\n`,
    { mode: 0o600 },
  );
}

/** cgroup v1 hierarchies mounted under /sys/fs/cgroup (plus "unified" if there). */
function hierarchies(): string[] {
  return readdirSync('/sys/fs/cgroup').filter((h) => existsSync(`/sys/fs/cgroup/${h}/cgroup.procs`));
}

function makeCgroup(path: string): void {
  for (const h of hierarchies()) {
    let cur = `/sys/fs/cgroup/${h}`;
    for (const part of path.split('/').filter(Boolean)) {
      const parent = cur;
      cur = `${cur}/${part}`;
      if (existsSync(cur)) continue;
      mkdirSync(cur);
      if (h === 'cpuset') {
        // a v1 cpuset starts empty and takes no task until given cpus and mems
        for (const f of ['cpuset.cpus', 'cpuset.mems']) {
          writeFileSync(`${cur}/${f}`, readFileSync(`${parent}/${f}`, 'utf8').trim() || '0');
        }
      }
    }
  }
}

/** Forwards connections on a unix socket to 127.0.0.1:port on the host. */
function unixToTcp(socketPath: string, port: number): Promise<Server> {
  const server = createServer((c) => {
    const up = createConnection({ host: '127.0.0.1', port });
    c.pipe(up).pipe(c);
    const end = (): void => {
      c.destroy();
      up.destroy();
    };
    c.on('error', end);
    up.on('error', end);
    c.on('close', end);
    up.on('close', end);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(socketPath, () => resolve(server));
  });
}

export async function startNode(cp: ControlPlane, opts: NodeOptions = {}): Promise<Node> {
  const problem = nodePrerequisiteProblem();
  if (problem) throw new Error(`cannot start a node: ${problem}`);
  const log = opts.log ?? (() => {});
  const nodeName = opts.name ?? NODE_NAME;
  const nodeIp = opts.ip ?? NODE_IP;
  const podCidr = opts.podCidr ?? POD_CIDR;
  const dir = await mkdtemp(join(tmpdir(), 'gk-rollout-node-'));
  const id = dir.slice(dir.lastIndexOf('-') + 1);
  const cgroup = `gracekeeper-rollout-${id}`;
  const keep = opts.keepDir ?? process.env.GRACEKEEPER_E2E_KEEP === '1';
  const cleanupArgs = [CLEANUP, dir, cgroup];
  const cleanupEnv = { ...process.env, KEEP: keep ? '1' : '0' };
  // The watchdog: whatever ends this process, the node goes with it.
  const wd = spawn(
    'bash',
    [
      '-c',
      'while kill -0 "$1" 2>/dev/null && [ ! -e "$2/stopped" ]; do sleep 1; done; ' +
        '[ -e "$2/stopped" ] || exec bash "$3" "$2" "$4"',
      'watchdog',
      String(process.pid),
      dir,
      CLEANUP,
      cgroup,
    ],
    { detached: true, stdio: 'ignore', env: cleanupEnv },
  );
  wd.unref();
  const logs = join(dir, 'logs');
  mkdirSync(logs);
  const procs = new ProcessGroupSet(logs, true);
  const ns = { net: join(dir, 'ns', 'net'), mnt: join(dir, 'ns', 'mnt') };
  let forwarder: Server | undefined;
  let stopped: Promise<void> | undefined;

  const stop = (): Promise<void> =>
    (stopped ??= (async () => {
      forwarder?.close();
      // Kubelet and the rest first, politely; the sweep takes whatever is left (the containers).
      await procs.stop(3000).catch(() => {});
      appendFileSync(join(dir, 'stopped'), '');
      const r = spawnSync('bash', cleanupArgs, { encoding: 'utf8', env: cleanupEnv });
      if (r.stderr.trim()) log(`cleanup: ${r.stderr.trim()}`);
    })());

  try {
    const cgPath = `/${cgroup}`;
    makeCgroup(`${cgPath}/system`);
    makeCgroup(`${cgPath}/pods`);
    // The machine's other processes sit in the root cgroup, each weighing 1024 shares: this whole
    // subtree (kubelet, containerd, kube-proxy, every pod, the load generator) would weigh as one
    // of them when the CPU is contended. Give it the weight of the ordinary processes it holds.
    const shares = `/sys/fs/cgroup/cpu/${cgroup}/cpu.shares`;
    if (existsSync(shares)) writeFileSync(shares, String(opts.cpuShares ?? NODE_CPU_SHARES));
    const inCgroup = (argv: string[]): string[] => [
      'sh',
      '-c',
      `echo $$ > /sys/fs/cgroup/pids${cgPath}/system/cgroup.procs && exec "$@"`,
      'in-cgroup',
      ...argv,
    ];
    const inNetns = (argv: string[]): string[] => ['nsenter', `--net=${ns.net}`, '--', ...argv];
    const inNodeNs = (argv: string[]): string[] => ['nsenter', `--net=${ns.net}`, `--mount=${ns.mnt}`, '--', ...argv];
    const startIn = (name: string, argv: string[]): Component => procs.start(name, argv[0], argv.slice(1));

    // Namespaces: the pins live on a private bind mount, as unshare(1) requires.
    const nsDir = join(dir, 'ns');
    mkdirSync(nsDir);
    await sh('mount', ['--bind', nsDir, nsDir]);
    await sh('mount', ['--make-private', nsDir]);
    writeFileSync(ns.net, '');
    writeFileSync(ns.mnt, '');
    await sh('unshare', [`--net=${ns.net}`, 'true']);
    await sh('nsenter', [`--net=${ns.net}`, 'unshare', `--mount=${ns.mnt}`, '--propagation', 'private', 'true']);
    const paths = {
      runContainerd: join(dir, 'run-containerd'),
      varLibCni: join(dir, 'var-lib-cni'),
      containerd: join(dir, 'containerd'),
      cniConf: join(dir, 'cni', 'net.d'),
      ipam: join(dir, 'cni', 'ipam'),
      kubelet: join(dir, 'kubelet'),
      podLogs: join(dir, 'pod-logs'),
      images: join(dir, 'images'),
      pki: join(dir, 'pki'),
    };
    for (const p of Object.values(paths)) mkdirSync(p, { recursive: true });
    await sh('nsenter', [
      `--net=${ns.net}`,
      `--mount=${ns.mnt}`,
      'sh',
      '-ec',
      [
        // Mount points on the host's filesystem: remember the ones made here, for cleanup.sh.
        `for d in /run/containerd /var/lib/cni; do [ -e "$d" ] || { mkdir -p "$d" && echo "$d" >> ${dir}/created-dirs; }; done`,
        `mount --bind ${paths.runContainerd} /run/containerd`,
        `mount --bind ${paths.varLibCni} /var/lib/cni`,
        'ip link set lo up',
        // No dummy driver in every kernel: a veth pair whose peer stays down does the same.
        'ip link add gk0 type veth peer name gk1',
        `ip addr add ${nodeIp}/32 dev gk0`,
        'ip link set gk0 up',
        'ip route add default dev gk0',
        'sysctl -qw net.ipv4.ip_forward=1',
        // The load generator opens a connection per request: room for 200/s over TIME_WAIT.
        "sysctl -qw net.ipv4.ip_local_port_range='10000 65000'",
        '[ ! -e /proc/sys/net/bridge/bridge-nf-call-iptables ] || sysctl -qw net.bridge.bridge-nf-call-iptables=1',
      ].join('\n'),
    ]);
    log(`node namespaces ready (${dir})`);

    // Images, built while containerd starts (unless built already).
    const imagesDir = opts.imagesDir ?? paths.images;
    const imagesBuilt = opts.imagesDir ? Promise.resolve() : buildImages(paths.images);

    // containerd, CRI on, its own everything.
    const sock = join(paths.containerd, 'containerd.sock');
    await writeFile(
      join(paths.containerd, 'config.toml'),
      `version = 2
root = "${paths.containerd}/root"
state = "${paths.containerd}/state"
disabled_plugins = ["io.containerd.snapshotter.v1.aufs", "io.containerd.snapshotter.v1.btrfs",
  "io.containerd.snapshotter.v1.zfs", "io.containerd.snapshotter.v1.devmapper",
  "io.containerd.tracing.processor.v1.otlp", "io.containerd.internal.v1.tracing"]
[grpc]
  address = "${sock}"
[ttrpc]
  address = "${sock}.ttrpc"
[plugins."io.containerd.grpc.v1.cri"]
  sandbox_image = "${PAUSE_IMAGE}"
  netns_mounts_under_state_dir = true
  # Without CAP_SYS_RESOURCE (as in some sandboxes) runc cannot lower oom_score_adj below its
  # own (the pause container asks for -998) and fails with "can't get final child's PID from
  # pipe: EOF". This clamps the requested value to containerd's own instead.
  restrict_oom_score_adj = true
  [plugins."io.containerd.grpc.v1.cri".cni]
    bin_dir = "/usr/lib/cni"
    conf_dir = "${paths.cniConf}"
  [plugins."io.containerd.grpc.v1.cri".containerd]
    snapshotter = "overlayfs"
    default_runtime_name = "runc"
    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
      runtime_type = "io.containerd.runc.v2"
      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
        SystemdCgroup = false
        Root = "${paths.containerd}/runc"
`,
    );
    await writeFile(
      join(paths.cniConf, '10-gk-rollout.conflist'),
      `${JSON.stringify(
        {
          cniVersion: '0.4.0',
          name: 'gk-rollout',
          plugins: [
            {
              type: 'bridge',
              bridge: 'gkbr0',
              isGateway: true,
              ipMasq: true,
              hairpinMode: true,
              ipam: { type: 'host-local', ranges: [[{ subnet: podCidr }]], routes: [{ dst: '0.0.0.0/0' }], dataDir: paths.ipam },
            },
            { type: 'loopback' },
          ],
        },
        null,
        2,
      )}\n`,
    );
    const containerd = startIn(
      'containerd',
      inCgroup(inNodeNs(['containerd', '--config', join(paths.containerd, 'config.toml')])),
    );
    const all = (): Component[] => [...procs.all];
    await waitFor('containerd', 30_000, all, async () => {
      if (!existsSync(sock)) return false;
      await sh('ctr', ['--address', sock, 'version']);
      return true;
    });
    await imagesBuilt;
    for (const img of IMAGE_ARCHIVES) {
      await sh('ctr', ['--address', sock, '-n', 'k8s.io', 'images', 'import', join(imagesDir, `${img}.tar`)]);
    }
    log(`${nodeName}: containerd up (pid ${containerd.pid}), images ${PAUSE_IMAGE} ${APP_IMAGE} ${KEEPALIVE_IMAGE} imported`);

    // The API server, reachable from inside the namespace on the same 127.0.0.1:<port>.
    const apiPort = Number(new URL(cp.server).port);
    const apiSock = join(dir, 'apiserver.sock');
    forwarder = await unixToTcp(apiSock, apiPort);
    startIn('api-forwarder', inCgroup(inNetns([process.execPath, join(here, 'forward.mjs'), String(apiPort), apiSock])));

    // Credentials: kubelet as system:node:<name>, kube-proxy and kube-scheduler as their
    // bootstrap users, each bound by the API server's default RBAC.
    const [kubeletPair, proxyPair, schedPair] = await Promise.all([
      clientPair(cp, paths.pki, 'kubelet', `system:node:${nodeName}`, ['system:nodes']),
      clientPair(cp, paths.pki, 'kube-proxy', 'system:kube-proxy'),
      clientPair(cp, paths.pki, 'kube-scheduler', 'system:kube-scheduler'),
    ]);
    const kc = (n: string): string => join(dir, `${n}.kubeconfig`);
    await Promise.all([
      writeKubeconfig(kc('kubelet'), cp.server, cp.caPem, kubeletPair),
      writeKubeconfig(kc('kube-proxy'), cp.server, cp.caPem, proxyPair),
      writeKubeconfig(kc('kube-scheduler'), cp.server, cp.caPem, schedPair),
    ]);

    if (opts.scheduler !== false) {
      const [schedPort] = await freePorts(1);
      startIn(
        'kube-scheduler',
        inCgroup([
          cp.binaries.kubeScheduler,
          `--kubeconfig=${kc('kube-scheduler')}`,
          '--leader-elect=false',
          '--bind-address=127.0.0.1',
          `--secure-port=${schedPort}`,
          `--cert-dir=${join(dir, 'scheduler')}`,
          '--profiling=false',
        ]),
      );
    }

    await writeFile(
      join(dir, 'kubelet.yaml'),
      `${JSON.stringify(
        {
          apiVersion: 'kubelet.config.k8s.io/v1beta1',
          kind: 'KubeletConfiguration',
          containerRuntimeEndpoint: `unix://${sock}`,
          cgroupDriver: 'cgroupfs',
          cgroupRoot: `${cgPath}/pods`,
          cgroupsPerQOS: true,
          failSwapOn: false,
          failCgroupV1: false,
          address: nodeIp,
          port: 10250,
          readOnlyPort: 0,
          healthzBindAddress: '127.0.0.1',
          healthzPort: 10248,
          authentication: {
            anonymous: { enabled: false },
            webhook: { enabled: false },
            x509: { clientCAFile: cp.pki.ca.certPath },
          },
          authorization: { mode: 'Webhook' },
          podLogsDir: paths.podLogs,
          resolvConf: '',
          registerNode: true,
          serializeImagePulls: false,
          imageMinimumGCAge: '24h',
          imageGCHighThresholdPercent: 100,
          imageGCLowThresholdPercent: 99,
          evictionHard: { 'memory.available': '100Mi' },
          // A faster-than-default status loop costs little and shortens the test.
          nodeStatusUpdateFrequency: '5s',
          syncFrequency: '10s',
        },
        null,
        2,
      )}\n`,
    );
    const kubelet = startIn(
      'kubelet',
      inCgroup(
        inNodeNs([
          cp.binaries.kubelet,
          `--config=${join(dir, 'kubelet.yaml')}`,
          `--kubeconfig=${kc('kubelet')}`,
          `--root-dir=${paths.kubelet}`,
          `--hostname-override=${nodeName}`,
          `--node-ip=${nodeIp}`,
        ]),
      ),
    );

    await writeFile(
      join(dir, 'kube-proxy.yaml'),
      `${JSON.stringify(
        {
          apiVersion: 'kubeproxy.config.k8s.io/v1alpha1',
          kind: 'KubeProxyConfiguration',
          clientConnection: { kubeconfig: kc('kube-proxy') },
          mode: 'iptables',
          hostnameOverride: nodeName,
          clusterCIDR: CLUSTER_CIDR,
          iptables: { minSyncPeriod: opts.iptablesMinSyncPeriod ?? '3s', syncPeriod: '30s' },
          // Leave the (global) conntrack table size and timeouts as they are.
          conntrack: { maxPerCore: 0, min: 0, tcpEstablishedTimeout: '0s', tcpCloseWaitTimeout: '0s' },
          healthzBindAddress: '127.0.0.1:10256',
          metricsBindAddress: '127.0.0.1:10249',
        },
        null,
        2,
      )}\n`,
    );
    startIn('kube-proxy', inCgroup(inNetns([cp.binaries.kubeProxy, `--config=${join(dir, 'kube-proxy.yaml')}`])));

    await waitFor(`node ${nodeName} Ready`, 120_000, all, async () => {
      const { status, body } = await cp.api<{ status?: { conditions?: { type: string; status: string }[] } }>(
        'GET',
        `/api/v1/nodes/${nodeName}`,
      );
      return status === 200 && !!body.status?.conditions?.some((c) => c.type === 'Ready' && c.status === 'True');
    });
    log(`kubelet (pid ${kubelet.pid}) registered ${nodeName}, Ready`);

    const execInNetns = async (argv: string[]): Promise<string> => {
      const full = inNetns(argv);
      return sh(full[0], full.slice(1));
    };
    return {
      name: nodeName,
      ip: nodeIp,
      podCidr,
      netns: ns.net,
      dir,
      cgroup,
      components: procs.all,
      inNetns,
      inNode: (argv) => inCgroup(inNetns(argv)),
      execInNetns,
      stop,
    };
  } catch (err) {
    const logsText = procs.all
      .map((c) => `--- ${c.name} (pid ${c.pid}) ${c.logPath}, last lines:\n${tail(c.logPath, 25)}`)
      .join('\n');
    await stop();
    throw new Error(`node failed to start: ${(err as Error).message}\n${logsText}`, { cause: err });
  }
}
