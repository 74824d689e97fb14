/**
 * CORS in the template: with `cors` set, every answer a browser reads carries the CORS headers of an allowed origin
 * only — the gateway responses, WAF's custom block responses — and WAF blocks other origins first; without it,
 * none of that. (Lambda proxy integrations send their own: test/common/cors.test.ts, test/demo.)
 *
 * AWS behaviour these rely on, from the AWS docs:
 * - gateway response headers are static values or mappings from the request, e.g. `method.request.header.Origin`:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html
 * - WAF custom (block) responses take precedence over gateway responses, WAF_FILTERED included:
 *   https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
 * - a request without the inspected header does not match a WAF statement:
 *   https://docs.aws.amazon.com/waf/latest/developerguide/waf-rule-statement-fields-list.html
 */
import { RemovalPolicy } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as kms from 'aws-cdk-lib/aws-kms';
import { EdgeFirewall, SecureApiProps } from '../../lib';
import { newStack, synth, validationErrorOf } from './helpers';

const resourcesOf = (template: Template, type: string) => Object.values(template.findResources(type)) as any[];

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com:8443';

/** Every gateway response type the construct defines: 18 of them. */
function gatewayResponses(template: Template): Array<{ type: string; headers: Record<string, string> }> {
  return resourcesOf(template, 'AWS::ApiGateway::GatewayResponse').map((r) => ({
    type: r.Properties.ResponseType,
    headers: Object.fromEntries(Object.entries(r.Properties.ResponseParameters as Record<string, string>)
      .map(([key, value]) => [key.replace(/^gatewayresponse\.header\./, ''), value])),
  }));
}

function webAcl(template: Template): any {
  const [acl] = resourcesOf(template, 'AWS::WAFv2::WebACL');
  return acl.Properties;
}

/** The rules that block with a custom response, by name: their response headers. */
function customResponseHeaders(template: Template): Record<string, unknown> {
  return Object.fromEntries(webAcl(template).Rules
    .filter((rule: any) => rule.Action?.Block?.CustomResponse)
    .map((rule: any) => [rule.Name, rule.Action.Block.CustomResponse.ResponseHeaders]));
}

const CORS_HEADER = /^(access-control-|vary$)/i;

describe('without cors', () => {
  const { template, api } = synth();

  test('no gateway response carries a CORS header or Vary', () => {
    const responses = gatewayResponses(template);
    expect(responses).toHaveLength(18);
    expect(responses.flatMap((r) => Object.keys(r.headers).filter((h) => CORS_HEADER.test(h)))).toEqual([]);
  });

  test('no WAF custom response carries headers, and there is no Origin rule', () => {
    const headers = customResponseHeaders(template);
    expect(Object.keys(headers).sort()).toEqual(['BodySizeLimit', 'RateLimitPerCaller', 'RateLimitPerIp']);
    expect(Object.values(headers)).toEqual([undefined, undefined, undefined]);
  });

  test('the API hands functions no CORS environment', () => {
    expect(api.corsAllowOrigins).toEqual([]);
    expect(api.corsEnvironment).toEqual({});
  });
});

describe('cors with one origin', () => {
  const { template, api } = synth({ cors: { allowOrigins: [APP] }, waf: { denyCidrs: ['198.51.100.0/24'], blockedCountries: ['KP'] } });

  test('every gateway response names the origin statically, varies on Origin and exposes the request id', () => {
    const responses = gatewayResponses(template);
    expect(responses).toHaveLength(18);
    for (const { type, headers } of responses) {
      expect([type, headers['Access-Control-Allow-Origin'], headers.Vary, headers['Access-Control-Expose-Headers']])
        .toEqual([type, `'${APP}'`, "'Origin'", "'x-amzn-RequestId'"]);
    }
  });

  test('the security headers and the 401 challenge stay on the gateway responses', () => {
    const unauthorized = gatewayResponses(template).find((r) => r.type === 'UNAUTHORIZED')!;
    expect(unauthorized.headers).toMatchObject({ 'WWW-Authenticate': "'Bearer'", 'X-Content-Type-Options': "'nosniff'", 'Cache-Control': "'no-store'" });
  });

  test('every WAF custom block response but the Origin rule\'s names the origin and varies on Origin', () => {
    const headers = customResponseHeaders(template);
    const withOrigin = [{ Name: 'Access-Control-Allow-Origin', Value: APP }, { Name: 'Vary', Value: 'Origin' }];
    expect(headers).toEqual({
      DisallowedOrigin: [{ Name: 'Vary', Value: 'Origin' }],
      DenyListV4: withOrigin,
      BlockedCountries: withOrigin,
      RateLimitPerIp: withOrigin,
      RateLimitPerCaller: withOrigin,
      BodySizeLimit: withOrigin,
    });
  });

  test('WAF first blocks (403) a request whose Origin header is present and not exactly the origin', () => {
    const [first] = webAcl(template).Rules;
    const origin = { SingleHeader: { Name: 'origin' } };
    const none = [{ Priority: 0, Type: 'NONE' }];
    expect(first).toMatchObject({
      Name: 'DisallowedOrigin',
      Priority: 0,
      Action: { Block: { CustomResponse: { ResponseCode: 403, CustomResponseBodyKey: 'forbidden' } } },
      Statement: {
        AndStatement: {
          Statements: [
            { SizeConstraintStatement: { FieldToMatch: origin, ComparisonOperator: 'GT', Size: 0, TextTransformations: none } },
            { NotStatement: { Statement: { ByteMatchStatement: { FieldToMatch: origin, PositionalConstraint: 'EXACTLY', SearchString: APP, TextTransformations: none } } } },
          ],
        },
      },
    });
  });

  test('the other rules keep their order after the Origin rule', () => {
    expect(webAcl(template).Rules.slice(0, 6).map((r: any) => [r.Priority, r.Name])).toEqual([
      [0, 'DisallowedOrigin'], [1, 'DenyListV4'], [2, 'BlockedCountries'], [3, 'RateLimitPerIp'], [4, 'RateLimitPerCaller'], [5, 'BodySizeLimit'],
    ]);
  });

  test('the API hands functions the origin in SECURE_API_CORS_ALLOW_ORIGINS', () => {
    expect(api.corsAllowOrigins).toEqual([APP]);
    expect(api.corsEnvironment).toEqual({ SECURE_API_CORS_ALLOW_ORIGINS: APP });
  });
});

