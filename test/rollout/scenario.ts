// What a scenario of `make rollout-proof` is: a way a pod goes away under load, run in one
// namespace per arm (`without` gracekeeper, `with` its defaults, and for some scenarios `auto`),
// by run.ts. Each scenario is one file in scenarios/.
import type { ControlPlane } from '../e2e/cluster.js';
import type { Node } from './node.js';

export const SCENARIOS = ['rolling-update', 'scale-in', 'eviction', 'slow-path', 'keep-alive'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

export const ARMS = ['without', 'with', 'auto'] as const;
export type Arm = (typeof ARMS)[number];

/** The options of the proof that scenarios read (report.ts parses them). */
export interface ScenarioOptions {
  rate: number;
  timeoutMs: number;
  warmupMs: number;
  /** Rolling update: restarts per run, replicas. */
  restarts: number;
  replicas: number;
  /** The slow path: D, the seconds the emulated load balancer keeps sending new connections after it saw a pod's end. */
  lbDelayS: number;
}

export interface Cluster {
  cp: ControlPlane;
  /** nodes[0] carries the load generator (and every pod but the eviction scenario's); nodes[1], if there, is the second node. */
  nodes: Node[];
  workDir: string;
  o: ScenarioOptions;
  /** The gracekeeper.io/* settings of the arms with gracekeeper: the shipped defaults, with the
   * namespace annotations of --with-annotation over them (keys without the prefix). */
  withSettings: Record<string, string>;
  /** How many objects of a resource (services, ingresses, ...) gracekeeper's traffic informers hold (its metrics). */
  trafficObjects(resource: string): Promise<number>;
  log(message: string): void;
}

export interface ArmSetup {
  /** The load generator's flags (--url and the scenario's own; rate and timeout are added). */
  loadArgs: string[];
  /** The address whose conntrack entries in nodes[0] are dropped before each run. */
  conntrackIp?: string;
  /** The stored pod spec fields gracekeeper is about, for the record. */
  podSpec: Record<string, unknown>;
  /** What happened on the traffic path over a run (epoch milliseconds), for the record. */
  collect?(fromMs: number, toMs: number): Record<string, unknown>;
  stop?(): Promise<void>;
}

/** Said of the exact conditions of a scenario, in words (bench/rollout.json, the docs' table). */
export interface ScenarioConditions {
  disruption: string;
  app: string;
  path: string;
  load: string;
  [more: string]: unknown;
}

export interface Scenario {
  name: ScenarioName;
  arms: readonly Arm[];
  /** Ready pods between runs. */
  replicas(o: ScenarioOptions): number;
  describe(o: ScenarioOptions): ScenarioConditions;
  /** Creates the arm's objects in its namespace (made and labelled already) and waits for them;
   * a string instead when the arm cannot run here, saying why. */
  setup(c: Cluster, arm: Arm, ns: string): Promise<ArmSetup | string>;
  /** The disruption itself, under load; `at` marks moments of it. */
  disrupt(c: Cluster, arm: Arm, ns: string, run: number, at: (what: string) => void): Promise<void>;
  /** How long the load goes on once the namespace has settled again (default 4 s: kube-proxy's sync). */
  tailMs?: number | ((o: ScenarioOptions) => number);
}
