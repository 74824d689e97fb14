/**
 * The local emulator's CORS parts, on a synthesized SecureApi with two origins: CDK's preflight mapping template
 * (which picks the request's origin), WAF's Origin rule, and the gateway responses' `method.request.header.Origin`
 * mapping, each rendered as API Gateway and WAF would.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-swagger-extensions-gateway-responses.responseParameters.html
 */
import type { LocalGatewayResponse } from '../../local/api-model';
import { LocalFirewall } from '../../local/firewall';
import { GatewayResponseContext, renderGatewayResponse } from '../../local/gateway-responses';
import type { CfnTemplate } from '../../local/intrinsics';
import { renderMappingTemplate, TemplateRequest, UnsupportedTemplateError } from '../../local/mapping-template';
import { synth } from '../lib/helpers';

const APP = 'https://app.example.com';
const ADMIN = 'https://admin.example.com';
const EVIL = 'https://evil.example.com';

const withCors = synth({ cors: { allowOrigins: [APP, ADMIN] } }).template.toJSON() as CfnTemplate;
const withoutCors = synth().template.toJSON() as CfnTemplate;

const resources = (template: CfnTemplate, type: string) => Object.values(template.Resources).filter((r) => r.Type === type) as any[];

const request = (headers: Record<string, string>): TemplateRequest => ({ headers: new Map(Object.entries(headers)), query: {}, pathParameters: {} });

describe("CDK's preflight mapping template", () => {
  const [preflight] = resources(withCors, 'AWS::ApiGateway::Method').filter((m) => m.Properties.HttpMethod === 'OPTIONS');
  const template: string = preflight.Properties.Integration.IntegrationResponses[0].ResponseTemplates['application/json'];

  test('answers a later listed origin with that origin, and writes no body', () => {
    expect(renderMappingTemplate(template, request({ Origin: ADMIN }))).toEqual({ body: '', headers: { 'Access-Control-Allow-Origin': ADMIN }, status: undefined });
  });

  test('overrides nothing for the first origin (the static header names it) or any other origin', () => {
    for (const origin of [APP, EVIL, `${ADMIN}.evil.example.com`]) {
      expect([origin, renderMappingTemplate(template, request({ Origin: origin })).headers]).toEqual([origin, {}]);
    }
    expect(renderMappingTemplate(template, request({})).headers).toEqual({});
  });

  test('text, $!ref, #else and responseOverride.status render; other VTL is refused', () => {
    const rendered = renderMappingTemplate('#set($a = $input.params("x"))\n#if($a != "1")no#else\nyes $a $!missing\n#end\n#set($context.responseOverride.status = "418")',
      { headers: new Map([['x', '1']]), query: {}, pathParameters: {} });
    expect(rendered).toEqual({ body: 'yes 1 \n', headers: {}, status: 418 });
    for (const unsupported of ['#foreach($x in $list)#end', '$util.escapeJavaScript("x")', '#if($a)', '#set($a = $input.body)']) {
      expect(() => renderMappingTemplate(unsupported, request({}))).toThrow(UnsupportedTemplateError);
    }
  });
});

describe("WAF's Origin rule", () => {
  const firewall = new LocalFirewall(withCors);

  test('is the only rule judged locally: the others need AWS', () => {
    expect(firewall.emulatedRules).toEqual(['DisallowedOrigin']);
    expect(new LocalFirewall(withoutCors).emulatedRules).toEqual([]);
  });

  test('blocks another origin with its custom 403, which names no origin', () => {
    expect(firewall.evaluate({ origin: EVIL })).toEqual({
      rule: 'DisallowedOrigin',
      response: { statusCode: 403, headers: { 'Content-Type': 'application/json', 'Vary': 'Origin' }, body: '{"message":"Forbidden"}' },
    });
    expect(firewall.evaluate({ origin: 'null' })?.rule).toBe('DisallowedOrigin');
    expect(firewall.evaluate({ origin: APP.toUpperCase() })?.rule).toBe('DisallowedOrigin');
  });

  test('lets the allowed origins through, and requests without an Origin (or with an empty one)', () => {
    for (const headers of [{ origin: APP }, { origin: ADMIN }, {}, { origin: '' }] as Array<Record<string, string>>) {
      expect([headers, firewall.evaluate(headers)]).toEqual([headers, undefined]);
    }
  });
});

describe('gateway responses that map the request Origin', () => {
  const responses = new Map<string, LocalGatewayResponse>(resources(withCors, 'AWS::ApiGateway::GatewayResponse').map((r) => [r.Properties.ResponseType, {
    type: r.Properties.ResponseType,
    statusCode: r.Properties.StatusCode === undefined ? undefined : Number(r.Properties.StatusCode),
    headers: Object.fromEntries(Object.entries(r.Properties.ResponseParameters as Record<string, string>)
      .map(([k, v]) => [k.replace(/^gatewayresponse\.header\./, ''), v])),
    templates: r.Properties.ResponseTemplates,
  }]));
  const ctx = (headers: Record<string, string>): GatewayResponseContext => ({ context: { requestId: 'r-1' }, headers, query: {}, pathParameters: {}, stageVariables: {} });

  test('reflect the Origin header (which WAF has already limited to the allowed origins), with Vary and the exposed request id', () => {
    const rendered = renderGatewayResponse(responses, 'UNAUTHORIZED', ctx({ origin: ADMIN }));
    expect(rendered.statusCode).toBe(401);
    expect(rendered.headers).toMatchObject({ 'Access-Control-Allow-Origin': ADMIN, 'Vary': 'Origin', 'Access-Control-Expose-Headers': 'x-amzn-RequestId' });
  });

  test('send no Access-Control-Allow-Origin when the request has no Origin', () => {
    const rendered = renderGatewayResponse(responses, 'ACCESS_DENIED', ctx({}));
    expect(rendered.headers['Access-Control-Allow-Origin']).toBeUndefined();
    expect(rendered.headers.Vary).toBe('Origin');
  });
});
