/**
 * CloudWatch Logs filter patterns, evaluated locally: the JSON patterns (`{ $.decision = "unauthorized" }`) and the
 * empty pattern (every event), and what a metric filter's `MetricTransformations` make of a matched event. It is a
 * reimplementation from the AWS documentation, independent of the patterns SecureApi writes, so that it can check
 * them: a pattern it cannot read is an error, never a silent "no match".
 *
 * Followed (JSON section of the syntax page):
 * - `{ SELECTOR OP VALUE }`; selectors start at the root `$`, name properties (`.name`: letters, digits, `-`, `_`) and
 *   array elements (`[0]`, after a property), e.g. `$.objectList[1].id`, `$.coordinates[0][1]`.
 * - strings: `=` and `!=`, quoted or (letters and digits, plus `.`, `*`, `-`, `+`, `_`) unquoted; `*` matches any
 *   text at the start or the end (`*Event`, `Event*`, `*html*`); a `*` in the middle is literal (`Ev*ent`).
 * - numbers: `=`, `!=`, `<`, `<=`, `>`, `>=` against an integer, a decimal or scientific notation, optional sign.
 * - `IS NULL`, `NOT EXISTS`, `IS TRUE`, `IS FALSE`; `$.f = *` (CDK's `FilterPattern.exists`) as "exists".
 * - `&&`, `||` and parentheses, with `()` > `&&` > `||`.
 * - a selector that points to an object or array matches neither `=` nor `!=` (nor does a missing field).
 * - regular expressions between `%` (`{ $.m = %ab[0-9]+% }`): only the documented characters, no `()`, at most two
 *   per pattern; a regex matches anywhere in the value (`%AUTHORIZED%` matches `UNAUTHORIZED REQUEST`).
 * - the empty pattern matches every event; JSON patterns match JSON events only; patterns are case sensitive and at
 *   most 1024 characters.
 *
 * Not documented by AWS, so chosen here (and named in the tests): a quoted string may escape `"` and `\` with `\`
 * (as CDK's `stringValue` renders them); string comparisons apply to numbers through their decimal text; an
 * unquoted number compared with `=`/`!=` to a string value compares the text as written; `<`, `>` etc. apply to JSON
 * numbers only; booleans and `null` only answer `IS TRUE`/`IS FALSE`/`IS NULL` (and `NOT EXISTS`); only JSON
 * objects and arrays are JSON log events.
 *
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/FilterAndPatternSyntax.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/matching-terms-json-log-events.html
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html
 * @see https://github.com/awsdocs/amazon-cloudwatch-logs-user-guide/blob/master/doc_source/FilterAndPatternSyntax.md
 */

/** A pattern this evaluator cannot read: malformed, or a kind of pattern not evaluated locally. */
export class FilterPatternError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'FilterPatternError';
  }
}

/**
 * Longest filter pattern.
 * @see https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_PutMetricFilter.html
 */
export const MAX_FILTER_PATTERN_LENGTH = 1024;

/**
 * Most regular expressions in one JSON pattern.
 * @see https://docs.aws.amazon.com/AmazonCloudWatch/latest/logs/regex-expressions.html
 */
export const MAX_REGEXES_PER_PATTERN = 2;

/** One step of a selector: a property name or an array index. */
type Step = { readonly property: string } | { readonly index: number };

/** A parsed selector such as `$.users[0].email`. */
export interface Selector {
  /** The selector as written. */
  readonly source: string;
  readonly steps: readonly Step[];
}

type StringTest = { readonly kind: 'glob'; readonly text: string; readonly prefix: boolean; readonly suffix: boolean; readonly any: boolean }
| { readonly kind: 'regex'; readonly regex: RegExp };

type Node =
  | { readonly type: 'and' | 'or'; readonly left: Node; readonly right: Node }
  | { readonly type: 'string'; readonly selector: Selector; readonly negate: boolean; readonly test: StringTest }
  | { readonly type: 'number'; readonly selector: Selector; readonly op: NumericOp; readonly value: number; readonly text: string }
  | { readonly type: 'postfix'; readonly selector: Selector; readonly check: 'null' | 'not-exists' | 'true' | 'false' };

