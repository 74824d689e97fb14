import { Token } from 'aws-cdk-lib';
import type * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { IConstruct } from 'constructs';
import { CORS_EXPOSE_HEADERS } from './common/cors';
import { configError } from './errors';

/*
 * What CORS adds to a SecureApi besides the preflight methods: the CORS headers of the gateway responses and of
 * WAF's custom block responses, and the WAF rule that blocks requests from origins that are not allowed. Pure
 * builders; the rule itself (which origin gets which headers) is lib/common/cors.ts, shared with the Lambdas.
 *
 * One allowed origin: every answer names it statically. Several: a gateway response can only map a header from the
 * request (`method.request.header.Origin`), which reflects any origin; it is safe because the WAF rule below blocks
 * every request whose Origin is not exactly one of the allowed origins before API Gateway sees it. WAF's own block
 * responses have static headers only, so with several origins they name none: a page sees a failed fetch, not the 429.
 */

/**
 * The `gatewayresponse.header.*` values (API Gateway mapping expressions) of every gateway response with CORS on.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html
 */
export function gatewayResponseCorsHeaders(allowOrigins: readonly string[]): Record<string, string> {
  return {
    'Access-Control-Allow-Origin': allowOrigins.length === 1 ? `'${allowOrigins[0]}'` : 'method.request.header.Origin',
    'Access-Control-Expose-Headers': `'${CORS_EXPOSE_HEADERS.join(',')}'`,
    Vary: "'Origin'",
  };
}

/**
 * The CORS headers of WAF's custom block responses: static values only (WAF has no mapping from the request), so
 * the origin is named only when it is the one allowed origin. `Vary: Origin` either way.
 * @see https://docs.aws.amazon.com/waf/latest/APIReference/API_CustomHTTPHeader.html
 */
export function wafBlockCorsHeaders(allowOrigins: readonly string[]): wafv2.CfnWebACL.CustomHTTPHeaderProperty[] {
  return [
    ...(allowOrigins.length === 1 ? [{ name: 'Access-Control-Allow-Origin', value: allowOrigins[0] }] : []),
    { name: 'Vary', value: 'Origin' },
  ];
}

/**
 * A WAF statement that matches requests with an `Origin` header that is not exactly one of `allowOrigins`.
 * Requests without the header (non-browser callers, same-origin GETs) do not match: WAF evaluates a missing
 * component as no match, and the size check only holds for a header that is present with a value.
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html
 * @see https://docs.aws.amazon.com/waf/latest/developerguide/waf-rate-based-example-limit-missing-header.html
 */
export function disallowedOriginStatement(allowOrigins: readonly string[]): wafv2.CfnWebACL.StatementProperty {
  const origin = { singleHeader: { Name: 'origin' } };
  const none = [{ priority: 0, type: 'NONE' }];
  const exactly = allowOrigins.map((allowed): wafv2.CfnWebACL.StatementProperty => ({
    byteMatchStatement: { fieldToMatch: origin, positionalConstraint: 'EXACTLY', searchString: allowed, textTransformations: none },
  }));
  return {
    andStatement: {
      statements: [
        { sizeConstraintStatement: { fieldToMatch: origin, comparisonOperator: 'GT', size: 0, textTransformations: none } },
        { notStatement: { statement: exactly.length === 1 ? exactly[0] : { orStatement: { statements: exactly } } } },
      ],
    },
  };
}

/**
 * Longest origin: WAF matches at most 200 bytes of a search string.
 * @see https://docs.aws.amazon.com/waf/latest/APIReference/API_ByteMatchStatement.html
 */
const MAX_ORIGIN_LENGTH = 200;

/**
 * Validates a list of CORS origins: at least one; each an https origin as browsers serialize it in the `Origin`
 * header (lowercase, no path, no default port), without wildcards, since the WAF rule and the headers compare it
 * byte for byte. Unresolved tokens are skipped.
 * @see https://html.spec.whatwg.org/multipage/browsers.html#ascii-serialisation-of-an-origin
 */
export function validateCorsOrigins(scope: IConstruct, prop: string, origins: readonly string[]): void {
  if (origins.length === 0) {
    throw configError(scope, `'${prop}' must list at least one origin: leave 'cors' undefined for no CORS`);
  }
  for (const origin of origins) {
    if (Token.isUnresolved(origin)) continue;
    if (origin === '*' || !/^https:\/\/[^/*\s]+$/.test(origin)) {
      throw configError(scope, `'${prop}' entries must be https origins without wildcards or paths, such as 'https://app.example.com' (got '${origin}')`);
    }
    if (origin !== origin.toLowerCase() || origin.endsWith(':443')) {
      throw configError(scope, `'${prop}' entries must be written as browsers send them in the Origin header: lowercase, without the default port 443 (got '${origin}')`);
    }
    if (origin.length > MAX_ORIGIN_LENGTH) {
      throw configError(scope, `'${prop}' entries must be at most ${MAX_ORIGIN_LENGTH} characters, what WAF can match (got ${origin.length})`);
    }
  }
}
