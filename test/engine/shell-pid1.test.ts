// The shell-as-PID-1 rule on real images' command lines (shell-corpus.ts) and on the forms it
// parses: options before the script, env, comments, quotes, redirections, traps.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { argvOf, scriptKeepsShell, shellScriptAsPid1, shellWarning, splitCommands } from '../../src/engine/rules/shell-pid1.js';
import { CORPUS } from './shell-corpus.js';

describe('the command lines of real images', () => {
  for (const line of CORPUS) {
    it(`${line.verdict}: ${line.source}`, () => {
      const finding = shellScriptAsPid1(argvOf(line.command, line.args));
      assert.equal(finding ? 'warn' : 'fine', line.verdict, line.truth);
    });
  }

  it('has true and false positives and lines that are fine', () => {
    assert.ok(CORPUS.some((l) => l.verdict === 'warn' && l.truth.startsWith('true positive')));
    assert.ok(CORPUS.some((l) => l.verdict === 'warn' && l.truth.startsWith('false positive')));
    assert.ok(CORPUS.filter((l) => l.verdict === 'fine').length >= 5);
  });
});

describe('the shell rule', () => {
  const warns = (...argv: string[]) => shellScriptAsPid1(argv) !== undefined;

  it('finds the script after the options, in command or args, behind env', () => {
    assert.ok(warns('sh', '-ec', 'cd /app; ./run'));
    assert.ok(warns('bash', '-ec', 'cd /app; ./run | tee log'));
    assert.ok(warns('/bin/sh', '-e', '-c', 'cd /app; ./run'));
    assert.ok(warns('sh', '-o', 'pipefail', '-c', 'cd /app; ./run'));
    assert.ok(warns('/usr/bin/env', 'LANG=C', 'dash', '-c', 'a; b'));
    assert.ok(!warns('sh', '/docker-entrypoint.sh', 'nginx'), 'a script file: not read');
    assert.ok(!warns('sh', '-x', 'run.sh'), 'no -c');
    assert.ok(!warns('zsh', '-c', 'a; b'), 'only sh, bash, ash, dash');
    assert.ok(!warns('sh', '-c'), 'no script');
  });

  it('takes exec as the last command, and a TERM trap, as fine for every shell', () => {
    for (const shell of ['sh', 'dash', 'bash', 'ash']) {
      assert.ok(!scriptKeepsShell('set -e\ncd /app\nexec java -jar app.jar "$@"', shell), shell);
      assert.ok(!scriptKeepsShell("trap 'kill -TERM $child' TERM; java -jar app.jar & child=$!; wait $child", shell), shell);
      assert.ok(!scriptKeepsShell('trap "exit 0" SIGTERM; ./run & wait', shell), shell);
    }
    for (const shell of ['sh', 'dash']) {
      assert.ok(scriptKeepsShell('exec >/var/log/out; ./run', shell), `${shell}: exec with only a redirection replaces nothing`);
    }
  });

  it('holds sh and dash to exec, lets bash and ash exec a last simple command', () => {
    assert.ok(scriptKeepsShell('java -jar app.jar', 'sh'));
    assert.ok(scriptKeepsShell('java -jar app.jar', 'dash'));
    assert.ok(!scriptKeepsShell('java -jar app.jar', 'bash'));
    assert.ok(!scriptKeepsShell('cd /app && java -jar app.jar', 'ash'));
    assert.ok(scriptKeepsShell('java -jar app.jar 2>&1', 'bash'), 'bash keeps itself for a redirection');
    assert.ok(!scriptKeepsShell('echo ">" ; java -jar app.jar', 'bash'), 'a quoted > is no redirection');
    assert.ok(scriptKeepsShell('java -jar app.jar | tee log', 'bash'));
    assert.ok(scriptKeepsShell('java -jar app.jar &', 'ash'));
    assert.ok(scriptKeepsShell('if [ -f x ]; then java -jar app.jar; fi', 'bash'));
    assert.ok(scriptKeepsShell('trap cleanup EXIT; java -jar app.jar', 'ash'), 'an EXIT trap keeps the shell');
  });

  it('splits at top-level operators only', () => {
    assert.deepEqual(splitCommands('a "b; c" && d $(e; f) \'g | h\'').commands, ['a "b; c"', "d $(e; f) 'g | h'"]);
    assert.deepEqual(splitCommands('x 2>&1 && y &>/dev/null').commands, ['x 2>&1', 'y &>/dev/null']);
    assert.equal(splitCommands('a | b').forks, true);
    assert.equal(splitCommands('a || b').forks, false);
    assert.deepEqual(splitCommands('# comment only\n').commands, ['# comment only']);
  });

  it('warns under 120 characters with what to change', () => {
    const text = shellWarning('app', { shell: 'sh', script: 'a; b' });
    assert.ok(text.length < 120 && text.includes('exec'), text);
  });
});
