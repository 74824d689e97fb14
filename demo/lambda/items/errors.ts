/**
 * Errors of the items service. Each one carries the HTTP answer it maps to; `problem.ts` turns them into
 * responses in one place, and anything that is not an {@link ItemsError} becomes a generic 500.
 */

/** One violated rule of a request body or query, addressed by a JSON Pointer (RFC 6901) into the input. */
export interface FieldError {
  /** JSON Pointer to the offending member, e.g. `/tags/3`; `''` for the whole document. */
  readonly pointer: string;
  /** What is wrong, without echoing the submitted value. */
  readonly detail: string;
}

/** Base class of every error the items service answers deliberately. */
export abstract class ItemsError extends Error {
  /** The HTTP status code this error is answered with. */
  abstract readonly status: number;
  /** Short, stable, machine-readable reason shown to the client in the problem `type`. */
  abstract readonly reason: string;
  /** Reason code for the logs (may say more than the client is told); defaults to the class name. */
  readonly logReason: string;

  constructor(message: string, logReason?: string) {
    super(message);
    this.name = new.target.name;
    this.logReason = logReason ?? new.target.name;
  }
}

/** The request is malformed or breaks the input rules (400). */
export class ValidationError extends ItemsError {
  readonly status = 400;
  readonly reason: string;
  /** The individual violations, when known. */
  readonly errors: readonly FieldError[];

  constructor(message: string, errors: readonly FieldError[] = [], reason = 'invalid-request') {
    super(message);
    this.errors = errors;
    this.reason = reason;
  }
}

/** The item does not exist in the caller's own partition (404), whether or not someone else has it. */
export class ItemNotFoundError extends ItemsError {
  readonly status = 404;
  readonly reason = 'not-found';

  constructor() {
    super('The requested resource was not found.');
  }
}

/** The route is not served by this function (404). */
export class RouteNotFoundError extends ItemsError {
  readonly status = 404;
  readonly reason = 'route-not-found';

  constructor() {
    super('The requested resource was not found.');
  }
}

/** The resource exists but does not support the method (405). */
export class MethodNotAllowedError extends ItemsError {
  readonly status = 405;
  readonly reason = 'method-not-allowed';
  /** Methods the resource does support, for the `Allow` header. */
  readonly allow: readonly string[];

  constructor(allow: readonly string[]) {
    super('The method is not allowed on this resource.');
    this.allow = allow;
  }
}

/** The update named a version that is no longer current (409). */
export class VersionConflictError extends ItemsError {
  readonly status = 409;
  readonly reason = 'version-conflict';

  constructor() {
    super('The item was changed by another request. Read it again and retry with its current version.');
  }
}

/** The request body is larger than allowed (413). */
export class PayloadTooLargeError extends ItemsError {
  readonly status = 413;
  readonly reason = 'payload-too-large';

  constructor(maxBytes: number) {
    super(`The request body must be at most ${maxBytes} bytes.`);
  }
}

/** The request body is not `application/json` (415). */
export class UnsupportedMediaTypeError extends ItemsError {
  readonly status = 415;
  readonly reason = 'unsupported-media-type';

  constructor() {
    super("The request body must be sent with 'Content-Type: application/json'.");
  }
}

/** DynamoDB is throttling us (503); the client may retry later. */
export class ServiceUnavailableError extends ItemsError {
  readonly status = 503;
  readonly reason = 'service-unavailable';

  constructor() {
    super('The service is temporarily unable to handle the request. Retry later.');
  }
}

/**
 * The function was invoked without a usable caller identity (500). This is a deployment error (the route is not
 * behind the authorizer, or the authorizer context changed), never something the client can fix, so the answer is
 * generic; {@link logReason} says what went wrong in the logs only.
 */
export class OwnerContextError extends ItemsError {
  readonly status = 500;
  readonly reason = 'internal-error';

  /** @param logReason reason code for the logs, e.g. `MissingSubject` */
  constructor(logReason: string) {
    super('The server could not process the request.', logReason);
  }
}

/** An item read from the table does not have the expected shape (500). */
export class CorruptItemError extends ItemsError {
  readonly status = 500;
  readonly reason = 'internal-error';

  constructor() {
    super('The server could not process the request.');
  }
}

/**
 * The items service was configured wrongly (an option of `createItemsHandler`, or the environment of the
 * handler). Thrown at start-up, never answered to a client.
 */
export class ItemsConfigurationError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ItemsConfigurationError';
  }
}
