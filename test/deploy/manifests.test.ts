// deploy/ and every overlay, rendered with `kubectl kustomize`, hold what the operations guide
// (docs/operations.md) promises: the webhook's scope matches the engine's, the Deployment is restricted,
// highly available and shuts down gracefully, and the certificates name the Service.
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { parseServeArgs } from '../../src/cli/serve.js';
import { SUPPORTED_KINDS } from '../../src/engine/kinds.js';
import { POD_OWNERS } from '../../src/engine/owner.js';
import { WATCHED_KINDS } from '../../src/cluster/watched-kinds.js';
import type { ServerOptions } from '../../src/runtime/start.js';
import {
  BUILT_IN_EXCLUDED_NAMESPACES,
  DEFAULT_CLUSTER_SETTINGS,
  parseClusterSettings,
} from '../../src/settings/cluster-settings.js';
import { parseDuration } from '../../src/settings/duration.js';
import { INJECT_KEY, VALIDATORS } from '../../src/settings/keys.js';
import { DEPLOY, findKubectl, one, renderWith, ROOT, selects, type Obj } from './kustomize.js';

// The server's interface (docs/reference.md, `gracekeeper serve`): HTTPS :8443 with POST /mutate, GET /healthz and
// /readyz; metrics on HTTP :9090. The ports are also read from `gracekeeper serve`'s own flag
// parsing, below; the paths are exercised on the running server by image.test.ts.
const SERVER = { port: 8443, metricsPort: 9090, mutatePath: '/mutate', healthz: '/healthz', readyz: '/readyz' };
const serverDefaults = parseServeArgs([], {}) as ServerOptions;
const NAMESPACE = 'gracekeeper';
const SERVICE_DNS = [
  'gracekeeper',
  'gracekeeper.gracekeeper',
  'gracekeeper.gracekeeper.svc',
  'gracekeeper.gracekeeper.svc.cluster.local',
];
// The overlays that install the webhook (webhook-free installs the baseline alone: test/deploy/baseline.test.ts).
const OVERLAYS = readdirSync(join(DEPLOY, 'overlays'))
  .filter((o) => o !== 'webhook-free')
  .sort();

const kubectlFound = await findKubectl();
const skip = kubectlFound.reason ?? false;

/** `--name=value` flags of a container. */
function flags(container: Obj): Map<string, string> {
  const out = new Map<string, string>();
  for (const arg of [...(container.command ?? []), ...(container.args ?? [])] as string[]) {
    const m = /^--([a-z-]+)=(.*)$/.exec(arg);
    if (m) out.set(m[1], m[2]);
  }
  return out;
}

function seconds(value: string | undefined, what: string): number {
  const s = value === undefined ? undefined : parseDuration(value);
  assert.ok(s !== undefined, `${what}: ${value} is not a duration`);
  return s;
}

