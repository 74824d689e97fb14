/**
 * Reuse: what `npm pack` publishes, and a plain JavaScript CDK app that installs only that tarball and the peer
 * dependency floors (aws-cdk-lib, constructs) and synthesizes SecureApis in the ways users combine them.
 *
 * The consumer app is consumer-app.cjs, copied into a throwaway project so that `require` resolves to what the
 * consumer installed, never to this repository. One install and one run of the app (beforeAll) that synthesizes
 * every scenario, each an App of its own, into its own output directory; each test reads one of them.
 * Needs the package built (`npm test` builds first); packs with --ignore-scripts so that packing does not rebuild.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Match, Template } from 'aws-cdk-lib/assertions';

const root = path.join(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Everything the tarball may hold: the construct, its type declarations, the authorizer bundle and the docs. */
const ALLOWED_FILES = [/^lib\/.+\.js$/, /^lib\/.+\.d\.ts$/, /^assets\/(authorizer|account-logging-check|quota-watcher)\/[^/]+\.js$/,
  /^(package\.json|\.jsii|API\.md|README\.md|LICENSE|CHANGELOG\.md)$/];
/** The Lambda build tool and the authorizer's runtime libraries: bundled into assets/, never a consumer's install. */
const NOT_INSTALLED = ['esbuild', 'aws-jwt-verify', '@aws-lambda-powertools/', '@aws-sdk/', '@esbuild/'];

/** Fails early, and says why, when the build outputs that `npm pack` publishes are missing or older than lib/. */
function assertBuilt(): void {
  const mtime = (f: string) => (fs.existsSync(path.join(root, f)) ? fs.statSync(path.join(root, f)).mtimeMs : 0);
  const sources = fs.readdirSync(path.join(root, 'lib'), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts')).map((f) => path.join('lib', f));
  const stale = sources.filter((ts) => mtime(ts.replace(/\.ts$/, '.js')) < mtime(ts));
  const missing = ['.jsii', 'assets/authorizer/index.js', 'assets/authorizer/api-gateway-sdk.js', 'assets/account-logging-check/index.js', 'assets/quota-watcher/index.js'].filter((f) => mtime(f) === 0);
  if (stale.length > 0 || missing.length > 0) {
    throw new Error(`run \`npm run build\` first: ${[...missing.map((f) => `${f} is missing`), ...stale.map((f) => `${f} is newer than its .js`)].join(', ')}`);
  }
}

/** The lowest version each peer dependency range admits: `^2.276.0` → `2.276.0`. */
function floor(name: string): string {
  const range: string = pkg.peerDependencies[name];
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range);
  if (!match) throw new Error(`peerDependencies.${name} must be a caret range such as ^1.2.3 (got '${range}')`);
  return match[1];
}

/** The consumer app's scenarios, each synthesized into its own cloud assembly. */
const SCENARIOS = ['plain', 'existing-table', 'two-apis-one-stack', 'two-apis-two-stacks', 'trail-across-stacks',
  'trail-in-audit-stack', 'without-table', 'invalid-prop'];

function run(command: string, args: string[], cwd: string, env: Record<string, string> = {}): string {
  try {
    return execFileSync(command, args, {
      cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false', npm_config_update_notifier: 'false', ...env },
    });
  } catch (e: any) {
    // Node quotes the throwing source line, a minified line of aws-cdk-lib that is tens of kilobytes long.
    const stderr = String(e.stderr || e.message).split('\n').map((l) => (l.length > 1000 ? '<long line omitted>' : l)).join('\n');
    throw new Error(`${command} ${args.join(' ')} failed in ${cwd}:\n${stderr}`);
  }
}

type Json = any;

/** Resources of one type in a template, by logical id. */
function resourcesOf(template: Json, type: string): Record<string, Json> {
  return Object.fromEntries(Object.entries(template.Resources ?? {}).filter(([, r]: [string, Json]) => r.Type === type));
}

/** The table ARNs the stack's one trail records data events of, as they appear in the template. */
function trailTableArns(template: Json): unknown[] {
  const trails = Object.values(resourcesOf(template, 'AWS::CloudTrail::Trail'));
  expect(trails).toHaveLength(1);
  return (trails[0].Properties.AdvancedEventSelectors ?? [])
    .flatMap((s: Json) => s.FieldSelectors)
    .filter((f: Json) => f.Field === 'resources.ARN')
    .flatMap((f: Json) => f.Equals);
}

/** The logical id of a stack's only resource of a type. */
function onlyLogicalId(template: Json, type: string): string {
  const ids = Object.keys(resourcesOf(template, type));
  expect(ids).toHaveLength(1);
  return ids[0];
}

