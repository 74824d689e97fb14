/**
 * Lambda entry point of the SecureApi quota watcher, run on a schedule: wiring only. The configuration, the logger,
 * the metrics and the API Gateway client are created once, at module scope (cold start).
 */
import { Logger } from '@aws-lambda-powertools/logger';
import { APIGatewayClient, GetUsageCommand } from '@aws-sdk/client-api-gateway';
import { QUOTA_WATCHER_CONFIG_ENV } from '../../lib/common/quota-watcher-config';
import { parseQuotaWatcherConfig } from './config';
import { createQuotaMetrics } from './quota-metrics';
import type { GetUsagePage } from './usage';
import { watchQuotas, WatchSummary } from './watcher';

const logger = new Logger();
const metrics = createQuotaMetrics();

function init() {
  try {
    return parseQuotaWatcherConfig(process.env[QUOTA_WATCHER_CONFIG_ENV]);
  } catch (err) {
    // Fail the init phase: a misconfigured watcher must not publish anything.
    logger.critical('invalid quota watcher configuration', { error: (err as Error).message });
    throw err;
  }
}

const config = init();
const client = new APIGatewayClient({});
const getUsagePage: GetUsagePage = (request) => client.send(new GetUsageCommand(request));

/** The scheduled handler: the event (a schedule tick) carries nothing the watcher reads. */
export const handler = (): Promise<WatchSummary> => watchQuotas(config, { getUsagePage, metrics, logger, now: () => new Date() });
