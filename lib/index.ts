// The public API of secure-api: constructs, their props and enums. Everything here is jsii-compatible and
// available in TypeScript, Python, Java, .NET and Go; helpers and the Lambda contract stay internal.
export { SecureApi } from './secure-api';
export {
  AccessRuleOptions, AuditOptions, CognitoIssuerOptions, CognitoTokenUse, CustomDomainOptions, RouteAccessOptions, ScopeMatch,
  SecureApiProps, SecureCorsOptions, SecureRouteOptions, TokenIssuer, TokenPolicyOptions,
} from './secure-api-props';
export { ClaimCondition, ClaimPath } from './claim-condition';
export { CallerKey, EdgeFirewall, EdgeFirewallProps, FirewallRuleOptions, ManagedRuleGroup } from './edge-firewall';
export { ApiClientOptions, QuotaOptions, ThrottleOptions, UsagePlanOptions } from './usage-plans';
export { EncryptedTable, EncryptedTableProps } from './encrypted-table';
export { AuditTrail, AuditTrailProps, TableDataEvents } from './audit-trail';
export { SecureFunction, SecureFunctionCaller, SecureFunctionProps } from './secure-function';
export { AuthorizerContextKey } from './common/authorizer-config';
export { SecurityMonitoring, SecurityMonitoringProps } from './security-monitoring';
export { AlarmOptions, MonitoringOptions, SecurityAlarmsOptions } from './security-monitoring-props';
export {
  ChangeAlertDefinition, ChangeAlerts, ChangeAlertsProps, ChangeAlertTargets, RestApiAlertTarget, TableAlertTarget,
  TrailAlertTarget, WebAclAlertTarget,
} from './change-alerts';
export { QuotaWatcher, QuotaWatcherClient, QuotaWatcherPlan, QuotaWatcherProps } from './quota-watcher';
export { SecurityReport, SecurityReportCostAssumptions, SecurityReportOptions } from './security-report';
