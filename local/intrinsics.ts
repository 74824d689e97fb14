/**
 * Resolves CloudFormation intrinsic functions in a synthesized template to local physical values, the way
 * CloudFormation would at deploy time: `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Select`, `Fn::Split`, `Fn::Sub`,
 * `Fn::Base64`, `Fn::FindInMap`, `Fn::If` (with `Conditions`) and the pseudo parameters.
 *
 * Physical ids come from {@link PhysicalIds}: deterministic names for the resources the local run uses (table,
 * functions, REST API parts) and generic placeholders for everything else, so resolving never needs AWS.
 */
import { createHash } from 'node:crypto';

/** A CloudFormation template, as synthesized. */
export interface CfnTemplate {
  readonly Resources: Record<string, CfnResource>;
  readonly Parameters?: Record<string, { Type?: string; Default?: unknown }>;
  readonly Conditions?: Record<string, unknown>;
  readonly Mappings?: Record<string, Record<string, Record<string, unknown>>>;
  readonly Outputs?: Record<string, { Value: unknown; Description?: string }>;
}

/** One resource of a template. */
export interface CfnResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
  readonly Metadata?: Record<string, unknown>;
  readonly Condition?: string;
}

/** Thrown for an intrinsic the local run cannot resolve (an import, an unknown resource). */
export class IntrinsicError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IntrinsicError';
  }
}

/** The account, region and partition the local run pretends to be in. */
export interface LocalEnvironment {
  /** @example 'us-east-1' */
  readonly region: string;
  /** @example '000000000000' */
  readonly accountId: string;
  /** @example 'aws' */
  readonly partition: string;
  /** @example 'amazonaws.com' */
  readonly urlSuffix: string;
  /** The stack name. */
  readonly stackName: string;
}

/** The local environment of every local run. */
export const LOCAL_ENVIRONMENT: Omit<LocalEnvironment, 'stackName'> = {
  region: 'us-east-1',
  accountId: '000000000000',
  partition: 'aws',
  urlSuffix: 'amazonaws.com',
};

/** Marker of `Ref: AWS::NoValue`: the property is removed. */
const NO_VALUE = Symbol('AWS::NoValue');

/** A short lowercase id derived from a seed, shaped like API Gateway's ids (10 characters of [a-z0-9]). */
export function shortId(seed: string, length = 10): string {
  const digest = createHash('sha256').update(seed).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[digest[i] % alphabet.length];
  return id;
}

/**
 * Local physical ids of a template's resources. Overrides (for example persisted API key ids) win; resources that
 * name themselves (`TableName`, `FunctionName`, …) keep their name; others get a deterministic name from the stack
 * and the logical id, so that they are stable across restarts (the table keeps its data).
 */
