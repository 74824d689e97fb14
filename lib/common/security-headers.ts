/**
 * Security headers that every response of the API carries: gateway responses (set by the construct) and
 * integration responses (set by the Lambda handlers). One list, imported by both.
 *
 * This module is bundled into Lambdas: it must not import aws-cdk-lib or constructs.
 */
export const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'Strict-Transport-Security': 'max-age=31536000; includeSubDomains',
  'X-Content-Type-Options': 'nosniff',
  'Cache-Control': 'no-store',
  'X-Frame-Options': 'DENY',
  'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
};
