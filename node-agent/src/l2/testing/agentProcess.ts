import { ChildProcess, spawn } from 'child_process';
import { join } from 'path';
import { createInterface } from 'readline';
import { L2Status } from '../status';

export interface AgentLine {
  type: string;
  [key: string]: unknown;
}

// The harness runs from source only (tests and bench), never from a build.
// eslint-disable-next-line no-restricted-syntax
const HERE = __dirname;
const RUN_AGENT = join(HERE, 'runAgent.ts');
const PACKAGE_DIR = join(HERE, '..', '..', '..');

/**
 * One agent process inside a namespace (`ip netns exec` execs node in place, so the
 * pid is the agent's and SIGKILL is a node death). Keeps the last status line.
 */
export class AgentProcess {
  readonly lines: AgentLine[] = [];
  status: L2Status | undefined;
  readonly exited: Promise<number | null>;
  private readonly child: ChildProcess;
  private waiters: Array<() => void> = [];

  constructor(netns: string, config: unknown) {
    this.child = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        process.execPath,
        '--import',
        'tsx',
        RUN_AGENT,
        JSON.stringify(config),
      ],
      { cwd: PACKAGE_DIR, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    // A test process that dies must not leave node agents running.
    const killOnExit = () => this.kill('SIGKILL');
    process.once('exit', killOnExit);
    this.child.once('exit', () => process.off('exit', killOnExit));
    this.exited = new Promise(resolve =>
      this.child.once('exit', code => resolve(code)),
    );
    createInterface({ input: this.child.stdout! }).on('line', line => {
      let parsed: AgentLine;
      try {
        parsed = JSON.parse(line);
      } catch {
        parsed = { type: 'text', line };
      }
      this.lines.push(parsed);
      if (parsed.type === 'status') {
        this.status = parsed as unknown as L2Status;
      }
      this.waiters.forEach(wake => wake());
    });
    createInterface({ input: this.child.stderr! }).on('line', line => {
      this.lines.push({ type: 'stderr', line });
    });
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  get running(): boolean {
    return this.child.exitCode === null && this.child.signalCode === null;
  }

  /** Resolves once `predicate` holds for this agent's output, or rejects after `timeoutMs`. */
  async waitFor(
    predicate: (agent: AgentProcess) => boolean,
    timeoutMs: number,
    what: string,
  ): Promise<void> {
    if (predicate(this)) {
      return;
    }
    await new Promise<void>((resolve, reject) => {
      let timer: NodeJS.Timeout | undefined = undefined;
      const check = () => {
        if (predicate(this)) {
          clearTimeout(timer);
          this.waiters = this.waiters.filter(w => w !== check);
          resolve();
        }
      };
      timer = setTimeout(() => {
        this.waiters = this.waiters.filter(w => w !== check);
        reject(
          new Error(
            `timed out after ${timeoutMs} ms waiting for ${what}; last lines: ${JSON.stringify(
              this.lines.slice(-5),
            )}`,
          ),
        );
      }, timeoutMs);
      this.waiters.push(check);
    });
  }

  announces(address: string): boolean {
    return (
      this.status?.vips.some(v => v.address === address && v.announcing) ??
      false
    );
  }

  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    if (this.running) {
      this.child.kill(signal);
    }
  }

  /** SIGTERM, then SIGKILL if it has not exited within `graceMs`. */
  async stop(graceMs = 3000): Promise<void> {
    if (!this.running) {
      return;
    }
    this.kill('SIGTERM');
    const timer = setTimeout(() => this.kill('SIGKILL'), graceMs);
    await this.exited;
    clearTimeout(timer);
  }
}
