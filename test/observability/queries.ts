// The PromQL of deploy/observability: every alert expression of the PrometheusRule and every query
// of the Grafana dashboard (panel targets and variable queries, with Grafana's variables replaced
// by values Prometheus accepts), and Prometheus's own parser's view of each (promql-inspect).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { DEPLOY, type Obj } from '../deploy/kustomize.js';
import { findTool, runTool } from '../tools/ensure-tool.js';

export const OBSERVABILITY = join(DEPLOY, 'observability');

export interface Query {
  /** Where it comes from, e.g. "alert GracekeeperSlowAdmissions" or "panel Admission latency / B". */
  id: string;
  expr: string;
}

export interface Inspected extends Query {
  error?: string;
  metrics: string[];
  matchers: { metric: string; label: string; type: string; value: string }[];
  grouping: { labels: string[]; without: boolean; metrics: string[] }[];
}

export function prometheusRule(): Obj {
  return parseYaml(readFileSync(join(OBSERVABILITY, 'prometheusrule.yaml'), 'utf8')) as Obj;
}

export function dashboard(): Obj {
  return JSON.parse(readFileSync(join(OBSERVABILITY, 'dashboard.json'), 'utf8')) as Obj;
}

export function alertQueries(rule: Obj = prometheusRule()): Query[] {
  return (rule.spec.groups as Obj[]).flatMap((g) =>
    (g.rules as Obj[]).map((r) => ({ id: `alert ${r.alert ?? r.record}`, expr: String(r.expr) })),
  );
}

/** Grafana's variables, as a query would run: $__rate_interval and $__range are durations. */
const VARIABLES: Record<string, string> = { __rate_interval: '5m', __range: '1d', __interval: '1m', namespace: '.*' };

export function substituteVariables(expr: string): string {
  return expr.replace(/\$\{?(\w+)\}?/g, (whole, name: string) => {
    const value = VARIABLES[name];
    if (value === undefined) throw new Error(`unknown Grafana variable ${whole} in ${expr}`);
    return value;
  });
}

export function dashboardQueries(d: Obj = dashboard()): Query[] {
  const queries: Query[] = [];
  for (const panel of d.panels as Obj[]) {
    for (const t of (panel.targets ?? []) as Obj[]) {
      queries.push({ id: `panel ${panel.title} / ${t.refId}`, expr: substituteVariables(String(t.expr)) });
    }
  }
  for (const v of (d.templating?.list ?? []) as Obj[]) {
    if (v.type !== 'query') continue;
    const q = String(v.query?.query ?? v.query);
    // label_values(selector, label) is Grafana's, not PromQL: its selector is.
    const m = /^label_values\((.+),\s*(\w+)\)$/.exec(q);
    if (!m) throw new Error(`variable ${v.name}: unsupported query ${q}`);
    queries.push({ id: `variable ${v.name}`, expr: substituteVariables(m[1]) });
  }
  return queries;
}

const inspector = findTool('promql-inspect');
export const promqlSkip: string | false = inspector.reason ?? false;

/** Each query as Prometheus's parser reads it. */
export function inspect(queries: Query[]): Inspected[] {
  const out = runTool(inspector.path!, [], { input: JSON.stringify(queries) }).stdout;
  const results = JSON.parse(out) as Omit<Inspected, 'expr'>[];
  return results.map((r, i) => ({ ...r, expr: queries[i].expr }));
}
