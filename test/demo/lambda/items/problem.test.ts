/**
 * Mapping errors to problem details: the status of deliberate errors, a generic 500 for everything else.
 */
import {
  CorruptItemError, ItemNotFoundError, MethodNotAllowedError, OwnerContextError, PayloadTooLargeError,
  ServiceUnavailableError, UnsupportedMediaTypeError, ValidationError, VersionConflictError,
} from '../../../../demo/lambda/items/errors';
import { problemFor, problemResponse } from '../../../../demo/lambda/items/problem';
import { expectProblem, json, RecordingLogger } from './events';

describe('problemFor', () => {
  test.each<[Error, number, string]>([
    [new ValidationError('bad'), 400, 'Bad Request'],
    [new ItemNotFoundError(), 404, 'Not Found'],
    [new MethodNotAllowedError(['GET']), 405, 'Method Not Allowed'],
    [new VersionConflictError(), 409, 'Conflict'],
    [new PayloadTooLargeError(10), 413, 'Content Too Large'],
    [new UnsupportedMediaTypeError(), 415, 'Unsupported Media Type'],
    [new ServiceUnavailableError(), 503, 'Service Unavailable'],
    [new OwnerContextError('MissingSubject'), 500, 'Internal Server Error'],
    [new CorruptItemError(), 500, 'Internal Server Error'],
    [new TypeError("Cannot read properties of undefined (reading 'S')"), 500, 'Internal Server Error'],
  ])('%s → %d %s', (err, status, title) => {
    expect(problemFor(err)).toMatchObject({ status, title });
  });

  test('anything that is not an ItemsError gets the same generic answer, whatever it says', () => {
    const leaky = Object.assign(new Error('Requested resource not found: Table: items-prod not found'), { name: 'ResourceNotFoundException' });
    for (const err of [leaky, 'a string', undefined, { status: 400, message: 'fake' }]) {
      expect(problemFor(err)).toEqual({
        type: 'urn:secure-api:problem:internal-error',
        title: 'Internal Server Error',
        status: 500,
        detail: 'The server could not process the request.',
      });
    }
  });
});

describe('problemResponse', () => {
  test('503 carries Retry-After, and is logged as an error', () => {
    const logger = new RecordingLogger();
    const response = problemResponse(new ServiceUnavailableError(), logger);
    expectProblem(response, 503);
    expect(response.headers?.['Retry-After']).toBe('1');
    expect(logger.entries).toEqual([{ level: 'error', message: 'Request failed', attributes: expect.objectContaining({ reason: 'ServiceUnavailableError', status: 503 }) }]);
  });

  test('an unexpected error is logged with its name and reason code; the answer says neither', () => {
    const logger = new RecordingLogger();
    const err = Object.assign(new Error('boom at table items-prod'), { name: 'InternalServerError' });
    const response = problemResponse(err, logger, { resource: '/items', httpMethod: 'GET' });
    expectProblem(response, 500, 'items-prod');
    expect(json(response).detail).toBe('The server could not process the request.');
    expect(logger.entries[0].attributes).toMatchObject({
      reason: 'UnexpectedError', errorName: 'InternalServerError', resource: '/items', httpMethod: 'GET',
    });
  });
});
