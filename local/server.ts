/**
 * The local run of the demo: synthesizes the demo app with a local OpenID issuer, then serves its REST API from
 * the synthesized template and the bundled Lambda assets in the cloud assembly, with dynalite as DynamoDB.
 *
 * Module API for `local/start.ts`, the end-to-end tests and the benchmarks: {@link startLocalApi}.
 */
import * as fs from 'node:fs';
import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { allMethods, buildApiModel, LocalFunction } from './api-model';
import { renderBanner } from './banner';
import { startControlPlane } from './control-plane';
import { lockDataDirectory } from './data-lock';
import { LOCAL_CREDENTIALS, startLocalDynamo } from './dynamo';
import { LocalFirewall } from './firewall';
import { GatewayStats, KeyWithValue, LocalGateway } from './gateway';
import { CfnTemplate, IntrinsicResolver, LOCAL_ENVIRONMENT } from './intrinsics';
import {
  generateSigningKey, loadOrCreateSigningKey, signJwt, SigningKey, startIssuer, tokenClaims, TokenRequest,
} from './issuer';
import { optPath } from './lambda-functions';
import { FunctionHost, FunctionStats } from './lambda-host';
import { loadLocalState } from './local-state';
import { closeServer, listen } from './net';
import { DEFAULT_DATA_DIR, signingKeyFile, stateFile } from './paths';
import { MAX_REQUEST_HEAD_BYTES } from './request-head';
import { writeRunInfo } from './run-info';
import { isSecurityEndpoint, SECURITY_ENDPOINT_PATH, serveSecurityEndpoint } from './security-endpoint';
import { SecuritySignals, StatusLinePrinter } from './security-signals';
import { synthesizeDemo } from './synth';
import { ensureTlsFiles } from './tls';

/** The audience the local demo accepts and local tokens carry. */
export const LOCAL_AUDIENCE = 'secure-api-demo';

/** Execution environments per function, unless the function reserves less concurrency. */
const DEFAULT_MAX_ENVIRONMENTS = 4;

/** Options of {@link startLocalApi}. */
export interface LocalApiOptions {
  /** HTTP port of the API; 0 picks a free port. @default 3000 */
  readonly port?: number;
  /** HTTPS port of the local issuer; 0 picks a free port. @default 3001 */
  readonly issuerPort?: number;
  /** Data directory. @default '<repo>/.local' */
  readonly dataDir?: string;
  /** Keep nothing on disk (DynamoDB in memory, keys generated per start). @default false */
  readonly inMemory?: boolean;
  /** API key source of the synthesized demo. @default 'HEADER' */
  readonly apiKeySource?: 'HEADER' | 'AUTHORIZER';
  /** CORS origins of the synthesized demo: pages of these origins may call the local API. @default - no CORS */
  readonly corsOrigins?: string[];
  /** Print the startup banner. @default false */
  readonly verbose?: boolean;
  /**
   * Test knob: replaces the quota limit of every usage plan (the period is kept), so that "quota exhausted" can be
   * reached in a few requests. Not part of the synthesized template.
   * @default - the template's quotas
   */
  readonly quotaOverride?: number;
  /**
   * Execution environments per function, the local stand-in for Lambda concurrency: invocations beyond it wait
   * for a free environment.
   * @default 4
   */
  readonly maxConcurrency?: number;
}

/** Counters of a running local API (introspection for tests and benchmarks). */
export interface LocalApiStats {
  /** Per function logical id: its role and counters. */
  readonly functions: Record<string, FunctionStats & { readonly role: 'authorizer' | 'integration' }>;
  readonly gateway: GatewayStats;
}

