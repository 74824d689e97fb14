/**
 * The demo's CORS setting (`corsOrigins`, from `-c corsOrigins=` in bin/app.ts and `--cors-origin` of `npm start`):
 * the SecureApi gets the origins, and the items function the environment that makes it send the CORS headers.
 */
import { App } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { DemoStack } from '../../demo/demo-stack';

function demo(corsOrigins?: string[]): Template {
  const stack = new DemoStack(new App(), 'SecureApiDemo', { issuer: 'https://issuer.example.com', audience: ['secure-api-demo'], corsOrigins });
  return Template.fromStack(stack);
}

const itemsEnvironment = (template: Template) => (Object.values(template.findResources('AWS::Lambda::Function')) as any[])
  .map((f) => f.Properties.Environment?.Variables ?? {})
  .find((variables) => variables.TABLE_NAME !== undefined);

test('corsOrigins turns CORS on for the API and hands the origins to the items function', () => {
  const template = demo(['https://app.example.com', 'https://admin.example.com']);
  expect(itemsEnvironment(template).SECURE_API_CORS_ALLOW_ORIGINS).toBe('https://app.example.com,https://admin.example.com');
  const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL')) as any[];
  expect(acl.Properties.Rules[0].Name).toBe('DisallowedOrigin');
});

test('without corsOrigins the demo has no CORS: no variable, no Origin rule', () => {
  const template = demo();
  expect(itemsEnvironment(template).SECURE_API_CORS_ALLOW_ORIGINS).toBeUndefined();
  const [acl] = Object.values(template.findResources('AWS::WAFv2::WebACL')) as any[];
  expect(acl.Properties.Rules.map((r: any) => r.Name)).not.toContain('DisallowedOrigin');
});
