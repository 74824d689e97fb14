/**
 * Shared machinery of the identity provider guides' tests (README.md, "Identity provider guides").
 *
 * The link between a guide and its test: the test runs the guide's TypeScript snippet itself, read from README.md.
 * Each guide's snippet follows a marker line `<!-- provider-guide: NAME -->`; {@link guideStack} takes that block,
 * transpiles it with TypeScript and runs it in a fresh stack (as jsii-rosetta places it in a Stack's constructor, with
 * `this` the stack), with `secure-api` resolved to this repository's lib/. So the configuration a test checks is the
 * README's text, not a copy that could drift from it; test/package/snippets.test.ts type-checks the same block. The
 * snippet's `declare const` free variables are the only values a test supplies, and it must supply exactly those.
 *
 * The authorizer then reads the configuration the construct deployed (its configuration layer's file and the
 * deploy-time references, rendered with realistic values) and fetches the JWKS at the provider's real URIs through a
 * fetcher that forwards exactly those URIs to a local HTTPS JWKS server holding locally generated keys. The issuers,
 * JWKS URIs and audiences under test are therefore the provider's real ones, and the keys are ours.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { Fetcher, SimpleFetcher } from 'aws-jwt-verify/https';
import * as ts from 'typescript';
import type { AuthorizerConfig } from '../../lib/common/authorizer-config';
import { policyAllows } from '../../lib/common/execute-api-policy';
import { AuthorizerHandler, createAuthorizer } from '../../lambda/authorizer/authorizer';
import { readAuthorizerConfig } from '../../lambda/authorizer/config';
import { bearer, event, methodArn, recordingLogger } from '../lambda/authorizer/fixtures';
import { deployedAuthorizerConfig, newStack } from '../lib/helpers';
import { JwksServer, startJwksServer } from '../support/jwks-server';
import { signToken, TestKey } from '../support/tokens';

const README = path.join(__dirname, '..', '..', 'README.md');

/** The TypeScript block that follows `<!-- KIND: NAME -->` in README.md (`provider-guide` by default). */
export function guideSnippet(name: string, kind = 'provider-guide'): string {
  const readme = fs.readFileSync(README, 'utf8');
  const marker = `<!-- ${kind}: ${name} -->`;
  const at = readme.indexOf(marker);
  if (at < 0) throw new Error(`README.md has no ${marker}`);
  if (readme.indexOf(marker, at + marker.length) >= 0) throw new Error(`README.md has ${marker} twice`);
  // `tsx` marks a snippet jsii-rosetta cannot compile (it imports a package that is not a dependency of ours): the
  // test that runs it is its check.
  const block = /^\s*```tsx?\n([\s\S]*?)\n```/.exec(readme.slice(at + marker.length));
  if (!block) throw new Error(`${marker} in README.md is not followed by a \`\`\`ts block`);
  return block[1];
}

const IMPORT = /^import\s[\s\S]*?\sfrom\s+'[^']+';[ \t]*$/gm;
const DECLARE = /^declare const (\w+): [^;]+;.*$/gm;

/** A function that is the snippet: `this` is the stack, its parameters the snippet's declared free variables. */
function compileSnippet(name: string, kind?: string): { declared: string[]; run: (stack: Stack, values: unknown[]) => void } {
  const snippet = guideSnippet(name, kind);
  const imports = snippet.match(IMPORT) ?? [];
  const declared = [...snippet.matchAll(DECLARE)].map((match) => match[1]);
  const body = snippet.replace(IMPORT, '').replace(DECLARE, '');
  const source = `${imports.join('\n')}\nexport function guide(this: unknown, ${declared.join(', ')}) {\n${body}\n}\n`;
  const { outputText, diagnostics } = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
    reportDiagnostics: true,
  });
  if (diagnostics && diagnostics.length > 0) {
    throw new Error(`the ${name} guide's snippet does not parse: ${diagnostics.map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n')).join('; ')}`);
  }
  const resolve = (id: string): unknown => (id === 'secure-api' ? require('../../lib') : require(id));
  const exports: { guide?: (...args: unknown[]) => void } = {};
  new Function('require', 'exports', outputText)(resolve, exports);
  return { declared, run: (stack, values) => exports.guide!.apply(stack, values) };
}

/** A Lambda function for a guide's integration: the snippets take their backend as a declared `lambda.IFunction`. */
export function backendFunction(stack: Stack, id = 'Backend'): lambda.IFunction {
  return new lambda.Function(stack, id, {
    runtime: lambda.Runtime.NODEJS_24_X,
    handler: 'index.handler',
    code: lambda.Code.fromInline('exports.handler = async () => ({ statusCode: 200, body: "{}" });'),
  });
}

/** A JSON Schema for a guide's request body. */
export const OBJECT_SCHEMA: apigw.JsonSchema = { type: apigw.JsonSchemaType.OBJECT };

/**
 * Runs the README guide `name` in a fresh stack. `values` gives each of the snippet's declared free variables a value
 * (exactly those: a missing or an extra one is an error, so the test cannot silently configure something else).
 */
