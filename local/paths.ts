/** Where the local run keeps things (kept free of heavy imports: the token CLI loads it). */
import * as path from 'node:path';

/** The repository root. */
export const REPO_ROOT = path.resolve(__dirname, '..');

/** The default data directory (gitignored). */
export const DEFAULT_DATA_DIR = path.join(REPO_ROOT, '.local');

/** The signing key of the local issuer, in a data directory. */
export function signingKeyFile(dataDir: string): string {
  return path.join(dataDir, 'issuer', 'signing-key.jwk.json');
}

/** The persisted API id and API keys, in a data directory. */
export function stateFile(dataDir: string): string {
  return path.join(dataDir, 'state.json');
}
