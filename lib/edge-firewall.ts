import { ArnFormat, Duration, Names, RemovalPolicy, Stack, Token } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct, IConstruct } from 'constructs';
import { disallowedOriginStatement, validateCorsOrigins, wafBlockCorsHeaders } from './cors';
import { DEFAULTS, WAF_LIMITS } from './defaults';
import { configError } from './errors';

/** What the per-caller rate-based rule counts requests by. */
export enum CallerKey {
  /** The `Authorization` header (one bucket per bearer token). */
  AUTHORIZATION_HEADER = 'authorization',
  /** The `x-api-key` header (one bucket per API client). */
  API_KEY = 'x-api-key',
}

/** An AWS managed rule group to add to the web ACL. */
export interface ManagedRuleGroup {
  /** Rule group name, e.g. `AWSManagedRulesAnonymousIpList`. */
  readonly name: string;
  /**
   * The group's vendor.
   * @default 'AWS'
   */
  readonly vendorName?: string;
  /**
   * Rules of the group to switch to COUNT instead of their own action.
   * @default - none
   */
  readonly countOnlyRules?: string[];
}

/** WAF rules of a SecureApi: everything but the IP allow-list, which is the SecureApi's own `ipAllowList`. */
export interface FirewallRuleOptions {
  /**
   * Requests allowed per client IP in one evaluation window before WAF answers 429.
   * @default 1000
   */
  readonly ipRateLimit?: number;
  /**
   * Requests allowed per caller (see `callerKey`) in one evaluation window before WAF answers 429.
   * @default 500
   */
  readonly callerRateLimit?: number;
  /**
   * What identifies a caller for `callerRateLimit`.
   * @default CallerKey.AUTHORIZATION_HEADER
   */
  readonly callerKey?: CallerKey;
  /**
   * Evaluation window of both rate-based rules: 1, 2, 5 or 10 minutes.
   * @default Duration.minutes(5)
   */
  readonly evaluationWindow?: Duration;
  /**
   * Largest request body WAF lets through, in bytes; larger (or uninspectable) bodies are answered 413.
   * @default 16384
   */
  readonly maxBodyBytes?: number;
  /**
   * Extra AWS managed rule groups, e.g. `AWSManagedRulesAnonymousIpList`, `AWSManagedRulesBotControlRuleSet`.
   * Common, KnownBadInputs, SQLi and AmazonIpReputationList are always on.
   * @default - none
   */
  readonly additionalManagedRuleGroups?: ManagedRuleGroup[];
  /**
   * Rules of the always-on managed groups to run in COUNT mode (group name → rule names).
   * @default - none
   */
  readonly countOnlyManagedRules?: { [group: string]: string[] };
  /**
   * CIDRs (IPv4 or IPv6) always blocked.
   * @default - none
   */
  readonly denyCidrs?: string[];
  /**
   * ISO 3166-1 alpha-2 country codes to block.
   * @default - none
   */
  readonly blockedCountries?: string[];
}

/** Properties of an `EdgeFirewall`. */
export interface EdgeFirewallProps extends FirewallRuleOptions {
  /**
   * CIDRs (IPv4 or IPv6) allowed; when set, every other source is blocked.
   * @default - every source
   */
  readonly allowCidrs?: string[];
  /**
   * The CORS origins of the API: requests with an `Origin` header that is not exactly one of them are blocked (403)
   * before anything else, and the block responses of the other rules carry `Vary: Origin` and, when there is exactly
   * one origin, `Access-Control-Allow-Origin` with it (WAF block responses can only have static headers).
   * @default - no CORS: no Origin rule and no CORS headers
   */
  readonly allowOrigins?: string[];
  /** ARN of the API Gateway stage to protect. */
  readonly stageArn: string;
  /** Key that encrypts the WAF log group. */
  readonly logKey: kms.IKey;
  /** Retention of the WAF logs. */
  readonly logRetention: logs.RetentionDays;
  /** Removal policy of the WAF log group. */
  readonly logRemovalPolicy: RemovalPolicy;
}

const ALWAYS_ON_GROUPS = [
  'AWSManagedRulesAmazonIpReputationList',
  'AWSManagedRulesCommonRuleSet',
  'AWSManagedRulesKnownBadInputsRuleSet',
  'AWSManagedRulesSQLiRuleSet',
] as const;

const RATE_LIMITED_BODY = 'rate-limited';
const TOO_LARGE_BODY = 'too-large';
const FORBIDDEN_BODY = 'forbidden';

