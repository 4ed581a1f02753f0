#!/usr/bin/env node
// The gracekeeper command: `serve` (the webhook), `mutate` (the same engine, offline), `audit` (the
// same engine over a live cluster, read-only) and `policy` (the in-process baseline), from the table
// in cli/commands.ts, which also answers -h/--help for every command. kubectl-gracekeeper.ts runs it as a kubectl plugin.
import { defaultIO, runCli } from './cli/commands.js';

runCli(process.argv.slice(2), defaultIO()).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`gracekeeper: ${(err as Error).stack ?? String(err)}\n`);
    process.exitCode = 1;
  },
);
