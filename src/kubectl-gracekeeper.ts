#!/usr/bin/env node
// The kubectl plugin entry point. kubectl runs an executable named kubectl-gracekeeper found on
// PATH for `kubectl gracekeeper ARGS...`, with ARGS as its arguments (krew installs plugins the
// same way), so `kubectl gracekeeper audit -A` is `gracekeeper audit -A`: the same command line,
// the same exit status. package.json's "bin" names this file (dist/kubectl-gracekeeper.js).
import './cli.js';
