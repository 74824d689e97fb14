/**
 * The local CloudWatch Logs filter pattern evaluator against the AWS documentation: every JSON example of the syntax
 * page with the events it gives, the ones the page says do NOT match, the numeric and regex examples, and the
 * patterns aws-cdk-lib's `logs.FilterPattern` helpers render (rendered here by aws-cdk-lib, then evaluated). Then
 * metric transformations: value, dimensions, default value, as a synthesized `AWS::Logs::MetricFilter` holds them.
 *
 * Sources (the examples are copied from them):
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
 * - https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/FilterAndPatternSyntax.md
 *   (the same page's source, with the example events and the "doesn't match" cases)
 * - https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-logs-metricfilter-dimension.html
 * - https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-logs-metricfilter-metrictransformation.html
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as logs from 'aws-cdk-lib/aws-logs';
import {
  compileMetricTransformation, FilterPatternError, matchesFilterPattern, MetricTransformation, parseFilterPattern,
  parseJsonLogEvent,
} from '../../local/filter-pattern';

const { FilterPattern } = logs;

/** The syntax page's first example event (one line, as the console wants it). */
const TRAIL_EVENT = JSON.stringify({
  eventType: 'UpdateTrail',
  sourceIPAddress: '111.111.111.111',
  arrayKey: ['value', 'another value'],
  objectList: [{ name: 'a', id: 1 }, { name: 'b', id: 2 }],
  SomeObject: null,
  ThisFlag: true,
});

/** The syntax page's compound-conditions example event. */
const USERS_EVENT = JSON.stringify({
  user: { id: 1, email: 'John.Stiles@example.com' },
  users: [{ id: 2, email: 'John.Doe@example.com' }, { id: 3, email: 'Jane.Doe@example.com' }],
  actions: ['GET', 'PUT', 'DELETE'],
  coordinates: [[0, 1, 2], [4, 5, 6], [7, 8, 9]],
});

/** An authorizer decision line, in the shape lambda/authorizer/authorizer.ts logs it through Powertools. */
const UNAUTHORIZED_LINE = JSON.stringify({
  level: 'INFO', message: 'authorization decision', timestamp: '2026-01-01T00:00:00.000Z', service: 'secure-api-authorizer',
  decision: 'unauthorized', reason: 'invalid_signature', routeKey: 'GET /items', durationMs: 3,
});
const ALLOW_LINE = JSON.stringify({
  level: 'INFO', message: 'authorization decision', timestamp: '2026-01-01T00:00:00.000Z', service: 'secure-api-authorizer',
  decision: 'allow', reason: 'authorized', routeKey: 'GET /items', durationMs: 1250,
});
const ERROR_LINE = JSON.stringify({
  level: 'ERROR', message: 'authorization failed', timestamp: '2026-01-01T00:00:00.000Z', service: 'secure-api-authorizer',
  decision: 'error', reason: 'jwks_unavailable', routeKey: 'GET /items', error: 'JWKS unavailable', durationMs: 30,
});

const matches = (pattern: string, event: string) => matchesFilterPattern(pattern, event);

