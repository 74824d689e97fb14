// Bundles each Lambda handler into assets/<name>/index.js with the locally installed esbuild (no Docker).
// The construct deploys these prebuilt bundles, so apps that install this package need neither esbuild nor the
// Lambda runtime libraries (aws-jwt-verify, Powertools, AWS SDK clients).
import { build } from 'esbuild';
import { rmSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const functions = ['authorizer', 'items'];

for (const name of functions) {
  const outdir = join(root, 'assets', name);
  rmSync(outdir, { recursive: true, force: true });
  const outfile = join(outdir, 'index.js');
  await build({
    entryPoints: [join(root, 'lambda', name, 'handler.ts')],
    outfile,
    bundle: true,
    minify: true,
    platform: 'node',
    target: 'node22',
    format: 'cjs',
    mainFields: ['module', 'main'],
    legalComments: 'none',
    logLevel: 'warning',
  });
  console.log(`bundled ${name}: ${(statSync(outfile).size / 1024).toFixed(1)} KiB`);
}
