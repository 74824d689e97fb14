/**
 * The part of API Gateway's mapping template language (Velocity, VTL) that MOCK integration response templates of
 * the template use: CDK's CORS preflight with several origins picks the request's origin with
 *
 *   #set($origin = $input.params().header.get("Origin"))
 *   #if($origin == "") #set($origin = $input.params().header.get("origin")) #end
 *   #if($origin == "https://b.example" || $origin == "https://c.example")
 *     #set($context.responseOverride.header.Access-Control-Allow-Origin = $origin)
 *   #end
 *
 * Supported: `#set`, `#if` / `#elseif` / `#else` / `#end`, `==` / `!=` between references and string literals
 * joined by `||` / `&&`, `$input.params().header|querystring|path.get("name")`, `$input.params("name")`,
 * `$context.responseOverride.header.<name>` and `.status`, and text with `$ref`, `$!ref` and `${ref}`. Anything
 * else is refused with {@link UnsupportedTemplateError}, so that the local run never answers what AWS would not.
 * A `#set` whose value is null leaves the variable as it was, and null equals no string (Velocity 1.7 semantics).
 * A line that holds only a directive writes nothing.
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/api-gateway-mapping-template-reference.html
 * @see https://docs.aws.amazon.com/apigateway/latest/developerguide/apigateway-override-request-response-parameters.html
 */

/** Thrown for a template that uses VTL outside the supported subset. */
export class UnsupportedTemplateError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedTemplateError';
  }
}

/** The request as a mapping template sees it. */
export interface TemplateRequest {
  /** Header name (as the client sent it) → value. */
  readonly headers: ReadonlyMap<string, string>;
  readonly query: Readonly<Record<string, string>>;
  readonly pathParameters: Readonly<Record<string, string>>;
}

/** What a rendered template produced. */
export interface RenderedTemplate {
  readonly body: string;
  /** `$context.responseOverride.header.*`. */
  readonly headers: Record<string, string>;
  /** `$context.responseOverride.status`. */
  readonly status?: number;
}

type Value = string | null;

type Node =
  | { kind: 'text'; text: string }
  | { kind: 'set'; target: string; value: string }
  | { kind: 'if'; branches: Array<{ condition: string | null; body: Node[] }> };

const DIRECTIVE = /#(set|if|elseif|else|end)\b\s*/y;

/** Reads a parenthesized argument starting at `open` (the index of `(`), honouring string literals. */
function parenthesized(source: string, open: number): { inner: string; end: number } {
  let depth = 0;
  let quote: string | null = null;
  for (let i = open; i < source.length; i++) {
    const c = source[i];
    if (quote !== null) {
      if (c === quote) quote = null;
    } else if (c === '"' || c === "'") {
      quote = c;
    } else if (c === '(') {
      depth++;
    } else if (c === ')' && --depth === 0) {
      return { inner: source.slice(open + 1, i), end: i + 1 };
    }
  }
  throw new UnsupportedTemplateError('unbalanced parentheses in a directive');
}

/** Splits a template into nodes; a line that holds only a directive loses its indentation and line break. */
function parse(source: string): Node[] {
  const root: Node[] = [];
  const stack: Array<{ node: Extract<Node, { kind: 'if' }>; body: Node[] }> = [];
  const current = () => (stack.length === 0 ? root : stack[stack.length - 1].body);
  let text = '';
  let i = 0;
  const flush = () => {
    if (text !== '') current().push({ kind: 'text', text });
    text = '';
  };
  while (i < source.length) {
    DIRECTIVE.lastIndex = i;
    const match = source[i] === '#' ? DIRECTIVE.exec(source) : null;
    if (match === null) {
      if (source.startsWith('##', i) || source.startsWith('#*', i)) throw new UnsupportedTemplateError('comments are not supported');
      text += source[i++];
      continue;
    }
    // A directive alone on its line: drop the indentation before it (and, below, the line break after it).
    const lineStart = text.lastIndexOf('\n') + 1;
    const alone = /^[ \t]*$/.test(text.slice(lineStart));
    if (alone) text = text.slice(0, lineStart);
    flush();
    const name = match[1];
    let end = DIRECTIVE.lastIndex;
    let argument: string | null = null;
    if (name === 'set' || name === 'if' || name === 'elseif') {
      if (source[end] !== '(') throw new UnsupportedTemplateError(`#${name} without an argument`);
      const read = parenthesized(source, end);
      argument = read.inner.trim();
      end = read.end;
    }
    if (name === 'set') {
      const set = /^\$([A-Za-z][\w.-]*)\s*=\s*(.+)$/s.exec(argument!);
      if (set === null) throw new UnsupportedTemplateError(`#set(${argument}) is not supported`);
      current().push({ kind: 'set', target: set[1], value: set[2].trim() });
    } else if (name === 'if') {
      const node: Extract<Node, { kind: 'if' }> = { kind: 'if', branches: [{ condition: argument, body: [] }] };
      current().push(node);
      stack.push({ node, body: node.branches[0].body });
    } else {
      const open = stack.pop();
      if (open === undefined) throw new UnsupportedTemplateError(`#${name} without #if`);
      if (name === 'elseif' || name === 'else') {
        const branch = { condition: name === 'else' ? null : argument, body: [] as Node[] };
        open.node.branches.push(branch);
        stack.push({ node: open.node, body: branch.body });
      }
    }
    if (alone) {
      const rest = /^[ \t]*(\r?\n|$)/.exec(source.slice(end));
      if (rest !== null) end += rest[0].length;
    }
    i = end;
  }
  flush();
  if (stack.length > 0) throw new UnsupportedTemplateError('#if without #end');
  return root;
}

