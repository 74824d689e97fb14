import { Token } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { IConstruct } from 'constructs';
import { configError } from './errors';

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
  /**
   * Quota for every key in the plan.
   * @default - no quota
   */
  readonly quota?: QuotaOptions;
  /**
   * Per-route throttles, keyed by route key (`'POST /items'`).
   * @default - the plan throttle everywhere
   */
  readonly routeThrottles?: { [routeKey: string]: ThrottleOptions };
  /**
   * Description.
   * @default - "SecureApi usage plan '<name>'"
   */
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

/** Names of usage plans and clients: they become construct ids, resource names and log fields. */
const NAME = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;

/** Validates a throttle prop at `where`; throws a CDK ValidationError at `scope` naming the prop, the rule and the value. */
export function checkThrottle(scope: IConstruct, where: string, t: ThrottleOptions): void {
  if (!Token.isUnresolved(t.rateLimit) && (!(t.rateLimit > 0) || !Number.isFinite(t.rateLimit))) {
    throw configError(scope, `'${where}.rateLimit' must be a positive number (got ${t.rateLimit})`);
  }
  if (!Token.isUnresolved(t.burstLimit) && (!Number.isInteger(t.burstLimit) || t.burstLimit < 1)) {
    throw configError(scope, `'${where}.burstLimit' must be a positive integer (got ${t.burstLimit})`);
  }
}

/** Validates one usage plan (route throttle keys are checked against the route table at synth). */
export function validateUsagePlan(scope: IConstruct, name: string, plan: UsagePlanOptions): void {
  if (!NAME.test(name)) {
    throw configError(scope, `'usagePlans' names must match ${NAME} (got '${name}')`);
  }
  if (!plan.throttle) {
    throw configError(scope, `'usagePlans.${name}.throttle' is required: a plan without a throttle lets its clients call at any rate`);
  }
  checkThrottle(scope, `usagePlans.${name}.throttle`, plan.throttle);
  if (plan.quota) {
    if (!plan.quota.period) {
      throw configError(scope, `'usagePlans.${name}.quota.period' is required: a quota needs DAY, WEEK or MONTH (got ${plan.quota.period})`);
    }
    if (!Token.isUnresolved(plan.quota.limit) && (!Number.isInteger(plan.quota.limit) || plan.quota.limit < 1)) {
      throw configError(scope, `'usagePlans.${name}.quota.limit' must be a positive integer (got ${plan.quota.limit})`);
    }
  }
  for (const [key, throttle] of Object.entries(plan.routeThrottles ?? {})) {
    checkThrottle(scope, `usagePlans.${name}.routeThrottles['${key}']`, throttle);
  }
}

/**
 * Validates one client against the plans and the claim values of the clients before it.
 * @param claimValues claim value → client name of the clients already added
 */
export function validateClient(scope: IConstruct, name: string, client: ApiClientOptions,
  planNames: readonly string[], claimValues: ReadonlyMap<string, string>): void {
  if (!NAME.test(name)) {
    throw configError(scope, `'clients' names must match ${NAME} (got '${name}')`);
  }
  if (!planNames.includes(client.plan)) {
    throw configError(scope, `'clients.${name}.plan' must name a usage plan (got '${client.plan}'; plans: ${planNames.join(', ') || 'none'})`);
  }
  const claimValue = client.claimValue ?? name;
  const other = claimValues.get(claimValue);
  if (other !== undefined) {
    throw configError(scope, `'clients.${name}.claimValue' must be unique: '${claimValue}' is also client '${other}'`);
  }
}

/** Turns `'GET /items/{id}'` into the usage-plan method throttle key `'/items/{id}/GET'`. */
export function usagePlanMethodKey(routeKey: string): string {
  const space = routeKey.indexOf(' ');
  return `${routeKey.slice(space + 1)}/${routeKey.slice(0, space)}`;
}
