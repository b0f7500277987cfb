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
 * `backstage-cli package start` in `cwd`, in its own process group so that
 * stopping it also stops the bundler and the backend it forks.
 */
export function startDevServer(options: {
  cwd: string;
  configs: string[];
  onOutput: (chunk: string) => void;
}): DevServer {
  const child: ChildProcess = spawn(
    'npx',
    [
      'backstage-cli',
      'package',
      'start',
      ...options.configs.flatMap(file => ['--config', file]),
    ],
    {
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
    },
  );
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
