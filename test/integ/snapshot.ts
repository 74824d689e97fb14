/**
 * The deploy test's snapshot: the cloud assembly of `integ.deploy-test.ts`, in integ-runner's snapshot layout
 * (`integ.deploy-test.ts.snapshot/`), and its offline comparison with what the app synthesizes now.
 *
 * The comparison follows integ-runner's snapshot test: the templates of the test case's stacks (not the assertion
 * stack, whose custom resources carry a new salt at every synth), with asset hashes replaced by `Asset1`, `Asset2`…
 * in the order of each stack's asset manifest, so that a Lambda code change alone is not a difference.
 *
 * Run as a script (`npm run integ:snapshot`), it rewrites the snapshot.
 */
import { App } from 'aws-cdk-lib';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { buildDeployTest, DEPLOY_TEST_CONTEXT } from './deploy-test';

/** The committed snapshot. */
export const SNAPSHOT_DIR = path.join(__dirname, 'integ.deploy-test.ts.snapshot');

/** The one command that rewrites the snapshot. */
export const UPDATE_COMMAND = 'npm run integ:snapshot';

/**
 * What the snapshot keeps of the assembly: what integ-runner reads to compare (manifests, templates, asset
 * manifests). Not the asset directories (megabytes of bundles, and the snapshot is never deployed: the test has no
 * update workflow), nor the construct tree and metadata (they change with every construct, not with the templates).
 */
const KEPT = [/^manifest\.json$/, /^integ\.json$/, /^cdk\.out$/, /\.template\.json$/, /\.assets\.json$/];

/** Synthesizes the deploy test into `outdir` with integ-runner's settings: no version reporting, no path or asset metadata. */
export function synthDeployTest(outdir: string): void {
  const app = new App({
    outdir,
    context: {
      ...DEPLOY_TEST_CONTEXT,
      'aws:cdk:version-reporting': false,
      'aws:cdk:enable-path-metadata': false,
      'aws:cdk:enable-asset-metadata': false,
    },
  });
  buildDeployTest(app);
  app.synth();
}

/** Synthesizes into a new temporary directory, keeping only the snapshot's files; returns the directory. */
export function synthSnapshot(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'deploy-test-'));
  synthDeployTest(dir);
  for (const entry of fs.readdirSync(dir)) {
    if (!KEPT.some((re) => re.test(entry))) fs.rmSync(path.join(dir, entry), { recursive: true, force: true });
  }
  return dir;
}

/** Rewrites {@link SNAPSHOT_DIR} from the app as it is now. */
export function writeSnapshot(): void {
  const dir = synthSnapshot();
  fs.rmSync(SNAPSHOT_DIR, { recursive: true, force: true });
  fs.cpSync(dir, SNAPSHOT_DIR, { recursive: true });
  // mkdtemp makes the directory private; the snapshot is an ordinary checked-in directory.
  fs.chmodSync(SNAPSHOT_DIR, 0o755);
  fs.rmSync(dir, { recursive: true, force: true });
}

/** One difference between the snapshot and the app. */
export interface SnapshotDifference {
  /** The stack. */
  readonly stack: string;
  /** Where in the template, e.g. `Resources.WebAcl(AWS::WAFv2::WebACL).Properties.Rules.4.Statement…`. */
  readonly path: string;
  /** The value in the snapshot, or undefined when the app added it. */
  readonly expected: unknown;
  /** The value the app synthesizes, or undefined when the app removed it. */
  readonly actual: unknown;
}

/** Compares the test-case stacks of two assemblies in the snapshot layout; returns every difference. */
export function compareSnapshots(expectedDir: string, actualDir: string): SnapshotDifference[] {
  const expected = readTestStacks(expectedDir);
  const actual = readTestStacks(actualDir);
  const differences: SnapshotDifference[] = [];
  for (const stack of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
    if (!(stack in expected) || !(stack in actual)) {
      differences.push({ stack, path: '(stack)', expected: stack in expected ? 'present' : undefined, actual: stack in actual ? 'present' : undefined });
      continue;
    }
    diff(stack, '', expected[stack], actual[stack], differences);
  }
  return differences;
}

