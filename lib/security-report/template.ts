/*
 * A synthesized CloudFormation template as the security report reads it: resources by logical id, their construct
 * paths, and the references between them. Pure functions over parsed JSON; nothing here touches the disk.
 */

/** One resource of a template. */
export interface TemplateResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
}

/** A parsed template: only the part the report reads. */
export interface Template {
  readonly Resources?: Record<string, TemplateResource>;
}

/** A stack's template with what the cloud assembly says about it. */
export interface StackTemplate {
  /** The stack's construct path (`hierarchicalId`), e.g. `SecureApiDemo`. */
  readonly stackPath: string;
  /** The template file name in the cloud assembly, e.g. `SecureApiDemo.template.json`. */
  readonly templateFile: string;
  readonly template: Template;
  /** Construct path of each logical id, from the assembly's `aws:cdk:logicalId` metadata. */
  readonly pathsByLogicalId: ReadonlyMap<string, string>;
}

/** A resource together with its logical id and construct path. */
export interface LocatedResource {
  readonly logicalId: string;
  readonly type: string;
  readonly constructPath?: string;
  readonly properties: Record<string, unknown>;
}

/** Every resource of the given types, in template order. */
export function resourcesOfType(stack: StackTemplate, ...types: string[]): LocatedResource[] {
  return Object.entries(stack.template.Resources ?? {})
    .filter(([, resource]) => types.includes(resource.Type))
    .map(([logicalId, resource]) => locate(stack, logicalId, resource));
}

/** The resource with this logical id, if the template has it. */
export function resourceById(stack: StackTemplate, logicalId: string | undefined): LocatedResource | undefined {
  if (logicalId === undefined) return undefined;
  const resources = stack.template.Resources ?? {};
  return Object.hasOwn(resources, logicalId) ? locate(stack, logicalId, resources[logicalId]) : undefined;
}

function locate(stack: StackTemplate, logicalId: string, resource: TemplateResource): LocatedResource {
  // `aws:cdk:path` is in the template only when path metadata is on (the CLI turns it on); the assembly's
  // `aws:cdk:logicalId` metadata always maps the logical id to its construct.
  const fromTemplate = resource.Metadata?.['aws:cdk:path'];
  return {
    logicalId,
    type: resource.Type,
    constructPath: typeof fromTemplate === 'string' ? fromTemplate : stack.pathsByLogicalId.get(logicalId),
    properties: resource.Properties ?? {},
  };
}

/** The value at a dotted property path such as `Rules[2].Statement.RateBasedStatement.Limit`. */
export function valueAt(properties: Record<string, unknown>, property: string): unknown {
  let current: unknown = properties;
  for (const step of property.split(/\.|(?=\[)/)) {
    if (current === null || typeof current !== 'object') return undefined;
    const index = /^\[(\d+)\]$/.exec(step);
    if (index) {
      current = Array.isArray(current) ? current[Number(index[1])] : undefined;
    } else {
      current = Object.hasOwn(current, step) ? (current as Record<string, unknown>)[step] : undefined;
    }
  }
  return current;
}

/** The logical id a `Ref` or `Fn::GetAtt` points at; `undefined` for anything else. */
export function referencedId(value: unknown): string | undefined {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
  const object = value as Record<string, unknown>;
  if (typeof object.Ref === 'string') return object.Ref;
  const getAtt = object['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/** Every logical id referenced anywhere inside a value (`Ref`, `Fn::GetAtt`, also inside `Fn::Join`, `Fn::Sub`). */
export function referencedIds(value: unknown): Set<string> {
  const ids = new Set<string>();
  const visit = (v: unknown): void => {
    if (Array.isArray(v)) {
      v.forEach(visit);
    } else if (v !== null && typeof v === 'object') {
      const direct = referencedId(v);
      if (direct !== undefined) ids.add(direct);
      const sub = (v as Record<string, unknown>)['Fn::Sub'];
      const subText = typeof sub === 'string' ? sub : Array.isArray(sub) && typeof sub[0] === 'string' ? sub[0] : undefined;
      for (const match of subText?.matchAll(/\$\{([A-Za-z0-9]+)(?:\.[A-Za-z0-9.]+)?\}/g) ?? []) ids.add(match[1]);
      Object.values(v).forEach(visit);
    }
  };
  visit(value);
  return ids;
}

/** A property value as a short readable string: literals as they are, references as `Ref X` / `GetAtt X.Arn`. */
export function describeValue(value: unknown): string {
  if (value === undefined) return 'not set';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || value === null) return String(value);
  if (!Array.isArray(value) && typeof value === 'object') {
    const object = value as Record<string, unknown>;
    if (typeof object.Ref === 'string') return `Ref ${object.Ref}`;
    const getAtt = object['Fn::GetAtt'];
    if (Array.isArray(getAtt)) return `GetAtt ${getAtt.join('.')}`;
  }
  const ids = [...referencedIds(value)].filter((id) => !id.startsWith('AWS::'));
  const text = JSON.stringify(value);
  if (text.length <= 120) return text;
  return ids.length > 0 ? `(expression referencing ${ids.join(', ')})` : `${text.slice(0, 117)}...`;
}

/** A resource's name property when it is a literal, else its logical id. */
export function nameOf(resource: LocatedResource, property: string): string {
  const name = resource.properties[property];
  return typeof name === 'string' ? name : resource.logicalId;
}

/** The route of an `AWS::ApiGateway::Method`: `GET /items/{id}`, following its resource's parents. */
export function methodRoute(stack: StackTemplate, method: LocatedResource): string {
  const parts: string[] = [];
  let resourceId = referencedId(method.properties.ResourceId);
  for (let depth = 0; resourceId !== undefined && depth < 64; depth++) {
    const resource = resourceById(stack, resourceId);
    if (resource?.type !== 'AWS::ApiGateway::Resource') break;
    parts.unshift(String(resource.properties.PathPart));
    resourceId = referencedId(resource.properties.ParentId);
  }
  return `${String(method.properties.HttpMethod)} /${parts.join('/')}`;
}
