/*
 * The OWASP API Security Top 10 (2023) and the controls of a template that address each risk. Names as OWASP
 * publishes them: https://owasp.org/API-Security/editions/2023/en/0x11-t10/. Several risks live in the application
 * (object ownership, business flows, inventory): a template can only show part of the answer, and the report says
 * what the user must do for the rest.
 */
import { Control, OwaspEntry } from './report-model';

interface Risk {
  readonly id: string;
  readonly name: string;
  readonly controls: string[];
  readonly addressedBy: string;
  readonly gaps: string;
  /** A risk no template control can settle: reported as a gap whatever the controls' status. */
  readonly outsideTemplate?: boolean;
}

const RISKS: Risk[] = [
  {
    id: 'API1:2023', name: 'Broken Object Level Authorization', controls: ['auth.method-authorization', 'auth.authorizers'], outsideTemplate: true,
    addressedBy: 'every method is authorized and the verified caller (principal, issuer, tenant) reaches the integration in the authorizer context',
    gaps: 'object ownership is checked by the integration, not by the template: each handler must scope every read and write to the caller (the demo items service keys items by owner)',
  },
  {
    id: 'API2:2023', name: 'Broken Authentication', controls: ['auth.authorizers', 'auth.method-authorization', 'api.tls-policy', 'waf.rate-limit'],
    addressedBy: 'a JWT authorizer on the methods, a TLS 1.2+ policy, and rate limits per IP and per caller against credential stuffing',
    gaps: 'token issuance, MFA and account recovery are the identity provider\'s',
  },
  {
    id: 'API3:2023', name: 'Broken Object Property Level Authorization', controls: ['api.request-validation'], outsideTemplate: true,
    addressedBy: 'request validators and models reject unexpected input properties (mass assignment)',
    gaps: 'what a response exposes is the integration\'s: return only the fields the caller may see',
  },
  {
    id: 'API4:2023', name: 'Unrestricted Resource Consumption', controls: ['waf.rate-limit', 'waf.body-size', 'api.stage-throttle', 'api.usage-plans'],
    addressedBy: 'WAF rate limits and body size limit, the stage throttle, usage-plan throttles and quotas',
    gaps: 'page sizes, query cost and downstream spend limits are the integration\'s; add billing alarms',
  },
  {
    id: 'API5:2023', name: 'Broken Function Level Authorization', controls: ['auth.method-authorization', 'auth.authorizers'],
    addressedBy: 'an authorizer on every method, allowing only the routes the token\'s scopes and claims grant; public methods are listed as exceptions',
    gaps: 'review the exceptions and each route\'s required scopes',
  },
  {
    id: 'API6:2023', name: 'Unrestricted Access to Sensitive Business Flows', controls: ['waf.rate-limit', 'api.usage-plans'], outsideTemplate: true,
    addressedBy: 'per-caller rate limits and per-route usage-plan throttles slow automated abuse',
    gaps: 'the user must name the sensitive flows (sign-up, checkout, booking), give them per-flow limits, and consider AWS WAF Bot Control or Fraud Control groups (not on by default)',
  },
  {
    id: 'API7:2023', name: 'Server Side Request Forgery', controls: ['waf.managed-groups'], outsideTemplate: true,
    addressedBy: 'AWS managed rule groups block common SSRF payloads; JWKS URLs are fixed at synth',
    gaps: 'an integration that fetches a URL taken from the request must allow-list destinations itself',
  },
  {
    id: 'API8:2023', name: 'Security Misconfiguration', controls: ['api.tls-policy', 'api.endpoint-access-mode', 'data.table-encryption', 'logs.encryption', 'kms.key-rotation', 'api.execution-logging'],
    addressedBy: 'TLS policy and STRICT access mode, KMS encryption of data and logs, key rotation, no data-trace logging, and the policy packs of this report',
    gaps: 'settings outside this template (account, other stacks) are not checked',
  },
  {
    id: 'API9:2023', name: 'Improper Inventory Management', controls: ['api.custom-domain', 'auth.method-authorization'], outsideTemplate: true,
    addressedBy: 'this report lists every method of the template; a custom domain with the default endpoint off leaves one entry point',
    gaps: 'the user must keep an inventory of every API, stage and version across accounts, and retire old stages and deployments',
  },
  {
    id: 'API10:2023', name: 'Unsafe Consumption of APIs', controls: ['tracing.xray', 'api.access-logging'], outsideTemplate: true,
    addressedBy: 'tracing and access logs show which third-party calls an API makes and how they fail',
    gaps: 'integrations must validate third-party responses, use TLS, and time out; the template cannot show that',
  },
];

/** The OWASP API Security Top 10 (2023) entries for a stack's controls. */
export function owaspMapping(controls: Control[]): OwaspEntry[] {
  const byId = new Map(controls.map((c) => [c.id, c]));
  return RISKS.map((risk) => {
    const mapped = risk.controls.map((id) => ({ id, status: byId.get(id)?.status ?? 'absent' as const }));
    const present = mapped.filter((c) => c.status === 'present').length;
    const any = mapped.some((c) => c.status !== 'absent');
    const coverage = risk.outsideTemplate
      ? (any ? 'partial' : 'gap')
      : present === mapped.length ? 'addressed' : any ? 'partial' : 'gap';
    return { id: risk.id, name: risk.name, controls: mapped, coverage, addressedBy: risk.addressedBy, gaps: risk.gaps };
  });
}