describe('cors with several origins', () => {
  const { template, api } = synth({ cors: { allowOrigins: [APP, ADMIN] } });

  test('every gateway response reflects the request\'s Origin (safe behind the Origin rule) and varies on it', () => {
    for (const { type, headers } of gatewayResponses(template)) {
      expect([type, headers['Access-Control-Allow-Origin'], headers.Vary]).toEqual([type, 'method.request.header.Origin', "'Origin'"]);
    }
  });

  test('WAF custom block responses vary on Origin but name none: their headers are static', () => {
    const headers = customResponseHeaders(template);
    expect(headers).toEqual({
      DisallowedOrigin: [{ Name: 'Vary', Value: 'Origin' }],
      RateLimitPerIp: [{ Name: 'Vary', Value: 'Origin' }],
      RateLimitPerCaller: [{ Name: 'Vary', Value: 'Origin' }],
      BodySizeLimit: [{ Name: 'Vary', Value: 'Origin' }],
    });
  });

  test('the Origin rule admits exactly the listed origins', () => {
    const [first] = webAcl(template).Rules;
    expect(first.Name).toBe('DisallowedOrigin');
    const [present, notAllowed] = first.Statement.AndStatement.Statements;
    expect(present.SizeConstraintStatement).toMatchObject({ ComparisonOperator: 'GT', Size: 0 });
    expect(notAllowed.NotStatement.Statement.OrStatement.Statements.map((s: any) => [s.ByteMatchStatement.PositionalConstraint, s.ByteMatchStatement.SearchString]))
      .toEqual([['EXACTLY', APP], ['EXACTLY', ADMIN]]);
  });

  test('the preflight answers each listed origin (CDK\'s template picks it), the first one statically', () => {
    const options = resourcesOf(template, 'AWS::ApiGateway::Method').filter((m) => m.Properties.HttpMethod === 'OPTIONS');
    expect(options.length).toBeGreaterThan(0);
    for (const method of options) {
      const [response] = method.Properties.Integration.IntegrationResponses;
      expect(response.ResponseParameters['method.response.header.Access-Control-Allow-Origin']).toBe(`'${APP}'`);
      expect(response.ResponseTemplates['application/json']).toContain(`$origin == "${ADMIN}"`);
    }
  });

  test('the API hands functions both origins', () => {
    expect(api.corsEnvironment).toEqual({ SECURE_API_CORS_ALLOW_ORIGINS: `${APP},${ADMIN}` });
  });
});

describe('invalid cors origins', () => {
  const fails = (props: Partial<SecureApiProps>, message: RegExp) => {
    const error = validationErrorOf(() => synth(props));
    expect(error.message).toMatch(message);
  };

  test.each([
    ['an empty list', [], /'cors.allowOrigins' must list at least one origin/],
    ['an http origin', ['http://app.example.com'], /'cors.allowOrigins' entries must be https origins .*\(got 'http:\/\/app.example.com'\)/],
    ['a path', ['https://app.example.com/'], /entries must be https origins without wildcards or paths, .*\(got 'https:\/\/app.example.com\/'\)/],
    ['uppercase letters', ['https://App.example.com'], /entries must be written as browsers send them in the Origin header: lowercase, without the default port 443 \(got 'https:\/\/App.example.com'\)/],
    ['the default port', ['https://app.example.com:443'], /without the default port 443 \(got 'https:\/\/app.example.com:443'\)/],
    ['an origin longer than WAF can match', [`https://${'a'.repeat(190)}.example`], /entries must be at most 200 characters, what WAF can match \(got 206\)/],
  ])('rejects %s', (_name, allowOrigins, message) => fails({ cors: { allowOrigins: allowOrigins as string[] } }, message));

  test('an EdgeFirewall on its own names its allowOrigins prop', () => {
    const stack = newStack();
    const logKey = new kms.Key(stack, 'Key', { enableKeyRotation: true });
    expect(() => new EdgeFirewall(stack, 'Firewall', {
      stageArn: 'arn:aws:apigateway:eu-west-1::/restapis/abc/stages/prod', logKey, logRetention: 365, logRemovalPolicy: RemovalPolicy.RETAIN,
      allowOrigins: ['*'],
    })).toThrow(/^EdgeFirewall at 'TestStack\/Firewall': 'allowOrigins' entries must be https origins .*\(got '\*'\)/);
  });
});
