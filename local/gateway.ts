/**
 * The local API Gateway: serves a REST API stage from the synthesized template, with API Gateway's request path:
 *
 * stage → payload limit (10 MB) → request head (percent-encoding, URL length, header values: `request-head.ts`)
 * → route (resources and methods; unknown → MISSING_AUTHENTICATION_TOKEN) → API key (HEADER source) → Lambda
 * authorizer (identity source and validation expression, method ARN length, result cache, IAM policy against the
 * method ARN) → API key (AUTHORIZER source: `usageIdentifierKey`) → usage plan throttle and quota → stage
 * throttle → request validation (parameters, body model) → integration (Lambda proxy or MOCK) → response.
 *
 * Every refusal is the template's gateway response for its type, also for a request Node.js cannot parse and for
 * a bug of the emulator (DEFAULT_5XX). Every response carries `x-amzn-RequestId`. Maps keyed by request names
 * (headers, query) have no prototype.
 *
 * Request logs name the method, path, status, route and latency: never a header, token, key or body.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LocalApiKey, LocalApiModel, LocalAuthorizer, LocalMethod } from './api-model';
import { AuthorizerCache } from './authorizer-cache';
import type { LocalFirewall } from './firewall';
import { GatewayResponseContext, renderGatewayResponse, RenderOptions } from './gateway-responses';
import { evaluatePolicy, InvalidPolicyError, parsePolicyDocument } from './iam-policy';
import type { LocalEnvironment } from './intrinsics';
import type { FunctionHost, InvokeOutcome } from './lambda-host';
import { renderMappingTemplate, UnsupportedTemplateError } from './mapping-template';
import {
  buildProxyEvent, matchRoute, parseProxyResult, parseQuery, ProxyRequest, requestMap, RouteMatch,
} from './proxy-event';
import { checkRequestHead, HeadRefusal, MAX_METHOD_ARN_BYTES, parserErrorRefusal, uriTooLong } from './request-head';
import { RequestValidator } from './request-validation';
import { StageThrottle, UsagePlanMeter } from './throttling';

/**
 * API Gateway's largest request payload.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/limits.html
 */
export const MAX_REQUEST_BYTES = 10 * 1024 * 1024;

/** Bytes of an oversized body read (and dropped) before the connection is closed. */
const DRAIN_LIMIT_BYTES = 64 * 1024 * 1024;

/** An API key with its local value. */
export interface KeyWithValue {
  readonly key: LocalApiKey;
  readonly value: string;
}

/** What the gateway needs. */
export interface GatewayOptions {
  readonly model: LocalApiModel;
  /** Hosts by function logical id. */
  readonly functions: ReadonlyMap<string, FunctionHost>;
  readonly apiKeys: readonly KeyWithValue[];
  readonly env: Omit<LocalEnvironment, 'stackName'>;
  /** The web ACL's rules that can be judged on headers (the CORS Origin rule), evaluated before anything else. */
  readonly firewall?: LocalFirewall;
  /** Replaces every usage plan's quota limit (a test knob). */
  readonly quotaOverride?: number;
  /** Receives one line per request. */
  readonly log?: (line: string) => void;
}

/** Counters of the gateway. */
export interface GatewayStats {
  requests: number;
  /** Gateway responses sent, by type. */
  gatewayResponses: Record<string, number>;
  /** Authorizer cache lookups, by authorizer id. */
  authorizerCache: Record<string, { hits: number; misses: number }>;
  /** Requests whose client went away before the request was complete (nothing to answer). */
  clientAborts: number;
  /** Requests that met a bug of the emulator (answered as API Gateway's internal error); 0 unless it has one. */
  internalErrors: number;
}

/** Thrown inside the pipeline to answer with a gateway response: its type and rendering options. */
class GatewayRefusal extends Error {
  /** The refusal of a request-head check. */
  static of(refusal: HeadRefusal): GatewayRefusal {
    return new GatewayRefusal(refusal.type, refusal.options);
  }

  constructor(public readonly type: string, public readonly options: RenderOptions = {}) {
    super(type);
    this.name = 'GatewayRefusal';
  }
}

