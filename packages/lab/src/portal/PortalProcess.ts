import { ChildProcess, spawn } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { stringify } from 'yaml';
import { LAB_CONFIG, REPO_ROOT } from '../paths';

/** The transform `backstage-cli package start` loads a backend's TypeScript with. */
const NODE_TRANSFORM = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
);

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
  private children: ChildProcess[] = [];
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
    this.output = '';
    // The backend as `backstage-cli package start` runs it, minus the file watcher
    // that restarts it whenever a source file anywhere in the tree changes.
    this.children = [
      this.spawnGroup(
        [
          process.execPath,
          '--enable-source-maps',
          '--require',
          NODE_TRANSFORM,
          'src/index.ts',
          ...configArgs,
        ],
        join(REPO_ROOT, 'packages', 'backend'),
      ),
    ];
    if (this.options.appPort) {
      this.children.push(
        this.spawnGroup(
          ['npx', 'backstage-cli', 'package', 'start', ...configArgs],
          join(REPO_ROOT, 'packages', 'app'),
        ),
      );
    }
    try {
      await this.waitUntilOk(
        `${this.backendUrl}/.backstage/health/v1/readiness`,
        timeoutMs,
      );
      if (this.appUrl) await this.waitUntilOk(this.appUrl, timeoutMs);
    } catch (error) {
      await this.stop();
      throw new Error(
        `${
          (error as Error).message
        }\n--- portal output ---\n${this.output.slice(-4000)}`,
      );
    }
  }

  /** A command in its own process group, so stopping it stops all it forked. */
  private spawnGroup(command: string[], cwd: string): ChildProcess {
    const [file, ...args] = command;
    const child = spawn(file, args, {
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
    const keep = (d: Buffer) => {
      this.output = (this.output + d.toString()).slice(-50_000);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    return child;
  }

  private async waitUntilOk(url: string, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const exited = this.children.find(c => c.exitCode !== null);
      if (exited) throw new Error(`the portal exited (${exited.exitCode})`);
      const res = await fetch(url).catch(() => undefined);
      if (res?.ok) return;
      await new Promise(r => setTimeout(r, 500));
    }
    throw new Error(`${url} did not answer within ${timeoutMs} ms`);
  }

  get running(): boolean {
    return this.children.some(
      c => c.exitCode === null && c.signalCode === null,
    );
  }

  /** What the portal printed lately, for failure messages. */
  log(): string {
    return this.output;
  }

  /** Stops every process group of the portal (SIGTERM, then SIGKILL). */
  async stop(): Promise<void> {
    await Promise.all(this.children.map(stopGroup));
    this.children = [];
  }
}

async function stopGroup(child: ChildProcess): Promise<void> {
  const kill = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // already gone
    }
  };
  if (!child.pid) return;
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise(r => child.once('exit', r));
    kill('SIGTERM');
    const timer = setTimeout(() => kill('SIGKILL'), 5000);
    await exited;
    clearTimeout(timer);
  }
  // Children that ignored the group's SIGTERM.
  kill('SIGKILL');
}
