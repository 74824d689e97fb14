/**
 * API Gateway's request validation: required request parameters (present and not blank) and the request body
 * against the method's model for the request's content type, with JSON Schema draft-04 as API Gateway uses
 * (ajv-draft-04). As in API Gateway, a body whose content type has no model (and no `$default` model) is not
 * validated, and a request without Content-Type is taken as `application/json`.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-method-request-validation.html
 */
import Ajv04 from 'ajv-draft-04';
import type { ErrorObject, ValidateFunction } from 'ajv';
import type { LocalMethod } from './api-model';

/** The result of a validation: fine, or the gateway response type and API Gateway's messages. */
export type ValidationResult =
  | { readonly ok: true }
  | { readonly ok: false; readonly type: 'BAD_REQUEST_BODY' | 'BAD_REQUEST_PARAMETERS'; readonly message: string; readonly validationErrorString: string };

/** The request parts validation looks at. */
export interface ValidatedRequest {
  /** Lowercase header names. */
  readonly headers: Record<string, string>;
  readonly query: Record<string, string>;
  readonly pathParameters: Record<string, string>;
  /** The body as text, or null. */
  readonly body: string | null;
}

/** The URL API Gateway gives a model, which other models can `$ref`. */
function modelUrl(apiId: string, name: string): string {
  return `https://apigateway.amazonaws.com/restapis/${apiId}/models/${name}`;
}

/** One line per error, in the spirit of API Gateway's validator messages. */
function describe(error: ErrorObject): string {
  const at = error.instancePath === '' ? '' : ` at ${error.instancePath}`;
  switch (error.keyword) {
    case 'required':
      return `object has missing required properties (["${(error.params as { missingProperty: string }).missingProperty}"])${at}`;
    case 'additionalProperties':
      return `object instance has properties which are not allowed by the schema: ["${(error.params as { additionalProperty: string }).additionalProperty}"]${at}`;
    case 'type':
      return `instance type does not match any allowed primitive type (allowed: ${JSON.stringify([(error.params as { type: string }).type].flat())})${at}`;
    default:
      return `${error.message ?? error.keyword}${at}`;
  }
}

/** Validates requests against the API's models. */
export class RequestValidator {
  private readonly ajv: Ajv04;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly apiId: string, models: ReadonlyMap<string, object>) {
    this.ajv = new Ajv04({ allErrors: true, strict: false, validateFormats: false });
    for (const [name, schema] of models) {
      const { id: _id, $id: _$id, ...rest } = schema as Record<string, unknown>;
      this.ajv.addSchema(rest, modelUrl(apiId, name));
    }
  }

  /** Checks the parameters the method marks as required. */
  public validateParameters(method: LocalMethod, request: ValidatedRequest): ValidationResult {
    const missing: string[] = [];
    for (const [key, required] of Object.entries(method.requestParameters)) {
      if (!required) continue;
      const match = /^method\.request\.(header|querystring|path)\.(.+)$/.exec(key);
      if (!match) continue;
      const [, where, name] = match;
      const value = where === 'header' ? request.headers[name.toLowerCase()]
        : where === 'querystring' ? request.query[name] : request.pathParameters[name];
      if (value === undefined || value.trim() === '') missing.push(name);
    }
    if (missing.length === 0) return { ok: true };
    return {
      ok: false,
      type: 'BAD_REQUEST_PARAMETERS',
      message: `Missing required request parameters: [${missing.join(', ')}]`,
      validationErrorString: `Missing required request parameters: [${missing.join(', ')}]`,
    };
  }

  /** Checks the body against the model for its content type, if there is one. */
  public validateBody(method: LocalMethod, request: ValidatedRequest): ValidationResult {
    const contentType = (request.headers['content-type'] ?? 'application/json').split(';')[0].trim().toLowerCase();
    const modelName = Object.entries(method.requestModels).find(([type]) => type.toLowerCase() === contentType)?.[1]
      ?? method.requestModels.$default;
    if (modelName === undefined) return { ok: true };
    let validate = this.compiled.get(modelName);
    if (validate === undefined) {
      const found = this.ajv.getSchema(modelUrl(this.apiId, modelName));
      if (found === undefined) throw new Error(`model ${modelName} is not defined`);
      validate = found;
      this.compiled.set(modelName, validate);
    }
    let value: unknown;
    try {
      value = request.body === null || request.body === '' ? {} : JSON.parse(request.body);
    } catch {
      return { ok: false, type: 'BAD_REQUEST_BODY', message: 'Invalid request body', validationErrorString: '[Invalid JSON in request body]' };
    }
    if (validate(value)) return { ok: true };
    return {
      ok: false,
      type: 'BAD_REQUEST_BODY',
      message: 'Invalid request body',
      validationErrorString: `[${(validate.errors ?? []).map(describe).join(', ')}]`,
    };
  }
}