interface CachedAuthorization {
  /** Milliseconds the authorizer took; 0 when the result came from the cache. */
  latencyMs: number;
  readonly principalId: string;
  readonly policyDocument: unknown;
  readonly context: Record<string, string | number | boolean>;
  readonly usageIdentifierKey?: string;
}

/** Per-request state, for refusals and the log line. */
interface RequestState {
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly started: number;
  readonly method: string;
  readonly path: string;
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  pathParameters: Record<string, string>;
  resourcePath?: string;
  principalId?: string;
  authorizerError?: string;
  integrationStatus?: number;
  target?: string;
}

function lowerHeaders(rawHeaders: string[]): Record<string, string> {
  const headers = requestMap<string>();
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) headers[rawHeaders[i].toLowerCase()] = rawHeaders[i + 1];
  return headers;
}

/** Header name (as sent) and value pairs of `rawHeaders`; a later repeat of a name wins. */
function pairs(rawHeaders: string[]): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (let i = 0; i + 1 < rawHeaders.length; i += 2) out.push([rawHeaders[i], rawHeaders[i + 1]]);
  return out;
}

/** The value of a REQUEST authorizer identity source (`method.request.header.X`, `method.request.querystring.x`). */
function identitySourceValue(source: string, state: Pick<RequestState, 'headers' | 'query'>): string | undefined {
  const match = /^method\.request\.(header|querystring)\.(.+)$/.exec(source);
  if (match === null) return undefined;
  return match[1] === 'header' ? state.headers[match[2].toLowerCase()] : state.query[match[2]];
}

/** `GET /items/{id}` style route key of a method. */
function routeOf(method: LocalMethod): string {
  return `${method.httpMethod} ${method.resourcePath}`;
}

function newState(method: string, path: string, headers: Record<string, string>, query: Record<string, string>): RequestState {
  return {
    requestId: randomUUID(),
    extendedRequestId: `${randomBytes(12).toString('base64').replace(/[+/=]/g, '').slice(0, 14)}=`,
    started: Date.now(),
    method: method.toUpperCase(),
    path,
    headers,
    query,
    pathParameters: {},
  };
}

/** The local gateway. */
export class LocalGateway {
  private readonly validator: RequestValidator;
  private readonly meter: UsagePlanMeter;
  private readonly stageThrottle: StageThrottle;
  private readonly caches = new Map<string, AuthorizerCache<CachedAuthorization>>();
  private readonly keysByValue = new Map<string, LocalApiKey>();
  private readonly counters: GatewayStats = { requests: 0, gatewayResponses: {}, authorizerCache: {}, clientAborts: 0, internalErrors: 0 };
  /** Connections with a request in flight, and its response: a parser error there (in the body) answers it. */
  private readonly inFlight = new WeakMap<Duplex, { res: ServerResponse; state: RequestState }>();

  constructor(private readonly options: GatewayOptions) {
    const { model } = options;
    this.validator = new RequestValidator(model.apiId, model.models);
    this.meter = new UsagePlanMeter(model.usagePlans, options.quotaOverride);
    this.stageThrottle = new StageThrottle(model.stageThrottles);
    for (const { key, value } of options.apiKeys) this.keysByValue.set(value, key);
    for (const authorizer of model.authorizers.values()) {
      this.caches.set(authorizer.id, new AuthorizerCache(authorizer.ttlSeconds));
    }
  }

  /** Counters, for tests and benchmarks. */
  public stats(): GatewayStats {
    const authorizerCache: GatewayStats['authorizerCache'] = {};
    for (const [id, cache] of this.caches) authorizerCache[id] = { hits: cache.hits, misses: cache.misses };
    const { requests, clientAborts, internalErrors } = this.counters;
    return { requests, gatewayResponses: { ...this.counters.gatewayResponses }, authorizerCache, clientAborts, internalErrors };
  }