/** A running local API. */
export interface LocalApi {
  /** The base URL callers append `/items` to, e.g. `http://127.0.0.1:3000/prod`. */
  readonly url: string;
  /**
   * The local run's security counters (JSON), e.g. `http://127.0.0.1:3000/.local/security`: the authorizer's
   * decisions by reason, WAF blocks by rule, usage plan and stage 429s, and the template's metric filters.
   */
  readonly securityUrl: string;
  /** The local issuer, e.g. `https://localhost:3001`. */
  readonly issuer: string;
  /** The audience of local tokens. */
  readonly audience: string;
  /** Client name → API key value. */
  readonly apiKeys: Record<string, string>;
  /** The dynalite endpoint. */
  readonly dynamoEndpoint: string;
  /** The items table. */
  readonly tableName: string;
  /** Signs a token with the local issuer's key: `iss`, `aud`, `iat`, `exp` (1 h unless told), then the given claims. */
  mintToken(claims: { sub: string; scope?: string; expiresInSeconds?: number; [claim: string]: unknown }): string;
  /** Stops the servers, the function processes and DynamoDB; the data directory is kept. */
  stop(): Promise<void>;
  /** Introspection: invocation counts and gateway counters. */
  stats(): LocalApiStats;
  /**
   * Test hook: the next invocation of the function whose logical id contains `name` (case-insensitive, e.g.
   * `'items'`) crashes its execution environment, as a handler that throws from a callback would.
   */
  crashNextInvocation(name: string): void;
}


/** The environment of a function's processes: the template's variables resolved, plus what Lambda provides. */
function lambdaEnvironment(fn: LocalFunction, locals: { caCert: string; dynamoEndpoint: string; apiGatewayEndpoint: string }): Record<string, string> {
  const { region } = LOCAL_ENVIRONMENT;
  return {
    ...Object.fromEntries(Object.entries(fn.environment).map(([name, value]) => [name, optPath(fn, value)])),
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    LAMBDA_TASK_ROOT: fn.codeDirectory,
    _HANDLER: fn.handler,
    AWS_EXECUTION_ENV: `AWS_Lambda_${fn.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: fn.name,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(fn.memoryMb),
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${fn.name}`,
    AWS_LAMBDA_LOG_STREAM_NAME: 'local/[$LATEST]local',
    ...(fn.logFormat === 'JSON' ? { AWS_LAMBDA_LOG_FORMAT: 'JSON', ...(fn.logLevel ? { AWS_LAMBDA_LOG_LEVEL: fn.logLevel } : {}) } : {}),
    AWS_REGION: region,
    AWS_DEFAULT_REGION: region,
    AWS_ACCESS_KEY_ID: LOCAL_CREDENTIALS.accessKeyId,
    AWS_SECRET_ACCESS_KEY: LOCAL_CREDENTIALS.secretAccessKey,
    AWS_SESSION_TOKEN: 'local-session',
    // The function runs on its Lambda runtime's Node.js in AWS; the SDK's warning about this machine's older Node
    // is not the function's concern.
    AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    LOCAL_LAMBDA_FUNCTION_ARN: fn.arn,
    // Local stand-ins, found by the AWS SDK through its service endpoint variables.
    NODE_EXTRA_CA_CERTS: locals.caCert,
    AWS_ENDPOINT_URL_DYNAMODB: locals.dynamoEndpoint,
    AWS_ENDPOINT_URL_API_GATEWAY: locals.apiGatewayEndpoint,
  };
}

/** The claims of the banner's sample token (in-memory runs): alice, reading and writing items. */
function sampleClaims(apiKeySource: 'HEADER' | 'AUTHORIZER', client: string | undefined): TokenRequest {
  return {
    sub: 'alice',
    scope: 'items:read items:write',
    ...(apiKeySource === 'AUTHORIZER' && client !== undefined ? { client_id: client } : {}),
  };
}

/** A short name for logs: the logical id without CDK's hash suffix. */
function displayName(logicalId: string): string {
  return logicalId.replace(/[0-9A-F]{8}$/, '');
}

/**
 * Synthesizes the demo and serves it locally: the API on `http://127.0.0.1:<port>/<stage>`, the issuer on
 * `https://localhost:<issuerPort>`. Resolves once everything listens and each function has initialised once.
 */
