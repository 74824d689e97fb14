/**
 * Reuse: another CDK app installs the packed package and synthesizes a SecureApi, without Docker and without
 * esbuild or the Lambda runtime libraries in its own dependencies.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

const root = path.join(__dirname, '..', '..');
const npm = (args: string[], cwd: string) =>
  execFileSync('npm', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });

const APP = `
const { App, Stack } = require('aws-cdk-lib');
const apigw = require('aws-cdk-lib/aws-apigateway');
const lambda = require('aws-cdk-lib/aws-lambda');
const { SecureApi } = require('secure-api');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'Consumer', { env: { account: '123456789012', region: 'eu-west-1' } });
const fn = new lambda.Function(stack, 'Hello', {
  runtime: lambda.Runtime.NODEJS_24_X,
  handler: 'index.handler',
  code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" })'),
});
new SecureApi(stack, 'Api', {
  issuer: 'https://login.example.com',
  audience: 'api://consumer',
  routes: { 'GET /hello': { integration: new apigw.LambdaIntegration(fn), scopes: ['hello:read'] } },
});
app.synth();
`;

describe('the packed package', () => {
  let work: string;
  beforeAll(() => {
    work = fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-consumer-'));
  });
  afterAll(() => fs.rmSync(work, { recursive: true, force: true }));

  test('synthesizes a SecureApi in a plain JavaScript CDK app that installs only the tarball', () => {
    const packed = JSON.parse(npm(['pack', '--json', '--ignore-scripts', '--pack-destination', work], root))[0];
    const files: string[] = packed.files.map((f: { path: string }) => f.path);
    expect(files).toEqual(expect.arrayContaining(['lib/index.js', 'lib/index.d.ts', 'assets/authorizer/index.js', 'assets/items/index.js']));
    expect(files.filter((f) => f.endsWith('.ts') && !f.endsWith('.d.ts'))).toEqual([]);
    expect(files.filter((f) => f.startsWith('test/') || f.startsWith('node_modules/'))).toEqual([]);

    fs.writeFileSync(path.join(work, 'package.json'), JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }));
    // aws-cdk-lib and constructs arrive as peer dependencies of the tarball.
    npm(['install', '--prefer-offline', '--no-package-lock', path.join(work, packed.filename)], work);
    fs.writeFileSync(path.join(work, 'app.js'), APP);
    const outdir = path.join(work, 'cdk.out');
    execFileSync(process.execPath, ['app.js', outdir], { cwd: work, stdio: ['ignore', 'pipe', 'pipe'] });

    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'Consumer.template.json'), 'utf8'));
    const types = Object.values(template.Resources).map((r: any) => r.Type);
    expect(types).toEqual(expect.arrayContaining(['AWS::ApiGateway::RestApi', 'AWS::WAFv2::WebACL', 'AWS::DynamoDB::Table',
      'AWS::CloudTrail::Trail', 'AWS::ApiGateway::Authorizer']));
    // The authorizer ships as a prebuilt asset: nothing to bundle, no Docker, no esbuild, no runtime libraries.
    for (const dependency of ['esbuild', 'aws-jwt-verify', '@aws-lambda-powertools/logger', '@aws-sdk/client-dynamodb']) {
      expect(fs.existsSync(path.join(work, 'node_modules', dependency))).toBe(false);
    }
    const assets = fs.readdirSync(outdir).filter((f) => f.startsWith('asset.'));
    expect(assets.length).toBeGreaterThanOrEqual(1);
  }, 240_000);
});
