import { Validations } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as route53targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import { CustomDomainOptions } from './secure-api-props';

/**
 * The custom domain of a SecureApi: regional, with the given TLS policy (STRICT access mode for enhanced ones), a
 * base path or multi-level API mapping to the API's stage, and an alias record when a hosted zone is given.
 * The options are validated with the other props (validate-props.ts).
 */
export function addCustomDomain(scope: Construct, api: apigw.RestApi, options: CustomDomainOptions): apigw.DomainName {
  const policy = options.securityPolicy ?? apigw.SecurityPolicy.TLS_1_2;
  const enhanced = policy.startsWith('SecurityPolicy_');
  const domain = new apigw.DomainName(scope, 'Domain', {
    domainName: options.domainName,
    certificate: options.certificate,
    endpointType: apigw.EndpointType.REGIONAL,
    securityPolicy: policy,
    ...(enhanced ? { endpointAccessMode: apigw.EndpointAccessMode.STRICT } : {}),
  });
  if (enhanced) {
    Validations.of(domain).acknowledge({
      id: 'cdk-validator-cfnguard::api_gw_domain_tls_check',
      reason: `The domain uses the enhanced policy ${policy} (minimum TLS 1.2 or 1.3, STRICT access mode); the Control Tower rule only knows the legacy name TLS_1_2.`,
    });
  }
  if (options.basePath?.includes('/')) {
    // A base path mapping takes one path segment; an API mapping (API Gateway v2) takes several, on a regional
    // domain with a TLS 1.2 (or stricter) policy, which is all SecureApi allows.
    // @see https://docs.aws.amazon.com/apigateway/latest/developerguide/rest-api-mappings.html
    domain.addApiMapping(api.deploymentStage, { basePath: options.basePath });
  } else {
    domain.addBasePathMapping(api, { basePath: options.basePath, stage: api.deploymentStage });
  }
  if (options.hostedZone) {
    new route53.ARecord(scope, 'DomainAlias', {
      zone: options.hostedZone,
      recordName: options.domainName,
      target: route53.RecordTarget.fromAlias(new route53targets.ApiGatewayDomain(domain)),
    });
  }
  return domain;
}