/**
 * An AWS WAFv2 web ACL in front of an API Gateway stage: IP deny/allow sets, geo blocking, a rate-based rule per
 * client IP and one per caller (429 with a JSON body), a request-body size limit, and AWS managed rule groups,
 * logged to an encrypted `aws-waf-logs-` log group with the Authorization and x-api-key headers redacted.
 */
export class EdgeFirewall extends Construct {
  /** The web ACL. */
  public readonly webAcl: wafv2.CfnWebACL;
  /** The log group that receives WAF logs. */
  public readonly logGroup: logs.LogGroup;
  /** The IP sets of the deny and allow lists (none without `denyCidrs` and `allowCidrs`). */
  public readonly ipSets: wafv2.CfnIPSet[] = [];

  constructor(scope: Construct, id: string, props: EdgeFirewallProps) {
    super(scope, id);
    validateFirewallOptions(this, props);
    validateCidrs(this, 'allowCidrs', props.allowCidrs);
    if (props.allowOrigins !== undefined) validateCorsOrigins(this, 'allowOrigins', props.allowOrigins);
    const corsHeaders = props.allowOrigins ? wafBlockCorsHeaders(props.allowOrigins) : undefined;
    const name = Names.uniqueResourceName(this, { maxLength: 100, separator: '-' });
    const windowSeconds = (props.evaluationWindow ?? DEFAULTS.wafEvaluationWindow).toSeconds();
    const maxBodyBytes = props.maxBodyBytes ?? DEFAULTS.wafMaxBodyBytes;
    const rules: wafv2.CfnWebACL.RuleProperty[] = [];
    const visibility = (metricName: string): wafv2.CfnWebACL.VisibilityConfigProperty => ({
      cloudWatchMetricsEnabled: true,
      sampledRequestsEnabled: true,
      metricName,
    });
    // Custom block responses take precedence over API Gateway's gateway responses (WAF_FILTERED included), so they
    // carry the CORS headers themselves.
    // @see https://docs.aws.amazon.com/apigateway/latest/developerguide/supported-gateway-response-types.html
    // @see https://docs.aws.amazon.com/waf/latest/developerguide/customizing-the-response-for-blocked-requests.html
    const block = (bodyKey: string, statusCode: number,
      responseHeaders = corsHeaders): wafv2.CfnWebACL.RuleActionProperty => ({
      block: { customResponse: { responseCode: statusCode, customResponseBodyKey: bodyKey, ...(responseHeaders ? { responseHeaders } : {}) } },
    });
    const addRule = (ruleName: string, statement: wafv2.CfnWebACL.StatementProperty,
      action: wafv2.CfnWebACL.RuleActionProperty) => {
      rules.push({ name: ruleName, priority: rules.length, statement, action, visibilityConfig: visibility(ruleName) });
    };

    if (props.allowOrigins) {
      // First: a page of another origin is refused before it can spend rate budget, and it is what makes reflecting
      // the request's Origin in the gateway responses safe with several origins. No CORS origin on this answer.
      addRule('DisallowedOrigin', disallowedOriginStatement(props.allowOrigins), block(FORBIDDEN_BODY, 403, [{ name: 'Vary', value: 'Origin' }]));
    }
    if (props.denyCidrs?.length) {
      for (const [family, set] of this.ipSetsOf('Deny', props.denyCidrs)) {
        addRule(`DenyList${family}`, { ipSetReferenceStatement: { arn: set.attrArn } }, block(FORBIDDEN_BODY, 403));
      }
    }
    if (props.allowCidrs?.length) {
      const sets = this.ipSetsOf('Allow', props.allowCidrs).map(([, set]) => ({ ipSetReferenceStatement: { arn: set.attrArn } }));
      const inAllowList = sets.length === 1 ? sets[0] : { orStatement: { statements: sets } };
      addRule('NotInAllowList', { notStatement: { statement: inAllowList } }, block(FORBIDDEN_BODY, 403));
    }
    if (props.blockedCountries?.length) {
      addRule('BlockedCountries', { geoMatchStatement: { countryCodes: props.blockedCountries } }, block(FORBIDDEN_BODY, 403));
    }
    addRule('RateLimitPerIp', {
      rateBasedStatement: {
        limit: props.ipRateLimit ?? DEFAULTS.wafIpRateLimit,
        evaluationWindowSec: windowSeconds,
        aggregateKeyType: 'IP',
      },
    }, block(RATE_LIMITED_BODY, 429));
    addRule('RateLimitPerCaller', {
      rateBasedStatement: {
        limit: props.callerRateLimit ?? DEFAULTS.wafCallerRateLimit,
        evaluationWindowSec: windowSeconds,
        aggregateKeyType: 'CUSTOM_KEYS',
        customKeys: [{
          header: { name: props.callerKey ?? CallerKey.AUTHORIZATION_HEADER, textTransformations: [{ priority: 0, type: 'NONE' }] },
        }],
      },
    }, block(RATE_LIMITED_BODY, 429));
    addRule('BodySizeLimit', {
      sizeConstraintStatement: {
        fieldToMatch: { body: { oversizeHandling: 'MATCH' } },
        comparisonOperator: 'GT',
        size: maxBodyBytes,
        textTransformations: [{ priority: 0, type: 'NONE' }],
      },
    }, block(TOO_LARGE_BODY, 413));

    const groups: ManagedRuleGroup[] = [
      ...ALWAYS_ON_GROUPS.map((groupName) => ({ name: groupName, countOnlyRules: props.countOnlyManagedRules?.[groupName] })),
      ...(props.additionalManagedRuleGroups ?? []),
    ];
    for (const group of groups) {
      rules.push({
        name: group.name,
        priority: rules.length,
        overrideAction: { none: {} },
        statement: {
          managedRuleGroupStatement: {
            vendorName: group.vendorName ?? 'AWS',
            name: group.name,
            // The body size limit above replaces the Common group's 8 KiB rule, so that one limit is configurable.
            ruleActionOverrides: [
              ...(group.name === 'AWSManagedRulesCommonRuleSet' ? ['SizeRestrictions_BODY'] : []),
              ...(group.countOnlyRules ?? []),
            ].map((ruleName) => ({ name: ruleName, actionToUse: { count: {} } })),
          },
        },
        visibilityConfig: visibility(group.name),
      });
    }

    this.webAcl = new wafv2.CfnWebACL(this, 'WebAcl', {
      name,
      // WAF inspects 16 KiB of an API Gateway body by default and treats the rest as oversize (matched, so blocked):
      // a larger limit needs a larger inspection window, in 16 KiB steps.
      ...(maxBodyBytes > 16 * 1024 ? {
        associationConfig: { requestBody: { API_GATEWAY: { defaultSizeInspectionLimit: `KB_${Math.ceil(maxBodyBytes / 16384) * 16}` } } },
      } : {}),
      scope: 'REGIONAL',
      defaultAction: { allow: {} },
      description: 'SecureApi: rate limits, body size limit, IP and geo rules, AWS managed rule groups',
      visibilityConfig: visibility(`${name}-acl`.slice(0, 128)),
      customResponseBodies: {
        [RATE_LIMITED_BODY]: { contentType: 'APPLICATION_JSON', content: '{"message":"Too Many Requests"}' },
        [TOO_LARGE_BODY]: { contentType: 'APPLICATION_JSON', content: '{"message":"Request Entity Too Large"}' },
        [FORBIDDEN_BODY]: { contentType: 'APPLICATION_JSON', content: '{"message":"Forbidden"}' },
      },
      rules,
    });

    new wafv2.CfnWebACLAssociation(this, 'Association', {
      resourceArn: props.stageArn,
      webAclArn: this.webAcl.attrArn,
    });

    this.logGroup = new logs.LogGroup(this, 'LogGroup', {
      // WAF only delivers to log groups whose name starts with aws-waf-logs-.
      logGroupName: `aws-waf-logs-${name}`.slice(0, 512),
      encryptionKey: props.logKey,
      retention: props.logRetention,
      removalPolicy: props.logRemovalPolicy,
    });
    const stack = Stack.of(this);
    new wafv2.CfnLoggingConfiguration(this, 'Logging', {
      resourceArn: this.webAcl.attrArn,
      logDestinationConfigs: [stack.formatArn({
        service: 'logs',
        resource: 'log-group',
        resourceName: this.logGroup.logGroupName,
        arnFormat: ArnFormat.COLON_RESOURCE_NAME,
      })],
      redactedFields: [
        { singleHeader: { Name: 'authorization' } },
        { singleHeader: { Name: 'x-api-key' } },
        { singleHeader: { Name: 'cookie' } },
      ],
    });
  }

