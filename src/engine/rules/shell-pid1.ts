// A shell as process 1 running a script (`sh -c "a && b"`) stays process 1 while its last command
// runs: the kernel delivers no signal to process 1 that it has no handler for, and the shell installs
// none for SIGTERM, so the app never hears it and is killed when the grace period ends. Fine: a lone
// simple command (bash and dash exec it in place of the shell), a script whose last command is
// `exec`ed, a script that traps SIGTERM, and anything not started by sh, bash, ash or dash with -c
// (an init such as tini or dumb-init, a script file the image runs, the image's own entrypoint).

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
  return scriptKeepsShell(script) ? { shell, script } : undefined;
}

function basename(path: string | undefined): string {
  return path === undefined ? '' : path.slice(path.lastIndexOf('/') + 1);
}

/** Whether the shell outlives the script's start: more than one command (or a pipeline, a loop, a subshell), the last not exec'ed. */
export function scriptKeepsShell(script: string): boolean {
  const text = script
    .split('\n')
    .filter((line) => !line.trim().startsWith('#'))
    .join('\n');
  if (/(^|[\s;&|(])trap\s[^\n]*\b(SIG)?(TERM|15)\b/.test(text)) return false;
  const { commands, forks } = splitCommands(text);
  if (commands.length === 0) return false;
  const last = commands[commands.length - 1] as string;
  if (/^exec\s+[^\s<>]/.test(last) && !/^exec\s+\d*[<>]/.test(last)) return false;
  if (commands.length > 1 || forks) return true;
  return /^(while|until|for|if|case|select|\{|\()(\s|$)/.test(last) || last.startsWith('(');
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
  return `container "${container}": ${finding.shell} -c runs a script as PID 1, which swallows SIGTERM; exec the last command`;
}
