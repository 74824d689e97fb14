/**
 * The local API Gateway: serves a REST API stage from the synthesized template, with API Gateway's request path:
 *
 * stage → payload limit (10 MB) → request head (percent-encoding, URL length, header values: `request-head.ts`)
 * → route (resources and methods; unknown → MISSING_AUTHENTICATION_TOKEN) → API key (HEADER source) → Lambda
 * authorizer (identity source and validation expression, method ARN length, result cache, IAM policy against the
 * method ARN) → API key (AUTHORIZER source: `usageIdentifierKey`) → usage plan throttle and quota → stage
 * throttle → request validation (parameters, body model) → integration (Lambda proxy or MOCK) → response.
 *
 * This file wires the pipeline; its stages live in `request-body.ts`, `lambda-authorizer.ts`,
 * `mock-integration.ts`, `lambda-proxy-integration.ts`, and the answers are written by `response-writer.ts`.
 *
 * Every refusal is the template's gateway response for its type, also for a request Node.js cannot parse and for
 * a bug of the emulator (DEFAULT_5XX). Every response carries `x-amzn-RequestId`. Maps keyed by request names
 * (headers, query) have no prototype.
 *
 * Request logs name the method, path, status, route and latency: never a header, token, key or body.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Duplex } from 'node:stream';
import type { LocalApiKey, LocalApiModel, LocalMethod } from './api-model';
import type { LocalFirewall } from './firewall';
import { GatewayRefusal } from './gateway-refusal';
import type { LocalEnvironment } from './intrinsics';
import { CachedAuthorization, LambdaAuthorizers } from './lambda-authorizer';
import type { FunctionHost } from './lambda-host';
import { invokeLambdaProxy, proxyContextOf, proxyRequestOf } from './lambda-proxy-integration';
import { mockIntegrationResponse } from './mock-integration';
import { buildProxyEvent, matchRoute, parseQuery, requestMap } from './proxy-event';
import { drain, readBody } from './request-body';
import { checkRequestHead, parserErrorRefusal } from './request-head';
import { lowerHeaders, newState, RequestState } from './request-state';
import { RequestValidator } from './request-validation';
import { ResponseWriter } from './response-writer';
import type { SecurityEvent } from './security-signals';
import { StageThrottle, UsagePlanMeter } from './throttling';

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
  /** Receives the refusals that no function logs: WAF blocks, usage plan and stage throttle 429s. */
  readonly onSecurityEvent?: (event: SecurityEvent) => void;
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

/** `GET /items/{id}` style route key of a method. */
function routeOf(method: LocalMethod): string {
  return `${method.httpMethod} ${method.resourcePath}`;
}

/** The local gateway. */
export class LocalGateway {
  private readonly validator: RequestValidator;
  private readonly meter: UsagePlanMeter;
  private readonly stageThrottle: StageThrottle;
  private readonly authorizers: LambdaAuthorizers;
  private readonly keysByValue = new Map<string, LocalApiKey>();
  private readonly counters: GatewayStats = { requests: 0, gatewayResponses: {}, authorizerCache: {}, clientAborts: 0, internalErrors: 0 };
  private readonly writer: ResponseWriter;
  /** Connections with a request in flight, and its response: a parser error there (in the body) answers it. */
  private readonly inFlight = new WeakMap<Duplex, { res: ServerResponse; state: RequestState }>();

  constructor(private readonly options: GatewayOptions) {
    const { model } = options;
    this.validator = new RequestValidator(model.apiId, model.models);
    this.meter = new UsagePlanMeter(model.usagePlans, options.quotaOverride);
    this.stageThrottle = new StageThrottle(model.stageThrottles);
    this.authorizers = new LambdaAuthorizers(model, options.env, options.functions);
    for (const { key, value } of options.apiKeys) this.keysByValue.set(value, key);
    this.writer = new ResponseWriter({ model, accountId: options.env.accountId, counts: this.counters.gatewayResponses, log: options.log });
  }

  /** Counters, for tests and benchmarks. */
  public stats(): GatewayStats {
    const authorizerCache = this.authorizers.cacheStats();
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
        else this.writer.refuse(res, state, new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' }));
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
      this.writer.refuse(inFlight.res, inFlight.state, refusal);
      return;
    }
    this.counters.requests++;
    this.writer.refuseOnSocket(socket, newState('', '', requestMap<string>(), requestMap<string>()), refusal, err.code ?? err.message);
  };

