// One audited object: the engine run over it as the webhook would run it now (an UPDATE of the
// live object, or a CREATE for the kinds only admitted at CREATE: Pods and Jobs), and what that
// means. Nothing here knows a rule: what an object lacks is what the engine would change plus the
// engine's warnings, and the delay its traffic paths call for comes from src/traffic/.
import { admit } from '../engine/admit.js';
import { buildInput, podTraffic, type AdmissionSubject, type ClusterFacts } from '../engine/input.js';
import { findKindRule } from '../engine/kinds.js';
import { getPath } from '../engine/patch.js';
import { isRecord } from '../kube/pod-types.js';
import { readRecord } from '../engine/record/record.js';
import { readMark } from '../engine/record/mark.js';
import { isExcludedNamespace } from '../engine/scope.js';
import type { GroupVersionKind } from '../engine/types.js';
import type { ClusterSettings } from '../settings/cluster-settings.js';
import { INJECT_KEY } from '../settings/keys.js';
import { gateInUse, type PodSide } from '../traffic/advice.js';
import { effectiveCloud } from '../traffic/cloud.js';
import { autoSleep, decidedBy, pathSeconds } from '../traffic/size.js';
import { trafficPaths } from '../traffic/table.js';
import type { TrafficFacts, TrafficPath } from '../traffic/types.js';

/** `baseline`: it carries only what the in-process baseline wrote (admitted while the webhook was down). */
export const STATUSES = ['ok', 'missing', 'baseline', 'stale', 'invalid', 'not-opted-in', 'excluded'] as const;
export type AuditStatus = (typeof STATUSES)[number];

export interface AuditTraffic {
  /**
   * Every path that sends the pods traffic: its delay from the table, and the seconds it calls for
   * (the delay, plus propagationDelay for a path the cluster must first tell of the pod's end).
   */
  paths: Array<
    Pick<TrafficPath, 'object' | 'family' | 'delay' | 'reason'> & {
      seconds: number;
      /** The path's controller is not in the table (sized by propagationDelay). */
      unknown?: true;
      /**
       * The load balancer's readiness gate (holds a rollout until new targets are healthy): in use
       * (the Namespace's label or the template's readinessGates), or not, with what to do.
       */
      readinessGate?: { inUse: boolean; how: string };
    }
  >;
  /** "Ingress/web (aws-alb-ip)", or "propagationDelay" when no path asks for more. */
  decidedBy: string;
  family: string;
  /** What `pre-stop-sleep: auto` comes to: the largest of propagationDelay and what every path calls for. */
  seconds: number;
}

export interface AuditItem {
  namespace: string;
  apiVersion: string;
  kind: string;
  name: string;
  optedIn: boolean;
  status: AuditStatus;
  /** Why excluded (the engine's reason), or the operation the engine was run as. */
  reason: string;
  /** Whether the pod template (or Pod) carries gracekeeper's record. */
  record: boolean;
  /** What the engine would change now, as its change tags ("preStop:app", "terminationGracePeriodSeconds:30->35"). */
  lacks: string[];
  warnings: string[];
  /** For status invalid: the message the webhook would deny the object with. */
  denial?: string;
  traffic: AuditTraffic;
  /** How its recent pods stopped and started, when any were seen (docs/outcomes.md). */
  outcomes?: AuditOutcomes;
}

export interface AuditOutcomes {
  /** Pods counted by outcome. */
  clean: number;
  killed: number;
  hookFailed: number;
  neverReady: number;
  readyPassed: number;
  /** "3 clean, 1 killed", "-" */
  shutdowns: string;
  /** gracekeeper's probe: "passed", "never passed", "-" */
  probe: string;
  /** The annotation to set, in one line, or "-". */
  fix: string;
}

export type { NamespaceInfo } from '../engine/input.js';

export interface AuditContext {
  /** The cluster the audit read (cli/audit.ts, viewFacts): Namespaces, version, traffic paths. */
  facts: ClusterFacts;
  cluster: ClusterSettings;
}

