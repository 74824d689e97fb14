/** What the watcher writes (Powertools' logs and EMF documents), one parsed JSON object a line. */
export interface CapturedOutput {
  /** Every line, as written. */
  readonly raw: string[];
  /** The EMF documents: the lines with an `_aws` key. */
  emf(): any[];
  /** The log lines: the others. */
  logs(): any[];
  restore(): void;
}

/**
 * Captures process.stdout and process.stderr, where Powertools Metrics (stdout) and Logger (stdout, stderr from
 * ERROR up) write in Lambda, and here.
 */
export function captureStdout(): CapturedOutput {
  const raw: string[] = [];
  const write = ((chunk: unknown) => {
    raw.push(...String(chunk).split('\n').filter((l) => l.trim() !== ''));
    return true;
  }) as never;
  const spies = [jest.spyOn(process.stdout, 'write').mockImplementation(write), jest.spyOn(process.stderr, 'write').mockImplementation(write)];
  // Node's own warnings (the SDK's, say) are not JSON.
  const parsed = () => raw.filter((l) => l.startsWith('{')).map((l) => JSON.parse(l));
  return {
    raw,
    emf: () => parsed().filter((o) => o._aws !== undefined),
    logs: () => parsed().filter((o) => o._aws === undefined),
    restore: () => spies.forEach((spy) => spy.mockRestore()),
  };
}

/** Parses the lines of a child process's output (stdout and stderr together) the same way. */
export function parseLines(stdout: string): { emf: any[]; logs: any[] } {
  const objects = stdout.split('\n').filter((l) => l.trim().startsWith('{')).map((l) => JSON.parse(l));
  return { emf: objects.filter((o) => o._aws !== undefined), logs: objects.filter((o) => o._aws === undefined) };
}

/**
 * Runs every test of the file as the watcher runs in Lambda: the Powertools namespace and service set as the construct
 * sets them, output captured; both restored after each test. Returns the current test's captured output.
 */
export function watcherOutputPerTest(): () => CapturedOutput {
  let output: CapturedOutput | undefined;
  const env = { ...process.env };
  beforeEach(() => {
    process.env.POWERTOOLS_METRICS_NAMESPACE = 'SecureApi/Orders';
    process.env.POWERTOOLS_SERVICE_NAME = 'secure-api-quota-watcher';
    output = captureStdout();
  });
  afterEach(() => {
    output?.restore();
    process.env = { ...env };
  });
  return () => output!;
}