export class PhysicalIds {
  private readonly cache = new Map<string, string>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly env: LocalEnvironment,
    private readonly overrides: Readonly<Record<string, string>> = {},
    private readonly resolveProperty: (value: unknown) => unknown = (v) => v,
  ) {}

  /** The value of `Ref` on a resource. */
  public ref(logicalId: string): string {
    const cached = this.cache.get(logicalId);
    if (cached !== undefined) return cached;
    const resource = this.resource(logicalId);
    const value = this.overrides[logicalId] ?? this.computeRef(logicalId, resource);
    this.cache.set(logicalId, value);
    return value;
  }

  /** The value of `Fn::GetAtt` on a resource. */
  public getAtt(logicalId: string, attribute: string): string {
    const resource = this.resource(logicalId);
    const ref = this.ref(logicalId);
    const { region, accountId: account, partition } = this.env;
    switch (`${resource.Type}.${attribute}`) {
      case 'AWS::Lambda::Function.Arn':
        return `arn:${partition}:lambda:${region}:${account}:function:${ref}`;
      case 'AWS::DynamoDB::Table.Arn':
        return `arn:${partition}:dynamodb:${region}:${account}:table/${ref}`;
      case 'AWS::DynamoDB::Table.StreamArn':
        return `arn:${partition}:dynamodb:${region}:${account}:table/${ref}/stream/1970-01-01T00:00:00.000`;
      case 'AWS::ApiGateway::RestApi.RootResourceId':
        return shortId(`${ref}/root`);
      case 'AWS::ApiGateway::RestApi.RestApiId':
        return ref;
      case 'AWS::ApiGateway::Authorizer.AuthorizerId':
      case 'AWS::ApiGateway::Resource.ResourceId':
      case 'AWS::ApiGateway::ApiKey.APIKeyId':
      case 'AWS::ApiGateway::UsagePlan.Id':
        return ref;
      case 'AWS::IAM::Role.Arn':
        return `arn:${partition}:iam::${account}:role/${ref}`;
      case 'AWS::IAM::ManagedPolicy.PolicyArn':
        return `arn:${partition}:iam::${account}:policy/${ref}`;
      case 'AWS::KMS::Key.Arn':
        return `arn:${partition}:kms:${region}:${account}:key/${ref}`;
      case 'AWS::KMS::Key.KeyId':
        return ref;
      case 'AWS::Logs::LogGroup.Arn':
        return `arn:${partition}:logs:${region}:${account}:log-group:${ref}:*`;
      case 'AWS::S3::Bucket.Arn':
        return `arn:${partition}:s3:::${ref}`;
      case 'AWS::S3::Bucket.DomainName':
        return `${ref}.s3.${this.env.urlSuffix}`;
      case 'AWS::CloudTrail::Trail.Arn':
        return `arn:${partition}:cloudtrail:${region}:${account}:trail/${ref}`;
      case 'AWS::WAFv2::WebACL.Arn':
        return `arn:${partition}:wafv2:${region}:${account}:regional/webacl/${ref}/${shortId(ref, 8)}`;
      default: {
        const service = resource.Type.split('::')[1]?.toLowerCase() ?? 'unknown';
        return attribute === 'Arn'
          ? `arn:${partition}:${service}:${region}:${account}:${logicalId.toLowerCase()}/${ref}`
          : `${ref}.${attribute}`;
      }
    }
  }

  private resource(logicalId: string): CfnResource {
    const resource = this.template.Resources[logicalId];
    if (resource === undefined) throw new IntrinsicError(`no resource '${logicalId}' in the template`);
    return resource;
  }

  private named(resource: CfnResource, property: string): string | undefined {
    const value = resource.Properties?.[property];
    if (value === undefined) return undefined;
    const resolved = this.resolveProperty(value);
    return typeof resolved === 'string' ? resolved : undefined;
  }

  private computeRef(logicalId: string, resource: CfnResource): string {
    const generated = `${this.env.stackName}-${logicalId}`;
    switch (resource.Type) {
      case 'AWS::DynamoDB::Table':
        return this.named(resource, 'TableName') ?? generated.slice(0, 255);
      case 'AWS::Lambda::Function':
        return this.named(resource, 'FunctionName') ?? generated.slice(0, 64);
      case 'AWS::IAM::Role':
        return this.named(resource, 'RoleName') ?? generated.slice(0, 64);
      case 'AWS::Logs::LogGroup':
        return this.named(resource, 'LogGroupName') ?? `/local/${generated}`;
      case 'AWS::S3::Bucket':
        return this.named(resource, 'BucketName') ?? generated.toLowerCase().slice(0, 63);
      case 'AWS::ApiGateway::Stage':
        return this.named(resource, 'StageName') ?? 'prod';
      case 'AWS::ApiGateway::Model':
        return this.named(resource, 'Name') ?? logicalId;
      case 'AWS::IAM::ManagedPolicy':
        return this.named(resource, 'ManagedPolicyName') ?? generated;
      case 'AWS::KMS::Key': {
        const h = createHash('sha256').update(generated).digest('hex');
        return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-8${h.slice(17, 20)}-${h.slice(20, 32)}`;
      }
      default:
        return resource.Type.startsWith('AWS::ApiGateway::') ? shortId(generated) : generated;
    }
  }
}

/**
 * Resolves intrinsic functions. Values that are already literals pass through unchanged; `Ref: AWS::NoValue`
 * removes the property or list element.
 */
export class IntrinsicResolver {
  /** Physical ids of the template's resources. */
  public readonly ids: PhysicalIds;
  private readonly conditions = new Map<string, boolean>();

  constructor(
    private readonly template: CfnTemplate,
    private readonly env: LocalEnvironment,
    overrides: Readonly<Record<string, string>> = {},
  ) {
    this.ids = new PhysicalIds(template, env, overrides, (value) => this.resolve(value));
  }

  /** Resolves every intrinsic in a value. */
  public resolve(value: unknown): unknown {
    const resolved = this.walk(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /** Resolves a value that must be a string. */
  public resolveString(value: unknown, where: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved !== 'string') {
      throw new IntrinsicError(`${where} does not resolve to a string (got ${JSON.stringify(resolved)})`);
    }
    return resolved;
  }

  /** Whether a template condition holds. */
  public condition(name: string): boolean {
    const cached = this.conditions.get(name);
    if (cached !== undefined) return cached;
    const definition = this.template.Conditions?.[name];
    if (definition === undefined) throw new IntrinsicError(`no condition '${name}' in the template`);
    const value = this.truth(definition);
    this.conditions.set(name, value);
    return value;
  }

  private truth(value: unknown): boolean {
    if (typeof value === 'boolean') return value;
    if (typeof value === 'object' && value !== null && 'Condition' in value) {
      return this.condition(String((value as { Condition: unknown }).Condition));
    }
    const resolved = this.walk(value);
    if (typeof resolved === 'boolean') return resolved;
    if (resolved === 'true' || resolved === 'false') return resolved === 'true';
    throw new IntrinsicError(`condition does not resolve to a boolean (got ${JSON.stringify(resolved)})`);
  }

  private pseudo(name: string): string | typeof NO_VALUE | undefined {
    switch (name) {
      case 'AWS::Region': return this.env.region;
      case 'AWS::AccountId': return this.env.accountId;
      case 'AWS::Partition': return this.env.partition;
      case 'AWS::URLSuffix': return this.env.urlSuffix;
      case 'AWS::StackName': return this.env.stackName;
      case 'AWS::StackId':
        return `arn:${this.env.partition}:cloudformation:${this.env.region}:${this.env.accountId}:stack/${this.env.stackName}/${shortId(this.env.stackName, 8)}`;
      case 'AWS::NoValue': return NO_VALUE;
      default: return undefined;
    }
  }

  private ref(name: string): unknown {
    const pseudo = this.pseudo(name);
    if (pseudo !== undefined) return pseudo;
    const parameter = this.template.Parameters?.[name];
    if (parameter !== undefined) {
      if (parameter.Default === undefined) throw new IntrinsicError(`parameter '${name}' has no default to use locally`);
      return parameter.Default;
    }
    return this.ids.ref(name);
  }

  private walk(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((v) => this.walk(v)).filter((v) => v !== NO_VALUE);
    }
    if (typeof value !== 'object' || value === null) return value;
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.length === 1) {
      const [key, arg] = entries[0];
      const fn = this.intrinsic(key, arg);
      if (fn !== NOT_INTRINSIC) return fn;
    }
    const out: Record<string, unknown> = {};
    for (const [key, v] of entries) {
      const resolved = this.walk(v);
      if (resolved !== NO_VALUE) out[key] = resolved;
    }
    return out;
  }

  private intrinsic(key: string, arg: unknown): unknown {
    switch (key) {
      case 'Ref':
        return this.ref(String(arg));
      case 'Fn::GetAtt': {
        const [logicalId, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split(/\.(.*)/s);
        return this.ids.getAtt(logicalId, attribute);
      }
      case 'Fn::Join': {
        const [separator, parts] = arg as [string, unknown];
        const list = this.walk(parts);
        if (!Array.isArray(list)) throw new IntrinsicError('Fn::Join needs a list');
        return list.map(String).join(separator);
      }
      case 'Fn::Select': {
        const [index, list] = arg as [unknown, unknown];
        const items = this.walk(list);
        const i = Number(this.walk(index));
        if (!Array.isArray(items) || !Number.isInteger(i) || i < 0 || i >= items.length) {
          throw new IntrinsicError(`Fn::Select index ${i} out of range`);
        }
        return items[i];
      }
      case 'Fn::Split': {
        const [separator, source] = arg as [string, unknown];
        return String(this.walk(source)).split(separator);
      }
      case 'Fn::Sub':
        return this.sub(arg);
      case 'Fn::Base64':
        return Buffer.from(String(this.walk(arg))).toString('base64');
      case 'Fn::FindInMap': {
        const [map, top, second] = (arg as unknown[]).map((v) => String(this.walk(v)));
        const found = this.template.Mappings?.[map]?.[top]?.[second];
        if (found === undefined) throw new IntrinsicError(`Fn::FindInMap ${map}.${top}.${second} not found`);
        return this.walk(found);
      }
      case 'Fn::If': {
        const [condition, whenTrue, whenFalse] = arg as [string, unknown, unknown];
        return this.walk(this.condition(condition) ? whenTrue : whenFalse);
      }
      case 'Fn::Equals': {
        const [a, b] = (arg as unknown[]).map((v) => this.walk(v));
        return JSON.stringify(a) === JSON.stringify(b);
      }
      case 'Fn::Not':
        return !this.truth((arg as unknown[])[0]);
      case 'Fn::And':
        return (arg as unknown[]).every((c) => this.truth(c));
      case 'Fn::Or':
        return (arg as unknown[]).some((c) => this.truth(c));
      case 'Fn::ImportValue':
      case 'Fn::GetAZs':
      case 'Fn::Cidr':
      case 'Fn::Transform':
        throw new IntrinsicError(`${key} is not supported by the local run`);
      default:
        return NOT_INTRINSIC;
    }
  }

  private sub(arg: unknown): string {
    const [text, variables] = Array.isArray(arg) ? arg as [string, Record<string, unknown>] : [arg as string, {}];
    const vars = Object.fromEntries(Object.entries(variables ?? {}).map(([k, v]) => [k, this.walk(v)]));
    return String(text).replace(/\$\{([^}]*)\}/g, (whole, name: string) => {
      if (name.startsWith('!')) return `\${${name.slice(1)}}`;
      if (name in vars) return String(vars[name]);
      const pseudo = this.pseudo(name);
      if (pseudo !== undefined && pseudo !== NO_VALUE) return pseudo;
      const dot = name.indexOf('.');
      if (dot > 0 && this.template.Resources[name.slice(0, dot)] !== undefined) {
        return this.ids.getAtt(name.slice(0, dot), name.slice(dot + 1));
      }
      const ref = this.ref(name);
      if (typeof ref !== 'string') throw new IntrinsicError(`Fn::Sub cannot substitute ${whole}`);
      return ref;
    });
  }
}

const NOT_INTRINSIC = Symbol('not an intrinsic');
