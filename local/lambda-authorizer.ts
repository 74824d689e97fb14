/**
 * The API's Lambda authorizers, as API Gateway runs them: the identity source and validation expression, the
 * method ARN length, the result cache (TTL per authorizer), the output checks and the IAM policy against the
 * method ARN. Each refusal is thrown as a {@link GatewayRefusal}, with the reason in `authorizer.error`.
 */
import type { IncomingMessage } from 'node:http';
import type { LocalApiModel, LocalAuthorizer, LocalMethod } from './api-model';
import { AuthorizerCache } from './authorizer-cache';
import { GatewayRefusal } from './gateway-refusal';
import { evaluatePolicy, InvalidPolicyError, parsePolicyDocument } from './iam-policy';
import type { LocalEnvironment } from './intrinsics';
import type { FunctionHost } from './lambda-host';
import { invokeWithin, proxyContextOf, proxyRequestOf } from './lambda-proxy-integration';
import { buildProxyEvent, RouteMatch } from './proxy-event';
import { MAX_METHOD_ARN_BYTES, uriTooLong } from './request-head';
import type { RequestState } from './request-state';

/** An authorizer's result, as cached. */
export interface CachedAuthorization {
  /** Milliseconds the authorizer took; 0 when the result came from the cache. */
  latencyMs: number;
  readonly principalId: string;
  readonly policyDocument: unknown;
  readonly context: Record<string, string | number | boolean>;
  readonly usageIdentifierKey?: string;
}

/** The value of a REQUEST authorizer identity source (`method.request.header.X`, `method.request.querystring.x`). */
function identitySourceValue(source: string, state: Pick<RequestState, 'headers' | 'query'>): string | undefined {
  const match = /^method\.request\.(header|querystring)\.(.+)$/.exec(source);
  if (match === null) return undefined;
  return match[1] === 'header' ? state.headers[match[2].toLowerCase()] : state.query[match[2]];
}

/** The Lambda authorizers of an API, each with its result cache. */
export class LambdaAuthorizers {
  private readonly caches = new Map<string, AuthorizerCache<CachedAuthorization>>();

  constructor(private readonly model: LocalApiModel, private readonly env: Omit<LocalEnvironment, 'stackName'>,
    private readonly functions: ReadonlyMap<string, FunctionHost>) {
    for (const authorizer of model.authorizers.values()) {
      this.caches.set(authorizer.id, new AuthorizerCache(authorizer.ttlSeconds));
    }
  }

  /** Cache lookups, by authorizer id. */
  public cacheStats(): Record<string, { hits: number; misses: number }> {
    const stats: Record<string, { hits: number; misses: number }> = {};
    for (const [id, cache] of this.caches) stats[id] = { hits: cache.hits, misses: cache.misses };
    return stats;
  }

  /** Runs the Lambda authorizer of a method (or answers from its cache); throws a refusal when it refuses. */
  public async authorize(authorizer: LocalAuthorizer, method: LocalMethod, state: RequestState, apiPath: string,
    rawQuery: string, req: IncomingMessage, match: RouteMatch): Promise<CachedAuthorization> {
    const { model, env } = this;
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
      const proxy = buildProxyEvent(proxyRequestOf(req, state, apiPath, rawQuery, Buffer.alloc(0)), match,
        proxyContextOf(env.accountId, model, state, match, method));
      const { body: _body, isBase64Encoded: _b64, ...rest } = proxy;
      event = { type: 'REQUEST', methodArn, ...rest };
    }

    const cache = this.caches.get(authorizer.id)!;
    const cached = cache.get(identity);
    let authorization: CachedAuthorization;
    if (cached !== undefined) {
      authorization = { ...cached, latencyMs: 0 };
    } else {
      const host = this.functions.get(authorizer.functionLogicalId);
      if (host === undefined) throw new GatewayRefusal('AUTHORIZER_CONFIGURATION_ERROR');
      // API Gateway waits at most 30 seconds for an authorizer.
      const outcome = await invokeWithin(host, event, 30_000);
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
}
