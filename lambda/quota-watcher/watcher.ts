/**
 * One run of the quota watcher: for each watched plan, the current period's window; for each of its clients, the
 * key's usage over it, published as metrics; then the plan's highest client. A client whose usage cannot be read is
 * logged and skipped, the others are still published, and the run then fails, so the function's Errors metric shows
 * it.
 */
import type { Logger } from '@aws-lambda-powertools/logger';
import type { QuotaWatcherConfig } from '../../lib/common/quota-watcher-config';
import { QuotaWatchError } from './errors';
import { publishClientUse, publishPlanUse, QuotaMetrics } from './quota-metrics';
import { currentQuotaWindow } from './quota-window';
import { fetchKeyUsage, GetUsagePage, quotaUse } from './usage';

/** The slice of a Powertools Logger the watcher uses: a static message plus structured keys. */
export type WatcherLogger = Pick<Logger, 'info' | 'error'>;

/** What a run needs. */
export interface WatcherDependencies {
  readonly getUsagePage: GetUsagePage;
  readonly metrics: QuotaMetrics;
  readonly logger: WatcherLogger;
  /** The clock (the period is that of `now()` at the start of the run). */
  readonly now: () => Date;
}

/** What a run did. */
export interface WatchSummary {
  readonly clientsPublished: number;
  readonly clientsFailed: number;
}

/** Watches every plan of the configuration once. Throws a {@link QuotaWatchError} after publishing when any client failed. */
export async function watchQuotas(config: QuotaWatcherConfig, deps: WatcherDependencies): Promise<WatchSummary> {
  const now = deps.now();
  let published = 0;
  let failed = 0;
  for (const plan of config.plans) {
    const window = currentQuotaWindow(plan.period, plan.offset, now);
    let highest = 0;
    let missing = 0;
    for (const client of plan.clients) {
      try {
        const days = await fetchKeyUsage(deps.getUsagePage, {
          usagePlanId: plan.usagePlanId, keyId: client.keyId, startDate: window.startDate, endDate: window.endDate,
        });
        const use = quotaUse(days, plan.limit);
        publishClientUse(deps.metrics, plan.name, client.name, use, window);
        highest = Math.max(highest, use.usedPercent);
        published++;
      } catch (err) {
        missing++;
        failed++;
        deps.logger.error('could not read a client\'s quota usage', {
          plan: plan.name, client: client.name, keyId: client.keyId, usagePlanId: plan.usagePlanId,
          error: err instanceof Error ? err.name : 'Error', reason: err instanceof Error ? err.message : String(err),
        });
      }
    }
    // A plan none of whose clients could be read gets no value: a 0 would claim a quota use nobody measured.
    if (plan.clients.length === 0 || missing < plan.clients.length) publishPlanUse(deps.metrics, plan.name, highest, missing, window);
    deps.logger.info('quota usage published', {
      plan: plan.name, period: plan.period, periodStart: window.startDate, periodEnd: window.endDate,
      clients: plan.clients.length, clientsMissing: missing, highestPercent: highest,
    });
  }
  if (failed > 0) {
    throw new QuotaWatchError(`the quota usage of ${failed} of ${failed + published} clients could not be read`);
  }
  return { clientsPublished: published, clientsFailed: failed };
}
