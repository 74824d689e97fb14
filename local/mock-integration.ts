/**
 * The MOCK integration: the answer is the method's integration response, its mapping template rendered against
 * the request (CDK's CORS preflight picks the request's origin in one).
 */
import type { LocalIntegration, LocalMethod } from './api-model';
import { GatewayRefusal } from './gateway-refusal';
import { renderMappingTemplate, UnsupportedTemplateError } from './mapping-template';
import type { RouteMatch } from './proxy-event';
import { headerPairs, RequestState } from './request-state';
import type { OutgoingResponse } from './response-writer';

/** The answer of a MOCK integration; a template the emulator cannot render is API_CONFIGURATION_ERROR. */
export function mockIntegrationResponse(method: LocalMethod, mock: NonNullable<LocalIntegration['mockResponse']>,
  rawHeaders: string[], state: RequestState, match: RouteMatch, log?: (line: string) => void): OutgoingResponse {
  let rendered;
  try {
    // The integration response template (CDK's CORS preflight picks the request's origin in one).
    rendered = renderMappingTemplate(mock.body, { headers: new Map(headerPairs(rawHeaders)), query: state.query, pathParameters: match.pathParameters });
  } catch (err) {
    if (!(err instanceof UnsupportedTemplateError)) throw err;
    log?.(`  ${method.logicalId}: mapping template not emulated: ${err.message}`);
    throw new GatewayRefusal('API_CONFIGURATION_ERROR', { message: 'Internal server error' });
  }
  const statusCode = rendered.status ?? mock.statusCode;
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', ...mock.headers, ...rendered.headers },
    body: Buffer.from(statusCode === 204 ? '' : rendered.body),
  };
}
