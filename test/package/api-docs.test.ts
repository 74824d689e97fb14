/**
 * API.md is jsii-docgen's reference of the built assembly, committed so it can be read on the repository and is
 * packed with the package. It is regenerated here and must not differ, so it cannot go stale.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const docgen = path.join(path.dirname(require.resolve('jsii-docgen/package.json')), 'bin', 'jsii-docgen');

describe('API.md', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-docgen-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('is what `npm run docgen` generates from the current API', () => {
    const generated = path.join(work, 'API.md');
    // The same command as the `docgen` script of package.json, into a scratch file.
    const run = spawnSync(process.execPath, [docgen, '--output', generated], { cwd: root, encoding: 'utf8' });
    if (run.status !== 0) throw new Error(`jsii-docgen failed (exit ${run.status}):\n${run.stdout}\n${run.stderr}`);

    const committedFile = path.join(root, 'API.md');
    const committed = fs.existsSync(committedFile) ? fs.readFileSync(committedFile, 'utf8') : '';
    const expected = fs.readFileSync(generated, 'utf8');
    if (committed !== expected) {
      const [a, b] = [committed.split('\n'), expected.split('\n')];
      const line = a.findIndex((text, i) => text !== b[i]);
      const at = line < 0 ? a.length : line;
      throw new Error('API.md is out of date with the public API: regenerate it with `npm run build && npm run docgen` '
        + `and commit it.\nFirst difference at line ${at + 1}:\n  committed: ${a[at] ?? '(end of file)'}\n`
        + `  generated: ${b[at] ?? '(end of file)'}`);
    }
  }, 120_000);
});
