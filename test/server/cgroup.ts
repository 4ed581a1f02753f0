// A memory cgroup of our own for a child process, so that a test measures the server under the
// Deployment's own memory limit (384Mi) the way the kernel enforces it in a pod. cgroup v2
// (memory.max, memory.peak, memory.events) or v1 (memory.limit_in_bytes, max_usage_in_bytes,
// oom_control), made under the cgroup this test process is in; undefined when neither is writable.
import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface MemoryCgroup {
  dir: string;
  /** The file to write a pid into to move that process in. */
  procs: string;
  /** The highest memory use seen, in bytes. */
  peak(): number;
  /** How many processes the kernel's OOM killer killed in it. */
  oomKills(): number;
  remove(): void;
}

function ownPath(controller: 'v1' | 'v2'): string | undefined {
  for (const line of readFileSync('/proc/self/cgroup', 'utf8').split('\n')) {
    const [, controllers, path] = line.split(':');
    if (controller === 'v2' && line.startsWith('0::')) return path;
    if (controller === 'v1' && controllers?.split(',').includes('memory')) return path;
  }
  return undefined;
}

export function memoryCgroup(name: string, limitBytes: number): MemoryCgroup | undefined {
  const attempts: Array<() => MemoryCgroup> = [
    () => {
      if (!existsSync('/sys/fs/cgroup/cgroup.controllers')) throw new Error('not cgroup v2');
      const dir = join('/sys/fs/cgroup', ownPath('v2') ?? '/', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.max'), String(limitBytes));
      writeFileSync(join(dir, 'memory.swap.max'), '0');
      return {
        dir,
        procs: join(dir, 'cgroup.procs'),
        peak: () => Number(readFileSync(join(dir, 'memory.peak'), 'utf8')),
        oomKills: () => Number(/oom_kill (\d+)/.exec(readFileSync(join(dir, 'memory.events'), 'utf8'))?.[1] ?? 0),
        remove: () => rmdirSync(dir),
      };
    },
    () => {
      if (!existsSync('/sys/fs/cgroup/memory/memory.limit_in_bytes')) throw new Error('no cgroup v1 memory controller');
      const dir = join('/sys/fs/cgroup/memory', ownPath('v1') ?? '/', name);
      mkdirSync(dir, { recursive: true });
      writeFileSync(join(dir, 'memory.limit_in_bytes'), String(limitBytes));
      try {
        writeFileSync(join(dir, 'memory.memsw.limit_in_bytes'), String(limitBytes)); // no swap beyond the limit
      } catch {
        // swap accounting off: nothing to bound
      }
      return {
        dir,
        procs: join(dir, 'cgroup.procs'),
        peak: () => Number(readFileSync(join(dir, 'memory.max_usage_in_bytes'), 'utf8')),
        oomKills: () => Number(/oom_kill (\d+)/.exec(readFileSync(join(dir, 'memory.oom_control'), 'utf8'))?.[1] ?? 0),
        remove: () => rmdirSync(dir),
      };
    },
  ];
  for (const attempt of attempts) {
    try {
      return attempt();
    } catch {
      // not this version, or not writable here
    }
  }
  return undefined;
}