describe('the syntax page\'s JSON examples', () => {
  test.each([
    ['{ $.eventType = "UpdateTrail" }'],
    ['{ $.sourceIPAddress != 123.123.* }'],
    ['{ $.arrayKey[0] = "value" }'],
    ['{ $.objectList[1].id = 2 }'],
    ['{ $.SomeObject IS NULL }'],
    ['{ $.SomeOtherObject NOT EXISTS }'],
    ['{ $.ThisFlag IS TRUE }'],
  ])('%s matches the example event', (pattern) => {
    expect(matches(pattern, TRAIL_EVENT)).toBe(true);
  });

  test.each([
    // "If arrayKey is not an array this will be false."
    ['{ $.eventType[0] = "UpdateTrail" }', 'an index into a string'],
    // "If the items in objectList are not objects or do not have an id property, this will be false."
    ['{ $.arrayKey[1].id = 2 }', 'a property of a string item'],
    ['{ $.objectList[1].id = 1 }', 'another id'],
    ['{ $.objectList[2].id = 2 }', 'an index past the end'],
    // "This will only be true is the specified object is set to null."
    ['{ $.eventType IS NULL }', 'IS NULL on a string'],
    ['{ $.SomeOtherObject IS NULL }', 'IS NULL on a missing field'],
    // "This will only be true if specified object does not exist in log data." (null exists)
    ['{ $.SomeObject NOT EXISTS }', 'NOT EXISTS on a null field'],
    ['{ $.eventType NOT EXISTS }', 'NOT EXISTS on a present field'],
    // "This also works for boolean filters which check for FALSE value."
    ['{ $.ThisFlag IS FALSE }', 'IS FALSE on true'],
    ['{ $.sourceIPAddress != 111.111.* }', 'an address inside the excluded prefix'],
    ['{ $.eventType = "updatetrail" }', 'another case (patterns are case sensitive)'],
    ['{ $.eventType = "Update" }', 'a prefix without a wildcard'],
  ])('%s does not match the example event (%s)', (pattern) => {
    expect(matches(pattern, TRAIL_EVENT)).toBe(false);
  });

  test('IS FALSE matches false, and IS TRUE does not', () => {
    expect(matches('{ $.ThisFlag IS FALSE }', '{"ThisFlag": false}')).toBe(true);
    expect(matches('{ $.ThisFlag IS TRUE }', '{"ThisFlag": false}')).toBe(false);
  });

  test('compound conditions: the two that match and the two that "Doesn\'t match the JSON above"', () => {
    expect(matches('{ ($.user.id = 1) && ($.users[0].email = "John.Doe@example.com") }', USERS_EVENT)).toBe(true);
    expect(matches('{ ($.user.id = 2 && $.users[0].email = "nonmatch") || $.actions[2] = "GET" }', USERS_EVENT)).toBe(false);
    // && binds tighter than ||: true || (false && false).
    expect(matches('{ $.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch && $.actions[2] = nomatch }', USERS_EVENT)).toBe(true);
    expect(matches('{ ($.user.email = "John.Stiles@example.com" || $.coordinates[0][1] = nonmatch) && $.actions[2] = nomatch }', USERS_EVENT)).toBe(false);
  });

  test('nested arrays and objects in arrays are selected', () => {
    expect(matches('{ $.coordinates[1][2] = 6 }', USERS_EVENT)).toBe(true);
    expect(matches('{ $.users[1].email = "Jane.Doe@example.com" }', USERS_EVENT)).toBe(true);
    expect(matches('{ $.coordinates[1][2] = 5 }', USERS_EVENT)).toBe(false);
  });

  test('a selector that points to an array matches neither = nor != ("both {$.users = 1} and {$.users != 1} will fail")', () => {
    const event = '{"users": [1, 2, 3]}';
    expect(matches('{$.users = 1}', event)).toBe(false);
    expect(matches('{$.users != 1}', event)).toBe(false);
    expect(matches('{ $.users[0] = 1 }', event)).toBe(true);
  });

  test('OR pattern matching: {$.foo = bar}, {$.foo = baz }, {$.foo = bar || $.foo = baz }', () => {
    const [bar, baz] = ['{"foo": "bar"}', '{"foo": "baz"}'];
    expect([matches('{$.foo = bar}', bar), matches('{$.foo = bar}', baz)]).toEqual([true, false]);
    expect([matches('{$.foo = baz }', bar), matches('{$.foo = baz }', baz)]).toEqual([false, true]);
    expect([matches('{$.foo = bar || $.foo = baz }', bar), matches('{$.foo = bar || $.foo = baz }', baz)]).toEqual([true, true]);
  });

  test('wildcards: *Event matches PutEvent and GetEvent, Event* matches EventId and EventName, Ev*ent only "Ev*ent"', () => {
    const name = (value: string) => JSON.stringify({ name: value });
    for (const value of ['PutEvent', 'GetEvent']) expect(matches('{ $.name = *Event }', name(value))).toBe(true);
    for (const value of ['EventId', 'EventName']) expect(matches('{ $.name = Event* }', name(value))).toBe(true);
    expect(matches('{ $.name = *Event }', name('EventId'))).toBe(false);
    expect(matches('{ $.name = Event* }', name('PutEvent'))).toBe(false);
    expect(matches('{ $.name = "Ev*ent" }', name('Event'))).toBe(false);
    expect(matches('{ $.name = "Ev*ent" }', name('EvXent'))).toBe(false);
    expect(matches('{ $.name = "Ev*ent" }', name('Ev*ent'))).toBe(true);
    // Both ends, as the space-delimited example `request = *html*` shows.
    expect(matches('{ $.name = *html* }', name('GET /index.html HTTP/1.0'))).toBe(true);
    expect(matches('{ $.name != *html* }', name('GET /index.htm HTTP/1.0'))).toBe(true);
  });

  test('{ $.latency = * } matches a numeric latency ("metricFilter: { $.latency = * } metricValue: $.latency"), not a missing one', () => {
    expect(matches('{ $.latency = * }', '{"latency": 12}')).toBe(true);
    expect(matches('{ $.latency = * }', '{"other": 12}')).toBe(false);
  });

  test('the empty pattern matches every event, JSON or not (\'The filter pattern "" matches all log events\')', () => {
    expect(matches('', TRAIL_EVENT)).toBe(true);
    expect(matches('', 'START RequestId: 1 Version: $LATEST')).toBe(true);
  });

  test('a JSON pattern never matches an event that is not JSON, not even NOT EXISTS', () => {
    expect(matches('{ $.eventType NOT EXISTS }', 'eventType=UpdateTrail')).toBe(false);
    expect(matches('{ $.eventType = * }', '[ERROR] {"eventType": "UpdateTrail"}')).toBe(false);
  });
});

