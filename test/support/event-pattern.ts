// An EventBridge event-pattern matcher for tests, written from the documented semantics (not from CDK, and not from
// the product's patterns), so that a test of a pattern checks it against EventBridge's rules rather than echoing it.
//
// Sources:
// - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns.html : a pattern names fields; the
//   event must have every field named, with the same nesting; fields not named are ignored; values are matched
//   exactly (case-sensitive, no normalisation); a field's array of values is an OR.
// - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-arrays.html : if the event value is an
//   array, the pattern matches when the two arrays intersect.
// - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-null-values.html : null and "" are
//   values, and not interchangeable.
// - https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-event-patterns-content-based-filtering.html and
//   https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-create-pattern-operators.html : prefix, suffix,
//   equals-ignore-case, anything-but (value, list, prefix, suffix), numeric, exists (leaf nodes only), $or;
//   comparison operators work on leaf nodes only, except $or and anything-but.
// - https://github.com/aws/event-ruler (the matcher that powers EventBridge,
//   https://aws.amazon.com/blogs/opensource/open-sourcing-event-ruler/): objects inside event arrays are matched as if
//   they were the value of the parent field ("the array structure is crushed out"), with array consistency: the
//   fields of one match must come from one element of an array; `$or` takes an array of two or more objects.
//
// Not implemented (a pattern using them throws, so a test cannot pass by accident): cidr, wildcard, and the
// representation-sensitive number equality of the docs (300 vs 300.0 vs 3.0e2, indistinguishable after JSON.parse).

/** A JSON value. */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

/** A pattern that this matcher cannot evaluate, or that EventBridge would reject. */
export class UnsupportedPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedPatternError';
  }
}

/** Whether `event` matches the EventBridge event `pattern`. */
export function matchesEventPattern(pattern: unknown, event: unknown): boolean {
  if (!isObject(pattern)) throw new UnsupportedPatternError('an event pattern must be a JSON object');
  if (!isObject(event)) return false;
  return matchObject(pattern, event);
}

/** Every field of `pattern` (and every `$or`) matches within the one object `event`. */
function matchObject(pattern: { [key: string]: unknown }, event: { [key: string]: Json }): boolean {
  for (const [key, sub] of Object.entries(pattern)) {
    if (key === '$or') {
      if (!Array.isArray(sub) || sub.length < 2 || !sub.every(isObject)) {
        throw new UnsupportedPatternError('"$or" takes an array of two or more objects');
      }
      if (!sub.some((branch) => matchObject(branch as { [key: string]: unknown }, event))) return false;
      continue;
    }
    const present = Object.hasOwn(event, key);
    const value = present ? event[key] : undefined;
    if (Array.isArray(sub)) {
      if (!matchLeaf(sub, present, value)) return false;
    } else if (isObject(sub)) {
      // A nested pattern needs an object here, or an array in which one object matches all of it (consistency).
      if (!present || !objectsOf(value).some((element) => matchObject(sub, element))) return false;
    } else {
      throw new UnsupportedPatternError(`the value of "${key}" must be an array of matchers or an object`);
    }
  }
  return true;
}

/** The objects of a value: itself, or those of a (possibly nested) array. */
function objectsOf(value: Json | undefined): Array<{ [key: string]: Json }> {
  if (Array.isArray(value)) return value.flatMap((element) => objectsOf(element));
  return isObject(value) ? [value] : [];
}

/** The leaf values of a value: itself if scalar, the scalars of a (possibly nested) array, none for an object. */
function leavesOf(value: Json | undefined): Array<string | number | boolean | null> {
  if (value === undefined || isObject(value)) return [];
  if (Array.isArray(value)) return value.flatMap((element) => leavesOf(element));
  return [value];
}

/** A leaf field: one of the matchers accepts one of the event's leaf values (or its absence, for exists: false). */
function matchLeaf(matchers: unknown[], present: boolean, value: Json | undefined): boolean {
  if (matchers.length === 0) throw new UnsupportedPatternError('a field\'s array of matchers must not be empty');
  const leaves = present ? leavesOf(value) : [];
  return matchers.some((matcher) => {
    if (isObject(matcher) && Object.hasOwn(matcher, 'exists')) {
      if (typeof matcher.exists !== 'boolean') throw new UnsupportedPatternError('"exists" takes true or false');
      // Exists works on leaf nodes only: a field holding an object counts as absent.
      return matcher.exists === (leaves.length > 0);
    }
    return leaves.some((leaf) => matchValue(matcher, leaf));
  });
}

