import { Duration } from 'aws-cdk-lib';
import * as logs from 'aws-cdk-lib/aws-logs';

/**
 * Every secure default of SecureApi, in one place. Props override them; the README lists them.
 */
export const DEFAULTS = {
  /** Enhanced API Gateway security policy on the API itself: TLS 1.3 and TLS 1.2 with PFS and post-quantum key exchange. */
  apiSecurityPolicy: 'SecurityPolicy_TLS13_1_2_PFS_PQ_2025_09',
  /** Endpoint access mode required with enhanced policies: STRICT rejects requests whose SNI/Host do not match. */
  endpointAccessMode: 'STRICT',
  stageName: 'prod',
  /** Stage-wide throttle, requests per second. */
  stageRateLimit: 100,
  /** Stage-wide throttle, burst. */
  stageBurstLimit: 200,
  logRetention: logs.RetentionDays.ONE_YEAR,
  /** Authorizer result cache: short, so that revoked scopes stop working quickly. */
  authorizerCacheTtl: Duration.minutes(5),
  /** Tolerated clock skew on exp/nbf/iat. */
  clockSkew: Duration.seconds(60),
  /** Largest accepted bearer token, bytes. */
  maxTokenBytes: 8192,
  /** Largest accepted exp - iat: short-lived tokens only. */
  maxTokenLifetime: Duration.hours(24),
  jwksTimeout: Duration.seconds(3),
  jwksMaxAge: Duration.minutes(10),
  /** WAF: requests per client IP per evaluation window. */
  wafIpRateLimit: 1000,
  /** WAF: requests per caller (Authorization header or API key) per evaluation window. */
  wafCallerRateLimit: 500,
  wafEvaluationWindow: Duration.minutes(5),
  /** WAF: largest request body, bytes (API Gateway regional WAF inspects 16 KiB by default). */
  wafMaxBodyBytes: 16 * 1024,
  /** Lambda memory and timeout. */
  authorizerMemoryMb: 512,
  authorizerTimeout: Duration.seconds(5),
  trailLogRetention: logs.RetentionDays.ONE_YEAR,
  /** CloudTrail bucket: move to infrequent access, then expire. */
  trailTransitionAfter: Duration.days(90),
  trailExpireAfter: Duration.days(2555),
  /** CloudTrail bucket: Object Lock (GOVERNANCE) default retention of each log file. */
  trailLockRetention: Duration.days(365),
} as const;

/** WAF rate-based rule limits and windows. @see https://docs.aws.amazon.com/waf/latest/APIReference/API_RateBasedStatement.html */
export const WAF_LIMITS = {
  minRateLimit: 10,
  maxRateLimit: 2_000_000_000,
  evaluationWindowsSeconds: [60, 120, 300, 600] as readonly number[],
} as const;
