import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';
import { DevServer, devServerCommand, startDevServer } from './devServer';
import { freePort } from './freePort';

// This package only runs from source under jest, so __dirname is this folder.
// eslint-disable-next-line no-restricted-syntax
export const repoRoot = resolve(__dirname, '../../..');

export interface RunningPortico {
  appUrl: string;
  backendUrl: string;
  /** Everything the two dev servers printed so far, for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

export interface StartOptions {
  extraConfig?: object;
  timeoutMs?: number;
}

/**
 * Starts the frontend and backend as `npm start` does (packages/app and
 * packages/backend with the same config files, see `devServerCommand`), on free
 * ports and a throwaway SQLite folder, and waits until both answer.
 */
export async function startPortico(
  options: StartOptions = {},
): Promise<RunningPortico> {
  const timeoutMs = options.timeoutMs ?? 240_000;
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
  const configs = [join(repoRoot, 'app-config.yaml'), configFile];

  let output = '';
  const log = (name: string) => (chunk: string) => {
    output += chunk
      .split('\n')
      .map(line => (line ? `[${name}] ${line}` : line))
      .join('\n');
  };

  const startBackend = async () => {
    const server = startDevServer({
      cwd: join(repoRoot, 'packages/backend'),
      command: devServerCommand('backend', configs),
      onOutput: log('backend'),
    });
    try {
      await server.waitUntilOk(
        `${backendUrl}/.backstage/health/v1/readiness`,
        Date.now() + timeoutMs,
      );
    } catch (error) {
      await server.stop();
      throw error;
    }
    return server;
  };

  let app: DevServer | undefined;
  let backend: DevServer | undefined;
  const stop = async () => {
    await Promise.all([app?.stop(), backend?.stop()]);
    rmSync(dir, { recursive: true, force: true });
  };

  try {
    app = startDevServer({
      cwd: join(repoRoot, 'packages/app'),
      command: devServerCommand('frontend', configs),
      onOutput: log('app'),
    });
    backend = await startBackend();
    await app.waitUntilOk(appUrl, Date.now() + timeoutMs);
  } catch (error) {
    await stop();
    throw new Error(
      `${(error as Error).message}\n--- output ---\n${output.slice(-4000)}`,
    );
  }

  return {
    appUrl,
    backendUrl,
    output: () => output,
    stop,
  };
}