  /** The HTTP request listener. */
  public readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    this.counters.requests++;
    const target = req.url ?? '/';
    const question = target.indexOf('?');
    const rawPath = question < 0 ? target : target.slice(0, question);
    const rawQuery = question < 0 ? '' : target.slice(question + 1);
    const state = newState(req.method ?? 'GET', rawPath, lowerHeaders(req.rawHeaders), parseQuery(rawQuery).query);
    const socket = req.socket;
    this.inFlight.set(socket, { res, state });
    res.once('close', () => this.inFlight.delete(socket));
    this.handle(req, res, state, rawPath, rawQuery).catch((err: unknown) => {
      // A bug here must not take the server down, nor answer without the API's gateway response: API Gateway's
      // internal failure is a 500 through DEFAULT_5XX.
      this.counters.internalErrors++;
      this.options.log?.(`internal error: ${(err as Error).stack ?? String(err)}`);
      try {
        if (res.headersSent) res.destroy();
        else this.refuse(res, state, new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' }));
      } catch {
        res.destroy();
      }
    });
  };

  /**
   * The HTTP server's `clientError` listener: a request Node.js cannot parse (broken framing, a header line that
   * is not HTTP, a head over `MAX_REQUEST_HEAD_BYTES`) gets the API's gateway response instead of Node's bare one,
   * with a request id like every other answer.
   */
  public readonly clientErrorListener = (err: Error & { code?: string }, socket: Duplex): void => {
    const inFlight = this.inFlight.get(socket);
    const parsed = parserErrorRefusal(err.code);
    if (parsed === 'client-gone' || !socket.writable || inFlight?.res.headersSent) {
      socket.destroy();
      return;
    }
    const refusal = GatewayRefusal.of(parsed);
    if (inFlight !== undefined) {
      // The head was parsed and the request is being read: its body is what is broken.
      inFlight.res.shouldKeepAlive = false;
      inFlight.res.once('finish', () => socket.destroy());
      this.refuse(inFlight.res, inFlight.state, refusal);
      return;
    }
    this.counters.requests++;
    const state = newState('', '', requestMap<string>(), requestMap<string>());
    const response = this.render(state, refusal);
    const head = [`HTTP/1.1 ${response.statusCode} ${STATUS_CODES[response.statusCode] ?? ''}`];
    for (const [name, value] of Object.entries(response.headers)) head.push(`${name}: ${value}`);
    head.push(`Content-Length: ${response.body.length}`, 'Connection: close', '', '');
    socket.end(Buffer.concat([Buffer.from(head.join('\r\n'), 'latin1'), response.body]));
    this.options.log?.(`(unparsable request: ${err.code ?? err.message}) ${response.statusCode} ${refusal.type} ${state.requestId}`);
  };