/** What every rendering (the base and each overlay) must hold. */
function checkInstall(objects: Obj[]): void {
  it('has only known kinds, each named, namespaced ones in gracekeeper', () => {
    const clusterScoped = new Set([
      'Namespace',
      'ClusterRole',
      'ClusterRoleBinding',
      'PriorityClass',
      'MutatingWebhookConfiguration',
    ]);
    for (const o of objects) {
      assert.ok(o.metadata?.name, `${o.kind} without a name`);
      if (clusterScoped.has(o.kind)) assert.equal(o.metadata.namespace, undefined, `${o.kind} ${o.metadata.name}`);
      else assert.equal(o.metadata.namespace, NAMESPACE, `${o.kind} ${o.metadata.name}`);
    }
    const names = objects.map((o) => `${o.kind}/${o.metadata.name}`);
    assert.equal(new Set(names).size, names.length, `duplicates in ${names.join(', ')}`);
    for (const required of [
      'Namespace/gracekeeper',
      'ServiceAccount/gracekeeper',
      'ClusterRole/gracekeeper',
      'ClusterRoleBinding/gracekeeper',
      'ConfigMap/gracekeeper-config',
      'Deployment/gracekeeper',
      'PodDisruptionBudget/gracekeeper',
      'Service/gracekeeper',
      'PriorityClass/gracekeeper',
      'MutatingWebhookConfiguration/gracekeeper',
    ]) {
      assert.ok(names.includes(required), `missing ${required}`);
    }
  });

  it('labels its namespace restricted and never opts it in', () => {
    const ns = one(objects, 'Namespace', NAMESPACE);
    assert.equal(ns.metadata.labels['pod-security.kubernetes.io/enforce'], 'restricted');
    assert.equal(ns.metadata.labels[INJECT_KEY], undefined);
  });

  it('grants get, list and watch on namespaces and nothing else, to its service account', () => {
    const role = one(objects, 'ClusterRole', 'gracekeeper');
    assert.deepEqual(role.rules, [
      { apiGroups: [''], resources: ['namespaces'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['apps'], resources: ['replicasets', 'deployments', 'statefulsets', 'daemonsets'], verbs: ['get'] },
      { apiGroups: ['batch'], resources: ['jobs', 'cronjobs'], verbs: ['get'] },
      { apiGroups: [''], resources: ['services'], verbs: ['get', 'list', 'watch'] },
      { apiGroups: ['networking.k8s.io'], resources: ['ingresses', 'ingressclasses'], verbs: ['get', 'list', 'watch'] },
      {
        apiGroups: ['gateway.networking.k8s.io'],
        resources: ['httproutes', 'grpcroutes', 'gateways', 'gatewayclasses'],
        verbs: ['get', 'list', 'watch'],
      },
      // One Node, once at start (a list of limit 1): its spec.providerID names the cloud.
      { apiGroups: [''], resources: ['nodes'], verbs: ['list'] },
      // Outcomes (docs/outcomes.md): the streams list and watch, never get or write.
      { apiGroups: [''], resources: ['pods', 'events'], verbs: ['list', 'watch'] },
    ]);
    // Every kind the traffic informers watch is granted list and watch, in its own group.
    for (const w of WATCHED_KINDS) {
      assert.ok(
        role.rules.some((r: Obj) => r.apiGroups.includes(w.group) && r.resources.includes(w.plural) && r.verbs.includes('watch')),
        `${w.group}/${w.plural}`,
      );
    }
    // Every kind the owner lookup reads is granted, and nothing more.
    const granted = role.rules.slice(1, 3).flatMap((r: Obj) => r.resources as string[]);
    const read = Object.entries(POD_OWNERS).flatMap(([kind, o]) => [kind, ...(o.parent ? [o.parent.kind] : [])]);
    assert.deepEqual([...granted].sort(), read.map((k) => `${k.toLowerCase()}s`).sort());
    assert.equal(role.aggregationRule, undefined);
    assert.equal(objects.filter((o) => o.kind === 'Role' || o.kind === 'RoleBinding').length, 0);
    const binding = one(objects, 'ClusterRoleBinding', 'gracekeeper');
    assert.deepEqual(binding.roleRef, { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'gracekeeper' });
    assert.deepEqual(binding.subjects, [{ kind: 'ServiceAccount', name: 'gracekeeper', namespace: NAMESPACE }]);
    const deployment = one(objects, 'Deployment', 'gracekeeper');
    assert.equal(deployment.spec.template.spec.serviceAccountName, 'gracekeeper');
    one(objects, 'ServiceAccount', 'gracekeeper');
  });

  describe('the Deployment', () => {
    const deployment = one(objects, 'Deployment', 'gracekeeper');
    const pod = deployment.spec.template.spec as Obj;
    const containers = pod.containers as Obj[];
    const c = containers[0];
    const f = flags(c);
    // The Deployment's command line as `gracekeeper serve` reads it, with the downward API's env.
    const env = Object.fromEntries(
      (c.env as Obj[]).map((e) => [
        e.name,
        e.value ?? (e.valueFrom?.fieldRef?.fieldPath === 'metadata.namespace' ? NAMESPACE : ''),
      ]),
    );
    const options = parseServeArgs(c.args as string[], env) as ServerOptions;

    it('runs 2 replicas of one container, spread over nodes, never both down in a rollout', () => {
      assert.equal(deployment.spec.replicas, 2);
      assert.equal(containers.length, 1);
      assert.equal(deployment.spec.strategy.rollingUpdate.maxUnavailable, 0);
      assert.ok(selects(deployment.spec.selector, deployment.spec.template.metadata.labels));
      const byHost = (pod.topologySpreadConstraints as Obj[]).find((t) => t.topologyKey === 'kubernetes.io/hostname');
      assert.ok(byHost, 'a topology spread constraint over kubernetes.io/hostname');
      assert.equal(byHost.maxSkew, 1);
      assert.ok(selects(byHost.labelSelector, deployment.spec.template.metadata.labels), 'the spread counts these pods');
      const priority = one(objects, 'PriorityClass', pod.priorityClassName);
      assert.ok(priority.value > 0 && priority.value < 1_000_000_000, 'above workloads, below system-*');
      assert.equal(priority.globalDefault, false);
    });

    it('has a PodDisruptionBudget that keeps one replica up', () => {
      const pdb = one(objects, 'PodDisruptionBudget', 'gracekeeper');
      assert.ok(selects(pdb.spec.selector, deployment.spec.template.metadata.labels), 'the PDB selects the pods');
      const allowedDown = pdb.spec.maxUnavailable ?? deployment.spec.replicas - pdb.spec.minAvailable;
      assert.equal(allowedDown, 1);
    });

    it('is restricted: non-root numeric user, read-only root, no capabilities, RuntimeDefault seccomp', () => {
      assert.equal(pod.securityContext.runAsNonRoot, true);
      assert.equal(pod.securityContext.seccompProfile.type, 'RuntimeDefault');
      assert.equal(pod.hostNetwork ?? false, false);
      assert.equal(pod.hostPID ?? false, false);
      const sc = c.securityContext as Obj;
      assert.equal(sc.runAsNonRoot, true);
      const uid = sc.runAsUser ?? pod.securityContext.runAsUser;
      assert.ok(Number.isInteger(uid) && uid > 0, 'numeric non-zero user');
      assert.equal(uid, 65532, 'the Dockerfile USER');
      assert.equal(sc.readOnlyRootFilesystem, true);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.equal(sc.privileged ?? false, false);
      assert.deepEqual(sc.capabilities, { drop: ['ALL'] });
      assert.equal(sc.seccompProfile?.type ?? pod.securityContext.seccompProfile.type, 'RuntimeDefault');
      const tmp = (c.volumeMounts as Obj[]).find((m) => m.mountPath === '/tmp');
      assert.ok(tmp, '/tmp is mounted');
      assert.ok((pod.volumes as Obj[]).find((v) => v.name === tmp.name)?.emptyDir, '/tmp is an emptyDir');
    });

    it('sets requests and limits, the V8 heap well inside the memory limit', () => {
      for (const r of ['cpu', 'memory']) {
        assert.ok(c.resources.requests[r], `requests.${r}`);
        assert.ok(c.resources.limits[r], `limits.${r}`);
      }
      const mi = (q: string) => {
        const m = /^(\d+)(Mi|Gi)$/.exec(q);
        assert.ok(m, `memory quantity ${q} in Mi or Gi`);
        return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
      };
      const [request, limit] = [mi(c.resources.requests.memory), mi(c.resources.limits.memory)];
      assert.ok(request >= 128, 'the server needs about 130Mi when idle');
      assert.ok(request <= limit);
      const heap = /--max-old-space-size=(\d+)/.exec((c.env as Obj[]).find((e) => e.name === 'NODE_OPTIONS')?.value ?? '');
      if (heap) assert.ok(Number(heap[1]) <= limit * 0.75, `heap ${heap[1]}Mi leaves room under ${limit}Mi`);
    });

    it('passes gracekeeper serve flags it accepts: its certificate, config and namespace', () => {
      assert.equal(typeof options, 'object');
      assert.deepEqual(c.command, undefined, "the image's ENTRYPOINT runs `serve`; the Deployment only adds flags");
      assert.ok(options.tlsCertFile && options.tlsKeyFile, 'no self-signed certificate in a cluster');
      assert.ok(options.configFile);
      assert.equal(options.ownNamespace, NAMESPACE);
      assert.equal(options.kubeconfig, undefined, 'the in-cluster config');
    });

    it("serves the webhook on the server's port, probes /readyz and /healthz over HTTPS", () => {
      assert.deepEqual([serverDefaults.port, serverDefaults.metricsPort], [SERVER.port, SERVER.metricsPort]);
      assert.equal(options.port, SERVER.port);
      assert.equal(options.metricsPort, SERVER.metricsPort);
      const ports = new Map((c.ports as Obj[]).map((p) => [p.name, p.containerPort]));
      assert.equal(ports.get('https'), SERVER.port);
      assert.equal(ports.get('metrics'), SERVER.metricsPort);
      const portOf = (p: number | string) => (typeof p === 'number' ? p : ports.get(p));
      assert.equal(c.readinessProbe.httpGet.path, SERVER.readyz);
      assert.equal(c.livenessProbe.httpGet.path, SERVER.healthz);
      for (const probe of [c.readinessProbe, c.livenessProbe, c.startupProbe].filter(Boolean)) {
        assert.equal(probe.httpGet.scheme, 'HTTPS');
        assert.equal(portOf(probe.httpGet.port), SERVER.port);
      }
      // The pod leaves the endpoints before liveness would kill it.
      assert.ok(
        c.readinessProbe.periodSeconds * c.readinessProbe.failureThreshold <
          c.livenessProbe.periodSeconds * c.livenessProbe.failureThreshold,
      );
    });

    it('shuts down gracefully within its grace period: preStop + --shutdown-delay + --shutdown-timeout', () => {
      const preStop = c.lifecycle.preStop;
      const sleep = preStop.sleep?.seconds ?? Number(/sleep (\d+)/.exec((preStop.exec?.command ?? []).join(' '))?.[1]);
      assert.ok(Number.isInteger(sleep) && sleep >= 3, `a preStop sleep of 3s or more (got ${sleep})`);
      const delay = options.shutdownDelayMs / 1000;
      const timeout = options.shutdownTimeoutMs / 1000;
      assert.ok(delay >= 1 && timeout >= 1);
      const grace = pod.terminationGracePeriodSeconds as number;
      assert.ok(sleep + delay + timeout + 5 <= grace, `${sleep} + ${delay} + ${timeout} + 5s margin <= ${grace}`);
      assert.ok(grace <= DEFAULT_CLUSTER_SETTINGS.maxTerminationGracePeriod);
    });

    it('knows its namespace from the downward API', () => {
      const env = (c.env as Obj[]).find((e) => e.name === 'POD_NAMESPACE');
      assert.equal(env?.valueFrom?.fieldRef?.fieldPath, 'metadata.namespace');
    });

    it('mounts the TLS secret and the config map, and points the flags at them', () => {
      const volume = (name: string) => (pod.volumes as Obj[]).find((v) => v.name === name) as Obj;
      const fileIn = (flag: string): { volume: Obj; key: string } => {
        const path = f.get(flag);
        assert.ok(path, `--${flag}`);
        const mount = (c.volumeMounts as Obj[]).find((m) => path.startsWith(`${m.mountPath}/`));
        assert.ok(mount, `--${flag}=${path} is on a mounted volume`);
        assert.equal(mount.readOnly, true);
        assert.equal(mount.subPath, undefined, 'no subPath: updates must reach the file');
        return { volume: volume(mount.name), key: path.slice(mount.mountPath.length + 1) };
      };
      const cert = fileIn('tls-cert-file');
      const key = fileIn('tls-key-file');
      assert.equal(cert.volume.secret.secretName, 'gracekeeper-tls');
      assert.equal(key.volume.secret.secretName, 'gracekeeper-tls');
      assert.deepEqual([cert.key, key.key], ['tls.crt', 'tls.key']);
      const config = fileIn('config');
      const cm = one(objects, 'ConfigMap', config.volume.configMap.name);
      assert.equal(typeof cm.data[config.key], 'string', `the config map has ${config.key}`);
    });

    it('has an image with a tag that follows package.json', () => {
      const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
      assert.ok(c.image.endsWith(`:${pkg.version}`), `${c.image} ends with :${pkg.version}`);
    });
  });

  it('exposes the Service gracekeeper.gracekeeper.svc:443 -> 8443, and the metrics port', () => {
    const service = one(objects, 'Service', 'gracekeeper');
    const deployment = one(objects, 'Deployment', 'gracekeeper');
    assert.ok(selects({ matchLabels: service.spec.selector }, deployment.spec.template.metadata.labels));
    const container = deployment.spec.template.spec.containers[0] as Obj;
    const target = (p: Obj) =>
      typeof p.targetPort === 'number'
        ? p.targetPort
        : (container.ports as Obj[]).find((cp) => cp.name === p.targetPort)?.containerPort;
    const https = (service.spec.ports as Obj[]).find((p) => p.port === 443) as Obj;
    assert.equal(target(https), SERVER.port);
    const metrics = (service.spec.ports as Obj[]).find((p) => p.name === 'metrics') as Obj;
    assert.equal(target(metrics), SERVER.metricsPort);
  });

  describe('the MutatingWebhookConfiguration', () => {
    const config = one(objects, 'MutatingWebhookConfiguration', 'gracekeeper');
    const webhooks = config.webhooks as Obj[];
    const w = webhooks[0];

    it('never blocks, has no side effects, answers in 5s, is reinvoked, speaks v1', () => {
      assert.equal(webhooks.length, 1);
      assert.match(w.name, /^[a-z0-9-]+(\.[a-z0-9-]+){2,}$/, 'a fully qualified webhook name');
      assert.equal(w.failurePolicy, 'Ignore');
      assert.equal(w.sideEffects, 'None');
      assert.equal(w.timeoutSeconds, 5);
      assert.equal(w.reinvocationPolicy, 'IfNeeded');
      assert.equal(w.matchPolicy, 'Equivalent');
      assert.deepEqual(w.admissionReviewVersions, ['v1']);
    });

    it("calls the Service on the server's /mutate", () => {
      assert.deepEqual(w.clientConfig.service, { name: 'gracekeeper', namespace: NAMESPACE, path: SERVER.mutatePath, port: 443 });
      assert.equal(w.clientConfig.url, undefined);
      const service = one(objects, 'Service', w.clientConfig.service.name);
      assert.ok((service.spec.ports as Obj[]).some((p) => p.port === w.clientConfig.service.port));
    });

    it("has exactly the engine's kinds and operations, without subresources", () => {
      const fromRules = new Set<string>();
      for (const rule of w.rules as Obj[]) {
        assert.equal(rule.scope, 'Namespaced');
        for (const g of rule.apiGroups)
          for (const v of rule.apiVersions)
            for (const r of rule.resources) {
              assert.ok(!r.includes('/') && r !== '*', `no subresources or wildcards: ${r}`);
              for (const op of rule.operations) fromRules.add(`${g}/${v}/${r}/${op}`);
            }
      }
      const fromEngine = new Set(
        SUPPORTED_KINDS.flatMap((k) => k.operations.map((op) => `${k.group}/${k.version}/${k.kind.toLowerCase()}s/${op}`)),
      );
      assert.deepEqual([...fromRules].sort(), [...fromEngine].sort());
      // The documented scope, spelled out, in case both sides drifted together.
      for (const expected of [
        '/v1/pods/CREATE',
        'apps/v1/deployments/UPDATE',
        'apps/v1/statefulsets/CREATE',
        'apps/v1/daemonsets/UPDATE',
        'apps/v1/replicasets/CREATE',
        'batch/v1/jobs/CREATE',
        'batch/v1/cronjobs/UPDATE',
      ]) {
        assert.ok(fromRules.has(expected), expected);
      }
      assert.ok(!fromRules.has('/v1/pods/UPDATE') && !fromRules.has('batch/v1/jobs/UPDATE'));
    });

    it('selects opted-in namespaces only, never the system ones or its own', () => {
      const ns = (name: string, labels: Record<string, string> = {}) =>
        selects(w.namespaceSelector, { 'kubernetes.io/metadata.name': name, ...labels });
      assert.equal(ns('shop', { [INJECT_KEY]: 'enabled' }), true);
      assert.equal(ns('shop'), false);
      assert.equal(ns('shop', { [INJECT_KEY]: 'disabled' }), false);
      assert.equal(ns('shop', { [INJECT_KEY]: 'true' }), false);
      for (const excluded of [...BUILT_IN_EXCLUDED_NAMESPACES, NAMESPACE]) {
        assert.equal(ns(excluded, { [INJECT_KEY]: 'enabled' }), false, excluded);
      }
    });

    it('skips objects labelled gracekeeper.io/inject=disabled', () => {
      assert.equal(selects(w.objectSelector, {}), true);
      assert.equal(selects(w.objectSelector, { app: 'web' }), true);
      assert.equal(selects(w.objectSelector, { [INJECT_KEY]: 'enabled' }), true);
      assert.equal(selects(w.objectSelector, { [INJECT_KEY]: 'disabled' }), false);
    });
  });

  describe('the cluster settings in the config map', () => {
    const deployment = one(objects, 'Deployment', 'gracekeeper');
    const container = deployment.spec.template.spec.containers[0] as Obj;
    const path = flags(container).get('config') as string;
    const cm = one(objects, 'ConfigMap', 'gracekeeper-config');
    const text = cm.data[path.slice(path.lastIndexOf('/') + 1)] as string;

    it('parses and, as shipped, changes nothing from the defaults', () => {
      const parsed = parseClusterSettings(text, NAMESPACE);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.join('; '));
      assert.deepEqual(parsed.value.settings, { ...DEFAULT_CLUSTER_SETTINGS, ownNamespace: NAMESPACE });
    });

    it('lists every setting and every annotation default, each with a comment above it', () => {
      const lines = text.split('\n');
      const settingLine = (key: string, indent: string) =>
        lines.findIndex((l) => new RegExp(`^${indent}(# )?${key}:( |$)`).test(l));
      const topLevel = [
        'targets',
        'invalidAnnotations',
        'excludeContainers',
        'maxTerminationGracePeriod',
        'excludeNamespaces',
        'namespace',
        'defaults',
      ];
      for (const key of topLevel) {
        const i = settingLine(key, '');
        assert.ok(i > 0, `setting ${key} is listed`);
        assert.match(lines[i - 1], /^#/, `setting ${key} has a comment above it`);
      }
      for (const v of VALIDATORS) {
        const i = settingLine(v.name, '  ');
        assert.ok(i > 0, `defaults: ${v.name} is listed`);
        assert.match(
          lines
            .slice(0, i)
            .reverse()
            .find((l) => !/^ {2}[a-z-]+:/.test(l)) ?? '',
          /^\s*#/,
          `defaults: ${v.name} is under a comment`,
        );
      }
    });

    it('still parses with every example setting uncommented', () => {
      const known = new Set(['namespace', ...VALIDATORS.map((v) => v.name)]);
      let uncommented = 0;
      const all = text
        .split('\n')
        .map((l) => {
          const m = /^(\s*)# ([a-z][a-zA-Z-]*): (.+)$/.exec(l);
          if (!m || !known.has(m[2])) return l;
          uncommented++;
          return `${m[1]}${m[2]}: ${m[3]}`;
        })
        .join('\n');
      assert.ok(uncommented >= 6, `found ${uncommented} commented examples`);
      const parsed = parseClusterSettings(all, NAMESPACE);
      assert.ok(parsed.ok, parsed.ok ? '' : parsed.error.join('; '));
    });
  });
}

describe('deploy/ (kubectl kustomize)', { skip }, () => {
  let base: Obj[] = [];
  before(() => {
    base = renderWith(kubectlFound.kubectl as string, DEPLOY);
  });

  it('is deploy/base', () => {
    assert.deepEqual(base, renderWith(kubectlFound.kubectl as string, join(DEPLOY, 'base')));
  });

  it('leaves the TLS secret and the caBundle to make deploy or an overlay', () => {
    assert.equal(base.filter((o) => o.kind === 'Secret').length, 0);
    const config = one(base, 'MutatingWebhookConfiguration', 'gracekeeper');
    assert.equal(config.webhooks[0].clientConfig.caBundle, undefined);
  });

  it('has a cert-manager overlay', () => {
    assert.ok(OVERLAYS.includes('cert-manager'), OVERLAYS.join(', '));
  });
});

// One describe per rendering, built from the rendered objects (describe bodies run synchronously,
// so render first).
const renderings: [string, Obj[]][] = kubectlFound.kubectl
  ? [
      ['deploy/', renderWith(kubectlFound.kubectl, DEPLOY)],
      ...OVERLAYS.map((o): [string, Obj[]] => [
        `deploy/overlays/${o}`,
        renderWith(kubectlFound.kubectl as string, join(DEPLOY, 'overlays', o)),
      ]),
    ]
  : [];
for (const [name, objects] of renderings) describe(`${name}: the install`, () => checkInstall(objects));

describe('deploy/overlays/cert-manager', { skip }, () => {
  const objects = renderings.find(([n]) => n === 'deploy/overlays/cert-manager')?.[1] ?? [];
  const cm = (kind: string, name: string) => {
    const o = one(objects, kind, name);
    assert.equal(o.apiVersion, 'cert-manager.io/v1');
    return o;
  };

  it('chains a self-signed Issuer, a CA Certificate, a CA Issuer and the serving Certificate', () => {
    const selfSigned = objects.find((o) => o.kind === 'Issuer' && o.spec.selfSigned) as Obj;
    assert.ok(selfSigned, 'a self-signed Issuer');
    const ca = objects.find((o) => o.kind === 'Certificate' && o.spec.isCA) as Obj;
    assert.ok(ca, 'a CA Certificate');
    assert.equal(ca.spec.issuerRef.name, selfSigned.metadata.name);
    assert.equal(ca.spec.issuerRef.kind, 'Issuer');
    const caIssuer = objects.find((o) => o.kind === 'Issuer' && o.spec.ca) as Obj;
    assert.equal(caIssuer.spec.ca.secretName, ca.spec.secretName);
    const serving = cm('Certificate', 'gracekeeper-serving');
    assert.equal(serving.spec.issuerRef.name, caIssuer.metadata.name);
    assert.equal(serving.spec.isCA ?? false, false);
  });

  it("issues the serving certificate into the mounted secret, for the Service's DNS names", () => {
    const serving = cm('Certificate', 'gracekeeper-serving');
    const deployment = one(objects, 'Deployment', 'gracekeeper');
    const tls = (deployment.spec.template.spec.volumes as Obj[]).find((v) => v.secret)?.secret.secretName;
    assert.equal(serving.spec.secretName, tls);
    assert.deepEqual([...serving.spec.dnsNames].sort(), [...SERVICE_DNS].sort());
    assert.ok(serving.spec.usages.includes('server auth'));
    // Renewed well before it expires.
    assert.ok(seconds(serving.spec.renewBefore, 'renewBefore') >= 7 * 24 * 3600);
  });

  it('has cainjector fill the caBundle from the serving certificate', () => {
    const config = one(objects, 'MutatingWebhookConfiguration', 'gracekeeper');
    const serving = cm('Certificate', 'gracekeeper-serving');
    assert.equal(
      config.metadata.annotations['cert-manager.io/inject-ca-from'],
      `${serving.metadata.namespace}/${serving.metadata.name}`,
    );
    assert.equal(config.webhooks[0].clientConfig.caBundle, undefined);
  });
});
