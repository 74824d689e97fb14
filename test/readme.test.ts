import * as fs from 'node:fs';
import * as path from 'node:path';

const root = path.join(__dirname, '..');
const readme = fs.readFileSync(path.join(root, 'README.md'), 'utf8');

/** Every `Validations.of(...).acknowledge({ id: '…' })` id in the construct sources. */
function acknowledgedIds(): string[] {
  const ids = new Set<string>();
  for (const file of fs.readdirSync(path.join(root, 'lib')).filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))) {
    const source = fs.readFileSync(path.join(root, 'lib', file), 'utf8');
    for (const match of source.matchAll(/id: '((?:AwsSolutions|Serverless|NIST\.800\.53\.R5|PCI\.DSS\.321|HIPAA\.Security|cdk-validator-cfnguard)[^']*)'/g)) {
      ids.add(match[1]);
    }
  }
  return [...ids].sort();
}

describe('README', () => {
  test('lists every acknowledged policy finding', () => {
    const ids = acknowledgedIds();
    expect(ids.length).toBeGreaterThan(20);
    // The table abbreviates a pack's repeat of the same rule as `PCI.DSS.321-…`.
    const missing = ids.filter((id) => {
      const [pack, rule] = id.split(/-(.*)/s);
      const ruleName = id.startsWith('cdk-validator-cfnguard') ? id : rule.replace(/\[.*$/, '');
      return !readme.includes(id.replace(/\[.*$/, '')) && !(readme.includes(`${pack}-…`) && readme.includes(ruleName));
    });
    expect(missing).toEqual([]);
  });

  test('documents the two commands CI relies on', () => {
    expect(readme).toContain('npm ci && npx cdk synth');
    expect(readme).toContain('npm test');
    expect(fs.readFileSync(path.join(root, '.ci', 'run'), 'utf8')).toMatch(/npm ci\s+npm test/);
  });
});