describe('numeric comparisons (the syntax page\'s examples, at their boundaries)', () => {
  test.each([
    ['{ $.latency >= 500 }', '{"latency": 500}', '{"latency": 499.9}'],
    ['{ $.numbers[0] < 10e3 }', '{"numbers": [9999]}', '{"numbers": [10000]}'],
    ['{ $.numbers[0] < 10e-3 }', '{"numbers": [0.0099]}', '{"numbers": [0.01]}'],
    ['{ $.processes[4].averageRuntime <= 55.5 }', '{"processes": [0, 1, 2, 3, {"averageRuntime": 55.5}]}', '{"processes": [0, 1, 2, 3, {"averageRuntime": 55.51}]}'],
    ['{ $.errorCode = 400 }', '{"errorCode": 400}', '{"errorCode": 401}'],
    ['{ $.errorCode != 500 }', '{"errorCode": 400}', '{"errorCode": 500}'],
    ['{ $.latency > +1000 }', '{"latency": 1001}', '{"latency": 1000}'],
  ])('%s matches %s and not %s', (pattern, yes, no) => {
    expect(matches(pattern, yes)).toBe(true);
    expect(matches(pattern, no)).toBe(false);
  });

  test('a numeric comparison on a missing field is false, also with !=', () => {
    expect(matches('{ $.errorCode != 500 }', '{"other": 1}')).toBe(false);
    expect(matches('{ $.latency > 1 }', '{"latency": "2000"}')).toBe(false);
  });
});

describe('regular expressions between %', () => {
  const message = (value: string) => JSON.stringify({ message: value });

  test('a regex matches anywhere in the value: %AUTHORIZED% matches "UNAUTHORIZED REQUEST" and "AUTHORIZED REQUEST"', () => {
    expect(matches('{ $.message = %AUTHORIZED% }', message('[ERROR 401] UNAUTHORIZED REQUEST'))).toBe(true);
    expect(matches('{ $.message = %AUTHORIZED% }', message('[SUCCESS 200] AUTHORIZED REQUEST'))).toBe(true);
    expect(matches('{ $.message = %AUTHORIZED% }', message('authorized'))).toBe(false);
    expect(matches('{ $.message != %AUTHORIZED% }', message('authorized'))).toBe(true);
  });

  test('the regex page\'s operators: ^ and $ anchor, ? makes optional, [] is a class', () => {
    expect(matches('{ $.message = %^[hc]at% }', message('hat trick'))).toBe(true);
    expect(matches('{ $.message = %^[hc]at% }', message('that'))).toBe(false);
    expect(matches('{ $.message = %[hc]at$% }', message('a cat'))).toBe(true);
    expect(matches('{ $.message = %[hc]at$% }', message('cats'))).toBe(false);
    expect(matches('{ $.message = %colou?r% }', message('color'))).toBe(true);
    expect(matches('{ $.message = %colou?r% }', message('colour'))).toBe(true);
    expect(matches('{ $.message = %\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}% }', message('from 10.0.0.1'))).toBe(true);
  });

  test('a regex with a character the page does not list is refused ("%something!% is rejected"), so are parentheses', () => {
    expect(() => parseFilterPattern('{ $.message = %something!% }')).toThrow(FilterPatternError);
    expect(() => parseFilterPattern('{ $.message = %(ab)+% }')).toThrow(FilterPatternError);
  });

  test('at most two regular expressions per pattern', () => {
    expect(() => parseFilterPattern('{ $.a = %x% && $.b = %y% }')).not.toThrow();
    expect(() => parseFilterPattern('{ $.a = %x% && $.b = %y% && $.c = %z% }')).toThrow(/at most 2 regular expressions/);
  });
});

