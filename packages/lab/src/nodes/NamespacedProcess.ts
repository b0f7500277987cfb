import { ChildProcess, spawn } from 'node:child_process';
import { createInterface } from 'node:readline';

/**
 * A lab process, inside a network namespace or (netns undefined) in the root one.
 * It leads its own process group, and signals go to the whole group: a command
 * that runs its work in a child (the agent's bin runs tsx in one) dies with it, so
 * SIGKILL is a real crash of everything it started.
 */
export class NamespacedProcess {
  private readonly child: ChildProcess;
  private readonly lines: string[] = [];
  readonly exited: Promise<void>;

  constructor(
    readonly name: string,
    netns: string | undefined,
    command: string,
    args: string[],
    options: { cwd?: string; env?: Record<string, string> } = {},
  ) {
    const [file, argv] = netns
      ? ['ip', ['netns', 'exec', netns, command, ...args]]
      : [command, args];
    this.child = spawn(file, argv, {
      cwd: options.cwd,
      env: { ...process.env, ...options.env },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    for (const stream of [this.child.stdout!, this.child.stderr!]) {
      createInterface({ input: stream }).on('line', line => {
        this.lines.push(line);
        if (this.lines.length > 400) this.lines.shift();
      });
    }
    this.exited = new Promise(resolve =>
      this.child.once('exit', () => resolve()),
    );
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** The last lines it printed (stdout and stderr). */
  output(last = 40): string {
    return this.lines.slice(-last).join('\n');
  }

  /** Resolves once a printed line matches, rejects if the process exits first or after `timeoutMs`. */
  async waitForLine(pattern: RegExp, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.lines.some(line => pattern.test(line))) return;
      if (!this.running)
        throw new Error(`${this.name} exited:\n${this.output()}`);
      await new Promise(r => setTimeout(r, 100));
    }
    throw new Error(
      `${
        this.name
      } printed nothing matching ${pattern} in ${timeoutMs} ms:\n${this.output()}`,
    );
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (!this.child.pid) return;
    try {
      process.kill(-this.child.pid, signal);
    } catch {
      // the group is gone already
    }
  }

  /** SIGTERM, then SIGKILL after `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (this.running) {
      this.kill('SIGTERM');
      const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
      await this.exited;
      clearTimeout(timer);
    }
    // Children that outlived the leader.
    this.kill('SIGKILL');
  }
}
