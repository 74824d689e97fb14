/**
 * One local run per data directory: LevelDB (dynalite's store) takes an exclusive lock, and a second run on the
 * same directory would otherwise fail deep inside dynalite. The lock file names the owning process; a lock whose
 * process is gone is taken over.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** Thrown when another live process runs on the data directory. */
export class DataDirectoryInUseError extends Error {
  constructor(dataDir: string, pid: number) {
    super(`the data directory ${dataDir} is in use by another local run (process ${pid}): stop it first, or pass --data-dir or --in-memory`);
    this.name = 'DataDirectoryInUseError';
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Takes the lock of a data directory; returns its release function. */
export function lockDataDirectory(dataDir: string): () => void {
  const file = path.join(dataDir, 'run.lock');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      fs.writeFileSync(file, String(process.pid), { flag: 'wx' });
      return () => {
        if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === String(process.pid)) fs.rmSync(file, { force: true });
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      const owner = Number(fs.readFileSync(file, 'utf8'));
      if (Number.isInteger(owner) && owner > 0 && alive(owner)) throw new DataDirectoryInUseError(dataDir, owner);
      fs.rmSync(file, { force: true });
    }
  }
  throw new Error(`could not lock ${dataDir}`);
}
