#!/usr/bin/env node
// The gracekeeper command: `serve` (the webhook), `mutate` (the same engine, offline) and `audit`
// (the same engine over a live cluster, read-only). kubectl-gracekeeper.ts runs it as a kubectl plugin.
import { readFileSync } from 'node:fs';
import { MUTATE_USAGE, runMutate } from './cli/mutate.js';

const USAGE = `gracekeeper: graceful shutdown and safe start-up as Kubernetes cluster policy

Commands:
  serve    run the mutating admission webhook (HTTPS :8443, metrics :9090)
  mutate   print manifests as the webhook would mutate them on CREATE
  audit    report what every workload in a live cluster lacks, and stale records (read-only)
  policy   print the in-process baseline (a MutatingAdmissionPolicy) for these cluster settings

${MUTATE_USAGE}
Run "gracekeeper serve --help" for the server's flags, "gracekeeper audit --help" for the audit's.
`;

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = {
    stdout: (t: string) => process.stdout.write(t),
    stderr: (t: string) => process.stderr.write(t),
    readStdin: () => readFileSync(0, 'utf8'),
  };
  switch (command) {
    case 'mutate':
      return runMutate(rest, io);
    case 'audit': {
      const { runAudit } = await import('./cli/audit.js');
      return runAudit(rest, io);
    }
    case 'policy': {
      const { runPolicy } = await import('./cli/policy.js');
      return runPolicy(rest, io);
    }
    case 'serve': {
      const { runServe } = await import('./cli/serve.js');
      return runServe(rest);
    }
    case undefined:
    case 'help':
    case '--help':
    case '-h':
      io.stdout(USAGE);
      return command === undefined ? 2 : 0;
    default:
      io.stderr(`gracekeeper: unknown command ${JSON.stringify(command)}\n\n${USAGE}`);
      return 2;
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gracekeeper: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
