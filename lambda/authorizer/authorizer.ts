/**
 * The authorizer pipeline: token guard → signature and standard claims (aws-jwt-verify) → extra claim checks →
 * tenant and API key mapping → route policy. Built by {@link createAuthorizer} from a configuration and dependencies,
 * so the Lambda handler is wiring only and tests can build authorizers with their own configuration.
 *
 * Answers: a thrown `Error('Unauthorized')` (API Gateway: 401); a policy (allow, or deny → 403); any other thrown
 * error (API Gateway: 500) when a dependency fails. The policy never depends on the requested route, so API Gateway
 * may cache it per token.
 */
import { Logger } from '@aws-lambda-powertools/logger';
import type {
  APIGatewayAuthorizerResult, APIGatewayTokenAuthorizerEvent, Context,
} from 'aws-lambda';
import type { Fetcher } from 'aws-jwt-verify/https';
import type { AuthorizerConfig } from '../../lib/common/authorizer-config';
import { unmetRequirement } from '../../lib/common/access-rules';
import { Decision, DECISION_LOG_MESSAGE, FAILURE_LOG_MESSAGE } from '../../lib/common/decision-reasons';
import { buildPolicy, parseMethodArn, PolicyDocument, policyAllows } from '../../lib/common/execute-api-policy';
import { createPolicyCache } from '../../lib/common/policy-cache';
import { RouteEntry, routeKey, routeMatcher } from '../../lib/common/route-model';
import { ApiKeyResolver, ApiKeyValueFetcher, createApiKeyResolver } from './api-key-resolver';
import { buildAuthorizerContext, clientIdOf, tenantOf } from './authorizer-context';
import { checkClaims, DEFAULT_PRINCIPAL_CLAIMS, principalOf } from './claim-checks';
import { isValidatedConfig, validateAuthorizerConfig } from './config';
import {
  AuthorizerConfigError, AuthorizerUnavailableError, DenyReason, ErrorReason, UnauthorizedError, UnauthorizedReason,
} from './errors';
import { createJwtVerification } from './jwt-verification';
import { inspectBearerToken } from './token-guard';

/** The Powertools service name of the authorizer's logs. */
export const SERVICE_NAME = 'secure-api-authorizer';

/** The exact error message API Gateway maps to 401 Unauthorized. */
export const UNAUTHORIZED_MESSAGE = 'Unauthorized';

/** The error message of a failed authorization (API Gateway answers 500); it never carries details. */
export const FAILURE_MESSAGE = 'Authorizer failure';

/** The outcome of one authorization, as logged. */
export type { Decision };

/** The reason logged with a decision: `authorized` for allow. */
export type DecisionReason = 'authorized' | DenyReason | UnauthorizedReason | ErrorReason;

/** What {@link createAuthorizer} needs besides the configuration. */
export interface AuthorizerDependencies {
  /**
   * The logger of decisions.
   * @default - a Powertools Logger with service name `secure-api-authorizer`
   */
  readonly logger?: Logger;
  /**
   * Reads an API key's value by id. Required when `config.apiKey` is set.
   * @default - none
   */
  readonly fetchApiKeyValue?: ApiKeyValueFetcher;
  /**
   * Fetches JWKS documents.
   * @default - aws-jwt-verify's SimpleFetcher with a timeout of `config.jwksTimeoutMs`
   */
  readonly jwksFetcher?: Fetcher;
}

/** The async handler of a TOKEN authorizer, with the readiness of its JWKS prefetch. */
export type AuthorizerHandler = ((event: APIGatewayTokenAuthorizerEvent, context?: Context) =>
Promise<APIGatewayAuthorizerResult>) & {
  /** Settles when the JWKS prefetch started at creation has finished, successfully or not. Never rejects. */
  readonly ready: Promise<void>;
};

interface Verdict {
  readonly decision: 'allow' | 'deny';
  readonly reason: 'authorized' | DenyReason;
  readonly result: APIGatewayAuthorizerResult;
}

