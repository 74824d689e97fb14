/**
 * Every TypeScript snippet of README.md and of the doc comments compiles against the built library, as
 * `jsii-rosetta extract --strict` (`npm run rosetta`) compiles them before translating them into Python, Java, C# and
 * Go for the other languages' packages. Only ```ts and ```typescript blocks are compiled; each goes in place of
 * `/// here` in rosetta/default.ts-fixture (a Stack's constructor; the snippet imports what it uses), or in
 * rosetta/NAME.ts-fixture with ```ts fixture=NAME (with-imports: everything imported, for a snippet that imports nothing).
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const rosetta = path.join(path.dirname(require.resolve('jsii-rosetta/package.json')), 'bin', 'jsii-rosetta');

/** `secure-api-README-L6` → where the snippet is, in words. */
function whereIs(snippet: string): string {
  const readme = snippet.match(/-README-L(\d+)$/);
  if (readme) return `README.md, the block at line ${readme[1]}`;
  const doc = snippet.match(/^(.*)-L(\d+)$/);
  return doc ? `the doc comment of ${doc[1]}, the block at its line ${doc[2]}` : snippet;
}

/**
 * The errors in rosetta's output, one line each: where, TS code, message, and the offending line of the snippet.
 * Rosetta prints `<snippet>.ts:<line>:<col> - error TS<n>: <message>`, then the source line as `<line> <code>`.
 */
function snippetErrors(output: string): string[] {
  const lines = output.split('\n');
  const errors: string[] = [];
  lines.forEach((text, i) => {
    const error = text.match(/^(\S+)\.ts:(\d+):\d+ - error (TS\d+): (.*)$/);
    if (!error) return;
    const [, snippet, line, code, message] = error;
    const source = lines.slice(i + 1, i + 4).map((l) => l.match(new RegExp(`^${line} (.*)$`))?.[1]).find((l) => l !== undefined);
    errors.push(`${whereIs(snippet)}: ${code} ${message}${source ? `  ‹${source.trim()}›` : ''}`);
  });
  return errors;
}

describe('TypeScript snippets in README.md and the doc comments', () => {
  test('the assembly carries the current README.md (snippets are read from .jsii; `npm run build` refreshes it)', () => {
    const assembly = JSON.parse(fs.readFileSync(path.join(root, '.jsii'), 'utf8'));
    if (assembly.readme?.markdown !== fs.readFileSync(path.join(root, 'README.md'), 'utf8')) {
      throw new Error('.jsii holds an older README.md than the working tree: run `npm run build` (npm test does).');
    }
  });

  test('all compile (jsii-rosetta extract --strict)', () => {
    const run = spawnSync(process.execPath, [rosetta, 'extract', '--strict'], { cwd: root, encoding: 'utf8' });
    const output = `${run.stdout}\n${run.stderr}`;
    const errors = snippetErrors(output);
    if (errors.length > 0) {
      throw new Error(`${errors.length} error(s) in snippets that do not compile (rerun: npm run build && npm run rosetta).\n`
        + 'A snippet runs in a Stack\'s constructor (`this`), imports what it uses and declares its own free variables '
        + '(`declare const fn: lambda.IFunction;`); one that imports nothing takes ```ts fixture=with-imports.\n'
        + errors.map((e) => `  - ${e}`).join('\n'));
    }
    if (run.status !== 0) throw new Error(`jsii-rosetta failed (exit ${run.status}):\n${output}`);
  }, 180_000);
});
