// Bundles each Lambda handler into <out>/index.js with the locally installed esbuild (no Docker).
// The constructs deploy the prebuilt bundles (authorizer, account logging check, quota watcher) from assets/ (published
// with the package), so apps that install this package need neither esbuild nor the Lambda runtime libraries
// (aws-jwt-verify, Powertools, AWS SDK clients).
// The demo's items bundle goes to demo/assets/, which is not published.
import { build } from 'esbuild';
import { readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');

/**
 * The functions, each with its lazy modules: modules the handler loads only with a dynamic `import()` and only in
 * some configurations. Each becomes a file of its own next to index.js (the asset directory is deployed whole), so
 * a cold start that does not need it does not read, parse or compile it.
 */
const functions = [
  { name: 'authorizer', source: 'lambda/authorizer', out: 'assets/authorizer', lazy: ['api-gateway-sdk'] },
  { name: 'account-logging-check', source: 'lambda/account-logging-check', out: 'assets/account-logging-check', lazy: [] },
  { name: 'quota-watcher', source: 'lambda/quota-watcher', out: 'assets/quota-watcher', lazy: [] },
  { name: 'items', source: 'demo/lambda/items', out: 'demo/assets/items', lazy: [] },
];

/** esbuild's options for every function; bench/cold-start.ts builds its per-library bundles with them too. */
const common = JSON.parse(readFileSync(join(root, 'scripts', 'lambda-bundle-options.json'), 'utf8'));

for (const { name, source, out, lazy } of functions) {
  const outdir = join(root, out);
  rmSync(outdir, { recursive: true, force: true });
  const outfile = join(outdir, 'index.js');
  // `import('./<lazy>')` stays a runtime import of the sibling file instead of being inlined into index.js.
  const lazySiblings = {
    name: 'lazy-siblings',
    setup(b) {
      b.onResolve({ filter: new RegExp(`^\\./(${lazy.join('|')})$`) }, (args) => ({ path: `${args.path}.js`, external: true }));
    },
  };
  await build({
    ...common,
    entryPoints: [join(root, source, 'handler.ts')],
    outfile,
    plugins: lazy.length > 0 ? [lazySiblings] : [],
  });
  console.log(`bundled ${name}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB`);
  for (const module of lazy) {
    const lazyFile = join(outdir, `${module}.js`);
    await build({ ...common, entryPoints: [join(root, source, `${module}.ts`)], outfile: lazyFile });
    console.log(`bundled ${name}/${module}: ${(statSync(lazyFile).size / 1024).toFixed(1)} KiB (loaded on demand)`);
  }
}
