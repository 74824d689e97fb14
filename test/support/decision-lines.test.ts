/**
 * The real decision lines cover the whole decision vocabulary: one line, printed by the real authorizer, for every
 * decision and reason of DECISION_REASONS, with the pair's decision, reason and message, and no part of the token.
 */
import { DECISION_LOG_MESSAGE, DECISION_REASONS, FAILURE_LOG_MESSAGE } from '../../lib/common/decision-reasons';
import { DecisionLine, realDecisionLines } from './decision-lines';

/** What API Gateway is told for each decision. */
const ANSWERS: Record<string, string> = {
  allow: 'allow', deny: 'deny', unauthorized: 'Unauthorized', error: 'Authorizer failure',
};

/** Every pair of the vocabulary, read when the tests are collected: a reason added there is a test case here. */
const PAIRS: Array<[string, string]> = Object.entries(DECISION_REASONS)
  .flatMap(([decision, reasons]) => reasons.map((reason): [string, string] => [decision, reason]));

let lines: DecisionLine[];

beforeAll(async () => {
  lines = await realDecisionLines();
});

test('the vocabulary the lines are checked against has every decision, each with reasons', () => {
  // Guards the test cases below, which come from the vocabulary, against an empty or partial read of it.
  expect(Object.keys(DECISION_REASONS).sort()).toEqual(['allow', 'deny', 'error', 'unauthorized']);
  for (const reasons of Object.values(DECISION_REASONS)) expect(reasons.length).toBeGreaterThan(0);
});

test.each(PAIRS)('the authorizer printed a %s/%s line with that decision, reason and message', (decision, reason) => {
  const found = lines.filter((l) => l.decision === decision && l.reason === reason);
  expect(found.length).toBeGreaterThan(0);
  for (const { line, answer } of found) {
    const entry = JSON.parse(line) as Record<string, unknown>;
    expect(entry).toMatchObject({
      decision,
      reason,
      message: decision === 'error' ? FAILURE_LOG_MESSAGE : DECISION_LOG_MESSAGE,
      level: decision === 'error' ? 'ERROR' : 'INFO',
      service: 'secure-api-authorizer',
    });
    // The line belongs to that answer, not to some other call.
    expect(answer).toBe(ANSWERS[decision]);
  }
});

test('produces no pair outside the vocabulary', () => {
  const known = new Set(PAIRS.map(([decision, reason]) => `${decision}/${reason}`));
  expect(lines.map((l) => `${l.decision}/${l.reason}`).filter((pair) => !known.has(pair))).toEqual([]);
});

test('each line is one JSON object, as printed, and its parsed entry', () => {
  for (const { line, entry } of lines) {
    expect(line).not.toMatch(/[\r\n]/);
    expect(JSON.parse(line)).toEqual(entry);
  }
});

test('no line contains the Authorization value or any 16 characters of it', () => {
  const WINDOW = 16;
  const pieces = new Set<string>();
  for (const { authorization } of lines) {
    for (let i = 0; i + WINDOW <= authorization.length; i++) pieces.add(authorization.slice(i, i + WINDOW));
  }
  // Control: the tokens are long enough for the check to mean something.
  expect(pieces.size).toBeGreaterThan(1000);
  const leaks: string[] = [];
  for (const { decision, reason, line } of lines) {
    for (let i = 0; i + WINDOW <= line.length; i++) {
      if (pieces.has(line.slice(i, i + WINDOW))) leaks.push(`${decision}/${reason}: ${line.slice(i, i + WINDOW)}`);
    }
  }
  expect(leaks).toEqual([]);
});
