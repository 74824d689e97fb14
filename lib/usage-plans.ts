import { Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { SecureApiConfigError } from './errors';

/** Throttle of a usage plan or of one method in it. */
export interface ThrottleOptions {
  /** Steady-state requests per second. */
  readonly rateLimit: number;
  /** Burst (token bucket size). */
  readonly burstLimit: number;
}

/** Quota of a usage plan. */
export interface QuotaOptions {
  /** Requests allowed per period. */
  readonly limit: number;
  /** DAY, WEEK or MONTH. Required: a quota without a period is rejected. */
  readonly period: apigw.Period;
}

/** A named usage plan. */
export interface UsagePlanOptions {
  /** Throttle for every key in the plan. Required: a plan without a throttle gives clients unlimited rate. */
  readonly throttle: ThrottleOptions;
  /** Quota for every key in the plan. @default - no quota */
  readonly quota?: QuotaOptions;
  /** Per-route throttles, keyed by route key (`'POST /items'`). @default - the plan throttle everywhere */
  readonly routeThrottles?: Record<string, ThrottleOptions>;
  /** Description. @default - none */
  readonly description?: string;
}

/** A named API client: it gets its own API key in one usage plan. */
export interface ApiClientOptions {
  /** Name of the usage plan the client's key belongs to. */
  readonly plan: string;
  /**
   * The value of the token claim that identifies this client when the API key source is AUTHORIZER
   * (for example its OAuth `client_id`).
   * @default - the client's name
   */
  readonly claimValue?: string;
}

const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Validates a throttle prop at `where`; throws {@link SecureApiConfigError} naming the prop, the rule and the value. */
export function checkThrottle(where: string, t: ThrottleOptions): void {
  if (!Token.isUnresolved(t.rateLimit) && (!(t.rateLimit > 0) || !Number.isFinite(t.rateLimit))) {
    throw new SecureApiConfigError(`'${where}.rateLimit' must be a positive number (got ${t.rateLimit})`);
  }
  if (!Token.isUnresolved(t.burstLimit) && (!Number.isInteger(t.burstLimit) || t.burstLimit < 1)) {
    throw new SecureApiConfigError(`'${where}.burstLimit' must be a positive integer (got ${t.burstLimit})`);
  }
}

/**
 * Validates usage plans and clients; throws {@link SecureApiConfigError} naming the prop, the rule and the value.
 * @param routeKeys the route keys of the API, to check per-route throttles against; null skips that check
 */
export function validateUsagePlans(plans: Record<string, UsagePlanOptions>, clients: Record<string, ApiClientOptions>,
  routeKeys: readonly string[] | null): void {
  for (const [name, plan] of Object.entries(plans)) {
    if (!NAME.test(name)) {
      throw new SecureApiConfigError(`'usagePlans' names must match ${NAME} (got '${name}')`);
    }
    if (!plan.throttle) {
      throw new SecureApiConfigError(`'usagePlans.${name}.throttle' is required: a plan without a throttle lets its clients call at any rate`);
    }
    checkThrottle(`usagePlans.${name}.throttle`, plan.throttle);
    if (plan.quota) {
      if (!plan.quota.period) {
        throw new SecureApiConfigError(`'usagePlans.${name}.quota.period' is required: a quota needs DAY, WEEK or MONTH (got ${plan.quota.period})`);
      }
      if (!Token.isUnresolved(plan.quota.limit) && (!Number.isInteger(plan.quota.limit) || plan.quota.limit < 1)) {
        throw new SecureApiConfigError(`'usagePlans.${name}.quota.limit' must be a positive integer (got ${plan.quota.limit})`);
      }
    }
    for (const [key, throttle] of Object.entries(plan.routeThrottles ?? {})) {
      if (routeKeys && !routeKeys.includes(key)) {
        throw new SecureApiConfigError(`'usagePlans.${name}.routeThrottles' names an unknown route (got '${key}'; routes: ${routeKeys.join(', ') || 'none'})`);
      }
      checkThrottle(`usagePlans.${name}.routeThrottles['${key}']`, throttle);
    }
  }
  const claimValues = new Map<string, string>();
  for (const [name, client] of Object.entries(clients)) {
    if (!NAME.test(name)) {
      throw new SecureApiConfigError(`'clients' names must match ${NAME} (got '${name}')`);
    }
    if (!(client.plan in plans)) {
      throw new SecureApiConfigError(`'clients.${name}.plan' must name a plan in 'usagePlans' (got '${client.plan}'; plans: ${Object.keys(plans).join(', ') || 'none'})`);
    }
    const claimValue = client.claimValue ?? name;
    const other = claimValues.get(claimValue);
    if (other !== undefined) {
      throw new SecureApiConfigError(`'clients.${name}.claimValue' must be unique: '${claimValue}' is also client '${other}'`);
    }
    claimValues.set(claimValue, name);
  }
}

/** Turns `'GET /items/{id}'` into the usage-plan method throttle key `'/items/{id}/GET'`. */
export function usagePlanMethodKey(routeKey: string): string {
  const space = routeKey.indexOf(' ');
  return `${routeKey.slice(space + 1)}/${routeKey.slice(0, space)}`;
}