/** Opted in as the shipped webhook configuration selects: the label, and not an excluded namespace. */
export function isOptedIn(name: string, labels: Record<string, string>, cluster: ClusterSettings): boolean {
  return labels[INJECT_KEY] === 'enabled' && !isExcludedNamespace(name, cluster);
}

export function classify(gvk: GroupVersionKind, object: Record<string, unknown>, ctx: AuditContext): AuditItem {
  const rule = findKindRule(gvk);
  if (!rule) throw new Error(`not a kind gracekeeper admits: ${gvk.kind}`);
  const meta = isRecord(object.metadata) ? object.metadata : {};
  const namespace = typeof meta.namespace === 'string' ? meta.namespace : '';
  const template = getPath(object, rule.templatePath);
  const templateMeta = isRecord(template) && isRecord(template.metadata) ? template.metadata : {};
  const operation = rule.operations.includes('UPDATE') ? 'UPDATE' : 'CREATE';
  const subject: AdmissionSubject = { kind: gvk, operation, namespace, object };
  const input = buildInput(subject, ctx.facts, ctx.cluster);
  const result = admit(input);
  // The report shows the Namespace and the traffic paths even where the engine reads neither (an
  // excluded namespace): the paths are asked again only there.
  const namespaceLabels = ctx.facts.namespace(namespace)?.labels ?? {};
  const traffic = input.traffic ?? podTraffic(subject, ctx.facts) ?? { services: [] };
  const record = readRecord(templateMeta.annotations as Record<string, string> | undefined) !== undefined;
  const baselineOnly = !record && readMark(templateMeta.annotations as Record<string, string> | undefined) !== undefined;
  const optedIn = isOptedIn(namespace, namespaceLabels, ctx.cluster);
  let status: AuditStatus;
  if (result.outcome === 'skipped') status = 'excluded';
  else if (!optedIn) status = 'not-opted-in';
  else if (result.outcome === 'denied') status = 'invalid';
  else if (result.outcome === 'mutated') status = record ? 'stale' : baselineOnly ? 'baseline' : 'missing';
  else status = 'ok';
  return {
    namespace,
    apiVersion: gvk.group === '' ? gvk.version : `${gvk.group}/${gvk.version}`,
    kind: gvk.kind,
    name: typeof meta.name === 'string' ? meta.name : '',
    optedIn,
    status,
    reason: result.outcome === 'skipped' ? (result.reason ?? 'skipped') : operation,
    record,
    lacks: result.outcome === 'mutated' ? result.changes : [],
    warnings: result.warnings,
    ...(result.denial ? { denial: result.denial } : {}),
    traffic: auditTraffic(traffic, ctx.cluster, {
      namespaceLabels,
      readinessGates: gateTypes(isRecord(template) ? template.spec : undefined),
    }),
  };
}

function gateTypes(spec: unknown): string[] {
  const gates = isRecord(spec) ? spec.readinessGates : undefined;
  if (!Array.isArray(gates)) return [];
  return gates.map((g) => (isRecord(g) ? g.conditionType : undefined)).filter((c): c is string => typeof c === 'string');
}

/** The traffic paths of the pods and the delay they call for, as `pre-stop-sleep: auto` sizes it. */
export function auditTraffic(facts: TrafficFacts, cluster: ClusterSettings, pod?: PodSide): AuditTraffic {
  const { paths } = trafficPaths(facts, cluster.trafficPaths, effectiveCloud(cluster.cloud, facts.cloud));
  const decision = autoSleep(paths, cluster.propagationDelay);
  return {
    paths: paths.map((p) => ({
      object: p.object,
      family: p.family,
      delay: p.delay,
      seconds: pathSeconds(p, cluster.propagationDelay),
      reason: p.reason,
      ...(p.unknown ? { unknown: true as const } : {}),
      ...(p.gate && pod ? { readinessGate: { inUse: gateInUse(p.gate, pod), how: p.gate.how } } : {}),
    })),
    decidedBy: decidedBy(decision),
    family: decision.path?.family ?? 'propagationDelay',
    seconds: decision.seconds,
  };
}