describe('patterns aws-cdk-lib\'s FilterPattern renders', () => {
  test('all(stringValue, stringValue) renders with parentheses and matches only the decision and reason given', () => {
    const pattern = FilterPattern.all(
      FilterPattern.stringValue('$.decision', '=', 'unauthorized'),
      FilterPattern.stringValue('$.reason', '=', 'invalid_signature'),
    ).logPatternString;
    expect(pattern).toBe('{ ($.decision = "unauthorized") && ($.reason = "invalid_signature") }');
    expect(matches(pattern, UNAUTHORIZED_LINE)).toBe(true);
    expect(matches(pattern, ALLOW_LINE)).toBe(false);
    expect(matches(pattern, UNAUTHORIZED_LINE.replace('invalid_signature', 'unknown_kid'))).toBe(false);
  });

  test('any(stringValue, numberValue) matches either', () => {
    const pattern = FilterPattern.any(
      FilterPattern.stringValue('$.decision', '=', 'error'),
      FilterPattern.numberValue('$.durationMs', '>', 1000),
    ).logPatternString;
    expect(matches(pattern, ERROR_LINE)).toBe(true);
    expect(matches(pattern, ALLOW_LINE)).toBe(true);
    expect(matches(pattern, UNAUTHORIZED_LINE)).toBe(false);
  });

  test('stringValue != and a wildcard at both ends', () => {
    const notAllow = FilterPattern.stringValue('$.decision', '!=', 'allow').logPatternString;
    expect([UNAUTHORIZED_LINE, ALLOW_LINE, ERROR_LINE].map((l) => matches(notAllow, l))).toEqual([true, false, true]);
    const items = FilterPattern.stringValue('$.routeKey', '=', '*/items*').logPatternString;
    expect(items).toBe('{ $.routeKey = "*/items*" }');
    expect(matches(items, ALLOW_LINE)).toBe(true);
    expect(matches(items, ALLOW_LINE.replace('/items', '/other'))).toBe(false);
  });

  test('exists renders `= "*"` and matches a present field, notExists the opposite', () => {
    const exists = FilterPattern.exists('$.error').logPatternString;
    expect(exists).toBe('{ $.error = "*" }');
    expect([matches(exists, ERROR_LINE), matches(exists, ALLOW_LINE)]).toEqual([true, false]);
    const notExists = FilterPattern.notExists('$.error').logPatternString;
    expect([matches(notExists, ERROR_LINE), matches(notExists, ALLOW_LINE)]).toEqual([false, true]);
  });

  test('isNull and booleanValue', () => {
    expect(matches(FilterPattern.isNull('$.tenant').logPatternString, '{"tenant": null}')).toBe(true);
    expect(matches(FilterPattern.isNull('$.tenant').logPatternString, '{"tenant": "a"}')).toBe(false);
    expect(matches(FilterPattern.booleanValue('$.cached', true).logPatternString, '{"cached": true}')).toBe(true);
    expect(matches(FilterPattern.booleanValue('$.cached', false).logPatternString, '{"cached": true}')).toBe(false);
  });

  test('numberValue renders what JavaScript prints, scientific notation included', () => {
    const small = FilterPattern.numberValue('$.ratio', '<', 1.5e-7).logPatternString;
    expect(small).toBe('{ $.ratio < 1.5e-7 }');
    expect([matches(small, '{"ratio": 1e-7}'), matches(small, '{"ratio": 2e-7}')]).toEqual([true, false]);
    const large = FilterPattern.numberValue('$.bytes', '>=', 1e21).logPatternString;
    expect(large).toBe('{ $.bytes >= 1e+21 }');
    expect(matches(large, '{"bytes": 1e21}')).toBe(true);
  });

  test('regexValue renders %…% and is read as a regex', () => {
    const pattern = FilterPattern.regexValue('$.reason', '=', '^token_').logPatternString;
    expect(pattern).toBe('{ $.reason = %^token_% }');
    expect(matches(pattern, UNAUTHORIZED_LINE.replace('invalid_signature', 'token_expired'))).toBe(true);
    expect(matches(pattern, UNAUTHORIZED_LINE)).toBe(false);
  });

  test('allEvents renders the empty pattern', () => {
    expect(FilterPattern.allEvents().logPatternString).toBe('');
    expect(parseFilterPattern(FilterPattern.allEvents().logPatternString).matches('anything')).toBe(true);
  });

  test('a quoted string with an escaped quote, as stringValue renders it (an escape the AWS page does not describe)', () => {
    const pattern = FilterPattern.stringValue('$.s', '=', 'a"b').logPatternString;
    expect(pattern).toBe('{ $.s = "a\\"b" }');
    expect(matches(pattern, JSON.stringify({ s: 'a"b' }))).toBe(true);
  });
});

