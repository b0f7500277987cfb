import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';

/** The schemathesis release the fuzz runs, from PyPI. */
export const SCHEMATHESIS_VERSION = '4.32.5';

/** Whether `python3` is on the PATH at all. */
export function hasPython(): boolean {
  return !spawnSync('python3', ['--version']).error;
}

function run(file: string, args: string[], timeoutMs: number) {
  const result = spawnSync(file, args, {
    encoding: 'utf8',
    timeout: timeoutMs,
  });
  if (result.status !== 0) {
    throw new Error(
      `${file} ${args.join(' ')} failed (${result.status ?? result.signal}):\n${
        result.stdout
      }\n${result.stderr}`.slice(-4000),
    );
  }
}

/**
 * The `schemathesis` command of a virtual environment under the user's cache,
 * one per version, created and filled from PyPI on first use. A marker written
 * last tells a complete environment from one an interrupted install left.
 */
export function ensureSchemathesis(): string {
  const cache = process.env.XDG_CACHE_HOME ?? join(homedir(), '.cache');
  const venv = join(
    cache,
    'portico',
    `schemathesis-venv-${SCHEMATHESIS_VERSION}`,
  );
  const bin = join(venv, 'bin', 'schemathesis');
  const marker = join(venv, '.installed');
  if (existsSync(marker)) return bin;
  rmSync(venv, { recursive: true, force: true });
  mkdirSync(join(cache, 'portico'), { recursive: true });
  run('python3', ['-m', 'venv', venv], 60_000);
  run(
    join(venv, 'bin', 'python'),
    [
      '-m',
      'pip',
      'install',
      '--quiet',
      '--disable-pip-version-check',
      `schemathesis==${SCHEMATHESIS_VERSION}`,
    ],
    300_000,
  );
  writeFileSync(marker, `${SCHEMATHESIS_VERSION}\n`);
  return bin;
}

export interface FuzzRun {
  /** The process's exit code: 0 when every check passed. */
  code: number;
  /** Schemathesis's report. */
  output: string;
}

/**
 * `schemathesis run` of an OpenAPI document against a base URL with a bearer
 * token, in `cwd` (where it keeps nothing: its example database is off).
 */
export function runSchemathesis(options: {
  bin: string;
  spec: string;
  baseUrl: string;
  token: string;
  checks: string[];
  maxExamples: number;
  seed: number;
  cwd: string;
  timeoutMs: number;
}): Promise<FuzzRun> {
  const args = [
    'run',
    options.spec,
    '--url',
    options.baseUrl,
    '--header',
    `Authorization: Bearer ${options.token}`,
    '--checks',
    options.checks.join(','),
    '--max-examples',
    String(options.maxExamples),
    '--seed',
    String(options.seed),
    '--request-timeout',
    '10',
    '--generation-database',
    'none',
    '--no-color',
  ];
  return new Promise(done => {
    execFile(
      options.bin,
      args,
      {
        cwd: options.cwd,
        timeout: options.timeoutMs,
        maxBuffer: 64 * 1024 * 1024,
        env: { ...process.env, NO_COLOR: '1' },
      },
      (error, stdout, stderr) => {
        let code = 0;
        if (error) code = typeof error.code === 'number' ? error.code : -1;
        const timedOut = error?.killed ? '\n(killed: time budget spent)' : '';
        done({ code, output: `${stdout}${stderr}${timedOut}` });
      },
    );
  });
}