export function guideStack(name: string, values: (stack: Stack) => Record<string, unknown> = () => ({}), kind?: string): Stack {
  const { declared, run } = compileSnippet(name, kind);
  const stack = newStack();
  const supplied = values(stack);
  const missing = declared.filter((n) => !Object.hasOwn(supplied, n));
  const extra = Object.keys(supplied).filter((n) => !declared.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new Error(`the ${name} guide declares [${declared.join(', ')}]; missing values: [${missing.join(', ')}], unknown: [${extra.join(', ')}]`);
  }
  run(stack, declared.map((n) => supplied[n]));
  return stack;
}

/** What one authorization came to, as API Gateway would see it and as the authorizer logged it. */
export interface Outcome {
  /** 'allow' or 'deny' (a policy came back; 403 unless allowed), or 'unauthorized' (401). */
  readonly decision: 'allow' | 'deny' | 'unauthorized';
  /** Whether the returned policy allows the request's method ARN (false for a 401). */
  readonly allowed: boolean;
  /** The logged reason code. */
  readonly reason: string;
  /** The policy's principalId (undefined for a 401). */
  readonly principalId?: string;
  /** The authorizer context (undefined for a 401). */
  readonly context?: Record<string, unknown>;
}

/** An authorizer built from a guide's deployed configuration. */
export interface GuideAuthorizer {
  /** The configuration the authorizer read from the deployed layer. */
  readonly config: AuthorizerConfig;
  /** The JWKS URIs the authorizer fetched, in order. */
  readonly fetched: readonly string[];
  /** Authorizes `token` (a compact JWS) for `request` (`'GET /orders'`). */
  call(token: string, request: string): Promise<Outcome>;
  /** Stops the local JWKS server and the log capture. */
  close(): Promise<void>;
}

/**
 * The authorizer of a guide's stack. `jwks` lists the provider's real JWKS URIs the configuration may name; each is
 * answered with `keys` (fetched over HTTPS from a local JWKS server); any other URI fails the fetch, and shows up in
 * `fetched`. `references` renders each CloudFormation reference of the deployed configuration (e.g.
 * `{ Ref: 'AWS::URLSuffix' }`); an unknown one is an error.
 */
export async function guideAuthorizer(stack: Stack, options: {
  jwks: readonly string[];
  keys: readonly TestKey[];
  references?: (reference: unknown) => string | undefined;
}): Promise<GuideAuthorizer> {
  const render = (reference: unknown): string => {
    const value = options.references?.(reference);
    if (value === undefined) throw new Error(`no rendering for the CloudFormation reference ${JSON.stringify(reference)}`);
    return value;
  };
  const { file, references } = deployedAuthorizerConfig(stack, render);
  const config = readAuthorizerConfig(file, references);
  const server: JwksServer = await startJwksServer({ keys: options.keys.map((key) => key.publicJwk) });
  const https = new SimpleFetcher();
  const fetched: string[] = [];
  const jwksFetcher: Fetcher = {
    fetch: async (uri, requestOptions, data) => {
      fetched.push(uri);
      if (!options.jwks.includes(uri)) throw new Error(`the test serves no JWKS at ${uri}`);
      return https.fetch(server.jwksUri, requestOptions, data);
    },
  };
  const log = recordingLogger();
  const authorize: AuthorizerHandler = createAuthorizer(config, { logger: log.logger, jwksFetcher });
  await authorize.ready;
  return {
    config,
    fetched,
    async call(token, request) {
      try {
        const result = await authorize(event(bearer(token), request));
        const last = log.last();
        const allowed = policyAllows(result.policyDocument as never, methodArn(request));
        if ((last.decision === 'allow') !== allowed) throw new Error(`logged ${String(last.decision)} but the policy ${allowed ? 'allows' : 'denies'} ${request}`);
        return {
          decision: last.decision as 'allow' | 'deny', allowed, reason: String(last.reason),
          principalId: result.principalId, context: result.context as Record<string, unknown>,
        };
      } catch (err) {
        if ((err as Error).message !== 'Unauthorized') throw err;
        return { decision: 'unauthorized', allowed: false, reason: String(log.last().reason) };
      }
    },
    async close() {
      log.restore();
      await server.close();
    },
  };
}

/**
 * A documented example payload made current: `iat` is now, and `exp`, `nbf` and `auth_time` keep their distance
 * from `iat` (so the documented lifetime stays), plus overrides (`undefined` removes a claim).
 */
export function current(payload: Record<string, unknown>, overrides: Record<string, unknown> = {}): Record<string, unknown> {
  const now = Math.floor(Date.now() / 1000);
  const shift = now - (payload.iat as number);
  const result: Record<string, unknown> = { ...payload };
  for (const claim of ['iat', 'exp', 'nbf', 'auth_time']) {
    if (typeof result[claim] === 'number') result[claim] = (result[claim] as number) + shift;
  }
  Object.assign(result, overrides);
  for (const [name, value] of Object.entries(result)) if (value === undefined) delete result[name];
  return result;
}

/** A token of `payload` (made current) signed by `key`, with `header` exactly as given plus the key's `alg` and `kid`. */
export function providerToken(key: TestKey, payload: Record<string, unknown>, header: Record<string, unknown> = {}): string {
  // signToken adds typ: JWT unless told otherwise; the providers differ (none, JWT, at+jwt), so the test says which.
  return signToken(key, current(payload), { typ: undefined, ...header });
}
