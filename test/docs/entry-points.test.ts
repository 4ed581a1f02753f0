// Every `make` target the pages name runs from a fresh clone: its dry run (`make -n`) succeeds, and
// every program its recipe starts is there and compiles. A TypeScript project that a recipe builds
// with `tsc -p` is type-checked with its own settings (rootDir, include: what `make typecheck`'s
// project does not see), each `node file.js` is a file that project emits, each `node --import tsx
// file.ts` is in `make typecheck`'s project, and each `bash script.sh` parses (`bash -n`).
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { test } from 'node:test';
import ts from 'typescript';
import { pages, read, ROOT } from './markdown.js';

/** The entry points that the issue of a failing `make bench` named: always checked. */
const REQUIRED = ['bench', 'bench-peers', 'bench-scale', 'rollout-proof', 'docs', 'helm-docs'];

/**
 * Targets named as `make <target>` in code spans or blocks of README.md, test/e2e/README.md and
 * docs/: `make` where a command starts (a span's or line's start, after `;`, `&&`, `(` or a `$ `
 * prompt), not a quoted message's prose ("... make the app wait").
 */
function documentedTargets(): Set<string> {
  const found = new Set<string>();
  for (const page of pages()) {
    const code = [...read(page).matchAll(/```[\s\S]*?```|`[^`\n]+`/g)].map((m) => m[0]).join('\n');
    for (const m of code.matchAll(/(?:^|[`;&(]|&& |\$ )\s*make ([a-z][a-z0-9-]*)/gm)) found.add(m[1]);
  }
  return found;
}

function parsedConfig(path: string): ts.ParsedCommandLine {
  const parsed = ts.getParsedCommandLineOfConfigFile(path, undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (d) => assert.fail(ts.flattenDiagnosticMessageText(d.messageText, '\n')),
  });
  assert.ok(parsed, `cannot read ${path}`);
  return parsed;
}

/** The project's diagnostics with noEmit (what `tsc -p` would report), as text. */
function typeErrors(config: ts.ParsedCommandLine): string[] {
  const program = ts.createProgram({ rootNames: config.fileNames, options: { ...config.options, noEmit: true } });
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const where = d.file ? `${d.file.fileName}:${d.file.getLineAndCharacterOfPosition(d.start ?? 0).line + 1}: ` : '';
    return `${where}TS${d.code} ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`;
  });
}

/** The JavaScript files the project emits. */
function outputs(config: ts.ParsedCommandLine): Set<string> {
  const out = new Set<string>();
  for (const file of config.fileNames) {
    for (const o of ts.getOutputFileNames(config, file, false)) if (o.endsWith('.js')) out.add(resolve(o));
  }
  return out;
}

const typecheckProject = new Set(parsedConfig(join(ROOT, 'tsconfig.test.json')).fileNames.map((f) => resolve(f)));
const configs = new Map<string, ts.ParsedCommandLine>();
const checkedConfigs = new Map<string, string[]>();

/** The recipe's commands as `make -n` prints them, the target's prerequisites included. */
function dryRun(target: string): string[] {
  const r = spawnSync('make', ['-n', '--no-print-directory', target], { cwd: ROOT, encoding: 'utf8' });
  assert.equal(r.status, 0, `make -n ${target} failed:\n${r.stderr}`);
  return r.stdout.split('\n').filter((l) => l.trim() !== '');
}

function checkRecipe(target: string): void {
  const emitted = new Set<string>();
  for (const line of dryRun(target)) {
    const words = line.trim().split(/\s+/);
    const tsc = /(?:^|\s)(?:npx )?tsc -p (\S+)/.exec(line);
    if (tsc) {
      const path = resolve(ROOT, tsc[1]);
      assert.ok(existsSync(path), `make ${target}: ${tsc[1]} does not exist`);
      const config = configs.get(path) ?? parsedConfig(path);
      configs.set(path, config);
      const errors = checkedConfigs.get(path) ?? typeErrors(config);
      checkedConfigs.set(path, errors);
      assert.deepEqual(errors, [], `make ${target}: tsc -p ${tsc[1]} fails`);
      for (const o of outputs(config)) emitted.add(o);
      continue;
    }
    if (words[0] === 'node') {
      const files = words.slice(1).filter((w) => /\.[cm]?[jt]s$/.test(w));
      assert.ok(files.length > 0, `make ${target}: no program in: ${line}`);
      for (const f of files) {
        const path = resolve(ROOT, f);
        if (f.endsWith('.ts')) {
          assert.ok(existsSync(path), `make ${target}: ${f} does not exist`);
          assert.ok(typecheckProject.has(path), `make ${target}: ${f} is not type-checked by tsconfig.test.json`);
        } else {
          assert.ok(emitted.has(path), `make ${target}: ${f} is not emitted by a tsc -p of the recipe before it`);
        }
      }
      continue;
    }
    if (words[0] === 'bash' && words[1]?.endsWith('.sh')) {
      const path = resolve(ROOT, words[1]);
      assert.ok(existsSync(path), `make ${target}: ${words[1]} does not exist`);
      execFileSync('bash', ['-n', path]);
    }
  }
}

test('the pages name the entry points that must work from a fresh clone', () => {
  const named = documentedTargets();
  for (const t of REQUIRED) assert.ok(named.has(t), `no page names make ${t}`);
});

test('every make target the pages name dry-runs, and each program of its recipe compiles', () => {
  const targets = [...new Set([...REQUIRED, ...documentedTargets()])].sort();
  for (const target of targets) checkRecipe(target);
  assert.ok(checkedConfigs.has(join(ROOT, 'bench', 'tsconfig.json')), 'make bench compiled bench/tsconfig.json');
});