describe('the packed package', () => {
  let work: string;
  let files: string[];
  const consumer = () => path.join(work, 'consumer');
  const installed = (...p: string[]) => path.join(consumer(), 'node_modules', ...p);
  const outroot = () => path.join(work, 'out');

  /** What a scenario of the consumer app wrote; fails with the scenario's error if it threw. */
  function assembly(scenario: string) {
    const outdir = path.join(outroot(), scenario);
    const read = (file: string) => JSON.parse(fs.readFileSync(path.join(outdir, file), 'utf8'));
    const facts = read('facts.json');
    if (facts.failed) throw new Error(`scenario '${scenario}' of the consumer app failed: ${facts.failed}`);
    return {
      outdir,
      facts,
      manifest: () => read('manifest.json'),
      template: (stack: string): Json => read(`${stack}.template.json`),
    };
  }

  beforeAll(() => {
    assertBuilt();
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-package-'));
    const packed = JSON.parse(run('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', work], root))[0];
    files = packed.files.map((f: { path: string }) => f.path);

    fs.mkdirSync(consumer());
    fs.writeFileSync(path.join(consumer(), 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    fs.copyFileSync(path.join(__dirname, 'consumer-app.cjs'), path.join(consumer(), 'consumer-app.cjs'));
    // The floors are in the npm cache from our own `npm ci` (they are our exact devDependencies).
    run('npm', ['install', '--prefer-offline', '--no-package-lock', path.join(work, packed.filename),
      `aws-cdk-lib@${floor('aws-cdk-lib')}`, `constructs@${floor('constructs')}`], consumer());
    // Context as the CDK CLI hands it to an app: with it, templates carry each resource's construct path.
    run(process.execPath, ['consumer-app.cjs', outroot(), ...SCENARIOS], consumer(),
      { CDK_CONTEXT_JSON: JSON.stringify({ 'aws:cdk:enable-path-metadata': true }) });
  }, 300_000);

  afterAll(() => {
    if (work) fs.rmSync(work, { recursive: true, force: true });
  });

  describe('tarball', () => {
    test('holds the jsii assembly, API.md, README.md, LICENSE and CHANGELOG.md', () => {
      const missing = ['.jsii', 'API.md', 'README.md', 'LICENSE', 'CHANGELOG.md'].filter((f) => !files.includes(f));
      expect(missing).toEqual([]);
    });

    test('holds the construct: the JavaScript and type declarations of every lib module', () => {
      const js = files.filter((f) => /^lib\/.+\.js$/.test(f)).map((f) => f.replace(/\.js$/, ''));
      const dts = files.filter((f) => /^lib\/.+\.d\.ts$/.test(f)).map((f) => f.replace(/\.d\.ts$/, ''));
      expect(js).toEqual(expect.arrayContaining(['lib/index', 'lib/secure-api', 'lib/audit-trail']));
      expect(dts.sort()).toEqual(js.sort());
    });

    test('holds the prebuilt authorizer bundle with its lazily loaded API Gateway SDK module, the account logging check and the quota watcher', () => {
      expect(files.filter((f) => f.startsWith('assets/')).sort())
        .toEqual(['assets/account-logging-check/index.js', 'assets/authorizer/api-gateway-sdk.js', 'assets/authorizer/index.js', 'assets/quota-watcher/index.js']);
    });

    test('holds nothing outside the published set', () => {
      expect(files).toContain('package.json');
      expect(files.filter((f) => !ALLOWED_FILES.some((allowed) => allowed.test(f)))).toEqual([]);
    });

    test('holds no demo code, Lambda sources, tests, TypeScript sources or items bundle', () => {
      const excludedDirs = ['demo/', 'bin/', 'local/', 'bench/', 'test/', 'lambda/', 'scripts/', 'node_modules/'];
      expect(files.filter((f) => excludedDirs.some((dir) => f.startsWith(dir)))).toEqual([]);
      expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
      expect(files.filter((f) => /(^|\/)items\//.test(f))).toEqual([]);
    });

    test('its jsii assembly is this package, declares SecureApi and depends on the peer dependencies', () => {
      const assembly = JSON.parse(fs.readFileSync(installed('secure-api', '.jsii'), 'utf8'));
      expect(assembly).toMatchObject({ schema: 'jsii/0.10.0', name: pkg.name, version: pkg.version });
      expect(Object.keys(assembly.types)).toEqual(expect.arrayContaining(['secure-api.SecureApi', 'secure-api.AuditTrail']));
      expect(Object.keys(assembly.dependencies).sort()).toEqual(Object.keys(pkg.peerDependencies).sort());
    });
  });

  describe('a plain JavaScript consumer', () => {
    test('the peer dependency floors are the exact versions our own tests run on', () => {
      expect(pkg.devDependencies['aws-cdk-lib']).toBe(floor('aws-cdk-lib'));
      expect(pkg.devDependencies.constructs).toBe(floor('constructs'));
    });

    test('installs exactly the peer dependency floors, one copy each, shared with secure-api', () => {
      const version = (name: string) => JSON.parse(fs.readFileSync(installed(name, 'package.json'), 'utf8')).version;
      expect(version('aws-cdk-lib')).toBe(floor('aws-cdk-lib'));
      expect(version('constructs')).toBe(floor('constructs'));
      // A nested copy would give secure-api its own Stack and Construct classes, foreign to the consumer's app.
      expect(fs.existsSync(installed('secure-api', 'node_modules'))).toBe(false);
      // npm ls exits non-zero on a missing or invalid (peer) dependency.
      run('npm', ['ls', '--all'], consumer());
    });

    test('needs no esbuild, aws-jwt-verify, Powertools or AWS SDK: the authorizer ships prebuilt', () => {
      const names = run('npm', ['ls', '--all', '--parseable'], consumer()).split('\n').filter(Boolean)
        .map((p) => p.split(`node_modules${path.sep}`).pop()!.split(path.sep).join('/'));
      expect(names).toEqual(expect.arrayContaining(['secure-api', 'aws-cdk-lib', 'constructs']));
      expect(names.filter((n) => NOT_INSTALLED.some((dep) => (dep.endsWith('/') ? n.startsWith(dep) : n === dep)))).toEqual([]);
    });

    test('loads the CORS rule for Lambda proxy integrations from secure-api/cors, alone: no CDK, so it bundles into a function', () => {
      const check = path.join(consumer(), 'cors-check.cjs');
      fs.writeFileSync(check, [
        "const cors = require('secure-api/cors');",
        "const loaded = Object.keys(require.cache).filter((f) => f !== __filename).map((f) => require('node:path').relative(__dirname, f));",
        "console.log(JSON.stringify({ loaded, env: cors.CORS_ALLOW_ORIGINS_ENV, headers: cors.corsHeaders('https://app.example.com', ['https://app.example.com']) }));",
      ].join('\n'));
      expect(JSON.parse(run(process.execPath, [check], consumer()))).toEqual({
        loaded: [path.join('node_modules', 'secure-api', 'lib', 'common', 'cors.js')],
        env: 'SECURE_API_CORS_ALLOW_ORIGINS',
        headers: { 'Access-Control-Allow-Origin': 'https://app.example.com', 'Access-Control-Expose-Headers': 'x-amzn-RequestId', 'Vary': 'Origin' },
      });
      // An ES module handler imports it by name as well, and TypeScript finds its declarations through `exports`.
      const esm = run(process.execPath, ['--input-type=module', '-e',
        "import { corsHeaders } from 'secure-api/cors'; console.log(JSON.stringify(corsHeaders('https://evil.example.com', ['https://app.example.com'])));"], consumer());
      expect(JSON.parse(esm)).toEqual({ Vary: 'Origin' });
      expect(pkg.exports['./cors']).toEqual({ types: './lib/common/cors.d.ts', default: './lib/common/cors.js' });
      expect(files).toEqual(expect.arrayContaining(['lib/common/cors.js', 'lib/common/cors.d.ts']));
    });

    test('synthesizes a SecureApi with its table, trail, firewall and authorizer, staging the prebuilt bundle', () => {
      const { template, facts, outdir } = assembly('plain');
      const t = template('Consumer');
      for (const type of ['AWS::ApiGateway::RestApi', 'AWS::ApiGateway::Authorizer', 'AWS::WAFv2::WebACL',
        'AWS::DynamoDB::Table', 'AWS::CloudTrail::Trail', 'AWS::ApiGateway::Account']) {
        expect(Object.keys(resourcesOf(t, type))).toHaveLength(1);
      }
      expect(facts).toEqual({ tablePath: 'Consumer/Api/Data/Table', hasTrail: true });
      // The authorizer's asset is staged whole: the lazily loaded module deploys next to index.js.
      const staged = fs.readdirSync(outdir).filter((f) => f.startsWith('asset.'))
        .map((dir) => fs.readdirSync(path.join(outdir, dir)).sort());
      expect(staged).toContainEqual(['api-gateway-sdk.js', 'index.js']);
    });

    test('with existingTable and existingTableKey creates no table and records the consumer table in the trail', () => {
      const { template, facts } = assembly('existing-table');
      const t = template('Consumer');
      const tableId = onlyLogicalId(t, 'AWS::DynamoDB::Table');
      expect(t.Resources[tableId].Metadata['aws:cdk:path']).toBe('Consumer/Orders/Resource');
      expect(trailTableArns(t)).toEqual([{ 'Fn::GetAtt': [tableId, 'Arn'] }]);
      Template.fromJSON(t).hasResourceProperties('AWS::DynamoDB::Table', {
        SSESpecification: { SSEEnabled: true, SSEType: 'KMS', KMSMasterKeyId: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OrdersKey'), 'Arn'] } },
      });
      expect(facts).toEqual({ tableIsConsumers: true, tableKeyIsConsumers: true });
    });

    test('two SecureApis in one stack share one trail, recording both tables, and one API Gateway account', () => {
      const { template, facts } = assembly('two-apis-one-stack');
      const t = template('Consumer');
      const tableIds = Object.keys(resourcesOf(t, 'AWS::DynamoDB::Table'));
      expect(tableIds).toHaveLength(2);
      expect(trailTableArns(t)).toEqual(expect.arrayContaining(tableIds.map((id) => ({ 'Fn::GetAtt': [id, 'Arn'] }))));
      expect(trailTableArns(t)).toHaveLength(2);
      const accountId = onlyLogicalId(t, 'AWS::ApiGateway::Account');
      const stages = Object.values(resourcesOf(t, 'AWS::ApiGateway::Stage'));
      expect(stages).toHaveLength(2);
      for (const stage of stages) expect(stage.DependsOn).toContain(accountId);
      expect(facts).toEqual({ sameTrail: true, sameTrailArn: true });
    });

    test('two SecureApis in two stacks of one environment share the first stack\'s API Gateway account, each stack its own trail', () => {
      const { template, manifest, facts } = assembly('two-apis-two-stacks');
      const [first, second] = [template('First'), template('Second')];
      const accountId = onlyLogicalId(first, 'AWS::ApiGateway::Account');
      expect(resourcesOf(second, 'AWS::ApiGateway::Account')).toEqual({});
      // The second stage waits for the account's role: CDK turns that cross-stack dependency into stack order.
      expect(facts.secondStageDependsOn).toContain(first.Resources[accountId].Metadata['aws:cdk:path']);
      const { artifacts } = manifest();
      expect(artifacts.Second.dependencies).toContain('First');
      expect(artifacts.First.dependencies ?? []).not.toContain('Second');
      // Ordering only: no export for the second stack to import, nothing that pins the first stack's resources.
      expect(JSON.stringify(second)).not.toContain('Fn::ImportValue');
      for (const t of [first, second]) {
        expect(trailTableArns(t)).toEqual([{ 'Fn::GetAtt': [onlyLogicalId(t, 'AWS::DynamoDB::Table'), 'Arn'] }]);
      }
      expect(facts.sameTrail).toBe(false);
    });

    test("another stack's SecureApi trail as audit.trail is refused with a ValidationError, not a dependency cycle", () => {
      const { facts } = assembly('trail-across-stacks');
      expect(facts.error).toEqual({
        isValidationError: true,
        constructPath: 'Second/Api',
        message: expect.stringContaining("SecureApi at 'Second/Api': 'audit.trail' is in stack 'First', which also holds the account's API Gateway logging settings"),
      });
    });

    test('two SecureApis in two stacks share one trail of a stack of its own, which deploys after both', () => {
      const { template, manifest, facts } = assembly('trail-in-audit-stack');
      const [audit, first, second] = [template('Audit'), template('First'), template('Second')];
      expect(resourcesOf(first, 'AWS::CloudTrail::Trail')).toEqual({});
      expect(resourcesOf(second, 'AWS::CloudTrail::Trail')).toEqual({});
      expect(trailTableArns(audit)).toEqual([{ 'Fn::ImportValue': expect.any(String) }, { 'Fn::ImportValue': expect.any(String) }]);
      onlyLogicalId(first, 'AWS::ApiGateway::Account');
      const { artifacts } = manifest();
      expect(artifacts.Audit.dependencies).toEqual(expect.arrayContaining(['First', 'Second']));
      expect(artifacts.Second.dependencies).toContain('First');
      expect(artifacts.First.dependencies ?? []).not.toContain('Second');
      expect(artifacts.First.dependencies ?? []).not.toContain('Audit');
      expect(facts).toEqual({ bothUseTrail: true });
    });

    test('with withoutTable creates no table and the trail records no data events', () => {
      const { template, facts } = assembly('without-table');
      const t = template('Consumer');
      expect(resourcesOf(t, 'AWS::DynamoDB::Table')).toEqual({});
      expect(trailTableArns(t)).toEqual([]);
      Template.fromJSON(t).hasResourceProperties('AWS::CloudTrail::Trail', {
        AdvancedEventSelectors: [{ Name: Match.anyValue(), FieldSelectors: [{ Field: 'eventCategory', Equals: ['Management'] }] }],
      });
      expect(facts).toEqual({ hasTable: false, hasTableKey: false });
    });

    test('an invalid prop throws CDK\'s ValidationError naming the construct path', () => {
      const { facts } = assembly('invalid-prop');
      expect(facts.error).toEqual({
        isValidationError: true,
        constructPath: 'Consumer/Api',
        message: expect.stringContaining("SecureApi at 'Consumer/Api': 'table', 'existingTable' and 'withoutTable' exclude each other"),
      });
    });
  });
});