describe('what the evaluator refuses to guess', () => {
  test.each([
    ['ERROR', 'a term pattern'],
    ['"authorization failed"', 'a quoted term'],
    ['[ip, user, ...]', 'a space-delimited pattern'],
    ['%AUTHORIZED%', 'a standalone regex'],
    ['{ }', 'an empty JSON pattern'],
    ['{ $.a = }', 'a missing value'],
    ['{ $.a == 1 }', 'an unknown operator'],
    ['{ $.a = 1 && }', 'a dangling &&'],
    ['{ ($.a = 1 }', 'an unclosed parenthesis'],
    ['{ $.a > "1" }', 'a string with a numeric operator'],
    ['{ $.a = x@y }', 'an unquoted @ ("must be enclosed in double quotes")'],
    ['{ $[0] = 1 }', 'an index that follows no property'],
    ['{ $.a is null }', 'a lowercase keyword'],
    ['{ $.a = "x }', 'an unterminated string'],
  ])('%s (%s) is a FilterPatternError', (pattern) => {
    expect(() => parseFilterPattern(pattern)).toThrow(FilterPatternError);
  });

  test('a pattern over 1024 characters is refused (PutMetricFilter\'s limit)', () => {
    const long = `{ ${Array.from({ length: 80 }, (_, i) => `$.field${i} = 1`).join(' || ')} }`;
    expect(long.length).toBeGreaterThan(1024);
    expect(() => parseFilterPattern(long)).toThrow(/at most 1024/);
  });

  test('field names are own properties only: __proto__ and constructor are data', () => {
    expect(matches('{ $.constructor NOT EXISTS }', '{"a": 1}')).toBe(true);
    expect(matches('{ $.__proto__ = "x" }', '{"__proto__": "x"}')).toBe(true);
    expect(matches('{ $.__proto__ = * }', '{"a": 1}')).toBe(false);
  });

  test('parseJsonLogEvent reads JSON objects and arrays only', () => {
    expect(parseJsonLogEvent('{"a":1}')).toEqual({ a: 1 });
    expect(parseJsonLogEvent('[1]')).toEqual([1]);
    expect(parseJsonLogEvent('"text"')).toBeUndefined();
    expect(parseJsonLogEvent('{broken')).toBeUndefined();
  });
});