  private ipSetsOf(purpose: 'Deny' | 'Allow', cidrs: string[]): Array<['V4' | 'V6', wafv2.CfnIPSet]> {
    const v4 = cidrs.filter((c) => !c.includes(':'));
    const v6 = cidrs.filter((c) => c.includes(':'));
    const sets: Array<['V4' | 'V6', wafv2.CfnIPSet]> = [];
    for (const [family, addresses] of [['V4', v4], ['V6', v6]] as const) {
      if (addresses.length > 0) {
        sets.push([family, this.addIpSet(`${purpose}${family}`, {
          scope: 'REGIONAL',
          ipAddressVersion: family === 'V4' ? 'IPV4' : 'IPV6',
          addresses,
          // WAF descriptions allow no parentheses.
          description: `SecureApi ${purpose.toLowerCase()} list of ${family === 'V4' ? 'IPv4' : 'IPv6'} CIDRs`,
        })]);
      }
    }
    return sets;
  }

  private addIpSet(id: string, props: wafv2.CfnIPSetProps): wafv2.CfnIPSet {
    const set = new wafv2.CfnIPSet(this, id, props);
    this.ipSets.push(set);
    return set;
  }
}

const CIDR_V4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}\/([0-9]|[12]\d|3[0-2])$/;
const CIDR_V6 = /^[0-9a-fA-F:]+\/([0-9]|[1-9]\d|1[01]\d|12[0-8])$/;

