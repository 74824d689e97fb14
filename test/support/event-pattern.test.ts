// The test matcher against AWS's documented examples: each case is an event and a pattern from the EventBridge user
// guide or from Event Ruler's README (the matcher that powers EventBridge), with the documented outcome.
import { matchesEventPattern, UnsupportedPatternError } from './event-pattern';

const EB = 'https://docs.aws.amazon.com/eventbridge/latest/userguide';
const RULER = 'https://github.com/aws/event-ruler/blob/main/README.md';

// Event and pattern of https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html
const EC2_TERMINATED = {
  'version': '0',
  'id': '6a7e8feb-b491-4cf7-a9f1-bf3703467718',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'account': '111122223333',
  'time': '2017-12-22T18:43:48Z',
  'region': 'us-west-1',
  'resources': ['arn:aws:ec2:us-west-1:123456789012:instance/i-1234567890abcdef0'],
  'detail': { 'instance-id': 'i-1234567890abcdef0', 'state': 'terminated' },
};

// Event of Event Ruler's README ("Ruler by Example"), used by its content-filtering examples.
const RULER_EVENT = {
  'version': '0',
  'id': 'ddddd4-aaaa-7777-4444-345dd43cc333',
  'detail-type': 'EC2 Instance State-change Notification',
  'source': 'aws.ec2',
  'account': '012345679012',
  'time': '2017-10-02T16:24:49Z',
  'region': 'us-east-1',
  'resources': ['arn:aws:ec2:us-east-1:123456789012:instance/i-000000aaaaaa00000'],
  'detail': { 'c-count': 5, 'd-count': 3, 'x-limit': 301.8, 'source-ip': '10.0.0.33', 'instance-id': 'i-000000aaaaaa00000', 'state': 'running' },
};

describe(`event patterns (${EB}/eb-event-patterns.html)`, () => {
  test('matches the documented EC2 termination event with the documented pattern', () => {
    expect(matchesEventPattern({ 'source': ['aws.ec2'], 'detail-type': ['EC2 Instance State-change Notification'], 'detail': { state: ['terminated'] } }, EC2_TERMINATED)).toBe(true);
  });

  test('does not match when one named field has another value (fields are ANDed)', () => {
    expect(matchesEventPattern({ 'source': ['aws.ec2'], 'detail': { state: ['running'] } }, EC2_TERMINATED)).toBe(false);
  });

  test('a field\'s values are ORed: ["aws.ec2", "aws.fargate"]', () => {
    expect(matchesEventPattern({ source: ['aws.ec2', 'aws.fargate'] }, EC2_TERMINATED)).toBe(true);
    expect(matchesEventPattern({ source: ['aws.fargate', 'aws.s3'] }, EC2_TERMINATED)).toBe(false);
  });

  test('the event must contain every named field, with the same nesting', () => {
    expect(matchesEventPattern({ detail: { missing: ['x'] } }, EC2_TERMINATED)).toBe(false);
    // "state" exists, but at detail.state, not at the top level.
    expect(matchesEventPattern({ state: ['terminated'] }, EC2_TERMINATED)).toBe(false);
  });

  test('strings match character by character, without case-folding', () => {
    expect(matchesEventPattern({ detail: { state: ['Terminated'] } }, EC2_TERMINATED)).toBe(false);
    expect(matchesEventPattern({ detail: { state: ['terminated '] } }, EC2_TERMINATED)).toBe(false);
  });

  test('matches on a null field value (the documented Auto Scaling event)', () => {
    const event = { 'version': '0', 'id': '3e3c153a-8339-4e30-8c35-687ebef853fe', 'detail-type': 'EC2 Instance Launch Successful', 'source': 'aws.autoscaling', 'account': '123456789012', 'time': '2015-11-11T21:31:47Z', 'region': 'us-east-1', 'resources': [], 'detail': { eventVersion: '', responseElements: null } };
    expect(matchesEventPattern({ 'source': ['aws.autoscaling'], 'detail-type': ['EC2 Instance Launch Successful'], 'detail': { responseElements: [null] } }, event)).toBe(true);
    // eb-event-patterns-null-values.html: null and "" are not interchangeable.
    expect(matchesEventPattern({ detail: { eventVersion: [''] } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { eventVersion: [null] } }, event)).toBe(false);
    expect(matchesEventPattern({ detail: { responseElements: [''] } }, event)).toBe(false);
  });

  test('matches numbers and nested objects (the documented Macie event: risk-score 80, trigger.risk 8)', () => {
    const event = { 'detail-type': 'Macie Alert', 'source': 'aws.macie', 'detail': { 'risk-score': 80, 'trigger': { 'risk': 8, 'alert-type': 'basic' } } };
    expect(matchesEventPattern({ 'source': ['aws.macie'], 'detail-type': ['Macie Alert'], 'detail': { 'risk-score': [80], 'trigger': { risk: [8] } } }, event)).toBe(true);
    expect(matchesEventPattern({ detail: { trigger: { risk: [9] } } }, event)).toBe(false);
    // A number is not the string of its digits.
    expect(matchesEventPattern({ detail: { 'risk-score': ['80'] } }, event)).toBe(false);
  });
});

