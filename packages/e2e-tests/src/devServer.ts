import { ChildProcess, spawn } from 'node:child_process';

export interface DevServer {
  /** Polls `url` until it answers 2xx; fails early if the server exits. */
  waitUntilOk(url: string, deadline: number): Promise<void>;
  /** Stops the whole process group (npx, the CLI and what it forked). */
  stop(): Promise<void>;
}

/** Grace period between SIGTERM and SIGKILL of a dev server's process group. */
const KILL_AFTER_MS = 5000;

/**
 * The Node.js transform `backstage-cli package start` runs a backend with, so
 * TypeScript sources load as they do under `npm start`.
 */
const nodeTransform = require.resolve(
  '@backstage/cli-node/config/nodeTransform.cjs',
);

/**
 * The command line of a dev server: the frontend through `backstage-cli package
 * start` (Rspack dev server); the backend as that command runs it, minus its
 * file watcher, which restarts the backend whenever any loaded source file in the
 * tree changes and would pull it away from under a running test.
 */
export function devServerCommand(
  role: 'frontend' | 'backend',
  configs: string[],
): string[] {
  const configArgs = configs.flatMap(file => ['--config', file]);
  return role === 'frontend'
    ? ['npx', 'backstage-cli', 'package', 'start', ...configArgs]
    : [
        process.execPath,
        '--enable-source-maps',
        '--require',
        nodeTransform,
        'src/index.ts',
        ...configArgs,
      ];
}

/** Runs `command` in `cwd` in its own process group, so stopping it stops everything it forked. */
export function startDevServer(options: {
  cwd: string;
  command: string[];
  onOutput: (chunk: string) => void;
}): DevServer {
  const [executable, ...args] = options.command;
  const child: ChildProcess = spawn(executable, args, {
    cwd: options.cwd,
    detached: true,
    // jest sets NODE_ENV=test, which neither the dev servers nor browserslist know.
    env: {
      ...process.env,
      NODE_ENV: 'development',
      BROWSER: 'none',
      FORCE_COLOR: '0',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout?.setEncoding('utf8').on('data', options.onOutput);
  child.stderr?.setEncoding('utf8').on('data', options.onOutput);
  const exited = new Promise<void>(resolve => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });

  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      process.kill(-child.pid!, signal);
    } catch {
      // the group is gone already
    }
  };

  return {
    async waitUntilOk(url, deadline) {
      while (Date.now() < deadline) {
        if (child.exitCode !== null || child.signalCode !== null) {
          throw new Error(
            `the dev server in ${options.cwd} exited while waiting for ${url}`,
          );
        }
        try {
          const res = await fetch(url, { signal: AbortSignal.timeout(5000) });
          if (res.ok) return;
        } catch {
          // not listening yet
        }
        await new Promise(r => setTimeout(r, 500));
      }
      throw new Error(`Timed out waiting for ${url}`);
    },

    async stop() {
      if (!child.pid) return;
      signalGroup('SIGTERM');
      const timer = setTimeout(() => signalGroup('SIGKILL'), KILL_AFTER_MS);
      await exited;
      clearTimeout(timer);
      // npx may exit before its children; make sure nothing of the group is left.
      signalGroup('SIGKILL');
    },
  };
}
