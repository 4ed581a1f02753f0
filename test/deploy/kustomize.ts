// Renders deploy/ with `kubectl kustomize` and gives the tests typed access to the objects.
//
// kubectl is looked for, in order: $KUBECTL; `kubectl` on PATH; the kubectl the e2e suite builds
// into ~/.cache/gracekeeper/k8s-<version>/ (test/e2e/build-k8s.sh); failing all three, it is
// built with build-k8s.sh where Go is installed. Without any of them the suites that need it
// are skipped with the reason, except with CI=true, where that is a failure.
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';
import { binaryPaths, ensureBinaries } from '../e2e/ensure-binaries.js';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const DEPLOY = join(ROOT, 'deploy');

// Loosely typed Kubernetes objects: the tests assert on the shape, so a typo is a failure, not a
// compile error.

export type Obj = Record<string, any>;

function works(cmd: string): boolean {
  try {
    execFileSync(cmd, ['kustomize', '--help'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function hasGo(): boolean {
  try {
    execFileSync(process.env.GO ?? 'go', ['version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

let found: { kubectl?: string; reason?: string } | undefined;

/** The kubectl to use, or why there is none (throws with CI=true instead of giving a reason). */
export async function findKubectl(): Promise<{ kubectl?: string; reason?: string }> {
  if (found) return found;
  const candidates: string[] = [];
  if (process.env.KUBECTL) candidates.push(process.env.KUBECTL);
  candidates.push('kubectl');
  let cached: string | undefined;
  try {
    cached = binaryPaths().kubectl;
    candidates.push(cached);
  } catch {
    // build-k8s.sh --print-dirs failed; PATH is all there is.
  }
  const usable = candidates.find((c) => (c.includes('/') ? existsSync(c) : true) && works(c));
  if (usable) return (found = { kubectl: usable });
  if (cached && hasGo()) {
    process.stderr.write('test/deploy: no kubectl on PATH or in the cache; building it with test/e2e/build-k8s.sh\n');
    const b = await ensureBinaries();
    if (works(b.kubectl)) return (found = { kubectl: b.kubectl });
  }
  const reason = 'no kubectl: not on PATH, not in ~/.cache/gracekeeper (test/e2e/build-k8s.sh), and no Go to build it';
  if (process.env.CI === 'true') throw new Error(`test/deploy: CI=true, and ${reason}`);
  return (found = { reason });
}

/** `kubectl kustomize DIR`, parsed; every document must be a mapping with apiVersion and kind. */
export function renderWith(kubectl: string, dir: string): Obj[] {
  const out = execFileSync(kubectl, ['kustomize', dir], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  return parseObjects(out);
}

export function parseObjects(text: string): Obj[] {
  return parseAllDocuments(text).map((doc, i) => {
    if (doc.errors.length > 0) throw new Error(`document ${i}: ${doc.errors[0]?.message}`);
    const obj = doc.toJS() as unknown;
    if (typeof obj !== 'object' || obj === null || Array.isArray(obj)) throw new Error(`document ${i} is not a mapping`);
    const o = obj as Obj;
    if (typeof o.apiVersion !== 'string' || typeof o.kind !== 'string') throw new Error(`document ${i} has no apiVersion/kind`);
    return o;
  });
}

/** The one object of that kind (and name); fails when there is none or several. */
export function one(objects: Obj[], kind: string, name?: string): Obj {
  const hits = objects.filter((o) => o.kind === kind && (name === undefined || o.metadata?.name === name));
  if (hits.length !== 1) throw new Error(`expected one ${kind}${name ? ` ${name}` : ''}, found ${hits.length}`);
  return hits[0];
}

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist'; values?: string[] }[];
}

/** metav1.LabelSelector semantics (an empty selector matches everything). */
export function selects(selector: LabelSelector | undefined, labels: Record<string, string>): boolean {
  if (!selector) return true;
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (labels[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.hasOwn(labels, e.key);
    const value = labels[e.key];
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(value)) return false;
        break;
      case 'NotIn':
        if (has && values.includes(value)) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        throw new Error(`unknown selector operator ${String((e as { operator: unknown }).operator)}`);
    }
  }
  return true;
}