type NumericOp = '=' | '!=' | '<' | '<=' | '>' | '>=';

/** The numbers of the syntax page: integer or decimal, optional sign, optional `e` exponent with optional sign. */
const NUMBER = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;

/** Characters of an unquoted value; anything else must be quoted ("Strings that have … '@', '$', '\' … must be enclosed in double quotes"). */
const UNQUOTED = /[A-Za-z0-9_.*+-]/;

/** Characters of a property name in a selector. */
const NAME = /[A-Za-z0-9_-]/;

/** What a regex may contain: letters, digits, the listed symbols and operators; no `(`/`)`, no multibyte characters. */
const REGEX_CHARS = /^[A-Za-z0-9:_#=@/;,\-^$?[\]{}|\\*+.]*$/;

/** A JSON log event: its parsed message, when the message is a JSON object or array. */
export type JsonLogEvent = Record<string, unknown> | unknown[];

/**
 * The message as a JSON log event, or undefined when it is not one (not JSON, or JSON but not an object or array).
 */
export function parseJsonLogEvent(message: string): JsonLogEvent | undefined {
  const trimmed = message.trim();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return undefined;
  try {
    const parsed = JSON.parse(trimmed) as unknown;
    return typeof parsed === 'object' && parsed !== null ? parsed as JsonLogEvent : undefined;
  } catch {
    return undefined;
  }
}

/** Where a selector leads in an event: `found` false when a step is missing (or not an object/array as needed). */
export function selectValue(event: unknown, selector: Selector): { readonly found: boolean; readonly value?: unknown } {
  let current: unknown = event;
  for (const step of selector.steps) {
    if ('index' in step) {
      if (!Array.isArray(current) || step.index >= current.length) return { found: false };
      current = current[step.index];
    } else {
      // Own properties only: a log line naming `__proto__` or `constructor` is data, not the prototype.
      if (typeof current !== 'object' || current === null || Array.isArray(current) || !Object.hasOwn(current, step.property)) {
        return { found: false };
      }
      current = (current as Record<string, unknown>)[step.property];
    }
  }
  return { found: true, value: current };
}

/** The text a string comparison sees: strings as they are, numbers in decimal; undefined for any other value. */
function comparableText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  return undefined;
}

function stringMatches(test: StringTest, text: string): boolean {
  if (test.kind === 'regex') return test.regex.test(text);
  if (test.any) return true;
  if (test.prefix && test.suffix) return text.includes(test.text);
  if (test.prefix) return text.endsWith(test.text);
  if (test.suffix) return text.startsWith(test.text);
  return text === test.text;
}

function evaluate(node: Node, event: JsonLogEvent): boolean {
  switch (node.type) {
    case 'and': return evaluate(node.left, event) && evaluate(node.right, event);
    case 'or': return evaluate(node.left, event) || evaluate(node.right, event);
    case 'postfix': {
      const { found, value } = selectValue(event, node.selector);
      if (node.check === 'not-exists') return !found;
      if (!found) return false;
      return node.check === 'null' ? value === null : value === (node.check === 'true');
    }
    case 'string': {
      const { found, value } = selectValue(event, node.selector);
      const text = found ? comparableText(value) : undefined;
      // A missing field, an object, an array, a boolean or null: neither = nor != applies.
      if (text === undefined) return false;
      return stringMatches(node.test, text) !== node.negate;
    }
    case 'number': {
      const { found, value } = selectValue(event, node.selector);
      if (!found) return false;
      if (typeof value === 'string' && (node.op === '=' || node.op === '!=')) {
        return (value === node.text) === (node.op === '=');
      }
      if (typeof value !== 'number') return false;
      switch (node.op) {
        case '=': return value === node.value;
        case '!=': return value !== node.value;
        case '<': return value < node.value;
        case '<=': return value <= node.value;
        case '>': return value > node.value;
        case '>=': return value >= node.value;
      }
    }
  }
}

/** Reads a pattern; every method throws {@link FilterPatternError} with the position of what it cannot read. */
class Parser {
  private pos = 0;
  public regexes = 0;

  constructor(private readonly text: string, private readonly pattern: string) {}