  private async handle(req: IncomingMessage, res: ServerResponse, state: RequestState, rawPath: string, rawQuery: string): Promise<void> {
    const stagePrefix = `/${this.options.model.stageName}`;
    if (rawPath !== stagePrefix && !rawPath.startsWith(`${stagePrefix}/`)) {
      // No such stage: API Gateway answers before any API (and its gateway responses) is involved.
      await drain(req);
      this.writer.send(res, state, { statusCode: 403, headers: { 'Content-Type': 'application/json', 'x-amzn-ErrorType': 'ForbiddenException' }, body: Buffer.from('{"message":"Forbidden"}') });
      return;
    }
    const apiPath = rawPath.slice(stagePrefix.length) || '/';

    // WAF sits in front of the stage: its block answers come before any of API Gateway's.
    const blocked = this.options.firewall?.evaluate(state.headers);
    if (blocked !== undefined) {
      await drain(req);
      state.target = `WAF ${blocked.rule}`;
      if (blocked.response === undefined) {
        this.writer.refuse(res, state, new GatewayRefusal('WAF_FILTERED'));
      } else {
        this.writer.send(res, state, { ...blocked.response, body: Buffer.from(blocked.response.body) });
      }
      // WAF_FILTERED's status is the template's gateway response: what was written.
      const status = blocked.response?.statusCode ?? (res.headersSent ? res.statusCode : 403);
      this.options.onSecurityEvent?.({ kind: 'waf-block', rule: blocked.rule, status });
      return;
    }

    const body = await readBody(req);
    if (body === 'aborted') {
      // Already answered (the body could not be parsed), or the client went away mid-request: no one to answer.
      if (res.headersSent) return;
      this.counters.clientAborts++;
      this.options.log?.(`${state.method} ${state.path} (client aborted) ${state.requestId}`);
      return;
    }
    if (body === 'too-large') {
      this.writer.refuse(res, state, new GatewayRefusal('REQUEST_TOO_LARGE'));
      return;
    }

    try {
      await this.process(req, res, state, apiPath, rawQuery, body);
    } catch (err) {
      if (err instanceof GatewayRefusal) {
        this.writer.refuse(res, state, err);
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
      authorization = await this.authorizers.authorize(authorizer, method, state, apiPath, rawQuery, req, match);
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
        if (verdict !== 'ok') {
          this.options.onSecurityEvent?.({ kind: 'usage-plan', verdict });
          throw new GatewayRefusal(verdict === 'throttled' ? 'THROTTLED' : 'QUOTA_EXCEEDED');
        }
      }
    }
    if (!this.stageThrottle.take(method.resourcePath, method.httpMethod)) {
      this.options.onSecurityEvent?.({ kind: 'stage-throttle' });
      throw new GatewayRefusal('THROTTLED');
    }

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
      this.writer.send(res, state, mockIntegrationResponse(method, integration.mockResponse, req.rawHeaders, state, match, this.options.log));
      return;
    }
    const host = integration.functionLogicalId === undefined ? undefined : this.options.functions.get(integration.functionLogicalId);
    if (host === undefined) throw new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' });

    const event = buildProxyEvent(proxyRequestOf(req, state, apiPath, rawQuery, body), match, {
      ...proxyContextOf(this.options.env.accountId, model, state, match, method),
      apiKey: apiKey?.value,
      apiKeyId: apiKey?.key.id,
      authorizer: authorization === undefined ? undefined : {
        ...Object.fromEntries(Object.entries(authorization.context).map(([k, v]) => [k, String(v)])),
        principalId: authorization.principalId,
        integrationLatency: authorization.latencyMs,
      },
    });
    const response = await invokeLambdaProxy(host, event, integration.timeoutMs, state, this.options.log);
    this.writer.send(res, state, response);
  }

  /** The key with this value, enabled and in a usage plan of the stage; otherwise INVALID_API_KEY. */
  private findKey(value: string | undefined): KeyWithValue {
    const key = value === undefined ? undefined : this.keysByValue.get(value);
    if (key === undefined || !key.enabled || key.planIds.length === 0) throw new GatewayRefusal('INVALID_API_KEY');
    return { key, value: value! };
  }
}
