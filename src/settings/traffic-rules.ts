// The cluster setting `trafficPaths`: rules that add to or override the built-in table. Each rule
// matches one kind of object that sends traffic to a pod; the first rule that matches an object
// gives its delay, instead of the table's row for it.

export interface TrafficRule {
  match: {
    /** An Ingress of this class. */
    ingressClassName?: string;
    /** A Service of this type (LoadBalancer, NodePort). */
    serviceType?: string;
    /** A route attached to a Gateway of this class. */
    gatewayClassName?: string;
    /** Any of those objects carrying this annotation (with this value, when given). */
    annotation?: { key: string; value?: string };
  };
  delay: number;
}

export type RuleTarget =
  | { kind: 'Service'; serviceType: string; annotations: Record<string, string> }
  | { kind: 'Ingress'; className?: string; annotations: Record<string, string> }
  | { kind: 'Route'; classNames: string[]; annotations: Record<string, string> };

function matches(rule: TrafficRule, target: RuleTarget): boolean {
  const { match } = rule;
  if (match.serviceType !== undefined && (target.kind !== 'Service' || target.serviceType !== match.serviceType)) return false;
  if (match.ingressClassName !== undefined && (target.kind !== 'Ingress' || target.className !== match.ingressClassName)) {
    return false;
  }
  if (match.gatewayClassName !== undefined && (target.kind !== 'Route' || !target.classNames.includes(match.gatewayClassName))) {
    return false;
  }
  if (match.annotation) {
    const value = target.annotations[match.annotation.key];
    if (value === undefined || (match.annotation.value !== undefined && value !== match.annotation.value)) return false;
  }
  return true;
}

/** The index of the first rule that matches, or -1. */
export function firstRule(rules: readonly TrafficRule[], target: RuleTarget): number {
  return rules.findIndex((r) => matches(r, target));
}