const MAX_LOGGED_ROUTE_LENGTH = 256;

/** Method ARNs whose answer is remembered per cached policy. */
const MAX_DECISIONS_PER_POLICY = 64;

/**
 * Creates an authorizer. Validates the configuration, creates the verifiers, and starts fetching every issuer's
 * JWKS right away (a failed prefetch is logged, and the verifier fetches again on demand).
 * @throws AuthorizerConfigError when the configuration or the dependencies are invalid.
 */
export function createAuthorizer(config: AuthorizerConfig, deps: AuthorizerDependencies = {}): AuthorizerHandler {
  // A configuration read by parseAuthorizerConfig is validated already (and frozen).
  if (!isValidatedConfig(config)) validateAuthorizerConfig(config);
  const logger = deps.logger ?? new Logger({ serviceName: SERVICE_NAME });
  if (config.apiKey !== undefined && deps.fetchApiKeyValue === undefined) {
    throw new AuthorizerConfigError("AuthorizerConfig: 'apiKey' is set, so an API key fetcher is required");
  }
  const apiKeys: ApiKeyResolver | undefined = config.apiKey !== undefined
    ? createApiKeyResolver(config.apiKey, deps.fetchApiKeyValue!) : undefined;
  const verification = createJwtVerification(config, { fetcher: deps.jwksFetcher });
  const principalClaims = config.principalClaims ?? DEFAULT_PRINCIPAL_CLAIMS;
  // Building the policy costs more than the rest of the claim handling, and depends only on the route table, the stage
  // and the scopes and conditioned claims, which most tokens share with many others.
  const policies = createPolicyCache(config.routes);
  const matchRequest = routeMatcher(config.routes);
  const ready: Promise<void> = verification.prefetch().then((results) => {
    for (const result of results.filter((r) => !r.ok)) {
      logger.warn('JWKS prefetch failed; the verifier fetches it again on demand', {
        jwksUri: result.jwksUri, error: result.error instanceof Error ? result.error.message : String(result.error),
      });
    }
  }, () => undefined);

  // Whether a cached policy allows a method ARN, remembered per policy: the policy is shared by every token with the
  // same claims, and its wildcard match costs as much as the rest of the claim handling.
  const decisions = new WeakMap<PolicyDocument, Map<string, boolean>>();
  function allows(policy: PolicyDocument, methodArn: string): boolean {
    let known = decisions.get(policy);
    if (known === undefined) decisions.set(policy, known = new Map());
    let allowed = known.get(methodArn);
    if (allowed === undefined) {
      allowed = policyAllows(policy, methodArn);
      if (known.size >= MAX_DECISIONS_PER_POLICY) known.delete(known.keys().next().value!);
      known.set(methodArn, allowed);
    }
    return allowed;
  }

  function denyAll(methodArn: string, principalId: string, context: Record<string, string>, reason: DenyReason): Verdict {
    return {
      decision: 'deny',
      reason,
      result: { principalId, policyDocument: buildPolicy([], {}, methodArn).policy, context },
    };
  }

  async function decide(event: APIGatewayTokenAuthorizerEvent, requested: RouteEntry | undefined,
    log: Record<string, unknown>): Promise<Verdict> {
    const token = inspectBearerToken(event.authorizationToken, {
      maxTokenBytes: config.maxTokenBytes, trustedIssuers: verification.trustedIssuers,
    });
    await ready;
    const claims: Record<string, unknown> = await verification.verify(token);
    checkClaims(claims, {
      clockSkewSeconds: config.clockSkewSeconds,
      maxTokenLifetimeSeconds: config.maxTokenLifetimeSeconds,
      nowSeconds: Date.now() / 1000,
    });
    const principal = principalOf(claims, principalClaims);
    const principalId = principal.value;
    Object.assign(log, {
      sub: typeof claims.sub === 'string' && claims.sub !== '' ? claims.sub : undefined,
      ...(principal.claim !== 'sub' ? { principal: principalId, principalClaim: principal.claim } : {}),
      iss: token.iss,
      clientId: clientIdOf(claims) || undefined,
    });

    let tenant = '';
    if (config.tenantClaim !== undefined) {
      const value = tenantOf(claims, config.tenantClaim);
      if (value === undefined) return denyAll(event.methodArn, principalId, buildAuthorizerContext(claims, principal, ''), 'missing_tenant');
      tenant = value;
    }
    const context = buildAuthorizerContext(claims, principal, tenant);

    let keyId: string | undefined;
    if (apiKeys !== undefined) {
      keyId = apiKeys.keyIdFor(claims);
      if (keyId === undefined) return denyAll(event.methodArn, principalId, context, 'unknown_client');
    }

    const { policy, allowed } = policies.policyFor(claims, event.methodArn);
    const result: APIGatewayAuthorizerResult = { principalId, policyDocument: policy, context };
    // The policy is cached per token and reused for other routes, so it carries the key whenever it allows anything.
    if (keyId !== undefined && allowed.length > 0) {
      try {
        result.usageIdentifierKey = await apiKeys!.valueOf(keyId);
      } catch (err) {
        throw new AuthorizerUnavailableError('api_key_unavailable', `cannot read API key ${keyId}`, { cause: err });
      }
    }

    if (allows(policy, event.methodArn)) return { decision: 'allow', reason: 'authorized', result };
    let reason: DenyReason;
    if (requested === undefined) reason = 'unknown_route';
    else {
      const unmet = unmetRequirement(requested, claims);
      reason = unmet === 'scopes' ? 'insufficient_scope' : unmet === 'claims' ? 'claim_mismatch' : 'route_shadowed';
    }
    return { decision: 'deny', reason, result };
  }

  const handler = async (event: APIGatewayTokenAuthorizerEvent, context?: Context): Promise<APIGatewayAuthorizerResult> => {
    if (context !== undefined) logger.addContext(context);
    const started = Date.now();
    const log: Record<string, unknown> = {};
    try {
      let requested: RouteEntry | undefined;
      try {
        const request = parseMethodArn(event.methodArn);
        requested = matchRequest(request.method, request.path);
        log.routeKey = requested !== undefined
          ? routeKey(requested) : `${request.method} ${request.path}`.slice(0, MAX_LOGGED_ROUTE_LENGTH);
      } catch (err) {
        throw new AuthorizerUnavailableError('internal_error', 'malformed methodArn in the authorizer event', { cause: err });
      }
      const verdict = await decide(event, requested, log);
      logger.info(DECISION_LOG_MESSAGE, {
        decision: verdict.decision, reason: verdict.reason, ...log, durationMs: Date.now() - started,
      });
      return verdict.result;
    } catch (err) {
      if (err instanceof UnauthorizedError) {
        // Only the reason code: never the token, its parts, or messages that may quote them.
        logger.info(DECISION_LOG_MESSAGE, {
          decision: 'unauthorized', reason: err.reason, ...log, durationMs: Date.now() - started,
        });
        throw new Error(UNAUTHORIZED_MESSAGE);
      }
      const failure = err instanceof AuthorizerUnavailableError ? err
        : new AuthorizerUnavailableError('internal_error', 'unexpected failure', { cause: err });
      const cause = failure.cause instanceof Error ? failure.cause : undefined;
      logger.error(FAILURE_LOG_MESSAGE, {
        decision: 'error',
        reason: failure.reason,
        ...log,
        error: failure.message,
        cause: cause ? `${cause.name}: ${cause.message}`.slice(0, 500) : undefined,
        durationMs: Date.now() - started,
      });
      throw new Error(FAILURE_MESSAGE);
    }
  };
  return Object.assign(handler, { ready });
}
