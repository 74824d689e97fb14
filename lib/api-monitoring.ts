import { IAspect, Names, RemovalPolicy, Stack, Stage } from 'aws-cdk-lib';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as logs from 'aws-cdk-lib/aws-logs';
import { IConstruct } from 'constructs';
import { configError } from './errors';
import { QuotaWatcherPlan } from './quota-watcher';
import type { SecureApi } from './secure-api';
import { SecurityMonitoring } from './security-monitoring';
import { MonitoringOptions } from './security-monitoring-props';
import { UsagePlanOptions } from './usage-plans';

/**
 * Creates a SecureApi's monitoring, in the API's stack or in `monitoring.stack`, watching the API's resources: its
 * change alerts name every key, the trail, the web ACL and its IP sets, the stage and the table.
 */
export function createApiMonitoring(secureApi: SecureApi, options: MonitoringOptions | undefined,
  own: { authorizerLogGroup: logs.ILogGroup; removalPolicy: RemovalPolicy }): SecurityMonitoring {
  const stack = Stack.of(secureApi);
  const monitoringStack = options?.stack;
  if (monitoringStack && monitoringStack !== stack && Stage.of(monitoringStack) !== Stage.of(secureApi)) {
    throw configError(secureApi, `'monitoring.stack' must be a stack of the API's app and stage (got '${monitoringStack.node.path}')`);
  }
  // In a stack of its own, the construct's id names the API it watches.
  const [scope, id] = monitoringStack && monitoringStack !== stack
    ? [monitoringStack, `${Names.uniqueId(secureApi)}Monitoring`] : [secureApi, 'Monitoring'];
  const auditTrail = secureApi.auditTrail;
  const ownTrail = auditTrail && Stack.of(auditTrail) === stack ? auditTrail : undefined;
  const api = secureApi.api;
  return new SecurityMonitoring(scope, id, {
    ...options,
    api,
    authorizerFunction: secureApi.authorizerFunction,
    authorizerLogGroup: own.authorizerLogGroup,
    accessLogGroup: secureApi.accessLogGroup,
    webAcl: secureApi.webAcl,
    table: secureApi.table,
    removalPolicy: own.removalPolicy,
    changeAlertTargets: {
      keyArns: [secureApi.logKey, secureApi.tableKey, ownTrail?.encryptionKey].filter((k): k is kms.IKey => k !== undefined).map((k) => k.keyArn),
      trail: auditTrail && !ownTrail
        // A shared trail of another stack depends on this one (it records this table): a reference back to it would
        // be a cycle, so the alerts name it by its ARN, built from its name (its key is not watched from here).
        ? { trailArn: stack.formatArn({ service: 'cloudtrail', resource: 'trail', resourceName: auditTrail.trailName }), trailName: auditTrail.trailName }
        : { trailArn: secureApi.trailArn },
      webAcl: { webAclArn: secureApi.webAcl.attrArn, ipSetArns: secureApi.firewall.ipSets.map((set) => set.attrArn) },
      api: { restApiId: api.restApiId, stageName: api.deploymentStage.stageName, stageArn: api.deploymentStage.stageArn },
      table: secureApi.table ? { tableName: secureApi.table.tableName, tableArn: secureApi.table.tableArn } : undefined,
    },
  });
}

/** The usage plans with a quota and at least one client, as the quota watcher reads them. */
export function quotaPlansOf(secureApi: SecureApi, planOptions: ReadonlyMap<string, UsagePlanOptions>,
  clientPlans: ReadonlyMap<string, string>): QuotaWatcherPlan[] {
  const plans: QuotaWatcherPlan[] = [];
  for (const [name, options] of planOptions) {
    const clients = [...clientPlans].filter(([, plan]) => plan === name)
      .map(([client]) => ({ name: client, apiKey: secureApi.apiKeys[client] }));
    if (options.quota && clients.length > 0) {
      plans.push({ name, usagePlan: secureApi.usagePlans[name], limit: options.quota.limit, period: options.quota.period, clients });
    }
  }
  return plans;
}

/** Completes a SecureApi's monitoring when the app's aspects run, after every route and plan is declared. */
export class CompleteMonitoring implements IAspect {
  constructor(private readonly secureApi: SecureApi) {}

  public visit(node: IConstruct): void {
    if (node === this.secureApi) this.secureApi._completeMonitoring();
  }
}
