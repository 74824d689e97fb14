/**
 * What the local run refuses, counted so that a user can watch an attack being turned away: the authorizer's
 * decisions by decision and reason (read from its own log lines, as CloudWatch would see them), WAF blocks by rule,
 * and the 429s of usage plans (throttle, quota) and of the stage throttle, each apart. When the template has
 * `AWS::Logs::MetricFilter` resources on a local function's log group, each filter is also applied to that
 * function's log lines with the independent evaluator of `filter-pattern.ts`, so the local run shows the metrics
 * CloudWatch would publish (metric name and dimensions → sum).
 *
 * Read by the console status line ({@link StatusLinePrinter}) and the JSON endpoint (`security-endpoint.ts`).
 * Nothing here sees a token, a key or a request body: log lines carry reason codes only.
 */
import { Decision, DECISIONS } from '../lib/common/decision-reasons';
import type { LocalFunction } from './lambda-functions';
import {
  CompiledTransformation, compileMetricTransformation, FilterPattern, FilterPatternError, MetricTransformation,
  parseFilterPattern, parseJsonLogEvent,
} from './filter-pattern';
import type { CfnTemplate, IntrinsicResolver } from './intrinsics';

/** Something the gateway refused that the authorizer's log lines do not show. */
export type SecurityEvent =
  /** A WAF rule blocked the request; `status` is what the caller got. */
  | { readonly kind: 'waf-block'; readonly rule: string; readonly status: number }
  /** A usage plan answered 429: its throttle, or the key's quota. */
  | { readonly kind: 'usage-plan'; readonly verdict: 'throttled' | 'quota-exceeded' }
  /** The stage's throttle (method settings) answered 429. */
  | { readonly kind: 'stage-throttle' };

/** One of the authorizer's decisions, as it logs them (`decision` of its `authorization decision` lines). */
export type LoggedDecision = Decision;

/** The HTTP status API Gateway answers for each decision (allow: whatever the integration answers). */
const DECISION_STATUS: Readonly<Record<Exclude<LoggedDecision, 'allow'>, number>> = { unauthorized: 401, deny: 403, error: 500 };

/** Distinct reasons (or WAF rules) kept per decision; more are counted under {@link OTHER}. */
const MAX_KEYS = 100;

/** Where reasons beyond {@link MAX_KEYS}, and reasons that are not plain codes, are counted. */
const OTHER = '(other)';

/**
 * Metric series kept per metric filter. CloudWatch Logs may disable a filter that yields 1,000 dimension name/value
 * pairs; locally the further series are only counted.
 * @see https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-properties-logs-metricfilter-dimension.html
 */
const MAX_SERIES = 1000;

/** The counters of a metric filter's metric, per dimension set. */
export interface MetricSeries {
  readonly dimensions: Readonly<Record<string, string>>;
  /** Sum of the values emitted. */
  readonly sum: number;
  /** Values emitted (log events that produced one). */
  readonly sampleCount: number;
}

/** A metric filter of the template, and what it emitted so far. */
export interface MetricFilterCounts {
  readonly logicalId: string;
  readonly filterName?: string;
  readonly logGroupName: string;
  readonly filterPattern: string;
  readonly metricNamespace: string;
  readonly metricName: string;
  readonly unit: string;
  /** Why the filter is not evaluated locally (an unsupported or malformed pattern or transformation). */
  readonly error?: string;
  /** One entry per dimension set, sorted. */
  readonly metrics: readonly MetricSeries[];
  /** Series beyond the local limit, not kept. */
  readonly droppedSeries: number;
}

/** The counters, as the JSON endpoint returns them. */
export interface SecuritySnapshot {
  /** Decision → reason → count, from the authorizers' log lines. */
  readonly authorizer: Record<LoggedDecision, Record<string, number>>;
  /** WAF rule → the status its block answered, whether it is a rate-based rule, and the count. */
  readonly waf: Record<string, { readonly status: number; readonly rateBased: boolean; readonly count: number }>;
  /** API Gateway's 429s: usage plan throttle and quota, and the stage throttle. */
  readonly throttling: { readonly usagePlanThrottle: number; readonly usagePlanQuota: number; readonly stageThrottle: number };
  /** The template's metric filters on the local functions' log groups. */
  readonly metricFilters: readonly MetricFilterCounts[];
  /** The console status line for these counters. */
  readonly statusLine: string;
}