export async function startLocalApi(options: LocalApiOptions = {}): Promise<LocalApi> {
  const inMemory = options.inMemory ?? false;
  const dataDir = path.resolve(options.dataDir ?? DEFAULT_DATA_DIR);
  const scratch = inMemory ? fs.mkdtempSync(path.join(os.tmpdir(), 'secure-api-local-')) : undefined;
  const base = scratch ?? dataDir;
  const log = options.verbose ? (line: string) => console.log(line) : undefined;
  const cleanups: Array<() => Promise<void> | void> = [];
  if (scratch !== undefined) cleanups.push(() => fs.rmSync(scratch, { recursive: true, force: true }));
  const cleanup = async () => {
    for (const step of cleanups.splice(0).reverse()) {
      try {
        await step();
      } catch {
        // Best effort: stop everything else.
      }
    }
  };

  try {
    fs.mkdirSync(base, { recursive: true, mode: 0o700 });
    if (!inMemory) cleanups.push(lockDataDirectory(dataDir));
    const tls = ensureTlsFiles(path.join(base, 'tls'));
    const key: SigningKey = inMemory ? generateSigningKey() : loadOrCreateSigningKey(signingKeyFile(dataDir));
    const issuer = await startIssuer({ port: options.issuerPort ?? 3001, tls, key });
    cleanups.push(() => issuer.close());

    const synth = synthesizeDemo({
      outdir: path.join(base, 'cdk.out'),
      issuer: issuer.url,
      audience: [LOCAL_AUDIENCE],
      apiKeySource: options.apiKeySource ?? 'HEADER',
      corsOrigins: options.corsOrigins,
    });
    const template: CfnTemplate = synth.template;
    const idsOf = (type: string) => Object.entries(template.Resources).filter(([, r]) => r.Type === type).map(([id]) => id);
    const state = loadLocalState(inMemory ? undefined : stateFile(dataDir),
      idsOf('AWS::ApiGateway::RestApi'), idsOf('AWS::ApiGateway::ApiKey'));
    const overrides: Record<string, string> = { ...state.apiIds };
    for (const [logicalId, value] of Object.entries(state.apiKeys)) overrides[logicalId] = value.id;
    const env = { ...LOCAL_ENVIRONMENT, stackName: synth.stackName };
    const resolver = new IntrinsicResolver(template, env, overrides);
    const model = buildApiModel(template, resolver, synth.outdir, synth.stackName, synth.assetDirectories);
    const keys: KeyWithValue[] = model.apiKeys.map((k) => ({ key: k, value: k.templateValue ?? state.apiKeys[k.logicalId].value }));

    const dynamo = await startLocalDynamo({
      dataPath: inMemory ? undefined : path.join(dataDir, 'dynamodb'),
      region: env.region,
      tables: model.tables.map((t) => t.definition),
    });
    cleanups.push(() => dynamo.stop());
    const controlPlane = await startControlPlane(keys);
    cleanups.push(() => controlPlane.close());

    const roles = new Map<string, 'authorizer' | 'integration'>();
    for (const authorizer of model.authorizers.values()) roles.set(authorizer.functionLogicalId, 'authorizer');
    for (const method of allMethods(model.root)) {
      const id = method.integration.functionLogicalId;
      if (id !== undefined && !roles.has(id)) roles.set(id, 'integration');
    }
    const hosted = new Map([...roles].flatMap(([logicalId, role]) => {
      const fn = model.functions.get(logicalId);
      return fn === undefined ? [] : [[logicalId, { fn, role }] as const];
    }));
    const signals = SecuritySignals.fromTemplate(template, resolver, hosted);
    const hosts = new Map<string, FunctionHost>();
    for (const [logicalId, { fn }] of hosted) {
      const name = displayName(logicalId);
      const host = new FunctionHost({
        fn,
        environment: lambdaEnvironment(fn, { caCert: tls.caCert, dynamoEndpoint: dynamo.endpoint, apiGatewayEndpoint: controlPlane.endpoint }),
        maxEnvironments: options.maxConcurrency ?? DEFAULT_MAX_ENVIRONMENTS,
        onLog: (line) => {
          // Each line is a log event of the function's log group, as CloudWatch Logs would receive it.
          signals.recordLogLine(logicalId, line);
          log?.(`  [${name}] ${line}`);
        },
      });
      hosts.set(logicalId, host);
      cleanups.push(() => host.stop());
    }
    const warnings = [...model.warnings, ...signals.warnings];
    const warmed = await Promise.all([...hosts.entries()].map(async ([logicalId, host]) => [logicalId, await host.warm()] as const));
    for (const [logicalId, result] of warmed) {
      if (!result.ok) warnings.push(`function ${logicalId} failed to initialise (${result.errorType}: ${result.errorMessage}); its requests answer 5xx`);
    }

    const firewall = new LocalFirewall(template);
    const gateway = new LocalGateway({
      model, functions: hosts, apiKeys: keys, env: LOCAL_ENVIRONMENT, firewall, quotaOverride: options.quotaOverride, log,
      onSecurityEvent: (event) => signals.record(event),
    });
    // The security endpoint lies outside every stage, where no API route can be (security-endpoint.ts).
    const server: Server = createServer({ maxHeaderSize: MAX_REQUEST_HEAD_BYTES }, (req, res) => {
      if (isSecurityEndpoint(req.url)) serveSecurityEndpoint(signals, req, res);
      else gateway.listener(req, res);
    });
    server.on('clientError', gateway.clientErrorListener);
    // Lambda's own limits bound request handling; the HTTP server must not cut a slow integration short.
    server.requestTimeout = 0;
    await listen(server, options.port ?? 3000, 'API (--port)');
    cleanups.push(() => closeServer(server));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const url = `${origin}/${model.stageName}`;
    const securityUrl = `${origin}${SECURITY_ENDPOINT_PATH}`;

    const clientKeys = keys.map((k) => {
      const planLogicalId = Object.keys(synth.planNames).find((id) => k.key.planIds.includes(resolver.ids.ref(id)));
      return {
        ...k,
        client: synth.clientOfApiKey[k.key.logicalId] ?? k.key.name,
        plan: planLogicalId === undefined ? '-' : synth.planNames[planLogicalId],
      };
    });
    if (!inMemory) {
      writeRunInfo(dataDir, {
        url,
        issuer: issuer.url,
        audience: LOCAL_AUDIENCE,
        kid: key.kid,
        clients: Object.fromEntries(clientKeys.map((k) => [k.client, { apiKeyId: k.key.id, plan: k.plan }])),
      });
    }
    if (options.verbose) {
      console.log(renderBanner({
        model, template, url, securityUrl, issuer: issuer.url, audience: LOCAL_AUDIENCE, dynamoEndpoint: dynamo.endpoint,
        dataDir: inMemory ? undefined : dataDir, keys: clientKeys, quotaOverride: options.quotaOverride, warnings,
        defaultDataDir: dataDir === DEFAULT_DATA_DIR,
        sampleToken: inMemory ? signJwt(key, tokenClaims(issuer.url, LOCAL_AUDIENCE, sampleClaims(model.apiKeySource, clientKeys[0]?.client))) : undefined,
      }));
      const printer = new StatusLinePrinter(signals, (line) => console.log(line));
      cleanups.push(() => printer.stop());
    }

    let stopping: Promise<void> | undefined;
    return {
      url,
      securityUrl,
      issuer: issuer.url,
      audience: LOCAL_AUDIENCE,
      apiKeys: Object.fromEntries(clientKeys.map((k) => [k.client, k.value])),
      dynamoEndpoint: dynamo.endpoint,
      tableName: model.tables[0]?.tableName ?? '',
      mintToken: (claims) => signJwt(key, tokenClaims(issuer.url, LOCAL_AUDIENCE, claims)),
      stop: () => {
        stopping ??= cleanup();
        return stopping;
      },
      stats: () => ({
        functions: Object.fromEntries([...hosts.entries()].map(([id, host]) => [id, { ...host.stats, role: roles.get(id)! }])),
        gateway: gateway.stats(),
      }),
      crashNextInvocation: (name) => {
        const matches = [...hosts.keys()].filter((id) => id.toLowerCase().includes(name.toLowerCase()));
        if (matches.length !== 1) throw new Error(`'${name}' must name exactly one function (functions: ${[...hosts.keys()].join(', ')})`);
        hosts.get(matches[0])!.crashNextInvocation();
      },
    };
  } catch (err) {
    await cleanup();
    throw err;
  }
}
