// The table of gracekeeper's commands, and the one place that answers -h/--help for each of them:
// `gracekeeper CMD ... -h|--help ...` and `gracekeeper help CMD` print CMD's usage and exit 0 before
// CMD parses anything. A command added here (one row: name, summary, usage, run) gets its help for free.
// Each row imports its module only when used, so that `mutate` does not load the server.
import { readFileSync } from 'node:fs';
import type { CommandIO } from './mutate.js';

export interface Command {
  name: string;
  /** One line for the list of commands. */
  summary: string;
  /** The full usage, printed for -h/--help. */
  usage: () => Promise<string>;
  /** Runs the command with the arguments after its name; resolves to the exit status. */
  run: (argv: string[], io: CommandIO) => Promise<number>;
}

export const COMMANDS: readonly Command[] = [
  {
    name: 'serve',
    summary: 'run the mutating admission webhook (HTTPS :8443, metrics :9090)',
    usage: async () => (await import('./serve.js')).SERVE_USAGE,
    run: async (argv) => (await import('./serve.js')).runServe(argv),
  },
  {
    name: 'mutate',
    summary: 'print manifests as the webhook would mutate them on CREATE',
    usage: async () => (await import('./mutate.js')).MUTATE_HELP,
    run: async (argv, io) => (await import('./mutate.js')).runMutate(argv, io),
  },
  {
    name: 'audit',
    summary: 'report what every workload in a live cluster lacks, and stale records (read-only)',
    usage: async () => `${(await import('./audit-args.js')).AUDIT_USAGE}\n`,
    run: async (argv, io) => (await import('./audit.js')).runAudit(argv, io),
  },
  {
    name: 'policy',
    summary: 'print the in-process baseline (a MutatingAdmissionPolicy) for these cluster settings',
    usage: async () => (await import('./policy.js')).POLICY_USAGE,
    run: async (argv, io) => Promise.resolve((await import('./policy.js')).runPolicy(argv, io)),
  },
];

export function usage(commands: readonly Command[] = COMMANDS): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  return `gracekeeper: graceful shutdown and safe start-up as Kubernetes cluster policy

Usage: gracekeeper COMMAND [flags]    (as a kubectl plugin: kubectl gracekeeper COMMAND [flags])

Commands:
${commands.map((c) => `  ${c.name.padEnd(width)}   ${c.summary}`).join('\n')}
  ${'help'.padEnd(width)}   print the usage of a command: gracekeeper help COMMAND

Every command answers -h or --help with its usage: gracekeeper COMMAND --help.
`;
}

/** Whether the arguments ask for help: -h or --help before a `--` (after it, arguments are data). */
export function wantsHelp(argv: readonly string[]): boolean {
  const end = argv.indexOf('--');
  return (end === -1 ? argv : argv.slice(0, end)).some((a) => a === '-h' || a === '--help');
}

export function defaultIO(): CommandIO {
  return {
    stdout: (t: string) => process.stdout.write(t),
    stderr: (t: string) => process.stderr.write(t),
    readStdin: () => readFileSync(0, 'utf8'),
  };
}

/** The whole command line: a command, help, or a usage error (exit 2). */
export async function runCli(argv: string[], io: CommandIO, commands: readonly Command[] = COMMANDS): Promise<number> {
  const [name, ...rest] = argv;
  const find = (n: string | undefined) => commands.find((c) => c.name === n);
  if (name === undefined) {
    io.stderr(usage(commands));
    return 2;
  }
  if (name === '-h' || name === '--help') {
    io.stdout(usage(commands));
    return 0;
  }
  if (name === 'help') {
    const [topic] = rest;
    if (topic === undefined) {
      io.stdout(usage(commands));
      return 0;
    }
    const command = find(topic);
    if (!command) return unknown(topic, io, commands);
    io.stdout(await command.usage());
    return 0;
  }
  const command = find(name);
  if (!command) return unknown(name, io, commands);
  if (wantsHelp(rest)) {
    io.stdout(await command.usage());
    return 0;
  }
  return command.run(rest, io);
}

function unknown(name: string, io: CommandIO, commands: readonly Command[]): number {
  io.stderr(`gracekeeper: unknown command ${JSON.stringify(name.slice(0, 100))}\n\n${usage(commands)}`);
  return 2;
}
