// Child processes of the e2e control plane: each runs in its own process group with its output
// in a log file, and nothing outlives the test process, however it ends.
//  - stop() (the normal path) sends SIGTERM to each group, then SIGKILL after a grace period.
//  - On process exit (which includes an uncaught exception or an unhandled rejection) and on
//    SIGINT, SIGTERM or SIGHUP, every group still registered is killed and its temp dir removed.
//  - A tiny detached watchdog shell does the same if this process dies by SIGKILL.
import { spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, openSync, closeSync, readFileSync, rmSync, writeFileSync } from 'node:fs';

export interface Component {
  name: string;
  pid: number;
  logPath: string;
  child: ChildProcess;
  /** Resolves with the exit code (or signal name) once the process has exited. */
  exited: Promise<number | string>;
  hasExited(): boolean;
}

interface Group {
  dir: string;
  pids: Set<number>;
  keepDir: boolean;
}

const groups = new Set<Group>();
let handlersInstalled = false;

function killGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch {
    // already gone
  }
}

/** Synchronous last-resort cleanup, safe to call from an 'exit' handler. */
function cleanupAllSync(): void {
  for (const g of groups) {
    for (const pid of g.pids) killGroup(pid, 'SIGKILL');
    if (!g.keepDir) rmSync(g.dir, { recursive: true, force: true });
  }
  groups.clear();
}

function installHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  process.on('exit', cleanupAllSync);
  for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    const onSignal = (): void => {
      cleanupAllSync();
      // Die of the same signal, as the default action would, unless someone else handles it.
      if (process.listenerCount(sig) === 1) {
        process.removeListener(sig, onSignal);
        process.kill(process.pid, sig);
      }
    };
    process.on(sig, onSignal);
  }
}

const WATCHDOG = `
parent=$1 dir=$2
while kill -0 "$parent" 2>/dev/null && [ -d "$dir" ]; do sleep 1; done
[ -d "$dir" ] || exit 0
for pid in $(cat "$dir/pids" 2>/dev/null); do kill -KILL -- "-$pid" 2>/dev/null; done
[ -e "$dir/keep" ] || rm -rf "$dir"
`;

interface Spec {
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
}

/** A set of processes that share a temp dir, cleaned up together. */
export class ProcessGroupSet {
  private readonly group: Group;
  private readonly components: Component[] = [];
  private readonly specs = new Map<string, Spec>();
  readonly watchdogPid: number;

  constructor(
    readonly dir: string,
    keepDir = false,
  ) {
    installHandlers();
    this.group = { dir, pids: new Set(), keepDir };
    groups.add(this.group);
    if (keepDir) appendFileSync(`${dir}/keep`, '');
    const wd = spawn('bash', ['-c', WATCHDOG, 'watchdog', String(process.pid), dir], {
      detached: true,
      stdio: 'ignore',
    });
    wd.unref();
    this.watchdogPid = wd.pid ?? 0;
  }

  get all(): readonly Component[] {
    return this.components;
  }

  start(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Component {
    if (this.specs.has(name)) throw new Error(`${name} was started already (restart it instead)`);
    this.specs.set(name, { command, args, env });
    const c = this.spawn(name, command, args, env);
    this.components.push(c);
    return c;
  }

  /** The running (or last) process of `name`. */
  get(name: string): Component {
    const c = this.components.find((x) => x.name === name);
    if (!c) throw new Error(`no component ${name}`);
    return c;
  }

  /** Sends `signal` to the process group of `name` (SIGKILL, SIGSTOP, SIGCONT, ...). */
  signal(name: string, signal: NodeJS.Signals): void {
    killGroup(this.get(name).pid, signal);
  }

  /**
   * Starts `name` again with the command line it was first started with (plus `extraArgs`, which
   * win), once its previous process has exited; the new process takes its place in `all`. Its
   * output goes on in the same log file.
   */
  restart(name: string, extraArgs: string[] = []): Component {
    const spec = this.specs.get(name);
    const old = this.get(name);
    if (!spec) throw new Error(`no component ${name}`);
    if (!old.hasExited()) throw new Error(`${name} (pid ${old.pid}) is still running`);
    this.group.pids.delete(old.pid);
    const c = this.spawn(name, spec.command, [...spec.args, ...extraArgs], spec.env);
    this.components[this.components.indexOf(old)] = c;
    // The watchdog's list holds live groups only: a dead pid may be reused by someone else's process.
    writeFileSync(`${this.dir}/pids`, [...this.group.pids].map((p) => `${p}\n`).join(''));
    return c;
  }

  private spawn(name: string, command: string, args: string[], env?: NodeJS.ProcessEnv): Component {
    const logPath = `${this.dir}/${name}.log`;
    const fd = openSync(logPath, 'a');
    appendFileSync(fd, `$ ${command} ${args.join(' ')}\n`);
    let child: ChildProcess;
    try {
      child = spawn(command, args, {
        detached: true, // own process group, so that stop() reaches its children too
        stdio: ['ignore', fd, fd],
        env: env ?? process.env,
      });
    } finally {
      closeSync(fd);
    }
    if (child.pid === undefined) throw new Error(`cannot start ${name} (${command})`);
    const pid = child.pid;
    this.group.pids.add(pid);
    appendFileSync(`${this.dir}/pids`, `${pid}\n`);
    let done = false;
    const exited = new Promise<number | string>((resolve) => {
      child.on('exit', (code, signal) => {
        done = true;
        resolve(code ?? signal ?? 'unknown');
      });
      child.on('error', (err) => {
        done = true;
        appendFileSync(logPath, `spawn error: ${err.message}\n`);
        resolve(err.message);
      });
    });
    return { name, pid, logPath, child, exited, hasExited: () => done };
  }

  /** SIGTERM to every group (last started first), SIGKILL after `graceMs`, then rm the dir. */
  async stop(graceMs = 5000): Promise<void> {
    for (const c of [...this.components].reverse()) {
      if (!c.hasExited()) {
        killGroup(c.pid, 'SIGTERM');
        killGroup(c.pid, 'SIGCONT'); // a paused (SIGSTOP) process acts on SIGTERM only once resumed
      }
      const timer = new Promise((r) => setTimeout(r, graceMs).unref());
      await Promise.race([c.exited, timer]);
      killGroup(c.pid, 'SIGKILL'); // also reaches any child the component left in its group
      await c.exited;
    }
    this.group.pids.clear();
    if (!this.group.keepDir) rmSync(this.dir, { recursive: true, force: true });
    groups.delete(this.group);
    killGroup(this.watchdogPid, 'SIGKILL');
  }
}

/** The last `lines` lines of a log file, for error messages. */
export function tail(path: string, lines = 40): string {
  try {
    const text = readFileSync(path, 'utf8').trimEnd().split('\n');
    return text.slice(-lines).join('\n');
  } catch (err) {
    return `(no log: ${(err as Error).message})`;
  }
}

/** True if any process of the process group `pgid` is still alive. */
export function groupAlive(pgid: number): boolean {
  try {
    process.kill(-pgid, 0);
    return true;
  } catch {
    return false;
  }
}