  public fail(what: string): never {
    throw new FilterPatternError(`filter pattern ${JSON.stringify(this.pattern)}: ${what} at '${this.text.slice(this.pos, this.pos + 20)}'`);
  }

  public skipSpace(): void {
    while (this.pos < this.text.length && /\s/.test(this.text[this.pos])) this.pos++;
  }

  public atEnd(): boolean {
    this.skipSpace();
    return this.pos >= this.text.length;
  }

  private take(literal: string): boolean {
    this.skipSpace();
    if (this.text.startsWith(literal, this.pos)) {
      this.pos += literal.length;
      return true;
    }
    return false;
  }

  /** A keyword: the literal, not followed by a name character. */
  private takeWord(word: string): boolean {
    this.skipSpace();
    if (!this.text.startsWith(word, this.pos)) return false;
    const next = this.text[this.pos + word.length];
    if (next !== undefined && NAME.test(next)) return false;
    this.pos += word.length;
    return true;
  }

  public or(): Node {
    let left = this.and();
    while (this.take('||')) left = { type: 'or', left, right: this.and() };
    return left;
  }

  private and(): Node {
    let left = this.primary();
    while (this.take('&&')) left = { type: 'and', left, right: this.primary() };
    return left;
  }

  private primary(): Node {
    if (this.take('(')) {
      const inner = this.or();
      if (!this.take(')')) this.fail("expected ')'");
      return inner;
    }
    return this.comparison();
  }

  public selector(): Selector {
    this.skipSpace();
    const start = this.pos;
    if (this.text[this.pos] !== '$') this.fail("expected a selector starting with '$'");
    this.pos++;
    const steps: Step[] = [];
    for (;;) {
      const c = this.text[this.pos];
      if (c === '.') {
        this.pos++;
        const nameStart = this.pos;
        while (this.pos < this.text.length && NAME.test(this.text[this.pos])) this.pos++;
        if (this.pos === nameStart) this.fail('expected a property name (letters, digits, - and _)');
        steps.push({ property: this.text.slice(nameStart, this.pos) });
      } else if (c === '[') {
        // "Array elements are denoted with [NUMBER] syntax, and must follow a property."
        if (steps.length === 0) this.fail('an array index must follow a property');
        const match = /^\[(\d+)\]/.exec(this.text.slice(this.pos));
        if (match === null) this.fail('expected an array index [NUMBER]');
        steps.push({ index: Number(match[1]) });
        this.pos += match[0].length;
      } else {
        break;
      }
    }
    if (steps.length === 0) this.fail('a selector must name a property');
    return { source: this.text.slice(start, this.pos), steps };
  }

  private comparison(): Node {
    const selector = this.selector();
    if (this.takeWord('IS')) {
      if (this.takeWord('NULL')) return { type: 'postfix', selector, check: 'null' };
      if (this.takeWord('TRUE')) return { type: 'postfix', selector, check: 'true' };
      if (this.takeWord('FALSE')) return { type: 'postfix', selector, check: 'false' };
      this.fail('expected NULL, TRUE or FALSE after IS');
    }
    if (this.takeWord('NOT')) {
      if (this.takeWord('EXISTS')) return { type: 'postfix', selector, check: 'not-exists' };
      this.fail('expected EXISTS after NOT');
    }
    const op = (['!=', '<=', '>=', '=', '<', '>'] as const).find((candidate) => this.take(candidate));
    if (op === undefined) this.fail('expected an operator (=, !=, <, <=, >, >=, IS, NOT EXISTS)');
    this.skipSpace();
    const c = this.text[this.pos];
    if (c === '"') return this.stringComparison(selector, op, this.quoted());
    if (c === '%') {
      if (op !== '=' && op !== '!=') this.fail('a regular expression takes = or !=');
      return { type: 'string', selector, negate: op === '!=', test: this.regex() };
    }
    const start = this.pos;
    while (this.pos < this.text.length && UNQUOTED.test(this.text[this.pos])) this.pos++;
    const value = this.text.slice(start, this.pos);
    if (value === '') this.fail('expected a value (strings with characters other than letters, digits, . * - + _ must be quoted)');
    const next = this.text[this.pos];
    if (next !== undefined && !/[\s()&|]/.test(next)) this.fail('strings with characters other than letters, digits, . * - + _ must be quoted');
    if (NUMBER.test(value)) return { type: 'number', selector, op, value: Number(value), text: value };
    return this.stringComparison(selector, op, value);
  }