describe(`arrays (${EB}/eb-event-patterns-arrays.html)`, () => {
  test('matches when the pattern array and the event array intersect (the documented resources example)', () => {
    const pattern = { resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f', 'arn:aws:ec2:us-east-1:111122223333:instance/i-b188560f', 'arn:aws:ec2:us-east-1:444455556666:instance/i-b188560f'] };
    const event = { resources: ['arn:aws:autoscaling:us-east-1:123456789012:autoScalingGroup:eb56d16b-bbf0-401d-b893-d5978ed4a025:autoScalingGroupName/ASGTerminate', 'arn:aws:ec2:us-east-1:123456789012:instance/i-b188560f'] };
    expect(matchesEventPattern(pattern, event)).toBe(true);
    expect(matchesEventPattern(pattern, { resources: ['arn:aws:ec2:us-east-1:999999999999:instance/i-b188560f'] })).toBe(false);
    expect(matchesEventPattern(pattern, { resources: [] })).toBe(false);
  });

  describe(`arrays of objects (${RULER}#json-array-matching)`, () => {
    const employees = { employees: [{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }, { firstName: 'Peter', lastName: 'Jones' }] };

    test('a field of the objects in an array matches as if it were the value of the parent field', () => {
      expect(matchesEventPattern({ employees: { firstName: ['Anna'] } }, employees)).toBe(true);
      expect(matchesEventPattern({ employees: { firstName: ['Mary'] } }, employees)).toBe(false);
    });

    test('works for multi-level arrays', () => {
      const nested = { employees: [[{ firstName: 'John', lastName: 'Doe' }, { firstName: 'Anna', lastName: 'Smith' }], [{ firstName: 'Peter', lastName: 'Jones' }]] };
      expect(matchesEventPattern({ employees: { firstName: ['Peter'] } }, nested)).toBe(true);
    });

    test('fields of one match must come from one element (Anna/Jones does not match)', () => {
      expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Jones'] } }, employees)).toBe(false);
      expect(matchesEventPattern({ employees: { firstName: ['Anna'], lastName: ['Smith'] } }, employees)).toBe(true);
    });
  });
});

describe(`content filtering (${EB}/eb-event-patterns-content-based-filtering.html)`, () => {
  test('prefix: "time" starting with 2017-10-02', () => {
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-02T18:43:48Z' })).toBe(true);
    expect(matchesEventPattern({ time: [{ prefix: '2017-10-02' }] }, { time: '2017-10-03T18:43:48Z' })).toBe(false);
    // Prefix matches only work on string-valued fields (Ruler README).
    expect(matchesEventPattern({ n: [{ prefix: '1' }] }, { n: 12 })).toBe(false);
  });

  test('suffix and equals-ignore-case (Ruler README: source ending with "ec2", equal to "EC2" ignoring case)', () => {
    expect(matchesEventPattern({ source: [{ suffix: 'ec2' }] }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ source: [{ suffix: 'ec3' }] }, RULER_EVENT)).toBe(false);
    expect(matchesEventPattern({ source: [{ 'equals-ignore-case': 'AWS.EC2' }] }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ region: [{ prefix: { 'equals-ignore-case': 'US-' } }] }, RULER_EVENT)).toBe(true);
  });

  test('anything-but a string, a number, a list of strings, a list of numbers, a prefix', () => {
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'initializing' }] } }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': 'running' }] } }, RULER_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { 'x-limit': [{ 'anything-but': 123 }] } }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { 'x-limit': [{ 'anything-but': 301.8 }] } }, RULER_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': ['stopped', 'overloaded'] }] } }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': ['stopped', 'running'] }] } }, RULER_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { 'x-limit': [{ 'anything-but': [100, 200, 300] }] } }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { prefix: 'init' } }] } }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { state: [{ 'anything-but': { prefix: 'run' } }] } }, RULER_EVENT)).toBe(false);
  });

  // Not stated on the AWS pages: Event Ruler matches fields present in the event, and exists: false is its one test
  // of absence. The product's patterns do not depend on it (they pair anything-but with an exists: false branch).
  test('anything-but needs the field: an absent field matches only exists: false (Ruler reading, not in the AWS docs)', () => {
    expect(matchesEventPattern({ detail: { absent: [{ 'anything-but': 'x' }] } }, RULER_EVENT)).toBe(false);
  });

  test('numeric: > 0 and <= 5, < 10, = 3.018e2', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ numeric: ['=', 3.018e2] }] } }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { 'c-count': [{ numeric: ['>', 0, '<', 5] }] } }, RULER_EVENT)).toBe(false);
    // Numeric matching only works with values that are JSON numbers.
    expect(matchesEventPattern({ detail: { state: [{ numeric: ['>', 0] }] } }, RULER_EVENT)).toBe(false);
  });

  test('exists: false matches an event without the field, and one where the field is not a leaf (documented)', () => {
    const pattern = { detail: { 'c-count': [{ exists: false }] } };
    const without = { 'detail-type': ['EC2 Instance State-change Notification'], 'resources': ['arn:aws:ec2:us-east-1:123456789012:instance/i-02ebd4584a2ebd341'], 'detail': { state: ['initializing', 'running'] } };
    const notLeaf = { ...without, detail: { 'state': ['initializing', 'running'], 'c-count': { c1: 100 } } };
    expect(matchesEventPattern(pattern, without)).toBe(true);
    expect(matchesEventPattern(pattern, notLeaf)).toBe(true);
    expect(matchesEventPattern(pattern, RULER_EVENT)).toBe(false);
  });

  test('exists: true matches a present leaf only', () => {
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern({ detail: { absent: [{ exists: true }] } }, RULER_EVENT)).toBe(false);
    expect(matchesEventPattern({ detail: { 'c-count': [{ exists: true }] } }, { detail: { 'c-count': { c1: 100 } } })).toBe(false);
  });

  test('the documented complex example (prefix, anything-but, numeric together)', () => {
    const pattern = { time: [{ prefix: '2017-10-02' }], detail: { 'state': [{ 'anything-but': 'initializing' }], 'c-count': [{ numeric: ['>', 0, '<=', 5] }], 'd-count': [{ numeric: ['<', 10] }], 'x-limit': [{ 'anything-but': [100, 200, 300] }] } };
    expect(matchesEventPattern(pattern, RULER_EVENT)).toBe(true);
    expect(matchesEventPattern(pattern, { ...RULER_EVENT, detail: { ...RULER_EVENT.detail, state: 'initializing' } })).toBe(false);
  });
});