describe('metric transformations', () => {
  /** A stack with one metric filter, synthesized by aws-cdk-lib: the properties as the template holds them. */
  function synthesizedFilter(options: Omit<logs.MetricFilterProps, 'logGroup'>): { FilterPattern: string; MetricTransformations: MetricTransformation[] } {
    const stack = new Stack(new App(), 'Filters');
    new logs.MetricFilter(stack, 'Filter', { logGroup: new logs.LogGroup(stack, 'Logs'), ...options });
    const resources = Template.fromStack(stack).findResources('AWS::Logs::MetricFilter');
    return Object.values(resources)[0].Properties;
  }

  test('a counter (value 1) with the reason as dimension, from CDK\'s MetricFilter', () => {
    const props = synthesizedFilter({
      filterPattern: FilterPattern.stringValue('$.decision', '=', 'unauthorized'),
      metricNamespace: 'SecureApi', metricName: 'Unauthorized', dimensions: { Reason: '$.reason' },
    });
    const pattern = parseFilterPattern(props.FilterPattern);
    const transformation = compileMetricTransformation(props.MetricTransformations[0]);
    const event = parseJsonLogEvent(UNAUTHORIZED_LINE);
    expect(transformation.apply(event, pattern.matchesEvent(event))).toEqual({
      namespace: 'SecureApi', name: 'Unauthorized', value: 1, unit: 'None', dimensions: { Reason: 'invalid_signature' },
    });
    const allow = parseJsonLogEvent(ALLOW_LINE);
    expect(transformation.apply(allow, pattern.matchesEvent(allow))).toBeUndefined();
  });

  test('a value from $.field, with its unit', () => {
    const props = synthesizedFilter({
      filterPattern: FilterPattern.exists('$.durationMs'), metricNamespace: 'SecureApi', metricName: 'AuthorizerDuration',
      metricValue: '$.durationMs', unit: cloudwatch.Unit.MILLISECONDS,
    });
    const transformation = compileMetricTransformation(props.MetricTransformations[0]);
    expect(transformation.apply(parseJsonLogEvent(ALLOW_LINE), true)).toMatchObject({ value: 1250, unit: 'Milliseconds', dimensions: {} });
    // A field that is not a number emits nothing.
    expect(transformation.apply(parseJsonLogEvent('{"durationMs": "slow"}'), true)).toBeUndefined();
  });

  test('a dimension whose field the event lacks is left out ("only published for a metric if the value is found in the log event")', () => {
    const transformation = compileMetricTransformation({
      MetricNamespace: 'SecureApi', MetricName: 'Refusals', MetricValue: '1',
      Dimensions: [{ Key: 'Reason', Value: '$.reason' }, { Key: 'Tenant', Value: '$.tenant' }],
    });
    expect(transformation.apply(parseJsonLogEvent(UNAUTHORIZED_LINE), true)?.dimensions).toEqual({ Reason: 'invalid_signature' });
    expect(transformation.apply(parseJsonLogEvent('{"reason": "x", "tenant": "t1"}'), true)?.dimensions).toEqual({ Reason: 'x', Tenant: 't1' });
  });

  test('DefaultValue is emitted, without dimensions, for an event the pattern does not match', () => {
    const props = synthesizedFilter({
      filterPattern: FilterPattern.stringValue('$.decision', '=', 'error'), metricNamespace: 'SecureApi', metricName: 'Errors', defaultValue: 0,
    });
    const pattern = parseFilterPattern(props.FilterPattern);
    const transformation = compileMetricTransformation(props.MetricTransformations[0]);
    const allow = parseJsonLogEvent(ALLOW_LINE);
    expect(transformation.apply(allow, pattern.matchesEvent(allow))).toMatchObject({ value: 0, dimensions: {} });
    const error = parseJsonLogEvent(ERROR_LINE);
    expect(transformation.apply(error, pattern.matchesEvent(error))).toMatchObject({ value: 1 });
  });

  test('the empty pattern counts events that are not JSON', () => {
    const transformation = compileMetricTransformation({ MetricNamespace: 'N', MetricName: 'Lines', MetricValue: '1' });
    expect(transformation.apply(parseJsonLogEvent('START RequestId: 1'), parseFilterPattern('').matches('START RequestId: 1'))).toMatchObject({ value: 1 });
  });

  test('a metric value that is neither a number nor a $.field, a dimension that is not a $.field, or four dimensions are refused', () => {
    const base = { MetricNamespace: 'N', MetricName: 'M' };
    expect(() => compileMetricTransformation({ ...base, MetricValue: 'one' })).toThrow(FilterPatternError);
    expect(() => compileMetricTransformation({ ...base, MetricValue: '1', Dimensions: [{ Key: 'K', Value: 'fixed' }] })).toThrow(FilterPatternError);
    const four = ['a', 'b', 'c', 'd'].map((k) => ({ Key: k, Value: `$.${k}` }));
    expect(() => compileMetricTransformation({ ...base, MetricValue: '1', Dimensions: four })).toThrow(/at most 3 dimensions/);
  });
});