  private stringComparison(selector: Selector, op: NumericOp, value: string): Node {
    if (op !== '=' && op !== '!=') this.fail(`${op} compares numbers, not the string ${JSON.stringify(value)}`);
    const any = value === '*';
    const prefix = !any && value.startsWith('*');
    const suffix = !any && value.length > 1 && value.endsWith('*');
    const text = value.slice(prefix ? 1 : 0, suffix ? -1 : undefined);
    return { type: 'string', selector, negate: op === '!=', test: { kind: 'glob', text, prefix, suffix, any } };
  }

  private quoted(): string {
    this.pos++;
    let out = '';
    while (this.pos < this.text.length) {
      const c = this.text[this.pos++];
      if (c === '"') return out;
      if (c === '\\' && (this.text[this.pos] === '"' || this.text[this.pos] === '\\')) {
        out += this.text[this.pos++];
      } else {
        out += c;
      }
    }
    return this.fail('unterminated quoted string');
  }

  private regex(): StringTest {
    const end = this.text.indexOf('%', this.pos + 1);
    if (end < 0) this.fail("unterminated regular expression (expected a closing '%')");
    const source = this.text.slice(this.pos + 1, end);
    if (!REGEX_CHARS.test(source)) this.fail('a regular expression may only hold letters, digits, : _ # = @ / ; , - and the operators ^ $ ? [ ] { } | \\ * + . (no parentheses)');
    if (++this.regexes > MAX_REGEXES_PER_PATTERN) this.fail(`at most ${MAX_REGEXES_PER_PATTERN} regular expressions per pattern`);
    let regex: RegExp;
    try {
      regex = new RegExp(source);
    } catch (err) {
      return this.fail(`invalid regular expression (${(err as Error).message})`);
    }
    this.pos = end + 1;
    return { kind: 'regex', regex };
  }
}

/** A compiled filter pattern. */
export interface FilterPattern {
  /** The pattern as written. */
  readonly source: string;
  /** Whether a log event's message matches. */
  matches(message: string): boolean;
  /** Whether an already parsed event (undefined: the message is not a JSON log event) matches. */
  matchesEvent(event: JsonLogEvent | undefined): boolean;
}

/**
 * Compiles a filter pattern: the empty pattern (every event) or a JSON pattern `{ … }`.
 * @throws FilterPatternError for a malformed pattern, or a kind not evaluated locally (terms, space-delimited,
 *   standalone regex).
 */
export function parseFilterPattern(pattern: string): FilterPattern {
  if (pattern.length > MAX_FILTER_PATTERN_LENGTH) {
    throw new FilterPatternError(`filter pattern is ${pattern.length} characters long: at most ${MAX_FILTER_PATTERN_LENGTH}`);
  }
  if (pattern === '') {
    return { source: pattern, matches: () => true, matchesEvent: () => true };
  }
  const trimmed = pattern.trim();
  if (!trimmed.startsWith('{') || !trimmed.endsWith('}')) {
    throw new FilterPatternError(`filter pattern ${JSON.stringify(pattern)}: only JSON patterns ({ … }) and the empty pattern are evaluated locally`);
  }
  const parser = new Parser(trimmed.slice(1, -1), pattern);
  if (parser.atEnd()) parser.fail('empty JSON pattern');
  const root = parser.or();
  if (!parser.atEnd()) parser.fail("expected && or || or the end of the pattern");
  const matchesEvent = (event: JsonLogEvent | undefined) => event !== undefined && evaluate(root, event);
  return { source: pattern, matches: (message) => matchesEvent(parseJsonLogEvent(message)), matchesEvent };
}

/** Whether a log event's message matches a filter pattern (compiles the pattern each call). */
export function matchesFilterPattern(pattern: string, message: string): boolean {
  return parseFilterPattern(pattern).matches(message);
}