describe(`$or (${EB}/eb-create-pattern-operators.html, ${RULER}#the-or-primitive)`, () => {
  const cloudwatch = { source: 'aws.cloudwatch', metricName: 'NetworkIn', namespace: 'AWS/EC2', detail: { source: 'other', 'detail-type': 'CloudWatch Alarm State Change' } };

  test('"source" && ("metricName" || "namespace")', () => {
    const pattern = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization', 'ReadLatency'] }, { namespace: ['AWS/EC2', 'AWS/ES'] }] };
    expect(matchesEventPattern(pattern, cloudwatch)).toBe(true);
    expect(matchesEventPattern(pattern, { ...cloudwatch, namespace: 'AWS/Lambda' })).toBe(false);
  });

  test('parallel $or at two levels: ("metricName" || "namespace") && ("detail.source" || "detail.detail-type")', () => {
    const pattern = { $or: [{ metricName: ['CPUUtilization'] }, { namespace: ['AWS/EC2'] }], detail: { $or: [{ source: ['aws.cloudwatch'] }, { 'detail-type': ['CloudWatch Alarm State Change'] }] } };
    expect(matchesEventPattern(pattern, cloudwatch)).toBe(true);
    expect(matchesEventPattern(pattern, { ...cloudwatch, detail: { source: 'other', 'detail-type': 'other' } })).toBe(false);
  });

  test('an "and" inside an $or branch needs all of its fields', () => {
    const pattern = { source: ['aws.cloudwatch'], $or: [{ metricName: ['CPUUtilization'] }, { metricType: ['MetricType'], namespace: ['AWS/EC2'] }, { scope: ['Service'] }] };
    expect(matchesEventPattern(pattern, { ...cloudwatch, metricType: 'MetricType' })).toBe(true);
    expect(matchesEventPattern(pattern, cloudwatch)).toBe(false);
  });

  test('rejects an $or with fewer than two objects', () => {
    expect(() => matchesEventPattern({ $or: [{ a: ['b'] }] }, {})).toThrow(UnsupportedPatternError);
  });
});

describe('patterns this matcher does not implement', () => {
  test.each([
    ['cidr', { detail: { 'source-ip': [{ cidr: '10.0.0.0/24' }] } }],
    ['wildcard', { source: [{ wildcard: 'aws.*' }] }],
  ])('throws for %s rather than answering', (_name, pattern) => {
    expect(() => matchesEventPattern(pattern, RULER_EVENT)).toThrow(UnsupportedPatternError);
  });

  test('throws for a field whose matchers are not an array or an object', () => {
    expect(() => matchesEventPattern({ source: 'aws.ec2' }, RULER_EVENT)).toThrow(UnsupportedPatternError);
  });
});
