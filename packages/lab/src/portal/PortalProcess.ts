import { ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { waitFor } from '../exec';
import { LAB_CONFIG, REPO_ROOT } from '../paths';

export interface PortalOptions {
  dir: string;
  backendPort: number;
  /** Also serve the frontend (the CLI does, for the printed URL; the test does not). */
  appPort?: number;
  /** Config layered last: the signing key, and anything the caller adds. */
  extraConfig: object;
  /** Variables the lab config refers to (the cluster's URL and token). */
  env: Record<string, string>;
}

/**
 * The Portico backend (and, for the CLI, the frontend) as `npm start` runs them,
 * on the root config plus the lab's, with SQLite files under the lab's folder so
 * that a stop and a start keep every request, allocation and audit event.
 */
export class PortalProcess {
  private child?: ChildProcess;
  private output = '';

  constructor(private readonly options: PortalOptions) {}

  get backendUrl(): string {
    return `http://localhost:${this.options.backendPort}`;
  }

  get appUrl(): string | undefined {
    return this.options.appPort
      ? `http://localhost:${this.options.appPort}`
      : undefined;
  }

  private async writeRuntimeConfig(): Promise<string> {
    const { dir, backendPort } = this.options;
    const appUrl = this.appUrl ?? `http://localhost:${backendPort}`;
    const file = join(dir, 'app-config.runtime.yaml');
    await writeFile(
      file,
      stringify({
        app: { baseUrl: appUrl },
        backend: {
          baseUrl: this.backendUrl,
          listen: { port: backendPort, host: '127.0.0.1' },
          cors: { origin: appUrl },
          database: {
            client: 'better-sqlite3',
            connection: { directory: join(dir, 'sqlite') },
          },
        },
        ...this.options.extraConfig,
      }),
    );
    return file;
  }

  async start(timeoutMs = 180_000): Promise<void> {
    const runtimeConfig = await this.writeRuntimeConfig();
    const configArgs = [
      join(REPO_ROOT, 'app-config.yaml'),
      LAB_CONFIG,
      runtimeConfig,
    ].flatMap(c => ['--config', c]);
    const [args, cwd] = this.options.appPort
      ? [['backstage-cli', 'repo', 'start', ...configArgs], REPO_ROOT]
      : [
          ['backstage-cli', 'package', 'start', ...configArgs],
          join(REPO_ROOT, 'packages', 'backend'),
        ];
    this.output = '';
    const child = spawn('npx', args, {
      cwd,
      detached: true,
      env: {
        ...process.env,
        ...this.options.env,
        // jest sets NODE_ENV=test, which neither dev server knows.
        NODE_ENV: 'development',
        BROWSER: 'none',
        FORCE_COLOR: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-50_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    try {
      const ready = async (url: string) => {
        if (child.exitCode !== null)
          throw new Error(`the portal exited (${child.exitCode})`);
        const res = await fetch(url).catch(() => undefined);
        return res?.ok ? true : undefined;
      };
      await waitFor(
        'the backend to be ready',
        () => ready(`${this.backendUrl}/.backstage/health/v1/readiness`),
        {
          timeoutMs,
          intervalMs: 500,
        },
      );
      if (this.appUrl) {
        await waitFor('the frontend to answer', () => ready(this.appUrl!), {
          timeoutMs,
          intervalMs: 500,
        });
      }
    } catch (error) {
      await this.stop();
      throw new Error(
        `${
          (error as Error).message
        }\n--- portal output ---\n${this.output.slice(-4000)}`,
      );
    }
  }

  get running(): boolean {
    return (
      !!this.child &&
      this.child.exitCode === null &&
      this.child.signalCode === null
    );
  }

  /** What the portal printed lately, for failure messages. */
  log(): string {
    return this.output;
  }

  /** Stops the whole process group (npx, the CLI and the backend it runs). */
  async stop(): Promise<void> {
    const child = this.child;
    if (!child?.pid || child.exitCode !== null || child.signalCode !== null)
      return;
    const exited = new Promise(r => child.once('exit', r));
    const kill = (signal: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, signal);
      } catch {
        // already gone
      }
    };
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
    // Children that ignored the group's SIGTERM.
    kill('SIGKILL');
  }
}