/** Parses a `$.…` selector on its own (a metric value or a dimension value). */
export function parseSelector(source: string): Selector {
  const parser = new Parser(source, source);
  const selector = parser.selector();
  if (!parser.atEnd()) parser.fail('expected the end of the selector');
  return selector;
}

/**
 * A metric filter's metric transformation, as in the template (`AWS::Logs::MetricFilter` `MetricTransformations`).
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-logs-metricfilter-metrictransformation.html
 */
export interface MetricTransformation {
  readonly MetricNamespace: string;
  readonly MetricName: string;
  /** A number (usually `"1"`), or `$.field`: the event's numeric value of that field. */
  readonly MetricValue: string;
  /** Emitted for an event the pattern does not match. @default - nothing is emitted */
  readonly DefaultValue?: number;
  /** Up to three dimensions, each `{ Key, Value: '$.field' }`. */
  readonly Dimensions?: ReadonlyArray<{ readonly Key: string; readonly Value: string }>;
  /** @default 'None' */
  readonly Unit?: string;
}

/** One value a metric filter emits for one log event. */
export interface MetricDatum {
  readonly namespace: string;
  readonly name: string;
  readonly value: number;
  readonly unit: string;
  /** Dimension name → value; a dimension whose field the event lacks is left out. */
  readonly dimensions: Readonly<Record<string, string>>;
}

/** A metric transformation checked and compiled once. */
export interface CompiledTransformation {
  readonly transformation: MetricTransformation;
  /**
   * What the transformation emits for an event: on a match, the metric value (1, or the event's number at
   * `$.field`) with the dimensions the event has; without a match, `DefaultValue` without dimensions, if set.
   * Undefined when nothing is emitted (no match and no default, or `$.field` is not a number in the event).
   */
  apply(event: JsonLogEvent | undefined, matched: boolean): MetricDatum | undefined;
}

/**
 * Compiles a metric transformation.
 * @throws FilterPatternError when the metric value is neither a number nor a `$.` selector, or a dimension value is
 *   not a `$.` selector, or there are more than three dimensions.
 */
export function compileMetricTransformation(transformation: MetricTransformation): CompiledTransformation {
  const { MetricValue: metricValue, Dimensions: dimensions = [] } = transformation;
  if (dimensions.length > 3) throw new FilterPatternError(`metric ${transformation.MetricName}: at most 3 dimensions (got ${dimensions.length})`);
  let valueSelector: Selector | undefined;
  let constant: number | undefined;
  if (metricValue.startsWith('$')) valueSelector = parseSelector(metricValue);
  else if (NUMBER.test(metricValue)) constant = Number(metricValue);
  else throw new FilterPatternError(`metric ${transformation.MetricName}: MetricValue must be a number or a $.field (got ${JSON.stringify(metricValue)})`);
  const dimensionSelectors = dimensions.map((d) => {
    if (!d.Value.startsWith('$.')) throw new FilterPatternError(`metric ${transformation.MetricName}: dimension ${d.Key} must name a $.field (got ${JSON.stringify(d.Value)})`);
    return { key: d.Key, selector: parseSelector(d.Value) };
  });
  const base = { namespace: transformation.MetricNamespace, name: transformation.MetricName, unit: transformation.Unit ?? 'None' };
  return {
    transformation,
    apply: (event, matched) => {
      if (!matched) {
        return transformation.DefaultValue === undefined ? undefined : { ...base, value: transformation.DefaultValue, dimensions: {} };
      }
      let value = constant;
      if (valueSelector !== undefined) {
        const selected = selectValue(event, valueSelector);
        value = selected.found && typeof selected.value === 'number' ? selected.value : undefined;
      }
      if (value === undefined) return undefined;
      // "This dimension will only be published for a metric if the value is found in the log event."
      // https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-logs-metricfilter-dimension.html
      const out: Record<string, string> = {};
      for (const { key, selector } of dimensionSelectors) {
        const selected = selectValue(event, selector);
        const text = selected.found ? comparableText(selected.value) : undefined;
        if (text !== undefined) out[key] = text;
      }
      return { ...base, value, dimensions: out };
    },
  };
}
