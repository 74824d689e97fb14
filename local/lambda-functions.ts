/**
 * The Lambda functions of a synthesized template as the local run hosts them: each with its code's asset directory,
 * its layers' asset directories (Lambda extracts layers into `/opt`), its environment with every intrinsic resolved,
 * and its runtime settings.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CfnResource, CfnTemplate, IntrinsicResolver } from './intrinsics';
import { num, props } from './template-values';

/** A Lambda function of the template. */
export interface LocalFunction {
  readonly logicalId: string;
  readonly name: string;
  readonly arn: string;
  /** Directory of the deployment package (the synthesized asset). */
  readonly codeDirectory: string;
  /** `file.export`, e.g. `index.handler`. */
  readonly handler: string;
  readonly runtime: string;
  readonly timeoutSeconds: number;
  readonly memoryMb: number;
  /** Environment variables with every intrinsic resolved. */
  readonly environment: Record<string, string>;
  /** Directories of the function's layers (synthesized assets), in the template's order; Lambda extracts them into `/opt`. */
  readonly layerDirectories: readonly string[];
  readonly logLevel?: string;
  readonly logFormat?: string;
}

/**
 * The directory, relative to the assembly, of the asset a resource's `property` (`Code`, `Content`) was built from:
 * from the asset metadata `cdk synth` writes, else from its S3 key (`<hash>.zip`) and the stack's asset manifest.
 */
function assetDirectoryOf(resource: CfnResource, property: 'Code' | 'Content',
  assetDirectories: Readonly<Record<string, string>>): string | undefined {
  const metadata = resource.Metadata ?? {};
  if (typeof metadata['aws:asset:path'] === 'string' && metadata['aws:asset:property'] === property) return metadata['aws:asset:path'];
  const s3Key = (props(resource)[property] as { S3Key?: unknown } | undefined)?.S3Key;
  return typeof s3Key === 'string' ? assetDirectories[s3Key.replace(/\.zip$/, '')] : undefined;
}

/**
 * The template's Node.js functions that have their code as an asset of this app, by logical id; the others are
 * reported in `warnings` and left out.
 * @param functions the template's `AWS::Lambda::Function` resources (those whose condition holds).
 */
export function readLambdaFunctions(template: CfnTemplate, r: IntrinsicResolver, functions: Array<[string, CfnResource]>,
  outdir: string, assetDirectories: Readonly<Record<string, string>>, warnings: string[]): Map<string, LocalFunction> {
  const result = new Map<string, LocalFunction>();
  for (const [logicalId, resource] of functions) {
    const p = props(resource);
    const assetPath = assetDirectoryOf(resource, 'Code', assetDirectories);
    if (assetPath === undefined) {
      warnings.push(`function ${logicalId} has no asset directory (inline or prebuilt S3 code): not served locally`);
      continue;
    }
    const env = (r.resolve((p.Environment as { Variables?: unknown } | undefined)?.Variables) ?? {}) as Record<string, unknown>;
    const layerDirectories: string[] = [];
    for (const layer of Array.isArray(p.Layers) ? p.Layers : []) {
      const ref = (layer as { Ref?: unknown }).Ref;
      const layerResource = typeof ref === 'string' ? template.Resources[ref] : undefined;
      const layerPath = layerResource?.Type === 'AWS::Lambda::LayerVersion'
        ? assetDirectoryOf(layerResource, 'Content', assetDirectories) : undefined;
      if (layerPath === undefined) {
        warnings.push(`function ${logicalId} has a layer that is not an asset of this app (${JSON.stringify(layer)}): not mounted locally`);
        continue;
      }
      layerDirectories.push(path.resolve(outdir, layerPath));
    }
    const logging = (r.resolve(p.LoggingConfig) ?? {}) as Record<string, unknown>;
    const fn: LocalFunction = {
      logicalId,
      name: r.ids.ref(logicalId),
      arn: r.ids.getAtt(logicalId, 'Arn'),
      codeDirectory: path.resolve(outdir, assetPath),
      handler: r.resolveString(p.Handler ?? 'index.handler', `${logicalId}.Handler`),
      runtime: String(r.resolve(p.Runtime) ?? 'nodejs'),
      timeoutSeconds: num(r.resolve(p.Timeout), 3),
      memoryMb: num(r.resolve(p.MemorySize), 128),
      environment: Object.fromEntries(Object.entries(env).map(([k, v]) => [k, String(v)])),
      layerDirectories,
      logLevel: typeof logging.ApplicationLogLevel === 'string' ? logging.ApplicationLogLevel : undefined,
      logFormat: typeof logging.LogFormat === 'string' ? logging.LogFormat : undefined,
    };
    if (!fn.runtime.startsWith('nodejs')) {
      warnings.push(`function ${logicalId} uses ${fn.runtime}: only Node.js functions run locally`);
      continue;
    }
    result.set(logicalId, fn);
  }
  return result;
}

/**
 * A path under `/opt`, where Lambda extracts a function's layers (later layers over earlier ones), as the file of the
 * local layer directory that holds it; any other value unchanged. Local processes have no `/opt` of their own.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/packaging-layers.html#packaging-layers-paths
 */
export function optPath(fn: LocalFunction, value: string): string {
  if (!value.startsWith('/opt/')) return value;
  const relative = value.slice('/opt/'.length);
  const holder = [...fn.layerDirectories].reverse().find((dir) => fs.existsSync(path.join(dir, relative)));
  return holder === undefined ? value : path.join(holder, relative);
}