class Renderer {
  private readonly variables = new Map<string, Value>();
  readonly headers: Record<string, string> = {};
  status?: number;

  constructor(private readonly request: TemplateRequest) {}

  render(nodes: Node[]): string {
    let out = '';
    for (const node of nodes) {
      if (node.kind === 'text') {
        out += this.interpolate(node.text);
      } else if (node.kind === 'set') {
        this.assign(node.target, this.evaluate(node.value));
      } else {
        const branch = node.branches.find((b) => b.condition === null || this.condition(b.condition));
        if (branch !== undefined) out += this.render(branch.body);
      }
    }
    return out;
  }

  private assign(target: string, value: Value): void {
    // Velocity 1.7: a null value assigns nothing.
    if (value === null) return;
    const override = /^context\.responseOverride\.(header\.(.+)|status)$/.exec(target);
    if (override !== null) {
      if (override[2] !== undefined) this.headers[override[2]] = value;
      else if (/^\d{3}$/.test(value)) this.status = Number(value);
      else throw new UnsupportedTemplateError(`$context.responseOverride.status must be a status code (got '${value}')`);
      return;
    }
    if (!/^[A-Za-z]\w*$/.test(target)) throw new UnsupportedTemplateError(`#set of $${target} is not supported`);
    this.variables.set(target, value);
  }

  private condition(expression: string): boolean {
    return expression.split('||').some((any) => any.split('&&').every((all) => this.comparison(all.trim())));
  }

  private comparison(expression: string): boolean {
    const match = /^(.+?)\s*(==|!=)\s*(.+)$/s.exec(expression);
    if (match === null) {
      const value = this.evaluate(expression);
      return value !== null && value !== '' && value !== 'false';
    }
    const [left, right] = [this.evaluate(match[1].trim()), this.evaluate(match[3].trim())];
    const equal = left !== null && right !== null && left === right;
    return match[2] === '==' ? equal : !equal;
  }

  /** A string literal or a reference. */
  evaluate(expression: string): Value {
    const literal = /^"([^"\\$]*)"$|^'([^'\\]*)'$/.exec(expression);
    if (literal !== null) return literal[1] ?? literal[2];
    const reference = /^\$!?\{?([A-Za-z][\w]*)((?:\.[A-Za-z][\w-]*(?:\([^)]*\))?)*)\}?$/.exec(expression);
    if (reference === null) throw new UnsupportedTemplateError(`the expression ${expression} is not supported`);
    return this.reference(reference[1], reference[2]);
  }

  private reference(root: string, path: string): Value {
    if (root === 'input') {
      const params = /^\.params\(\)\.(header|querystring|path)\.get\(\s*(?:"([^"]*)"|'([^']*)')\s*\)$/.exec(path)
        ?? /^\.params\(\s*(?:"([^"]*)"|'([^']*)')\s*\)$/.exec(path);
      if (params === null) throw new UnsupportedTemplateError(`$input${path} is not supported`);
      const { headers, query, pathParameters } = this.request;
      const own = (map: Readonly<Record<string, string>>, name: string) => (Object.hasOwn(map, name) ? map[name] : undefined);
      if (params.length === 4) {
        const name = params[2] ?? params[3];
        if (params[1] === 'header') return headers.get(name) ?? null;
        return own(params[1] === 'querystring' ? query : pathParameters, name) ?? null;
      }
      // $input.params(x): path, then query string, then header.
      const name = params[1] ?? params[2];
      return own(pathParameters, name) ?? own(query, name) ?? headers.get(name) ?? null;
    }
    if (root === 'context') {
      const override = /^\.responseOverride\.(header\.(.+)|status)$/.exec(path);
      if (override === null) throw new UnsupportedTemplateError(`$context${path} is not supported`);
      if (override[2] !== undefined) return Object.hasOwn(this.headers, override[2]) ? this.headers[override[2]] : null;
      return this.status === undefined ? null : String(this.status);
    }
    if (path !== '') throw new UnsupportedTemplateError(`$${root}${path} is not supported`);
    return this.variables.get(root) ?? null;
  }

  private interpolate(text: string): string {
    return text.replace(/\$!?\{?[A-Za-z][\w]*(?:\.[A-Za-z][\w-]*(?:\([^)]*\))?)*\}?/g, (whole) => {
      const value = this.evaluate(whole);
      // Velocity writes an unresolved `$ref` as it is, and `$!ref` as nothing.
      return value ?? (whole.startsWith('$!') ? '' : whole);
    });
  }
}

const parsed = new Map<string, Node[]>();

/**
 * Renders a mapping template for a request.
 * @throws UnsupportedTemplateError when the template uses VTL outside the supported subset
 */
export function renderMappingTemplate(template: string, request: TemplateRequest): RenderedTemplate {
  let nodes = parsed.get(template);
  if (nodes === undefined) {
    nodes = parse(template);
    parsed.set(template, nodes);
  }
  const renderer = new Renderer(request);
  const body = renderer.render(nodes);
  return { body, headers: renderer.headers, status: renderer.status };
}