/** One matcher against one leaf value. */
function matchValue(matcher: unknown, leaf: string | number | boolean | null): boolean {
  if (!isObject(matcher)) {
    if (Array.isArray(matcher)) throw new UnsupportedPatternError('a matcher cannot be an array');
    return matcher === leaf;
  }
  const operators = Object.keys(matcher);
  if (operators.length !== 1) throw new UnsupportedPatternError(`a matcher object has one operator (got ${JSON.stringify(matcher)})`);
  const [operator] = operators;
  const operand = matcher[operator];
  switch (operator) {
    case 'prefix':
      return typeof leaf === 'string' && stringTest(operand, 'prefix', (text, ignoreCase) => fold(leaf, ignoreCase).startsWith(fold(text, ignoreCase)));
    case 'suffix':
      return typeof leaf === 'string' && stringTest(operand, 'suffix', (text, ignoreCase) => fold(leaf, ignoreCase).endsWith(fold(text, ignoreCase)));
    case 'equals-ignore-case':
      if (typeof operand !== 'string') throw new UnsupportedPatternError('"equals-ignore-case" takes a string');
      return typeof leaf === 'string' && fold(leaf, true) === fold(operand, true);
    case 'anything-but':
      return anythingBut(operand, leaf);
    case 'numeric':
      return typeof leaf === 'number' && numeric(operand, leaf);
    default:
      throw new UnsupportedPatternError(`operator "${operator}" is not implemented by this matcher`);
  }
}

/** A prefix/suffix operand: a string, or `{ "equals-ignore-case": string }`. */
function stringTest(operand: unknown, operator: string, test: (text: string, ignoreCase: boolean) => boolean): boolean {
  if (typeof operand === 'string') return test(operand, false);
  if (isObject(operand) && Object.keys(operand).length === 1 && typeof operand['equals-ignore-case'] === 'string') {
    return test(operand['equals-ignore-case'], true);
  }
  throw new UnsupportedPatternError(`"${operator}" takes a string or { "equals-ignore-case": string }`);
}

/**
 * anything-but: a string or number, a list of only strings or only numbers, or a prefix/suffix/equals-ignore-case
 * object. It matches values of the operand's type that the operand excludes ("use anything-but matching with
 * strings and numeric values"); other types do not match.
 */
function anythingBut(operand: unknown, leaf: string | number | boolean | null): boolean {
  if (isObject(operand)) {
    if (typeof leaf !== 'string') return false;
    const [operator] = Object.keys(operand);
    if (Object.keys(operand).length !== 1 || typeof operand[operator] !== 'string') {
      throw new UnsupportedPatternError('"anything-but" object takes one of prefix, suffix, equals-ignore-case with a string');
    }
    const text = operand[operator] as string;
    if (operator === 'prefix') return !leaf.startsWith(text);
    if (operator === 'suffix') return !leaf.endsWith(text);
    if (operator === 'equals-ignore-case') return fold(leaf, true) !== fold(text, true);
    throw new UnsupportedPatternError(`"anything-but" with "${operator}" is not implemented by this matcher`);
  }
  const excluded = Array.isArray(operand) ? operand : [operand];
  const type = typeof excluded[0];
  if (excluded.length === 0 || (type !== 'string' && type !== 'number') || excluded.some((v) => typeof v !== type)) {
    throw new UnsupportedPatternError('"anything-but" takes a string, a number, or a list of only strings or only numbers');
  }
  return typeof leaf === type && !excluded.includes(leaf);
}

/** numeric: `[op, n]` or `[op, n, op, n]` with =, <, <=, >, >= (ranges are ANDed). */
function numeric(operand: unknown, leaf: number): boolean {
  if (!Array.isArray(operand) || operand.length === 0 || operand.length % 2 !== 0 || operand.length > 4) {
    throw new UnsupportedPatternError('"numeric" takes [op, number] or [op, number, op, number]');
  }
  for (let i = 0; i < operand.length; i += 2) {
    const [op, bound] = [operand[i], operand[i + 1]];
    if (typeof bound !== 'number') throw new UnsupportedPatternError('"numeric" bounds are numbers');
    const ok = op === '=' ? leaf === bound : op === '<' ? leaf < bound : op === '<=' ? leaf <= bound
      : op === '>' ? leaf > bound : op === '>=' ? leaf >= bound : undefined;
    if (ok === undefined) throw new UnsupportedPatternError(`"numeric" operator "${String(op)}" is not one of =, <, <=, >, >=`);
    if (!ok) return false;
  }
  return true;
}

function fold(text: string, ignoreCase: boolean): string {
  return ignoreCase ? text.toLowerCase() : text;
}

function isObject(value: unknown): value is { [key: string]: Json } {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
