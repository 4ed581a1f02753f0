// The golden cases: every folder under cases/ holds an input (input.yaml or input.json), optional
// args.txt (one flag or value a line) and config.yaml (cluster settings), and the expected output
// of `gracekeeper mutate` (expected.yaml or expected.json: stdout; expected.txt: exit status and stderr).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const CASES = fileURLToPath(new URL('./cases/', import.meta.url));
/** The corpus of real-world shapes (test/corpus/README.md): cases of the same form, each with a README.md. */
export const CORPUS = fileURLToPath(new URL('../corpus/', import.meta.url));
export const ALLOWED = new Set([
  'input.yaml',
  'input.json',
  'args.txt',
  'config.yaml',
  'expected.yaml',
  'expected.json',
  'expected.txt',
  'README.md',
]);

export interface GoldenCase {
  name: string;
  dir: string;
  files: string[];
  inputFile: string;
  /** The mutate command's arguments: -f, --config, then args.txt's. */
  args: string[];
  /** expected.json when the output is JSON, else expected.yaml. */
  outFile: string;
  txtFile: string;
}

export function goldenCases(root = CASES): GoldenCase[] {
  return readdirSync(root, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort()
    .map((name) => {
      const dir = join(root, name);
      const files = readdirSync(dir);
      const inputFile = join(dir, files.includes('input.json') ? 'input.json' : 'input.yaml');
      const args = ['-f', inputFile];
      if (existsSync(join(dir, 'config.yaml'))) args.push('--config', join(dir, 'config.yaml'));
      const extra = join(dir, 'args.txt');
      if (existsSync(extra)) {
        args.push(
          ...readFileSync(extra, 'utf8')
            .split('\n')
            .map((l) => l.trim())
            .filter((l) => l !== '' && !l.startsWith('#')),
        );
      }
      const json = args.includes('json');
      return {
        name,
        dir,
        files,
        inputFile,
        args,
        outFile: join(dir, json ? 'expected.json' : 'expected.yaml'),
        txtFile: join(dir, 'expected.txt'),
      };
    });
}

/** Paths in messages are made relative so expected files do not depend on the checkout. */
export function portable(text: string): string {
  return text.split(CASES).join('cases/').split(CORPUS).join('corpus/');
}