/** A function's log group: its `LoggingConfig.LogGroup`, else Lambda's default `/aws/lambda/<name>`. */
export function logGroupOf(template: CfnTemplate, resolver: IntrinsicResolver, fn: LocalFunction): string {
  const logging = resolver.resolve(template.Resources[fn.logicalId]?.Properties?.LoggingConfig) as { LogGroup?: unknown } | undefined;
  return typeof logging?.LogGroup === 'string' ? logging.LogGroup : `/aws/lambda/${fn.name}`;
}

/** A plain reason code (what the authorizer logs), safe to print on a terminal; anything else is {@link OTHER}. */
function reasonKey(value: unknown): string {
  return typeof value === 'string' && /^[A-Za-z0-9_.:-]{1,64}$/.test(value) ? value : OTHER;
}

function increment(map: Map<string, number>, key: string, by = 1): void {
  const k = map.has(key) || map.size < MAX_KEYS ? key : OTHER;
  map.set(k, (map.get(k) ?? 0) + by);
}

function sortedEntries(map: ReadonlyMap<string, number>): Array<[string, number]> {
  return [...map.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
}

/** A metric filter compiled for one log group. */
interface LocalMetricFilter {
  readonly counts: Omit<MetricFilterCounts, 'metrics' | 'droppedSeries'>;
  readonly pattern?: FilterPattern;
  readonly transformation?: CompiledTransformation;
  readonly series: Map<string, { dimensions: Record<string, string>; sum: number; sampleCount: number }>;
  droppedSeries: number;
}

/** What {@link SecuritySignals} watches. */
export interface SecuritySignalsOptions {
  /** Logical ids of the functions that are Lambda authorizers of the API: their decision lines are counted. */
  readonly authorizerFunctions: ReadonlySet<string>;
  /** Rate-based WAF rules by name (their blocks are rate limiting). */
  readonly rateBasedRules?: ReadonlySet<string>;
  /** Metric filters per function logical id, as `AWS::Logs::MetricFilter` properties with everything resolved. */
  readonly metricFilters?: ReadonlyMap<string, ReadonlyArray<{ readonly logicalId: string; readonly logGroupName: string; readonly properties: Record<string, unknown> }>>;
}

/** The counters of a local run. */
export class SecuritySignals {
  /**
   * Reads what to watch from the template: the authorizer functions, the web ACLs' rate-based rules, and the metric
   * filters whose log group is the log group of a local function.
   * @param functions the local functions by logical id, with their role in the API
   */
  public static fromTemplate(template: CfnTemplate, resolver: IntrinsicResolver,
    functions: ReadonlyMap<string, { readonly fn: LocalFunction; readonly role: 'authorizer' | 'integration' }>): SecuritySignals {
    const rateBasedRules = new Set<string>();
    for (const resource of Object.values(template.Resources)) {
      if (resource.Type !== 'AWS::WAFv2::WebACL') continue;
      for (const rule of (resource.Properties?.Rules ?? []) as Array<{ Name?: unknown; Statement?: Record<string, unknown> }>) {
        if (typeof rule.Name === 'string' && rule.Statement?.RateBasedStatement !== undefined) rateBasedRules.add(rule.Name);
      }
    }
    const groups = new Map<string, string>();
    for (const [logicalId, { fn }] of functions) groups.set(logGroupOf(template, resolver, fn), logicalId);
    const metricFilters = new Map<string, Array<{ logicalId: string; logGroupName: string; properties: Record<string, unknown> }>>();
    for (const [logicalId, resource] of Object.entries(template.Resources)) {
      if (resource.Type !== 'AWS::Logs::MetricFilter') continue;
      if (resource.Condition !== undefined && !resolver.condition(resource.Condition)) continue;
      const properties = resolver.resolve(resource.Properties ?? {}) as Record<string, unknown>;
      const logGroupName = properties.LogGroupName;
      const functionId = typeof logGroupName === 'string' ? groups.get(logGroupName) : undefined;
      // A filter on a log group no local function writes to (access logs, CloudTrail, WAF) sees nothing here.
      if (functionId === undefined) continue;
      const list = metricFilters.get(functionId) ?? [];
      list.push({ logicalId, logGroupName: logGroupName as string, properties });
      metricFilters.set(functionId, list);
    }
    const authorizerFunctions = new Set([...functions].filter(([, f]) => f.role === 'authorizer').map(([id]) => id));
    return new SecuritySignals({ authorizerFunctions, rateBasedRules, metricFilters });
  }

  /** Metric filters that cannot be evaluated locally, one line each (for the banner). */
  public readonly warnings: string[] = [];
  private readonly decisions = new Map<LoggedDecision, Map<string, number>>(DECISIONS.map((d) => [d, new Map()]));
  private readonly waf = new Map<string, { status: number; count: number }>();
  private readonly throttling = { usagePlanThrottle: 0, usagePlanQuota: 0, stageThrottle: 0 };
  private readonly filters = new Map<string, LocalMetricFilter[]>();
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly options: SecuritySignalsOptions) {
    for (const [functionId, list] of options.metricFilters ?? []) {
      this.filters.set(functionId, list.map(({ logicalId, logGroupName, properties }) => this.compileFilter(logicalId, logGroupName, properties)));
    }
  }

  /** Calls `listener` whenever a refusal is counted (not on allows or metric filter values alone). */
  public onRefusal(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** One line a local function wrote (stdout or stderr): a CloudWatch log event of its log group. */
  public recordLogLine(functionLogicalId: string, line: string): void {
    const filters = this.filters.get(functionLogicalId);
    const isAuthorizer = this.options.authorizerFunctions.has(functionLogicalId);
    if (filters === undefined && !isAuthorizer) return;
    const event = parseJsonLogEvent(line);
    for (const filter of filters ?? []) this.applyFilter(filter, event);
    if (!isAuthorizer || event === undefined || Array.isArray(event)) return;
    const decision = event.decision;
    if (typeof decision !== 'string' || !(DECISIONS as readonly string[]).includes(decision)) return;
    increment(this.decisions.get(decision as LoggedDecision)!, reasonKey(event.reason));
    if (decision !== 'allow') this.changed();
  }

  /** A refusal the gateway made that no function logs. */
  public record(event: SecurityEvent): void {
    if (event.kind === 'waf-block') {
      const key = reasonKey(event.rule);
      const entry = this.waf.get(key) ?? (this.waf.size < MAX_KEYS ? { status: event.status, count: 0 } : undefined);
      if (entry === undefined) return;
      entry.count++;
      this.waf.set(key, entry);
    } else if (event.kind === 'usage-plan') {
      if (event.verdict === 'throttled') this.throttling.usagePlanThrottle++;
      else this.throttling.usagePlanQuota++;
    } else {
      this.throttling.stageThrottle++;
    }
    this.changed();
  }

  /** The counters. */
  public snapshot(): SecuritySnapshot {
    const authorizer = Object.fromEntries(DECISIONS.map((d) => [d, Object.fromEntries(sortedEntries(this.decisions.get(d)!))])) as SecuritySnapshot['authorizer'];
    const waf = Object.fromEntries([...this.waf.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
      .map(([rule, { status, count }]) => [rule, { status, rateBased: this.options.rateBasedRules?.has(rule) ?? false, count }]));
    const metricFilters = [...this.filters.values()].flat().map((f) => ({
      ...f.counts,
      metrics: [...f.series.entries()].sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([, s]) => ({ dimensions: { ...s.dimensions }, sum: s.sum, sampleCount: s.sampleCount })),
      droppedSeries: f.droppedSeries,
    }));
    return { authorizer, waf, throttling: { ...this.throttling }, metricFilters, statusLine: this.statusLine() };
  }

  /**
   * The status line: refusals grouped by the status the caller got, reasons in alphabetical order, e.g.
   * `security: 401 invalid_signature×12 unknown_kid×3 · 403 insufficient_scope×2 · 403 waf DisallowedOrigin×4 ·
   * 429 usage-plan throttle×5 quota×1 · 429 stage throttle×2 · 500 jwks_unavailable×1`.
   */
  public statusLine(): string {
    const parts: string[] = [];
    const counted = (map: ReadonlyMap<string, number>) => sortedEntries(map).map(([k, n]) => `${k}×${n}`).join(' ');
    for (const decision of ['unauthorized', 'deny'] as const) {
      const map = this.decisions.get(decision)!;
      if (map.size > 0) parts.push(`${DECISION_STATUS[decision]} ${counted(map)}`);
    }
    const byStatus = new Map<number, Map<string, number>>();
    for (const [rule, { status, count }] of this.waf) {
      const map = byStatus.get(status) ?? new Map<string, number>();
      map.set(rule, count);
      byStatus.set(status, map);
    }
    for (const status of [...byStatus.keys()].sort((a, b) => a - b)) parts.push(`${status} waf ${counted(byStatus.get(status)!)}`);
    const { usagePlanThrottle, usagePlanQuota, stageThrottle } = this.throttling;
    const plan = [usagePlanThrottle > 0 ? `throttle×${usagePlanThrottle}` : '', usagePlanQuota > 0 ? `quota×${usagePlanQuota}` : ''].filter(Boolean);
    if (plan.length > 0) parts.push(`429 usage-plan ${plan.join(' ')}`);
    if (stageThrottle > 0) parts.push(`429 stage throttle×${stageThrottle}`);
    const errors = this.decisions.get('error')!;
    if (errors.size > 0) parts.push(`${DECISION_STATUS.error} ${counted(errors)}`);
    return `security: ${parts.length > 0 ? parts.join(' · ') : 'nothing refused yet'}`;
  }

  private changed(): void {
    for (const listener of this.listeners) listener();
  }

  private compileFilter(logicalId: string, logGroupName: string, properties: Record<string, unknown>): LocalMetricFilter {
    const transformations = (properties.MetricTransformations ?? []) as MetricTransformation[];
    const first = transformations[0] ?? ({} as Partial<MetricTransformation>);
    const filterPattern = typeof properties.FilterPattern === 'string' ? properties.FilterPattern : '';
    const counts = {
      logicalId,
      ...(typeof properties.FilterName === 'string' ? { filterName: properties.FilterName } : {}),
      logGroupName,
      filterPattern,
      metricNamespace: String(first.MetricNamespace ?? ''),
      metricName: String(first.MetricName ?? ''),
      unit: String(first.Unit ?? 'None'),
    };
    try {
      if (typeof properties.FilterPattern !== 'string') throw new FilterPatternError('FilterPattern is not a string');
      // "MetricTransformations: Fixed number of 1 item."
      // https://docs.aws.amazon.com/AmazonCloudWatchLogs/latest/APIReference/API_MetricFilter.html
      if (transformations.length !== 1) throw new FilterPatternError(`MetricTransformations must hold exactly 1 transformation (got ${transformations.length})`);
      if (properties.ApplyOnTransformedLogs === true) throw new FilterPatternError('ApplyOnTransformedLogs (log transformers) is not emulated locally');
      return { counts, pattern: parseFilterPattern(filterPattern), transformation: compileMetricTransformation(first as MetricTransformation), series: new Map(), droppedSeries: 0 };
    } catch (err) {
      if (!(err instanceof FilterPatternError)) throw err;
      this.warnings.push(`metric filter ${logicalId} is not evaluated locally: ${err.message}`);
      return { counts: { ...counts, error: err.message }, series: new Map(), droppedSeries: 0 };
    }
  }

  private applyFilter(filter: LocalMetricFilter, event: ReturnType<typeof parseJsonLogEvent>): void {
    if (filter.pattern === undefined || filter.transformation === undefined) return;
    const datum = filter.transformation.apply(event, filter.pattern.matchesEvent(event));
    if (datum === undefined) return;
    const key = JSON.stringify(Object.entries(datum.dimensions).sort(([a], [b]) => (a < b ? -1 : 1)));
    let series = filter.series.get(key);
    if (series === undefined) {
      if (filter.series.size >= MAX_SERIES) {
        filter.droppedSeries++;
        return;
      }
      series = { dimensions: { ...datum.dimensions }, sum: 0, sampleCount: 0 };
      filter.series.set(key, series);
    }
    series.sum += datum.value;
    series.sampleCount++;
  }
}

/**
 * Prints the status line when a refusal changes it, at most once per `intervalMs`: the first change prints at once,
 * changes within the interval are folded into one line at its end.
 */
export class StatusLinePrinter {
  private last = '';
  private lastPrinted = 0;
  private timer?: NodeJS.Timeout;
  private stopped = false;

  constructor(private readonly signals: SecuritySignals, private readonly print: (line: string) => void, private readonly intervalMs = 1000) {
    signals.onRefusal(() => this.schedule());
  }

  /** No more lines (the run stops). */
  public stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timer = undefined;
  }

  private schedule(): void {
    if (this.stopped || this.timer !== undefined) return;
    const wait = Math.max(0, this.lastPrinted + this.intervalMs - Date.now());
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const line = this.signals.statusLine();
      if (line === this.last || this.stopped) return;
      this.last = line;
      this.lastPrinted = Date.now();
      this.print(line);
    }, wait);
    // The status line never keeps the process alive.
    this.timer.unref();
  }
}