  private async handle(req: IncomingMessage, res: ServerResponse, state: RequestState, rawPath: string, rawQuery: string): Promise<void> {
    const stagePrefix = `/${this.options.model.stageName}`;
    if (rawPath !== stagePrefix && !rawPath.startsWith(`${stagePrefix}/`)) {
      // No such stage: API Gateway answers before any API (and its gateway responses) is involved.
      await this.drain(req);
      this.send(res, state, { statusCode: 403, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' }, body: Buffer.from('{"message":"Forbidden"}') });
      return;
    }
    const apiPath = rawPath.slice(stagePrefix.length) || '/';

    // WAF sits in front of the stage: its block answers come before any of API Gateway's.
    const blocked = this.options.firewall?.evaluate(state.headers);
    if (blocked !== undefined) {
      await this.drain(req);
      state.target = `WAF ${blocked.rule}`;
      if (blocked.response === undefined) {
        this.refuse(res, state, new GatewayRefusal('WAF_FILTERED'));
      } else {
        this.send(res, state, { ...blocked.response, body: Buffer.from(blocked.response.body) });
      }
      return;
    }

    const body = await this.readBody(req);
    if (body === 'aborted') {
      // Already answered (the body could not be parsed), or the client went away mid-request: no one to answer.
      if (res.headersSent) return;
      this.counters.clientAborts++;
      this.options.log?.(`${state.method} ${state.path} (client aborted) ${state.requestId}`);
      return;
    }
    if (body === 'too-large') {
      this.refuse(res, state, new GatewayRefusal('REQUEST_TOO_LARGE'));
      return;
    }

    try {
      await this.process(req, res, state, apiPath, rawQuery, body);
    } catch (err) {
      if (err instanceof GatewayRefusal) {
        this.refuse(res, state, err);
        return;
      }
      throw err;
    }
  }

  private async process(req: IncomingMessage, res: ServerResponse, state: RequestState, apiPath: string, rawQuery: string, body: Buffer): Promise<void> {
    const { model } = this.options;
    const headRefusal = checkRequestHead({
      rawPath: state.path, rawQuery, url: `https://${req.headers.host ?? '127.0.0.1'}${req.url ?? '/'}`,
      rawHeaders: req.rawHeaders, endpointType: model.endpointType,
    });
    if (headRefusal !== undefined) throw GatewayRefusal.of(headRefusal);
    const match = matchRoute(model.root, apiPath);
    const method = match?.resource.methods.get(state.method) ?? match?.resource.methods.get('ANY');
    if (match === undefined || method === undefined) throw new GatewayRefusal('MISSING_AUTHENTICATION_TOKEN');
    state.pathParameters = match.pathParameters;
    state.resourcePath = method.resourcePath;
    state.target = routeOf(method);

    let apiKey: KeyWithValue | undefined;
    if (method.apiKeyRequired && model.apiKeySource === 'HEADER') {
      apiKey = this.findKey(state.headers['x-api-key']);
    }

    let authorization: CachedAuthorization | undefined;
    if (method.authorizationType === 'CUSTOM') {
      const authorizer = method.authorizerId === undefined ? undefined : model.authorizers.get(method.authorizerId);
      if (authorizer === undefined) throw new GatewayRefusal('AUTHORIZER_CONFIGURATION_ERROR');
      authorization = await this.authorize(authorizer, method, state, apiPath, rawQuery, req, match);
      state.principalId = authorization.principalId;
    } else if (method.authorizationType !== 'NONE') {
      throw new GatewayRefusal('API_CONFIGURATION_ERROR', { message: `${method.authorizationType} is not emulated locally` });
    }

    if (method.apiKeyRequired && model.apiKeySource === 'AUTHORIZER') {
      apiKey = this.findKey(authorization?.usageIdentifierKey);
    }

    if (apiKey !== undefined) {
      const methodKey = `${method.resourcePath}/${method.httpMethod}`;
      for (const planId of apiKey.key.planIds) {
        const verdict = this.meter.check(apiKey.key.id, planId, methodKey);
        if (verdict === 'throttled') throw new GatewayRefusal('THROTTLED');
        if (verdict === 'quota-exceeded') throw new GatewayRefusal('QUOTA_EXCEEDED');
      }
    }
    if (!this.stageThrottle.take(method.resourcePath, method.httpMethod)) throw new GatewayRefusal('THROTTLED');

    const validated = { headers: state.headers, query: state.query, pathParameters: match.pathParameters, body: body.length === 0 ? null : body.toString('utf8') };
    if (method.validateParameters) {
      const result = this.validator.validateParameters(method, validated);
      if (!result.ok) throw new GatewayRefusal(result.type, { message: result.message, validationErrorString: result.validationErrorString });
    }
    if (method.validateBody) {
      const result = this.validator.validateBody(method, validated);
      if (!result.ok) throw new GatewayRefusal(result.type, { message: result.message, validationErrorString: result.validationErrorString });
    }

    const integration = method.integration;
    if (integration.type === 'MOCK' && integration.mockResponse !== undefined) {
      const mock = integration.mockResponse;
      let rendered;
      try {
        // The integration response template (CDK's CORS preflight picks the request's origin in one).
        rendered = renderMappingTemplate(mock.body, { headers: new Map(pairs(req.rawHeaders)), query: state.query, pathParameters: match.pathParameters });
      } catch (err) {
        if (!(err instanceof UnsupportedTemplateError)) throw err;
        this.options.log?.(`  ${method.logicalId}: mapping template not emulated: ${err.message}`);
        throw new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' });
      }
      const statusCode = rendered.status ?? mock.statusCode;
      this.send(res, state, {
        statusCode,
        headers: { 'Content-Type': 'application/json', ...mock.headers, ...rendered.headers },
        body: Buffer.from(statusCode === 204 ? '' : rendered.body),
      });
      return;
    }
    const host = integration.functionLogicalId === undefined ? undefined : this.options.functions.get(integration.functionLogicalId);
    if (host === undefined) throw new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' });

    const request: ProxyRequest = {
      httpMethod: state.method,
      path: apiPath,
      rawHeaders: req.rawHeaders,
      rawQuery,
      body,
      sourceIp: this.sourceIp(req),
      protocol: 'http',
      host: req.headers.host ?? '127.0.0.1',
    };
    const event = buildProxyEvent(request, match, {
      accountId: this.options.env.accountId,
      apiId: model.apiId,
      stage: model.stageName,
      requestId: state.requestId,
      extendedRequestId: state.extendedRequestId,
      requestTimeEpoch: state.started,
      resourceId: match.resource.id,
      resourcePath: method.resourcePath,
      apiKey: apiKey?.value,
      apiKeyId: apiKey?.key.id,
      authorizer: authorization === undefined ? undefined : {
        ...Object.fromEntries(Object.entries(authorization.context).map(([k, v]) => [k, String(v)])),
        principalId: authorization.principalId,
        integrationLatency: authorization.latencyMs,
      },
    });
    const outcome = await this.invokeWithin(host, event, integration.timeoutMs);
    if (outcome === 'timeout') throw new GatewayRefusal('INTEGRATION_TIMEOUT');
    if (!outcome.ok && outcome.kind === 'rejected') {
      // Lambda refused the invocation itself: API Gateway answers 500.
      throw new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' });
    }
    const result = outcome.ok ? parseProxyResult(outcome.payload) : undefined;
    if (result === undefined) {
      // A function error, a crash, a Lambda timeout or a malformed result: 502 "Internal server error".
      this.options.log?.(`  ${host.fn.logicalId} failed: ${outcome.ok ? 'malformed proxy result' : `${outcome.errorType}: ${outcome.errorMessage}`}`);
      throw new GatewayRefusal('INTEGRATION_FAILURE', { defaultStatus: 502, message: 'Internal server error' });
    }
    state.integrationStatus = result.statusCode;
    const headers: Record<string, string | string[]> = {};
    for (const [name, value] of result.headers) {
      const existing = headers[name];
      headers[name] = existing === undefined ? value : [...[existing].flat(), value];
    }
    this.send(res, state, { statusCode: result.statusCode, headers, body: result.body });
  }

  /** Runs the Lambda authorizer of a method (or answers from its cache); throws a refusal when it refuses. */
  private async authorize(authorizer: LocalAuthorizer, method: LocalMethod, state: RequestState, apiPath: string,
    rawQuery: string, req: IncomingMessage, match: RouteMatch): Promise<CachedAuthorization> {
    const { model, env } = this.options;
    const methodArn = `arn:${env.partition}:execute-api:${env.region}:${env.accountId}:${model.apiId}/${model.stageName}/${method.httpMethod === 'ANY' ? state.method : method.httpMethod}${apiPath}`;
    if (Buffer.byteLength(methodArn) > MAX_METHOD_ARN_BYTES) throw GatewayRefusal.of(uriTooLong());
    let identity: string;
    let event: Record<string, unknown>;
    if (authorizer.type === 'TOKEN') {
      const token = state.headers[(authorizer.identityHeader ?? 'Authorization').toLowerCase()];
      if (token === undefined || token === '') throw this.unauthorized(state, 'identity source missing');
      if (authorizer.validationExpression !== undefined && !authorizer.validationExpression.test(token)) {
        throw this.unauthorized(state, 'identity validation expression not matched');
      }
      identity = token;
      event = { type: 'TOKEN', authorizationToken: token, methodArn };
    } else {
      const values: string[] = [];
      for (const source of authorizer.identitySources) {
        const value = identitySourceValue(source, state);
        if (value === undefined || value === '') throw this.unauthorized(state, 'identity source missing');
        values.push(value);
      }
      identity = values.join('\u0000');
      const proxy = buildProxyEvent({
        httpMethod: state.method, path: apiPath, rawHeaders: req.rawHeaders, rawQuery, body: Buffer.alloc(0),
        sourceIp: this.sourceIp(req), protocol: 'http', host: req.headers.host ?? '127.0.0.1',
      }, match, {
        accountId: env.accountId, apiId: model.apiId, stage: model.stageName, requestId: state.requestId,
        extendedRequestId: state.extendedRequestId, requestTimeEpoch: state.started, resourceId: match.resource.id,
        resourcePath: method.resourcePath,
      });
      const { body: _body, isBase64Encoded: _b64, ...rest } = proxy;
      event = { type: 'REQUEST', methodArn, ...rest };
    }

    const cache = this.caches.get(authorizer.id)!;
    const cached = cache.get(identity);
    let authorization: CachedAuthorization;
    if (cached !== undefined) {
      authorization = { ...cached, latencyMs: 0 };
    } else {
      const host = this.options.functions.get(authorizer.functionLogicalId);
      if (host === undefined) throw new GatewayRefusal('AUTHORIZER_CONFIGURATION_ERROR');
      // API Gateway waits at most 30 seconds for an authorizer.
      const outcome = await this.invokeWithin(host, event, 30_000);
      if (outcome === 'timeout' || !outcome.ok) {
        if (outcome !== 'timeout' && outcome.kind === 'function' && outcome.errorMessage === 'Unauthorized') {
          throw this.unauthorized(state, 'authorizer answered Unauthorized');
        }
        state.authorizerError = outcome === 'timeout' ? 'timeout' : `${outcome.errorType}`;
        throw new GatewayRefusal('AUTHORIZER_FAILURE');
      }
      authorization = { ...this.checkAuthorizerResult(outcome.payload, state), latencyMs: outcome.durationMs };
      cache.set(identity, authorization);
    }

    let decision;
    try {
      decision = evaluatePolicy(authorization.policyDocument, methodArn);
    } catch (err) {
      if (err instanceof InvalidPolicyError) {
        state.authorizerError = err.message;
        throw new GatewayRefusal('AUTHORIZER_CONFIGURATION_ERROR');
      }
      throw err;
    }
    state.principalId = authorization.principalId;
    if (decision === 'explicit-deny') {
      throw new GatewayRefusal('ACCESS_DENIED', { message: 'User is not authorized to access this resource with an explicit deny' });
    }
    if (decision === 'implicit-deny') throw new GatewayRefusal('ACCESS_DENIED');
    return authorization;
  }

  /** Checks the authorizer's output as API Gateway does; a malformed one is AUTHORIZER_CONFIGURATION_ERROR. */
  private checkAuthorizerResult(payload: unknown, state: RequestState): Omit<CachedAuthorization, 'latencyMs'> {
    const fail = (reason: string): never => {
      state.authorizerError = reason;
      throw new GatewayRefusal('AUTHORIZER_CONFIGURATION_ERROR');
    };
    if (typeof payload !== 'object' || payload === null) fail('authorizer output is not an object');
    const result = payload as Record<string, unknown>;
    if (typeof result.principalId !== 'string' || result.principalId === '') fail('authorizer output has no principalId');
    const context = (result.context ?? {}) as Record<string, unknown>;
    if (typeof context !== 'object' || Array.isArray(context)) fail('authorizer context is not an object');
    for (const value of Object.values(context)) {
      if (!['string', 'number', 'boolean'].includes(typeof value)) fail('authorizer context values must be strings, numbers or booleans');
    }
    try {
      parsePolicyDocument(result.policyDocument);
    } catch (err) {
      fail((err as Error).message);
    }
    if (result.usageIdentifierKey !== undefined && typeof result.usageIdentifierKey !== 'string') fail('usageIdentifierKey must be a string');
    return {
      principalId: result.principalId as string,
      policyDocument: result.policyDocument,
      context: context as Record<string, string | number | boolean>,
      usageIdentifierKey: result.usageIdentifierKey as string | undefined,
    };
  }

  private unauthorized(state: RequestState, reason: string): GatewayRefusal {
    state.authorizerError = reason;
    return new GatewayRefusal('UNAUTHORIZED');
  }

  /** The key with this value, enabled and in a usage plan of the stage; otherwise INVALID_API_KEY. */
  private findKey(value: string | undefined): KeyWithValue {
    const key = value === undefined ? undefined : this.keysByValue.get(value);
    if (key === undefined || !key.enabled || key.planIds.length === 0) throw new GatewayRefusal('INVALID_API_KEY');
    return { key, value: value! };
  }

  private async invokeWithin(host: FunctionHost, event: unknown, timeoutMs: number): Promise<InvokeOutcome | 'timeout'> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), timeoutMs);
    });
    try {
      return await Promise.race([host.invoke(event), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private sourceIp(req: IncomingMessage): string {
    return (req.socket.remoteAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  }

  /**
   * Reads the body: `'too-large'` past API Gateway's payload limit (the rest is drained, then dropped; past the
   * drain limit the connection is closed), `'aborted'` when the client goes away before the end.
   */
  private readBody(req: IncomingMessage): Promise<Buffer | 'too-large' | 'aborted'> {
    return new Promise((resolve) => {
      const declared = Number(req.headers['content-length'] ?? '0');
      const chunks: Buffer[] = [];
      let size = 0;
      let tooLarge = declared > MAX_REQUEST_BYTES;
      req.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > MAX_REQUEST_BYTES) tooLarge = true;
        if (!tooLarge) chunks.push(chunk);
        if (size > DRAIN_LIMIT_BYTES) req.destroy();
      });
      req.on('end', () => resolve(tooLarge ? 'too-large' : Buffer.concat(chunks)));
      // An aborted request emits 'error' (ECONNRESET) and then 'close', without 'end'.
      req.on('error', () => resolve(tooLarge ? 'too-large' : 'aborted'));
      req.on('close', () => {
        if (!req.complete) resolve(tooLarge ? 'too-large' : 'aborted');
      });
    });
  }

  /** Reads and drops the body, so that the client can read the answer. */
  private drain(req: IncomingMessage): Promise<void> {
    return new Promise((resolve) => {
      req.resume();
      req.on('end', () => resolve());
      req.on('close', () => resolve());
    });
  }

  private refuse(res: ServerResponse, state: RequestState, refusal: GatewayRefusal): void {
    this.send(res, state, this.render(state, refusal));
  }

  /** The template's gateway response for a refusal (counted). */
  private render(state: RequestState, refusal: GatewayRefusal): { statusCode: number; headers: Record<string, string>; body: Buffer } {
    const { model } = this.options;
    this.counters.gatewayResponses[refusal.type] = (this.counters.gatewayResponses[refusal.type] ?? 0) + 1;
    const ctx: GatewayResponseContext = {
      context: {
        requestId: state.requestId,
        extendedRequestId: state.extendedRequestId,
        apiId: model.apiId,
        stage: model.stageName,
        httpMethod: state.method,
        resourcePath: state.resourcePath ?? '',
        path: state.path,
        requestTimeEpoch: state.started,
        accountId: this.options.env.accountId,
        'authorizer.principalId': state.principalId ?? '',
        'authorizer.error': state.authorizerError ?? '',
      },
      headers: state.headers,
      query: state.query,
      pathParameters: state.pathParameters,
      stageVariables: {},
    };
    const rendered = renderGatewayResponse(model.gatewayResponses, refusal.type, ctx, refusal.options);
    state.target = state.target === undefined ? refusal.type : `${state.target} → ${refusal.type}`;
    const headers = { ...rendered.headers, 'x-amzn-RequestId': state.requestId, 'x-amz-apigw-id': state.extendedRequestId };
    return { statusCode: rendered.statusCode, headers, body: Buffer.from(rendered.body) };
  }

  private send(res: ServerResponse, state: RequestState,
    response: { statusCode: number; headers: Record<string, string | string[]>; body: Buffer }): void {
    if (res.headersSent || res.destroyed) return;
    const headers: Record<string, string | string[]> = { ...response.headers };
    headers['x-amzn-RequestId'] = state.requestId;
    headers['x-amz-apigw-id'] = state.extendedRequestId;
    headers['Content-Length'] = String(response.body.length);
    res.writeHead(response.statusCode, headers);
    res.end(state.method === 'HEAD' ? undefined : response.body);
    const ms = Date.now() - state.started;
    this.options.log?.(`${state.method} ${state.path} ${response.statusCode} ${ms} ms ${state.target ?? ''} ${state.requestId}`.trimEnd());
  }
}
