import { ChildProcess, spawn } from 'node:child_process';
import { createServer } from 'node:net';

/** A free TCP port on loopback (the kernel's choice, released before use). */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done, fail) => {
    server.once('error', fail);
    server.listen(0, '127.0.0.1', done);
  });
  const address = server.address();
  await new Promise(done => server.close(done));
  if (!address || typeof address === 'string') throw new Error('no port');
  return address.port;
}

/** Processes started for a cluster: every one is killed when this process exits. */
const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const child of running) child.kill('SIGKILL');
});

export interface ManagedProcess {
  child: ChildProcess;
  /** The last lines the process printed, for error messages. */
  output(): string;
  /** Resolves with the exit code (or signal) when the process ends. */
  exited: Promise<string>;
  stop(): Promise<void>;
}

/** Starts `command`; its output is kept (the last 200 lines) for failures. */
export function startProcess(
  command: string,
  args: string[],
  env: NodeJS.ProcessEnv = process.env,
): ManagedProcess {
  const child = spawn(command, args, {
    stdio: ['ignore', 'pipe', 'pipe'],
    env,
  });
  running.add(child);
  const lines: string[] = [];
  const keep = (chunk: Buffer) => {
    lines.push(...chunk.toString('utf8').split('\n').filter(Boolean));
    if (lines.length > 200) lines.splice(0, lines.length - 200);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<string>(done => {
    child.once('error', error => {
      lines.push(String(error));
      running.delete(child);
      done(`error ${error.message}`);
    });
    child.once('exit', (code, signal) => {
      running.delete(child);
      done(signal ? `signal ${signal}` : `exit ${code}`);
    });
  });
  return {
    child,
    output: () => lines.join('\n'),
    exited,
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 2000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/**
 * Polls `probe` until it returns true, failing early when `process` exits and
 * after `ms` otherwise; the error carries the process's last output.
 */
export async function waitUntil(
  what: string,
  process: ManagedProcess,
  probe: () => Promise<boolean>,
  ms: number,
): Promise<void> {
  const deadline = Date.now() + ms;
  let ended: string | undefined;
  void process.exited.then(how => {
    ended = how;
  });
  for (;;) {
    if (ended) {
      throw new Error(`${what} ended (${ended}):\n${process.output()}`);
    }
    if (await probe().catch(() => false)) return;
    if (Date.now() > deadline) {
      throw new Error(
        `${what} not ready within ${ms} ms:\n${process.output()}`,
      );
    }
    await new Promise(r => setTimeout(r, 100));
  }
}
