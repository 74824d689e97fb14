// Generates the library's Python, Java, .NET and Go sources from the jsii assembly with `jsii-pacmak --code-only`:
// code generation only. No pip, Maven, dotnet or go runs and nothing is downloaded; publishing builds are not made.
//
//   node scripts/jsii-languages.mjs [outdir]      (default dist/, gitignored; `npm run package:languages`)
//
// Needs a built package (`npm run build`): pacmak embeds the npm tarball of the package (lib/*.js, assets/, .jsii) in
// every language's sources. It makes that tarball with `npm pack`, which would run the `prepare` script, i.e. the
// whole build, again and in place; npm_config_ignore_scripts packs what is built instead. The README and doc
// examples are translated from the rosetta tablet (.jsii.tabl.json, made by `npx jsii-rosetta extract`) if there
// is one, else copied verbatim as TypeScript.
import { spawnSync } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const LANGUAGES = ['python', 'java', 'dotnet', 'go'];

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const outdir = resolve(process.argv[2] ?? join(root, 'dist'));

for (const built of ['.jsii', 'lib/index.js', 'assets/authorizer/index.js']) {
  if (!existsSync(join(root, built))) {
    console.error(`jsii-languages: ${built} is missing; run \`npm run build\` first`);
    process.exit(1);
  }
}
// pacmak writes into outdir/<language> and never deletes: a type removed from the API would linger.
for (const language of LANGUAGES) {
  rmSync(join(outdir, language), { recursive: true, force: true });
}

const pacmak = createRequire(import.meta.url).resolve('jsii-pacmak/bin/jsii-pacmak');
const started = Date.now();
// --outdir given explicitly, and --no-npmignore: otherwise pacmak creates or edits .npmignore in the package.
const result = spawnSync(process.execPath, [pacmak, '--code-only', '--force', '--no-npmignore',
  '--targets', ...LANGUAGES, '--outdir', outdir], {
  cwd: root,
  stdio: 'inherit',
  env: { ...process.env, npm_config_ignore_scripts: 'true' },
});
if (result.status !== 0) {
  console.error(`jsii-languages: jsii-pacmak failed (${result.error?.message ?? `exit ${result.status}`})`);
  process.exit(result.status || 1);
}
console.log(`jsii-languages: ${LANGUAGES.join(', ')} sources in ${outdir} (${((Date.now() - started) / 1000).toFixed(1)} s)`);
