// A shell as process 1 running a script (`sh -c "a && b"`) stays process 1 while its last command
// runs: the kernel delivers no signal to process 1 that it has no handler for, and the shell installs
// none for SIGTERM, so the app never hears it and is killed when the grace period ends. What each
// shell does was measured as process 1 of a fresh PID namespace (test/engine/shell-pid1-real.test.ts;
// bash 5.2.15, dash 0.5.12, BusyBox 1.35.0 ash): all of them pass SIGTERM on when the last command is
// `exec`ed or the script traps TERM; bash and ash also exec a last simple command by themselves
// (bash not when it has a redirection); dash never does, so `sh` (dash on Debian and Ubuntu images)
// is held to exec. Where a shell does more than this (ash execs inside an if or a subshell), the rule
// warns anyway: a needless `exec` costs nothing, a missed one costs every in-flight request. Not a
// finding: anything not started by sh, bash, ash or dash with -c (an init such as tini or
// dumb-init, a script file the image runs, the image's own entrypoint).
const SHELLS = new Set(['sh', 'bash', 'ash', 'dash']);

export interface ShellFinding {
  shell: string;
  script: string;
}

/** The argv Kubernetes runs: command then args; args alone when command is unset (the image's entrypoint is unknown). */
export function argvOf(command: unknown, args: unknown): string[] {
  const list = (v: unknown) => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);
  return [...list(command), ...list(args)];
}

/** The shell and its script when process 1 is a shell running a script that neither execs nor traps SIGTERM. */
export function shellScriptAsPid1(argv: readonly string[]): ShellFinding | undefined {
  let i = 0;
  if (basename(argv[0]) === 'env') for (i = 1; i < argv.length && /^[A-Za-z_][A-Za-z0-9_]*=/.test(argv[i] ?? ''); i++);
  const shell = basename(argv[i]);
  if (!SHELLS.has(shell)) return undefined;
  let hasC = false;
  let j = i + 1;
  for (; j < argv.length; j++) {
    const arg = argv[j] as string;
    if (arg === '--') {
      j++;
      break;
    }
    if (arg === '-o' || arg === '+o') j++;
    else if (/^[-+][A-Za-z]+$/.test(arg)) hasC ||= arg.startsWith('-') && arg.includes('c');
    else if (!arg.startsWith('--')) break;
  }
  const script = argv[j];
  if (!hasC || script === undefined) return undefined;
  return scriptKeepsShell(script, shell) ? { shell, script } : undefined;
}

function basename(path: string | undefined): string {
  return path === undefined ? '' : path.slice(path.lastIndexOf('/') + 1);
}

/** Whether `shell` stays process 1 while the script's last command runs (see the header for what was measured). */
export function scriptKeepsShell(script: string, shell: string): boolean {
  const text = script
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  if (/(^|[\s;&|(])trap\s[^\n]*\b(SIG)?(TERM|15)\b/.test(text)) return false;
  const { commands, forks } = splitCommands(text);
  const last = commands[commands.length - 1];
  if (last === undefined) return false;
  if (/^exec\s+[^\s<>]/.test(last) && !/^exec\s+\d*[<>]/.test(last)) return false;
  // Another trap (EXIT, INT) must run after the last command, so no shell execs it by itself.
  if (shell !== 'bash' && shell !== 'ash') return true;
  if (/(^|[\s;&|(])trap\s/.test(text)) return true;
  if (forks || COMPOUND.test(last)) return true;
  return shell === 'bash' && hasRedirection(last);
}

/** A last command that is (or closes) a compound one (a loop, an if, a group, a subshell): the shell stays to run it. */
const COMPOUND = /^(while|until|for|if|then|elif|else|fi|do|done|case|esac|select|function|\{|\})(\s|$)|^\(/;

/** A redirection outside quotes: >, >>, <, 2>&1, &>. */
function hasRedirection(command: string): boolean {
  return /[<>]/.test(command.replace(/'[^']*'|"(?:\\.|[^"\\])*"/g, ''));
}

/**
 * The script's top-level commands, split at ; && || | & and newlines outside quotes, $(...),
 * backticks and parentheses; `forks` when there is a pipeline, a background job or a subshell.
 */
export function splitCommands(text: string): { commands: string[]; forks: boolean } {
  const commands: string[] = [];
  let forks = false;
  let current = '';
  let depth = 0;
  let quote: "'" | '"' | '`' | undefined;
  const push = () => {
    const command = current.trim();
    if (command !== '') commands.push(command);
    current = '';
  };
  for (let k = 0; k < text.length; k++) {
    const ch = text[k] as string;
    const next = text[k + 1];
    if (quote === "'") {
      if (ch === "'") quote = undefined;
    } else if (ch === '\\') {
      current += ch + (next ?? '');
      k++;
      continue;
    } else if (quote) {
      if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') {
      if (depth === 0 && current.trim() === '') forks = true;
      depth++;
    } else if (ch === ')') depth = Math.max(0, depth - 1);
    else if (depth === 0 && (ch === ';' || ch === '\n')) {
      if (ch === ';' && next === ';') k++;
      push();
      continue;
    } else if (depth === 0 && ch === '|') {
      if (next === '|') k++;
      else forks = true;
      push();
      continue;
    } else if (depth === 0 && ch === '&') {
      const redirect = /[<>]$/.test(current) || next === '>';
      if (!redirect) {
        if (next === '&') k++;
        else forks = true;
        push();
        continue;
      }
    }
    current += ch;
  }
  push();
  return { commands, forks };
}

/** The warning for one container, with what to change. */
export function shellWarning(container: string, finding: ShellFinding): string {
  // A long container name (up to 63 characters) is cut, so the advice at the end stays under 120.
  const name = container.length > 24 ? `${container.slice(0, 23)}…` : container;
  return `container "${name}": ${finding.shell} -c stays PID 1 and swallows SIGTERM; start the last command with exec`;
}
