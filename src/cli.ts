#!/usr/bin/env node
// The gracekeeper command: `serve` (the webhook) and `mutate` (the same engine, offline).
import { readFileSync } from 'node:fs';
import { MUTATE_USAGE, runMutate } from './cli/mutate.js';

const USAGE = `gracekeeper: graceful shutdown and safe start-up as Kubernetes cluster policy

Commands:
  serve    run the mutating admission webhook (HTTPS :8443, metrics :9090)
  mutate   print manifests as the webhook would mutate them on CREATE

${MUTATE_USAGE}
Run "gracekeeper serve --help" for the server's flags.
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
