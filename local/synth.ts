/**
 * Synthesizes the demo app in-process, exactly as `bin/app.ts` builds it but with the local issuer, into a cloud
 * assembly directory of its own. The local run then serves that template and its asset directories: the same
 * bundles `cdk deploy` would upload. Policy packs are not run here (`npx cdk synth` runs them).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App, AssetStaging, CfnElement, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import { DemoStack } from '../demo/demo-stack';
import type { CfnTemplate } from './intrinsics';

/** The stack id of the demo, as in `bin/app.ts`. */
export const DEMO_STACK_NAME = 'SecureApiDemo';

/** Settings of one synthesis. */
export interface SynthOptions {
  /** Where to write the cloud assembly; emptied first. */
  readonly outdir: string;
  /** The issuer URL (https). */
  readonly issuer: string;
  /** Accepted audiences. */
  readonly audience: string[];
  /** API key source of the demo. */
  readonly apiKeySource: 'HEADER' | 'AUTHORIZER';
  /** CORS origins of the demo (`-c corsOrigins=` of `bin/app.ts`). @default - no CORS */
  readonly corsOrigins?: string[];
}

/** A synthesized demo. */
export interface SynthesizedApp {
  readonly outdir: string;
  readonly stackName: string;
  readonly template: CfnTemplate;
  /** Asset hash → asset directory, relative to `outdir`. */
  readonly assetDirectories: Record<string, string>;
  /** Logical id of each API key → the client it belongs to. */
  readonly clientOfApiKey: Record<string, string>;
  /** Logical id of each usage plan → the plan's name in the construct. */
  readonly planNames: Record<string, string>;
}

/** Synthesizes the demo stack with the given issuer into `outdir`. */
export function synthesizeDemo(options: SynthOptions): SynthesizedApp {
  fs.rmSync(options.outdir, { recursive: true, force: true });
  fs.mkdirSync(options.outdir, { recursive: true });
  // CDK remembers assets it staged earlier in this process and would skip copying them into a new outdir.
  AssetStaging.clearAssetHashCache();
  const app = new App({
    outdir: options.outdir,
    // What the CDK CLI sets: asset paths in the template metadata.
    context: { 'aws:cdk:enable-asset-metadata': true },
  });
  const stack = new DemoStack(app, DEMO_STACK_NAME, {
    issuer: options.issuer,
    audience: options.audience,
    apiKeySource: options.apiKeySource === 'AUTHORIZER' ? apigw.ApiKeySourceType.AUTHORIZER : apigw.ApiKeySourceType.HEADER,
    // A local run is a throwaway stage.
    removalPolicy: RemovalPolicy.DESTROY,
    corsOrigins: options.corsOrigins,
  });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const template = JSON.parse(fs.readFileSync(path.join(assembly.directory, artifact.templateFile), 'utf8')) as CfnTemplate;
  const assetManifest = path.join(assembly.directory, `${artifact.stackName}.assets.json`);
  const assetDirectories: Record<string, string> = {};
  if (fs.existsSync(assetManifest)) {
    const manifest = JSON.parse(fs.readFileSync(assetManifest, 'utf8')) as { files?: Record<string, { source: { path: string } }> };
    for (const [hash, file] of Object.entries(manifest.files ?? {})) assetDirectories[hash] = file.source.path;
  }
  const logicalId = (element: unknown) => Stack.of(stack).getLogicalId(element as CfnElement);
  return {
    outdir: assembly.directory,
    stackName: artifact.stackName,
    template,
    assetDirectories,
    clientOfApiKey: Object.fromEntries(Object.entries(stack.secureApi.apiKeys)
      .map(([client, key]) => [logicalId(key.node.defaultChild), client])),
    planNames: Object.fromEntries(Object.entries(stack.secureApi.usagePlans)
      .map(([name, plan]) => [logicalId(plan.node.defaultChild), name])),
  };
}
