// The in-process baseline: a MutatingAdmissionPolicy (admissionregistration.k8s.io/v1, served by
// Kubernetes 1.36 and newer) the API server runs itself, before any webhook, so it holds whatever
// happens to gracekeeper's pods. Rendered from the cluster settings. In opted-in namespaces, each
// regular container with no preStop handler gets the native sleep of the resolved pre-stop-sleep
// (`auto`: propagationDelay, since CEL cannot see traffic paths), and the grace period is raised to
// sleep + drain when lower; `gracekeeper.io/baseline` says what it wrote (mark.ts). It writes
// nothing where gracekeeper's record is (the webhook decided), and no readiness probes (the right
// port needs the traffic path). docs/baseline.md says what it honours and what it cannot.
import { BUILT_IN_EXCLUDED_NAMESPACES, type ClusterSettings } from '../settings/cluster-settings.js';
import { INJECT_KEY, RECORD_KEY } from '../settings/keys.js';
import { BASELINE_KEY } from '../engine/record/mark.js';
import { bounded, layered, seconds, str, strList } from './cel.js';

export const POLICY_NAME = 'gracekeeper-baseline';
export const MAP_API_VERSION = 'admissionregistration.k8s.io/v1';

type Manifest = Record<string, unknown>;

/** The kinds and operations the webhook handles, as the policy's resource rules, per `targets`. */
function resourceRules(cluster: ClusterSettings): Manifest[] {
  const pods = { apiGroups: [''], apiVersions: ['v1'], resources: ['pods'], operations: ['CREATE'], scope: 'Namespaced' };
  const workloads = [
    {
      apiGroups: ['apps'],
      apiVersions: ['v1'],
      resources: ['deployments', 'statefulsets', 'daemonsets', 'replicasets'],
      operations: ['CREATE', 'UPDATE'],
      scope: 'Namespaced',
    },
    { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['jobs'], operations: ['CREATE'], scope: 'Namespaced' },
    { apiGroups: ['batch'], apiVersions: ['v1'], resources: ['cronjobs'], operations: ['CREATE', 'UPDATE'], scope: 'Namespaced' },
  ];
  if (cluster.targets === 'pods') return [pods];
  if (cluster.targets === 'workloads') return workloads;
  return [pods, ...workloads];
}

/** The namespaces never mutated: the built-in ones, gracekeeper's own and excludeNamespaces. */
export function excludedNamespaces(cluster: ClusterSettings): string[] {
  return [...new Set([...BUILT_IN_EXCLUDED_NAMESPACES, cluster.ownNamespace, ...cluster.excludeNamespaces])];
}

/**
 * What the CEL reads from the cluster settings, each already CEL source: numbers as digits, texts as
 * string literals, the excluded containers as a list literal. The Helm chart fills the same slots
 * with template actions (scripts/baseline-chart.ts), so both render one policy.
 */
export interface CelParams {
  propagationDelay: string;
  /** The default sleep in seconds (`auto`: propagationDelay). */
  defaultSleep: string;
  maxGrace: string;
  drain: string;
  /** Texts of the defaults, as the annotations would carry them. */
  modeText: string;
  sleepText: string;
  drainText: string;
  exactText: string;
  containersText: string;
  excludeContainers: string;
}

export function celParams(cluster: ClusterSettings): CelParams {
  const d = cluster.defaults;
  return {
    propagationDelay: String(cluster.propagationDelay),
    defaultSleep: String(d.preStopSleep === 'auto' ? cluster.propagationDelay : d.preStopSleep),
    maxGrace: String(cluster.maxTerminationGracePeriod),
    drain: String(d.drainTimeout),
    modeText: str(d.preStopMode),
    sleepText: str(String(d.preStopSleep)),
    drainText: str(String(d.drainTimeout)),
    exactText: str(d.terminationGracePeriod === undefined ? '' : String(d.terminationGracePeriod)),
    containersText: str((d.containers ?? []).join(',')),
    excludeContainers: strList(cluster.excludeContainers),
  };
}

