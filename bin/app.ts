#!/usr/bin/env node
import { App, RemovalPolicy } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { DemoStack } from '../demo/demo-stack';
import { addCompliancePacks } from '../demo/compliance-packs';

const app = new App();
const context = (key: string): string | undefined => app.node.tryGetContext(key);
const list = (value: string | undefined): string[] | undefined =>
  value === undefined ? undefined : value.split(',').map((v) => v.trim()).filter(Boolean);

new DemoStack(app, context('stackName') ?? 'SecureApiDemo', {
  issuer: context('issuer') ?? '',
  audience: list(context('audience')) ?? [],
  jwksUri: context('jwksUri') || undefined,
  apiKeySource: context('apiKeySource') === 'AUTHORIZER' ? apigw.ApiKeySourceType.AUTHORIZER : apigw.ApiKeySourceType.HEADER,
  removalPolicy: context('removalPolicy') === 'destroy' ? RemovalPolicy.DESTROY : RemovalPolicy.RETAIN,
  ipAllowList: list(context('ipAllowList')),
  corsOrigins: list(context('corsOrigins')),
  alarmEmails: list(context('alarmEmails')),
});
addCompliancePacks(app);
