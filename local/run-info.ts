/**
 * What the token CLI needs to know about the last local run of a data directory, written at start to
 * `<dataDir>/local-run.json`: the API URL, the issuer and audience, the signing key id, and the clients with their
 * API key ids. No secrets: key values stay in `state.json` and the signing key in `issuer/`.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The file name, in the data directory. */
export const RUN_INFO_FILE = 'local-run.json';

/** The last local run of a data directory. */
export interface LocalRunInfo {
  readonly url: string;
  readonly issuer: string;
  readonly audience: string;
  readonly kid: string;
  /** Client name → its API key id and usage plan. */
  readonly clients: Record<string, { readonly apiKeyId: string; readonly plan: string }>;
}

/** Writes the run info. */
export function writeRunInfo(dataDir: string, info: LocalRunInfo): void {
  fs.writeFileSync(path.join(dataDir, RUN_INFO_FILE), `${JSON.stringify(info, null, 2)}\n`);
}

/** Reads the run info; undefined when the data directory has never served a local run. */
export function readRunInfo(dataDir: string): LocalRunInfo | undefined {
  const file = path.join(dataDir, RUN_INFO_FILE);
  return fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) as LocalRunInfo : undefined;
}
