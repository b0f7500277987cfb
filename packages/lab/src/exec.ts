import { execFile } from 'node:child_process';
import { promisify } from 'node:util';

const execFileAsync = promisify(execFile);

/** Runs a command with a bounded run time; rejects with its stderr on failure. */
export async function run(
  command: string,
  args: string[],
  timeoutMs = 10_000,
): Promise<string> {
  try {
    const { stdout } = await execFileAsync(command, args, {
      timeout: timeoutMs,
      maxBuffer: 16 * 1024 * 1024,
    });
    return stdout;
  } catch (error) {
    const stderr = String((error as { stderr?: string }).stderr ?? '').trim();
    throw new Error(
      `${command} ${args.join(' ')} failed: ${
        stderr || (error as Error).message
      }`,
    );
  }
}

/** `ip -n NETNS ...` */
export function ipIn(netns: string, args: string[]): Promise<string> {
  return run('ip', ['-n', netns, ...args]);
}

/** Runs a command inside a network namespace. */
export function execIn(
  netns: string,
  command: string,
  args: string[],
  timeoutMs?: number,
): Promise<string> {
  return run('ip', ['netns', 'exec', netns, command, ...args], timeoutMs);
}

/** Writes a sysctl inside a namespace (each namespace has its own net.* tree). */
export function sysctlIn(
  netns: string,
  key: string,
  value: string,
): Promise<string> {
  return execIn(netns, 'sysctl', ['-q', '-w', `${key}=${value}`]);
}

/** Polls `check` until it returns a value other than undefined, or throws after `timeoutMs`. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  options: { timeoutMs: number; intervalMs?: number; signal?: AbortSignal },
): Promise<T> {
  const deadline = Date.now() + options.timeoutMs;
  let lastError: unknown;
  while (Date.now() < deadline) {
    options.signal?.throwIfAborted();
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      lastError = error;
    }
    await new Promise(resolve =>
      setTimeout(resolve, options.intervalMs ?? 200),
    );
  }
  throw new Error(
    `timed out after ${options.timeoutMs} ms waiting for ${what}${
      lastError ? ` (last error: ${(lastError as Error).message})` : ''
    }`,
  );
}
