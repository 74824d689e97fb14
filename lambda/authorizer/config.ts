/**
 * Reads and validates the {@link AuthorizerConfig} the construct ships in the function's configuration layer.
 * Validation is strict (unknown keys are rejected) so that a typo cannot silently drop a security control: the
 * function then fails at init with a message that names the setting, the rule and the value.
 */
import { readFileSync } from 'node:fs';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import {
  AUTHORIZER_CONFIG_FILE_ENV, AUTHORIZER_CONFIG_REFS_ENV, AuthorizerConfig, CONFIG_REFERENCE_PREFIX, TENANT_PLACEHOLDER,
} from '../../lib/common/authorizer-config';
import { RouteTableError, validateRouteTable } from '../../lib/common/route-model';
import { AuthorizerConfigError } from './errors';

const PREFIX = 'AuthorizerConfig:';

function show(value: unknown): string {
  const json = JSON.stringify(value);
  return json === undefined ? String(value) : json;
}

function fail(setting: string, rule: string, value: unknown): never {
  throw new AuthorizerConfigError(`${PREFIX} '${setting}' ${rule} (got ${show(value)})`);
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function checkKeys(setting: string, value: Record<string, unknown>, known: string[]): void {
  const unknown = Object.keys(value).filter((key) => !known.includes(key));
  if (unknown.length > 0) {
    throw new AuthorizerConfigError(`${PREFIX} '${setting}' has unknown keys (got ${unknown.join(', ')})`);
  }
}

function nonEmptyString(setting: string, value: unknown): string {
  if (typeof value !== 'string' || value.length === 0) fail(setting, 'must be a non-empty string', value);
  return value;
}

function positiveNumber(setting: string, value: unknown, options: { integer?: boolean; allowZero?: boolean } = {}): number {
  const ok = typeof value === 'number' && Number.isFinite(value)
    && (options.allowZero ? value >= 0 : value > 0) && (!options.integer || Number.isInteger(value));
  if (!ok) {
    fail(setting, `must be a ${options.allowZero ? 'non-negative' : 'positive'} ${options.integer ? 'integer' : 'number'}`, value);
  }
  return value as number;
}

function httpsUrl(setting: string, value: unknown): string {
  nonEmptyString(setting, value);
  let url: URL;
  try {
    url = new URL(value as string);
  } catch {
    fail(setting, 'must be an https URL', value);
  }
  if (url.protocol !== 'https:') fail(setting, 'must be an https URL', value);
  return value as string;
}

/**
 * The issuer values a Cognito user pool signs with: the regional form and the newer global form, both of which
 * aws-jwt-verify's CognitoJwtVerifier accepts for a pool.
 */
export function cognitoIssuers(userPoolId: string): string[] {
  const regional = CognitoJwtVerifier.parseUserPoolId(userPoolId).issuer;
  const region = userPoolId.split('_')[0];
  return [regional, `https://issuer-cognito-idp.${region}.amazonaws.com/${userPoolId}`];
}

function validateIssuer(value: unknown, index: number, seen: Set<string>): void {
  const at = `issuers[${index}]`;
  if (!isObject(value)) fail(at, 'must be an object', value);
  checkKeys(at, value, ['issuer', 'audience', 'jwksUri', 'anyTenant', 'cognito']);
  const issuer = nonEmptyString(`${at}.issuer`, value.issuer);
  if (seen.has(issuer)) fail(`${at}.issuer`, 'must not repeat an issuer', issuer);
  seen.add(issuer);
  const audience = value.audience;
  if (audience !== null) {
    if (!Array.isArray(audience) || audience.length === 0) {
      fail(`${at}.audience`, 'must be a non-empty array of strings, or null to opt out of the audience check', audience);
    }
    audience.forEach((aud, i) => nonEmptyString(`${at}.audience[${i}]`, aud));
  }
  const jwksUri = httpsUrl(`${at}.jwksUri`, value.jwksUri);
  if (value.anyTenant !== undefined) {
    const anyTenant = value.anyTenant;
    if (!isObject(anyTenant)) fail(`${at}.anyTenant`, 'must be an object', anyTenant);
    checkKeys(`${at}.anyTenant`, anyTenant, ['claim']);
    nonEmptyString(`${at}.anyTenant.claim`, anyTenant.claim);
    if (issuer.split(TENANT_PLACEHOLDER).length !== 2) fail(`${at}.issuer`, `must contain '${TENANT_PLACEHOLDER}' exactly once with 'anyTenant'`, issuer);
    if (jwksUri.includes(TENANT_PLACEHOLDER)) fail(`${at}.jwksUri`, `must not depend on the tenant with 'anyTenant'`, jwksUri);
    if (value.cognito !== undefined) fail(`${at}.cognito`, "must not be set with 'anyTenant'", value.cognito);
  }
  if (value.cognito === undefined) return;
  const cognito = value.cognito;
  if (!isObject(cognito)) fail(`${at}.cognito`, 'must be an object', cognito);
  checkKeys(`${at}.cognito`, cognito, ['userPoolId', 'tokenUse']);
  const userPoolId = nonEmptyString(`${at}.cognito.userPoolId`, cognito.userPoolId);
  let issuers: string[];
  try {
    issuers = cognitoIssuers(userPoolId);
  } catch {
    fail(`${at}.cognito.userPoolId`, 'must be a Cognito user pool id such as eu-west-1_AbC123', userPoolId);
  }
  if (cognito.tokenUse !== 'access' && cognito.tokenUse !== 'id') {
    fail(`${at}.cognito.tokenUse`, "must be 'access' or 'id'", cognito.tokenUse);
  }
  // CognitoJwtVerifier derives the issuer and the JWKS URI from the pool id; a different value here would be ignored.
  if (!issuers.includes(issuer)) fail(`${at}.issuer`, `must be the issuer of user pool ${userPoolId} (${issuers[0]})`, issuer);
  if (jwksUri !== `${issuer}/.well-known/jwks.json`) {
    fail(`${at}.jwksUri`, `must be the JWKS of user pool ${userPoolId} (${issuer}/.well-known/jwks.json)`, jwksUri);
  }
}

/**
 * Checks a configuration object.
 * @throws AuthorizerConfigError naming the setting, the rule and the value.
 */
export function validateAuthorizerConfig(config: unknown): asserts config is AuthorizerConfig {
  if (!isObject(config)) fail('(root)', 'must be an object', config);
  checkKeys('(root)', config, ['issuers', 'routes', 'clockSkewSeconds', 'maxTokenBytes', 'maxTokenLifetimeSeconds',
    'jwksTimeoutMs', 'jwksMaxAgeSeconds', 'tenantClaim', 'principalClaims', 'apiKey']);
  if (!Array.isArray(config.issuers) || config.issuers.length === 0) {
    fail('issuers', 'must be a non-empty array', config.issuers);
  }
  const seen = new Set<string>();
  config.issuers.forEach((issuer, index) => validateIssuer(issuer, index, seen));
  try {
    validateRouteTable(config.routes as never);
  } catch (err) {
    if (err instanceof RouteTableError) {
      throw new AuthorizerConfigError(`${PREFIX} 'routes' is invalid: ${err.message}`, { cause: err });
    }
    throw err;
  }
  positiveNumber('clockSkewSeconds', config.clockSkewSeconds, { allowZero: true });
  positiveNumber('maxTokenBytes', config.maxTokenBytes, { integer: true });
  if (config.maxTokenLifetimeSeconds !== undefined) positiveNumber('maxTokenLifetimeSeconds', config.maxTokenLifetimeSeconds);
  positiveNumber('jwksTimeoutMs', config.jwksTimeoutMs);
  if (config.jwksMaxAgeSeconds !== undefined) positiveNumber('jwksMaxAgeSeconds', config.jwksMaxAgeSeconds);
  if (config.tenantClaim !== undefined) nonEmptyString('tenantClaim', config.tenantClaim);
  if (config.principalClaims !== undefined) {
    const names = config.principalClaims;
    if (!Array.isArray(names) || names.length === 0 || new Set(names).size !== names.length) {
      fail('principalClaims', 'must be a non-empty array of distinct claim names', names);
    }
    names.forEach((name, i) => nonEmptyString(`principalClaims[${i}]`, name));
  }
  if (config.apiKey !== undefined) {
    const apiKey = config.apiKey;
    if (!isObject(apiKey)) fail('apiKey', 'must be an object', apiKey);
    checkKeys('apiKey', apiKey, ['claim', 'keyIds']);
    nonEmptyString('apiKey.claim', apiKey.claim);
    if (!isObject(apiKey.keyIds) || Object.keys(apiKey.keyIds).length === 0) {
      fail('apiKey.keyIds', 'must map at least one client to an API key id', apiKey.keyIds);
    }
    for (const [client, keyId] of Object.entries(apiKey.keyIds)) nonEmptyString(`apiKey.keyIds.${client}`, keyId);
  }
}

/**
 * Parses the configuration JSON the construct writes, putting the deploy-time values in place of their markers.
 * @param raw the file's content.
 * @param references the deploy-time values (the JSON array of {@link AUTHORIZER_CONFIG_REFS_ENV}), if any.
 * @param source where the file was read from, for messages.
 * @throws AuthorizerConfigError when the value is empty, not JSON, refers to a value that is missing, or is not a
 * valid configuration.
 */
export function parseAuthorizerConfig(raw: string, references?: string, source: string = 'the configuration'): AuthorizerConfig {
  if (raw.trim() === '') throw new AuthorizerConfigError(`${PREFIX} ${source} is empty`);
  let values: unknown = [];
  if (references !== undefined) {
    try {
      values = JSON.parse(references);
    } catch (err) {
      throw new AuthorizerConfigError(`${PREFIX} environment variable ${AUTHORIZER_CONFIG_REFS_ENV} is not valid JSON: ${(err as Error).message}`, { cause: err });
    }
    if (!Array.isArray(values) || values.some((value) => typeof value !== 'string')) {
      fail(AUTHORIZER_CONFIG_REFS_ENV, 'must be a JSON array of strings', values);
    }
  }
  const refs = values as string[];
  let parsed: unknown;
  try {
    // The reviver costs more than the parse: only a file with markers needs it.
    parsed = !raw.includes(MARKER_IN_JSON) ? JSON.parse(raw) : JSON.parse(raw, (_key, value: unknown) => {
      if (typeof value !== 'string' || !value.startsWith(CONFIG_REFERENCE_PREFIX)) return value;
      const index = Number(value.slice(CONFIG_REFERENCE_PREFIX.length));
      if (!Number.isInteger(index) || index < 0 || index >= refs.length) {
        throw new AuthorizerConfigError(`${PREFIX} ${source} refers to deploy-time value ${index}, which environment `
          + `variable ${AUTHORIZER_CONFIG_REFS_ENV} does not hold (it holds ${refs.length})`);
      }
      return refs[index];
    });
  } catch (err) {
    if (err instanceof AuthorizerConfigError) throw err;
    throw new AuthorizerConfigError(`${PREFIX} ${source} is not valid JSON: ${(err as Error).message}`, { cause: err });
  }
  validateAuthorizerConfig(parsed);
  validated.add(deepFreeze(parsed));
  return parsed;
}

/** How {@link CONFIG_REFERENCE_PREFIX} appears inside the JSON text (its NUL escaped). */
const MARKER_IN_JSON = JSON.stringify(CONFIG_REFERENCE_PREFIX).slice(1, -1);

/** Configurations already validated and frozen, so that createAuthorizer need not check them again. */
const validated = new WeakSet<object>();

/** True when `config` came from {@link parseAuthorizerConfig} (validated, and frozen so it cannot have changed since). */
export function isValidatedConfig(config: object): boolean {
  return validated.has(config);
}

function deepFreeze<T extends object>(value: T): T {
  for (const member of Object.values(value)) {
    if (typeof member === 'object' && member !== null && !Object.isFrozen(member)) deepFreeze(member);
  }
  return Object.freeze(value);
}

/**
 * Reads and parses the configuration file the construct ships in the authorizer's configuration layer.
 * @param file its path, from the environment variable {@link AUTHORIZER_CONFIG_FILE_ENV}.
 * @param references the deploy-time values, from the environment variable {@link AUTHORIZER_CONFIG_REFS_ENV}.
 * @throws AuthorizerConfigError when the variable is not set, or the file is missing, unreadable or invalid.
 */
export function readAuthorizerConfig(file: string | undefined, references?: string): AuthorizerConfig {
  if (file === undefined || file.trim() === '') {
    throw new AuthorizerConfigError(`${PREFIX} environment variable ${AUTHORIZER_CONFIG_FILE_ENV} is not set`);
  }
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch (err) {
    throw new AuthorizerConfigError(`${PREFIX} cannot read the configuration file ${file} `
      + `(${(err as NodeJS.ErrnoException).code ?? 'error'}): is the authorizer's configuration layer attached?`, { cause: err });
  }
  return parseAuthorizerConfig(raw, references, `the configuration file ${file}`);
}