/**
 * Validates WAF options; throws a CDK ValidationError at `scope` naming the prop, the rule and the value.
 * @param prefix what the options are called at `scope`: `waf` in a SecureApi, nothing in an EdgeFirewall
 */
export function validateFirewallOptions(scope: IConstruct, o: FirewallRuleOptions, prefix?: string): void {
  const at = (prop: string) => (prefix ? `${prefix}.${prop}` : prop);
  for (const key of ['ipRateLimit', 'callerRateLimit'] as const) {
    const value = o[key];
    if (value === undefined || Token.isUnresolved(value)) continue;
    if (!Number.isInteger(value) || value < WAF_LIMITS.minRateLimit || value > WAF_LIMITS.maxRateLimit) {
      throw configError(scope, `'${at(key)}' must be an integer from ${WAF_LIMITS.minRateLimit} to ${WAF_LIMITS.maxRateLimit} (WAF rate-based rule limits) (got ${value})`);
    }
  }
  if (o.evaluationWindow && !o.evaluationWindow.isUnresolved()) {
    const seconds = o.evaluationWindow.toSeconds();
    if (!WAF_LIMITS.evaluationWindowsSeconds.includes(seconds)) {
      throw configError(scope, `'${at('evaluationWindow')}' must be 60, 120, 300 or 600 seconds (got ${seconds})`);
    }
  }
  if (o.maxBodyBytes !== undefined && (!Number.isInteger(o.maxBodyBytes) || o.maxBodyBytes < 1 || o.maxBodyBytes > 65536)) {
    throw configError(scope, `'${at('maxBodyBytes')}' must be an integer from 1 to 65536 (WAF inspects at most 64 KiB of an API Gateway body) (got ${o.maxBodyBytes})`);
  }
  validateCidrs(scope, at('denyCidrs'), o.denyCidrs);
  for (const code of o.blockedCountries ?? []) {
    if (!/^[A-Z]{2}$/.test(code)) {
      throw configError(scope, `'${at('blockedCountries')}' entries must be ISO 3166-1 alpha-2 codes such as 'KP' (got '${code}')`);
    }
  }
  for (const group of o.additionalManagedRuleGroups ?? []) {
    if ((ALWAYS_ON_GROUPS as readonly string[]).includes(group.name)) {
      throw configError(scope, `'${at('additionalManagedRuleGroups')}' must not repeat an always-on group (got '${group.name}')`);
    }
  }
}

/** Validates a CIDR list prop: undefined, or a non-empty list of IPv4/IPv6 CIDRs. */
export function validateCidrs(scope: IConstruct, prop: string, list: readonly string[] | undefined): void {
  if (list === undefined) return;
  if (list.length === 0) {
    throw configError(scope, `'${prop}' must not be empty: leave it undefined instead`);
  }
  for (const cidr of list) {
    if (!CIDR_V4.test(cidr) && !CIDR_V6.test(cidr)) {
      throw configError(scope, `'${prop}' entries must be IPv4 or IPv6 CIDRs such as 203.0.113.0/24 (got '${cidr}')`);
    }
  }
}
