import { ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { freePort } from './freePort';

export const repoRoot = resolve(__dirname, '../../..');

export interface RunningPortico {
  appUrl: string;
  backendUrl: string;
  /** Everything the two dev servers printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/**
 * Starts the frontend and backend exactly as `npm start` does, on free ports and a
 * throwaway SQLite folder, and waits until both answer.
 */
export async function startPortico(
  options: { extraConfig?: object; timeoutMs?: number } = {},
): Promise<RunningPortico> {
  const [appPort, backendPort] = [await freePort(), await freePort()];
  const dir = mkdtempSync(join(tmpdir(), 'portico-e2e-'));
  const appUrl = `http://localhost:${appPort}`;
  const backendUrl = `http://localhost:${backendPort}`;
  const configFile = join(dir, 'app-config.e2e.yaml');
  writeFileSync(
    configFile,
    stringify({
      app: { baseUrl: appUrl },
      backend: {
        baseUrl: backendUrl,
        listen: { port: backendPort },
        cors: { origin: appUrl },
        database: {
          client: 'better-sqlite3',
          connection: { directory: join(dir, 'sqlite') },
        },
      },
      ...options.extraConfig,
    }),
  );

  let output = '';
  const child: ChildProcess = spawn(
    'npx',
    [
      'backstage-cli',
      'repo',
      'start',
      '--config',
      join(repoRoot, 'app-config.yaml'),
      '--config',
      configFile,
    ],
    {
      cwd: repoRoot,
      detached: true,
      // jest sets NODE_ENV=test, which neither the dev servers nor browserslist know.
      env: {
        ...process.env,
        NODE_ENV: 'development',
        BROWSER: 'none',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout?.on('data', d => (output += d));
  child.stderr?.on('data', d => (output += d));

  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise(r => child.once('exit', r));
      process.kill(-child.pid, 'SIGTERM');
      const timer = setTimeout(() => {
        try {
          process.kill(-child.pid!, 'SIGKILL');
        } catch {
          // already gone
        }
      }, 5000);
      await exited;
      clearTimeout(timer);
    }
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    const deadline = Date.now() + (options.timeoutMs ?? 240_000);
    await waitUntilOk(
      `${backendUrl}/.backstage/health/v1/readiness`,
      deadline,
      () => child.exitCode,
    );
    await waitUntilOk(appUrl, deadline, () => child.exitCode);
  } catch (error) {
    await stop();
    throw new Error(
      `${(error as Error).message}\n--- output ---\n${output.slice(-4000)}`,
    );
  }
  return { appUrl, backendUrl, output: () => output, stop };
}

async function waitUntilOk(
  url: string,
  deadline: number,
  exitCode: () => number | null,
): Promise<void> {
  while (Date.now() < deadline) {
    if (exitCode() !== null)
      throw new Error(`Portico exited while waiting for ${url}`);
    try {
      const res = await fetch(url);
      if (res.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise(r => setTimeout(r, 500));
  }
  throw new Error(`Timed out waiting for ${url}`);
}