export function celVariables(p: CelParams): { name: string; expression: string }[] {
  const v = (name: string, expression: string) => ({ name, expression });
  const inject = str(INJECT_KEY);
  const max = p.maxGrace;
  return [
    v('isPod', `object.kind == 'Pod'`),
    v(
      'tmpl',
      `variables.isPod ? object : (object.kind == 'CronJob' ? object.spec.jobTemplate.spec.template : object.spec.template)`,
    ),
    v(
      'specPath',
      `variables.isPod ? '/spec' : (object.kind == 'CronJob' ? '/spec/jobTemplate/spec/template/spec' : '/spec/template/spec')`,
    ),
    v(
      'metaPath',
      `variables.isPod ? '/metadata' : (object.kind == 'CronJob' ? '/spec/jobTemplate/spec/template/metadata' : '/spec/template/metadata')`,
    ),
    v('spec', `variables.tmpl.spec`),
    v('tAnn', `variables.tmpl.?metadata.?annotations.orValue({})`),
    v('tLabels', `variables.tmpl.?metadata.?labels.orValue({})`),
    v('wAnn', `object.metadata.?annotations.orValue({})`),
    v('nsAnn', `namespaceObject != null ? namespaceObject.metadata.?annotations.orValue({}) : {}`),
    // Opted out (the label on the template, the annotation on the template, a workload or its
    // Namespace), or already decided by the webhook (its record): nothing to do.
    v(
      'skip',
      `variables.tLabels[?${inject}].orValue('') == 'disabled' || ` +
        `variables.tAnn[?${inject}].orValue('').trim() == 'false' || ` +
        `(!variables.isPod && variables.wAnn[?${inject}].orValue('').trim() == 'false') || ` +
        `variables.nsAnn[?${inject}].orValue('').trim() == 'false' || ` +
        `${str(RECORD_KEY)} in variables.tAnn`,
    ),
    v('mode', layered('pre-stop-mode', p.modeText)),
    v(
      'hookOn',
      `variables.mode in ['auto', 'sleep'] || (!(variables.mode in ['exec', 'none']) && ${p.modeText} in ['auto', 'sleep'])`,
    ),
    v('sleepText', layered('pre-stop-sleep', p.sleepText)),
    v('sleepParsed', seconds('variables.sleepText')),
    v(
      'sleepWanted',
      `variables.sleepText == 'auto' ? ${p.propagationDelay} : (${bounded('variables.sleepParsed', p.defaultSleep, '3600')})`,
    ),
    // Always shorter than the grace period it can reach (the API server rejects a sleep that is not).
    v('sleep', `!variables.hookOn ? 0 : (variables.sleepWanted > ${max} - 1 ? ${max} - 1 : variables.sleepWanted)`),
    v('drainText', layered('drain-timeout', p.drainText)),
    v('drainParsed', seconds('variables.drainText')),
    v('drain', bounded('variables.drainParsed', p.drain, '3600')),
    v('exact', `${layered('termination-grace-period', p.exactText)} != ''`),
    v('current', `variables.spec.?terminationGracePeriodSeconds.orValue(30)`),
    v(
      'wanted',
      `(variables.sleep + variables.drain > variables.sleep + 1 ? variables.sleep + variables.drain : variables.sleep + 1)`,
    ),
    // Never lowered; raised to sleep + drain up to maxTerminationGracePeriod; left alone when the
    // object names an exact one (the webhook writes that).
    v(
      'grace',
      `variables.exact || variables.current >= variables.wanted || variables.current >= ${max} ? variables.current : ` +
        `(variables.wanted > ${max} ? ${max} : variables.wanted)`,
    ),
    v('only', `${layered('containers', p.containersText)}.split(',').map(n, n.trim()).filter(n, n != '')`),
    v('names', `variables.spec.containers.map(c, c.name)`),
    v(
      'needHook',
      `variables.skip || variables.sleep == 0 || variables.sleep >= variables.grace ? [] : ` +
        `variables.spec.containers.filter(c, !(c.name in ${p.excludeContainers}) && ` +
        `(variables.only.size() == 0 || c.name in variables.only) && !(has(c.lifecycle) && has(c.lifecycle.preStop)))`,
    ),
    v('raise', `!variables.skip && variables.grace > variables.current`),
    v('oldMark', `variables.tAnn[?${str(BASELINE_KEY)}].orValue('')`),
    v('oldNames', `variables.oldMark.find('preStop=[a-z0-9,-]+').replace('preStop=', '').split(',').filter(n, n != '')`),
    v('oldGrace', `variables.oldMark.find('grace=[0-9]+>[0-9]+').replace('grace=', '')`),
    v(
      'mark',
      `[` +
        `variables.oldNames.size() + variables.needHook.size() == 0 ? '' : 'preStop=' + ` +
        `(variables.oldNames + variables.needHook.map(c, c.name).filter(n, !(n in variables.oldNames))).join(','), ` +
        `variables.needHook.size() > 0 ? 'sleep=' + string(variables.sleep) : variables.oldMark.find('sleep=[0-9]+'), ` +
        `variables.raise ? 'grace=' + (variables.oldGrace != '' ? variables.oldGrace.split('>')[0] : string(variables.current)) + ` +
        `'>' + string(variables.grace) : (variables.oldGrace != '' ? 'grace=' + variables.oldGrace : '')` +
        `].filter(p, p != '').join(' ')`,
    ),
  ];
}

