// The machine and the versions a peer benchmark ran on, for the docs' table.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import type { ControlPlane } from '../../test/e2e/cluster.js';
import { REPO } from './repo.js';

export interface Machine {
  cpus: number;
  cpu_model: string;
  load_average: string;
  node: string;
  go: string;
  kubernetes: string;
  kyverno: string;
}

export async function machine(cp: ControlPlane): Promise<Machine> {
  const version = await cp.api<{ gitVersion?: string }>('GET', '/version');
  const gomod = readFileSync(join(REPO, 'bench/peers/kyverno/go.mod'), 'utf8');
  let go = 'go (unknown)';
  try {
    go = execFileSync('go', ['version'], { encoding: 'utf8' }).trim().split(' ').slice(2, 3).join(' ');
  } catch {
    // no Go on PATH: the binary came from the cache
  }
  return {
    cpus: cpus().length,
    cpu_model: cpus()[0]?.model.trim() ?? 'unknown',
    load_average: loadavg()
      .map((l) => l.toFixed(1))
      .join(' '),
    node: process.version,
    go,
    kubernetes: version.body.gitVersion ?? 'unknown',
    kyverno: /^require github\.com\/kyverno\/kyverno (\S+)$/m.exec(gomod)?.[1] ?? 'unknown',
  };
}
