/**
 * The shared modules are bundled into the Lambda functions: they import nothing but each other, never aws-cdk-lib or
 * constructs (which would pull the CDK into a bundle, or fail there).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

const COMMON = path.join(__dirname, '..', '..', 'lib', 'common');
const sources = fs.readdirSync(COMMON).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'));

/** Every module specifier of a TypeScript source: static imports and exports, `import()` and `require()`. */
function specifiers(source: string): string[] {
  const found: string[] = [];
  for (const pattern of [/\bfrom\s+'([^']+)'/g, /\bimport\s+'([^']+)'/g, /\bimport\(\s*'([^']+)'\s*\)/g, /\brequire\(\s*'([^']+)'\s*\)/g]) {
    for (const match of source.matchAll(pattern)) found.push(match[1]);
  }
  return found;
}

test('lib/common holds the shared modules', () => {
  expect(sources).toEqual(expect.arrayContaining(['route-model.ts', 'access-rules.ts', 'execute-api-policy.ts', 'policy-cache.ts', 'authorizer-config.ts', 'security-headers.ts']));
});

test.each(sources)('lib/common/%s imports only sibling shared modules', (file) => {
  const imports = specifiers(fs.readFileSync(path.join(COMMON, file), 'utf8'));
  for (const specifier of imports) {
    expect(specifier).toMatch(/^\.\/[a-z-]+$/);
    expect(fs.existsSync(path.join(COMMON, `${specifier}.ts`))).toBe(true);
  }
});

test('the import scan sees the imports it must refuse', () => {
  expect(specifiers("import { Stack } from 'aws-cdk-lib';\nconst c = require('constructs');\nexport * from './x';"))
    .toEqual(['aws-cdk-lib', './x', 'constructs']);
});