/** The JSON Patch: a preStop sleep where absent, the grace period, and the mark beside them. */
export const PATCH = `variables.needHook.size() == 0 && !variables.raise ? [] :
  variables.needHook.map(c, has(c.lifecycle)
    ? JSONPatch{op: 'add', path: variables.specPath + '/containers/' + string(variables.names.indexOf(c.name)) + '/lifecycle/preStop',
        value: {'sleep': {'seconds': variables.sleep}}}
    : JSONPatch{op: 'add', path: variables.specPath + '/containers/' + string(variables.names.indexOf(c.name)) + '/lifecycle',
        value: {'preStop': {'sleep': {'seconds': variables.sleep}}}}) +
  (variables.raise ? [JSONPatch{op: 'add', path: variables.specPath + '/terminationGracePeriodSeconds', value: variables.grace}] : []) +
  (!has(variables.tmpl.metadata)
    ? [JSONPatch{op: 'add', path: variables.metaPath, value: {'annotations': {${str(BASELINE_KEY)}: variables.mark}}}]
    : !has(variables.tmpl.metadata.annotations)
      ? [JSONPatch{op: 'add', path: variables.metaPath + '/annotations', value: {${str(BASELINE_KEY)}: variables.mark}}]
      : [JSONPatch{op: 'add', path: variables.metaPath + '/annotations/' + jsonpatch.escapeKey(${str(BASELINE_KEY)}), value: variables.mark}])`;

export interface PolicyOptions {
  /** Name of the policy and its binding. */
  name?: string;
}

/** The MutatingAdmissionPolicy and its binding for these cluster settings. */
export function renderPolicy(cluster: ClusterSettings, options: PolicyOptions = {}): Manifest[] {
  const name = options.name ?? POLICY_NAME;
  const labels = { 'app.kubernetes.io/name': 'gracekeeper', 'app.kubernetes.io/component': 'baseline' };
  const policy = {
    apiVersion: MAP_API_VERSION,
    kind: 'MutatingAdmissionPolicy',
    metadata: { name, labels },
    spec: {
      // CEL that cannot be evaluated admits the object as it is: never the reason a Pod is not created.
      failurePolicy: 'Ignore',
      // Run again when a later webhook or policy changed the object (say, added a container).
      reinvocationPolicy: 'IfNeeded',
      matchConstraints: {
        matchPolicy: 'Equivalent',
        namespaceSelector: {
          matchExpressions: [
            { key: INJECT_KEY, operator: 'In', values: ['enabled'] },
            { key: 'kubernetes.io/metadata.name', operator: 'NotIn', values: excludedNamespaces(cluster) },
          ],
        },
        objectSelector: { matchExpressions: [{ key: INJECT_KEY, operator: 'NotIn', values: ['disabled'] }] },
        resourceRules: resourceRules(cluster),
      },
      variables: celVariables(celParams(cluster)),
      mutations: [{ patchType: 'JSONPatch', jsonPatch: { expression: PATCH } }],
    },
  };
  const binding = {
    apiVersion: MAP_API_VERSION,
    kind: 'MutatingAdmissionPolicyBinding',
    metadata: { name, labels },
    spec: { policyName: name },
  };
  return [policy, binding];
}
