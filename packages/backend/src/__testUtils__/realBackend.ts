import { ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { stringify } from 'yaml';

const repoRoot = resolve(__dirname, '../../../..');

/** Where the real backend keeps its data for one run. */
export type BackendDatabase =
  | { client: 'better-sqlite3' }
  /** A PostgreSQL server; the run's databases get a prefix of their own. */
  | { client: 'pg'; url: string };

export interface RealBackend {
  url: string;
  /** Prefix of the run's PostgreSQL databases, shared by its replicas. */
  databaseId: string;
  /** Kills the process group with SIGKILL, as a crashing node would. */
  kill(): void;
  /** What the backend printed lately, for failure messages. */
  output(): string;
  /** Stops the process group and deletes the run's data. */
  stop(): Promise<void>;
}

/** A TCP port on loopback that nothing listens on right now. */
function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address
          ? done(address.port)
          : fail(new Error('no free port')),
      );
    });
  });
}

function databaseConfig(database: BackendDatabase, dir: string, id: string) {
  if (database.client === 'better-sqlite3') {
    return {
      client: 'better-sqlite3',
      connection: { directory: join(dir, 'sqlite') },
    };
  }
  return { client: 'pg', connection: database.url, prefix: `${id}_` };
}

/** Drops the run's databases with `psql`, which the PostgreSQL packages bring. */
function dropDatabases(url: string, prefix: string): void {
  const psql = (sql: string) =>
    spawnSync('psql', [url, '-X', '-A', '-t', '-c', sql], {
      encoding: 'utf8',
    });
  const listed = psql(
    `SELECT datname FROM pg_database WHERE starts_with(datname, '${prefix}')`,
  );
  for (const name of listed.stdout?.split('\n').filter(Boolean) ?? []) {
    psql(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`);
  }
}

function stopGroup(child: ChildProcess): Promise<void> {
  const signal = (name: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, name);
    } catch {
      // the group is gone already
    }
  };
  if (!child.pid) return Promise.resolve();
  const exited =
    child.exitCode !== null || child.signalCode !== null
      ? Promise.resolve()
      : new Promise<void>(done => child.once('exit', () => done()));
  signal('SIGTERM');
  const timer = setTimeout(() => signal('SIGKILL'), 5000);
  return exited.then(() => {
    clearTimeout(timer);
    // npx may exit before its children.
    signal('SIGKILL');
  });
}

/**
 * The real backend entry point (as `startupConfig.test.ts` starts it) on the
 * shipped `app-config.yaml`, on a free loopback port and its own data, in
 * development mode so that the demo users can sign in. Resolves once the
 * backend reports itself ready.
 */
export async function startRealBackend(
  database: BackendDatabase,
  options: {
    timeoutMs?: number;
    /** Config on top of the shipped one (arrays replace the shipped ones). */
    extraConfig?: object;
    /** Another replica of one deployment: the same PostgreSQL databases. */
    shareDatabaseWith?: RealBackend;
  } = {},
): Promise<RealBackend> {
  const timeoutMs = options.timeoutMs ?? 120_000;
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const dir = mkdtempSync(join(tmpdir(), 'portico-backend-'));
  const replica = options.shareDatabaseWith;
  const id = replica?.databaseId ?? `portico_run_${process.pid}_${port}`;
  const runtimeConfig = join(dir, 'app-config.run.yaml');
  writeFileSync(
    runtimeConfig,
    stringify({
      ...options.extraConfig,
      app: { baseUrl: url },
      backend: {
        baseUrl: url,
        listen: { port, host: '127.0.0.1' },
        cors: { origin: url },
        database: databaseConfig(database, dir, id),
      },
    }),
  );

  const child = spawn(
    'npx',
    [
      'tsx',
      resolve(__dirname, '../index.ts'),
      '--config',
      join(repoRoot, 'app-config.yaml'),
      '--config',
      runtimeConfig,
    ],
    {
      cwd: join(repoRoot, 'packages/backend'),
      detached: true,
      // jest sets NODE_ENV=test; the demo sign-in needs development.
      env: { ...process.env, NODE_ENV: 'development', FORCE_COLOR: '0' },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-100_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);

  const stop = async () => {
    await stopGroup(child);
    rmSync(dir, { recursive: true, force: true });
    // The first replica owns the databases.
    if (database.client === 'pg' && !replica) {
      dropDatabases(database.url, `${id}_`);
    }
  };
  const kill = () => {
    try {
      process.kill(-child.pid!, 'SIGKILL');
    } catch {
      // gone already
    }
  };

  const running: RealBackend = {
    url,
    databaseId: id,
    kill,
    output: () => output,
    stop,
  };
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) break;
    const res = await fetch(`${url}/.backstage/health/v1/readiness`, {
      signal: AbortSignal.timeout(5000),
    }).catch(() => undefined);
    if (res?.ok) return running;
    await new Promise(r => setTimeout(r, 500));
  }
  await stop();
  throw new Error(
    `the backend did not become ready (exit ${
      child.exitCode
    })\n--- output ---\n${output.slice(-4000)}`,
  );
}

/**
 * A Backstage token of a demo user, as the sign-in page gets it from the demo
 * provider. Right after a start the catalog may not have read the users yet
 * (404), so this asks again until `timeoutMs` is spent.
 */
export async function demoUserToken(
  backendUrl: string,
  user: string,
  timeoutMs = 60_000,
): Promise<string> {
  const deadline = Date.now() + timeoutMs;
  let last = '';
  while (Date.now() < deadline) {
    const res = await fetch(
      `${backendUrl}/api/auth/demo/refresh?env=development`,
      {
        headers: {
          'X-Requested-With': 'XMLHttpRequest',
          'x-portico-demo-user': user,
        },
      },
    );
    if (res.ok) {
      const session = await res.json();
      return session.backstageIdentity.token as string;
    }
    last = `${res.status} ${await res.text()}`;
    if (res.status !== 404) break;
    await new Promise(r => setTimeout(r, 1000));
  }
  throw new Error(`signing in as ${user} failed: ${last}`);
}
