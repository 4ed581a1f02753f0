// Finds Helm 4 and Helm 3, promtool and promql-inspect in the cache of test/tools/build.sh, building whatever is
// missing first (Go is needed for that). Without the binary and without Go the suites that need it
// are skipped with the reason, except with CI=true, where that is a failure.
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type Tool = 'helm3' | 'helm4' | 'promtool' | 'promql-inspect';

const BUILD_SCRIPT = join(dirname(fileURLToPath(import.meta.url)), 'build.sh');

/** Where build.sh puts the tool (whether or not it is there yet). */
export function toolPath(tool: Tool): string {
  return execFileSync('bash', [BUILD_SCRIPT, tool, '--print-path'], { encoding: 'utf8' }).trim();
}

function hasGo(): boolean {
  return spawnSync(process.env.GO ?? 'go', ['version'], { stdio: 'ignore' }).status === 0;
}

const found = new Map<Tool, { path?: string; reason?: string }>();

/**
 * The tool's path, built on first use (minutes: see build.sh), or the reason there is none.
 * With CI=true a missing tool throws instead: CI must not skip these suites silently.
 */
export function findTool(tool: Tool): { path?: string; reason?: string } {
  const cached = found.get(tool);
  if (cached) return cached;
  const path = toolPath(tool);
  let result: { path?: string; reason?: string };
  if (existsSync(path)) result = { path };
  else if (!hasGo())
    result = { reason: `${tool} is not in ${path} and there is no Go toolchain to build it (test/tools/build.sh)` };
  else {
    process.stderr.write(`test/tools: building ${tool} with test/tools/build.sh (first run only)\n`);
    const r = spawnSync('bash', [BUILD_SCRIPT, tool], { stdio: ['ignore', process.stderr, process.stderr] });
    result = r.status === 0 && existsSync(path) ? { path } : { reason: `test/tools/build.sh ${tool} failed (${r.status})` };
  }
  if (result.reason && process.env.CI === 'true') throw new Error(`test/tools: CI=true, and ${result.reason}`);
  found.set(tool, result);
  return result;
}

/** Runs the tool; throws with its output when it exits non-zero (unless allowFailure). */
export function runTool(
  path: string,
  args: string[],
  opts: { input?: string; env?: Record<string, string>; allowFailure?: boolean; cwd?: string } = {},
): { status: number; stdout: string; stderr: string } {
  const r = spawnSync(path, args, {
    encoding: 'utf8',
    input: opts.input,
    cwd: opts.cwd,
    env: { ...process.env, ...opts.env },
    timeout: 180_000,
    maxBuffer: 64 * 1024 * 1024,
  });
  const result = { status: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
  if (result.status !== 0 && !opts.allowFailure) {
    throw new Error(`${path} ${args.join(' ')} failed (${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
  }
  return result;
}
