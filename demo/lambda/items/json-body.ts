/**
 * Reads a JSON request body defensively: media type, size cap, syntax, a top-level object, and no member names
 * that are repeated or that name prototype machinery.
 */
import { TextDecoder } from 'node:util';
import {
  PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError,
} from './errors';

/** Default cap on the request body, in bytes (16 KiB): far above the largest valid item. */
export const DEFAULT_MAX_BODY_BYTES = 16 * 1024;

/** Deepest nesting of arrays and objects accepted; the item schemas need 2. */
export const MAX_JSON_DEPTH = 16;

/**
 * Member names refused anywhere in a body. JSON.parse makes them ordinary own properties, but code that later
 * copies or merges objects may not, so they never get that far.
 */
export const FORBIDDEN_MEMBER_NAMES: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/** The parts of a proxy event that carry a body. */
export interface JsonBodyRequest {
  readonly body: string | null;
  readonly isBase64Encoded?: boolean;
  readonly headers?: { readonly [name: string]: string | undefined } | null;
}

/** Options of {@link readJsonObject}. */
export interface JsonBodyOptions {
  /** Largest accepted body, in bytes (of UTF-8). */
  readonly maxBytes: number;
}

const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });

/** A lone (unpaired) UTF-16 surrogate: JSON allows `"\ud800"`, but it is not text and DynamoDB cannot store it. */
const LONE_SURROGATE = /\p{Cs}/u;

/** Finds a header by name, case-insensitively (API Gateway keeps the client's spelling). */
export function headerValue(request: Pick<JsonBodyRequest, 'headers'>, name: string): string | undefined {
  const wanted = name.toLowerCase();
  for (const [key, value] of Object.entries(request.headers ?? {})) {
    if (key.toLowerCase() === wanted) return value;
  }
  return undefined;
}

/**
 * Whether a Content-Type header value is JSON in UTF-8: `application/json`, optionally with `charset=utf-8`.
 * API Gateway only validates bodies against a model for the content types the model is mapped to, so a body sent
 * as anything else must not reach the service.
 */
export function isJsonContentType(value: string | undefined): boolean {
  if (value === undefined) return false;
  const [mediaType, ...parameters] = value.split(';').map((part) => part.trim().toLowerCase());
  if (mediaType !== 'application/json') return false;
  return parameters.every((parameter) => {
    const [name, raw] = parameter.split('=', 2).map((part) => part.trim());
    if (name !== 'charset') return true;
    return raw?.replace(/^"(.*)"$/, '$1') === 'utf-8';
  });
}

/**
 * Reads the body of a request as a JSON object.
 *
 * @throws UnsupportedMediaTypeError when the content type is not JSON (415)
 * @throws PayloadTooLargeError when the body is larger than `options.maxBytes` (413)
 * @throws ValidationError when the body is missing, not UTF-8, not JSON, not an object, nested too deeply, has a
 * repeated or forbidden member name, or holds a string that is not well-formed Unicode (400)
 */
export function readJsonObject(request: JsonBodyRequest, options: JsonBodyOptions): Record<string, unknown> {
  if (!isJsonContentType(headerValue(request, 'content-type'))) {
    throw new UnsupportedMediaTypeError();
  }
  const text = bodyText(request, options.maxBytes);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new ValidationError('The request body is not valid JSON.', [], 'invalid-json');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ValidationError('The request body must be a JSON object.', [{ pointer: '', detail: 'must be of type object' }]);
  }
  checkMemberNames(text);
  checkStrings(value, '');
  return value as Record<string, unknown>;
}

function bodyText(request: JsonBodyRequest, maxBytes: number): string {
  const body = request.body;
  if (body === null || body === undefined || body.length === 0) {
    throw new ValidationError('A JSON request body is required.', [], 'missing-body');
  }
  if (!request.isBase64Encoded) {
    // A UTF-16 unit is at most 3 bytes of UTF-8, so short bodies need no count.
    if (body.length * 3 > maxBytes && Buffer.byteLength(body, 'utf8') > maxBytes) {
      throw new PayloadTooLargeError(maxBytes);
    }
    return body;
  }
  if (Math.floor((body.length * 3) / 4) > maxBytes + 2) {
    throw new PayloadTooLargeError(maxBytes);
  }
  const bytes = Buffer.from(body, 'base64');
  if (bytes.length > maxBytes) {
    throw new PayloadTooLargeError(maxBytes);
  }
  try {
    return utf8.decode(bytes);
  } catch {
    throw new ValidationError('The request body is not UTF-8 text.', [], 'invalid-json');
  }
}

/**
 * Walks JSON text that JSON.parse has accepted and refuses repeated member names in one object (JSON.parse would
 * silently keep the last), forbidden member names, and nesting deeper than {@link MAX_JSON_DEPTH}.
 * Member names are compared after unescaping, so `"\u005f_proto__"` is `__proto__`.
 */
function checkMemberNames(text: string): void {
  // One entry per open container: the member names seen so far for an object, null for an array.
  const open: (Set<string> | null)[] = [];
  let expectName = false;
  for (let i = 0; i < text.length; i++) {
    switch (text[i]) {
      case '{':
        open.push(new Set());
        expectName = true;
        break;
      case '[':
        open.push(null);
        expectName = false;
        break;
      case '}':
      case ']':
        open.pop();
        expectName = false;
        break;
      case ',':
        expectName = open[open.length - 1] != null;
        break;
      case ':':
        expectName = false;
        break;
      case '"': {
        let end = i + 1;
        while (text[end] !== '"') end += text[end] === '\\' ? 2 : 1;
        if (expectName) {
          const name = JSON.parse(text.slice(i, end + 1)) as string;
          const names = open[open.length - 1] as Set<string>;
          if (FORBIDDEN_MEMBER_NAMES.has(name)) {
            throw new ValidationError('The request body uses a member name that is not allowed.', [], 'forbidden-member');
          }
          if (names.has(name)) {
            throw new ValidationError('The request body repeats a member name.', [], 'duplicate-member');
          }
          names.add(name);
          expectName = false;
        }
        i = end;
        break;
      }
      default:
        // Whitespace, numbers and literals.
        break;
    }
    if (open.length > MAX_JSON_DEPTH) {
      throw new ValidationError(`The request body is nested more than ${MAX_JSON_DEPTH} levels deep.`, [], 'too-deep');
    }
  }
}

/** Refuses strings (member names included) with lone surrogates, reporting where. */
function checkStrings(value: unknown, pointer: string): void {
  if (typeof value === 'string') {
    if (LONE_SURROGATE.test(value)) {
      throw new ValidationError('The request body holds text that is not well-formed Unicode.',
        [{ pointer, detail: 'must be well-formed Unicode text' }], 'invalid-text');
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => checkStrings(item, `${pointer}/${i}`));
  } else if (typeof value === 'object' && value !== null) {
    for (const [name, member] of Object.entries(value)) {
      if (LONE_SURROGATE.test(name)) {
        throw new ValidationError('The request body holds text that is not well-formed Unicode.',
          [{ pointer, detail: 'has a member name that is not well-formed Unicode' }], 'invalid-text');
      }
      checkStrings(member, `${pointer}/${name.replace(/~/g, '~0').replace(/\//g, '~1')}`);
    }
  }
}
