/**
 * The floor of the `cdk synth` benchmark: a fresh `cdk init app --language typescript` app, generated offline by the
 * CDK CLI this repository installs (`--generate-only`: no `git init`, no `npm install`) into a temporary directory.
 * Instead of installing its dependencies (slow, and the network), its `node_modules` is a symlink to this
 * repository's, so that `npx cdk synth` in it runs the same CDK CLI, aws-cdk-lib, constructs and TypeScript runner as
 * the demo, from the same files. Where the versions its package.json asks for differ from the ones installed here,
 * {@link FreshApp.dependencies} says so.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ROOT } from './child';

/** The packages the fresh app's synth runs (its test tooling, jest and swc, does not take part). */
const SYNTH_PACKAGES = ['aws-cdk', 'aws-cdk-lib', 'constructs', 'tsx', 'ts-node', 'typescript'] as const;

/** A dependency of the fresh app: the range its package.json asks for and the version it gets from ours. */
export interface FreshAppDependency {
  readonly name: string;
  readonly wanted: string;
  /** Undefined if this repository does not have it. */
  readonly used?: string;
  /** Whether `used` is in `wanted` (for `^`, `~` and exact ranges; undefined for other ranges). */
  readonly satisfied?: boolean;
}

/** What the generated app is and runs. */
export interface FreshApp {
  /** The app's directory (named `fresh-app`, so its stack is `FreshAppStack`). */
  readonly dir: string;
  /** The `app` command of its cdk.json, as generated, e.g. `npx tsc && npx tsx bin/fresh-app.ts`. */
  readonly appCommand: string;
  /** Its leading type-check step (`npx tsc`), if it has one. */
  readonly typeCheckCommand?: string;
  /**
   * The command without that step (`npx tsx bin/fresh-app.ts`), or undefined if it has none: the app run the way the
   * demo's cdk.json runs the demo.
   */
  readonly runCommand?: string;
  readonly dependencies: FreshAppDependency[];
  /** The CDK CLI version that generated it. */
  readonly cliVersion: string;
}

/** Whether `version` is in `range`, for the range forms `cdk init` writes; undefined for any other form. */
function inRange(version: string, range: string): boolean | undefined {
  const parse = (v: string): number[] | undefined => {
    const match = /^(\d+)(?:\.(\d+))?(?:\.(\d+))?$/.exec(v);
    return match ? [Number(match[1]), Number(match[2] ?? 0), Number(match[3] ?? 0)] : undefined;
  };
  const operator = /^[\^~]/.test(range) ? range[0] : '';
  const low = parse(range.slice(operator.length));
  const got = parse(version);
  if (low === undefined || got === undefined) return undefined;
  const compare = (a: number[], b: number[]): number => a[0] - b[0] || a[1] - b[1] || a[2] - b[2];
  if (operator === '') return compare(got, low) === 0;
  if (compare(got, low) < 0) return false;
  if (operator === '~') return got[0] === low[0] && got[1] === low[1];
  // Caret: the same leftmost non-zero component.
  if (low[0] !== 0) return got[0] === low[0];
  return low[1] !== 0 ? got[0] === 0 && got[1] === low[1] : compare(got, low) === 0;
}

function installedVersion(name: string): string | undefined {
  const file = join(ROOT, 'node_modules', name, 'package.json');
  return existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version : undefined;
}

/**
 * Generates the fresh app in a new temporary directory. The caller removes it with {@link removeFreshApp}.
 * Throws if the generated cdk.json runs a program (`npx <name>`) that this repository does not install: `npx` would
 * try to download it.
 */
export function createFreshApp(): FreshApp {
  const parent = mkdtempSync(join(tmpdir(), 'bench-fresh-app-'));
  try {
    const dir = join(parent, 'fresh-app');
    mkdirSync(dir);
    execFileSync(join(ROOT, 'node_modules', '.bin', 'cdk'), ['init', 'app', '--language', 'typescript', '--generate-only'], {
      cwd: dir, stdio: ['ignore', 'pipe', 'pipe'], timeout: 120_000,
    });
    symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');

    const appCommand = (JSON.parse(readFileSync(join(dir, 'cdk.json'), 'utf8')) as { app?: string }).app;
    if (typeof appCommand !== 'string' || appCommand === '') throw new Error('the fresh app\'s cdk.json has no app command');
    const programs = [...appCommand.matchAll(/\bnpx\s+([\w@./-]+)/g)].map((m) => m[1]);
    const missing = programs.filter((bin) => !existsSync(join(ROOT, 'node_modules', '.bin', bin)));
    if (missing.length > 0) {
      throw new Error(`the fresh app's cdk.json runs \`${appCommand}\`, and this repository does not install ${missing.join(', ')}`);
    }
    const typeCheck = /^(npx tsc)\s*&&\s*(\S.*)$/.exec(appCommand);

    const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
      devDependencies?: Record<string, string>;
    };
    const wanted = { ...pkg.devDependencies, ...pkg.dependencies };
    const dependencies = SYNTH_PACKAGES.filter((name) => wanted[name] !== undefined).map((name): FreshAppDependency => {
      const used = installedVersion(name);
      return { name, wanted: wanted[name], used, satisfied: used === undefined ? false : inRange(used, wanted[name]) };
    });
    return {
      dir,
      appCommand,
      typeCheckCommand: typeCheck?.[1],
      runCommand: typeCheck?.[2],
      dependencies,
      cliVersion: installedVersion('aws-cdk') ?? 'unknown',
    };
  } catch (err) {
    rmSync(parent, { recursive: true, force: true });
    throw err;
  }
}

/** Removes the app's temporary directory (the symlink only, not the repository's node_modules). */
export function removeFreshApp(app: FreshApp): void {
  rmSync(join(app.dir, '..'), { recursive: true, force: true });
}
