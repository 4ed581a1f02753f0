// The node binary gracekeeper and the baseline run on: BENCH_NODE (a path, or a command on PATH),
// else the Node.js the container image runs, which scripts/ensure-node.sh installs from the npm
// registry into ~/.cache/gracekeeper/node-v<version>/ when it is missing (and prints its path).
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { REPO } from './processes.js';

export function benchNode(env: NodeJS.ProcessEnv = process.env): string {
  if (env.BENCH_NODE) return env.BENCH_NODE;
  const out = execFileSync('bash', [join(REPO, 'scripts/ensure-node.sh')], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'inherit'],
    timeout: 300_000,
  });
  return out.trim();
}

/** `node --version` of a binary, e.g. v26.12.1. */
export function nodeVersion(node: string): string {
  return execFileSync(node, ['--version'], { encoding: 'utf8', timeout: 30_000 }).trim();
}