/** Renders differences for a test failure message. */
export function formatDifferences(differences: readonly SnapshotDifference[], limit = 40): string {
  const show = (v: unknown) => (v === undefined ? '(none)' : JSON.stringify(v).slice(0, 200));
  const lines = differences.slice(0, limit).map((d) => `  ${d.stack} ${d.path}: ${show(d.expected)} -> ${show(d.actual)}`);
  if (differences.length > limit) lines.push(`  … and ${differences.length - limit} more`);
  return lines.join('\n');
}

/** The canonical templates of the test case's stacks (integ.json), by stack name. */
function readTestStacks(dir: string): Record<string, unknown> {
  const integ = JSON.parse(fs.readFileSync(path.join(dir, 'integ.json'), 'utf8')) as { testCases: Record<string, { stacks: string[] }> };
  const manifest = JSON.parse(fs.readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
    artifacts: Record<string, { type: string; properties?: { templateFile?: string; file?: string } }>;
  };
  const stacks: Record<string, unknown> = {};
  for (const name of Object.values(integ.testCases).flatMap((testCase) => testCase.stacks)) {
    const artifact = manifest.artifacts[name];
    if (artifact?.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
    const template = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8'));
    stacks[name] = canonicalize(template, assetIds(dir, manifest.artifacts, name));
  }
  return stacks;
}

/** The ids (hashes) of a stack's assets, in the order of its asset manifest. */
function assetIds(dir: string, artifacts: Record<string, { type: string; properties?: { file?: string } }>, stack: string): string[] {
  const ids: string[] = [];
  for (const artifact of Object.values(artifacts)) {
    if (artifact.type === 'cdk:asset-manifest' && artifact.properties?.file === `${stack}.assets.json`) {
      const assets = JSON.parse(fs.readFileSync(path.join(dir, artifact.properties.file), 'utf8')) as { files?: object; dockerImages?: object };
      ids.push(...Object.keys(assets.files ?? {}), ...Object.keys(assets.dockerImages ?? {}));
    }
  }
  return ids;
}

/** Replaces each asset hash in every string of the template by `Asset<n>`, n its position in the asset manifest. */
function canonicalize(template: unknown, ids: readonly string[]): unknown {
  const substitutions = ids.map((id, i) => [new RegExp(id, 'g'), `Asset${i + 1}`] as const);
  const walk = (value: unknown): unknown => {
    if (typeof value === 'string') return substitutions.reduce((s, [re, to]) => s.replace(re, to), value);
    if (Array.isArray(value)) return value.map(walk);
    if (value && typeof value === 'object') return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, walk(v)]));
    return value;
  };
  return walk(template);
}

function diff(stack: string, at: string, expected: unknown, actual: unknown, out: SnapshotDifference[]): void {
  if (isObject(expected) && isObject(actual)) {
    for (const key of new Set([...Object.keys(expected), ...Object.keys(actual)])) {
      diff(stack, join(at, key, expected[key] ?? actual[key]), expected[key], actual[key], out);
    }
  } else if (Array.isArray(expected) && Array.isArray(actual)) {
    for (let i = 0; i < Math.max(expected.length, actual.length); i++) diff(stack, join(at, String(i)), expected[i], actual[i], out);
  } else if (JSON.stringify(expected) !== JSON.stringify(actual)) {
    out.push({ stack, path: at, expected, actual });
  }
}

/** A path segment; a resource also names its type, so that a message says what changed. */
function join(at: string, key: string, value?: unknown): string {
  const type = at === 'Resources' && isObject(value) && typeof value.Type === 'string' ? `(${value.Type})` : '';
  return at ? `${at}.${key}${type}` : key;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

if (require.main === module) {
  writeSnapshot();
  console.log(`wrote ${path.relative(process.cwd(), SNAPSHOT_DIR)}`);
}
