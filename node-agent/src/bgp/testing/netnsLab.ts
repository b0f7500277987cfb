import {
  ChildProcess,
  execFile,
  execFileSync,
  spawn,
} from 'node:child_process';
import { existsSync } from 'node:fs';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** Why the interop tests cannot run here, or undefined when they can. */
export function interopUnavailable(binaries: string[]): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'network namespaces need root';
  for (const b of ['/usr/sbin/ip', '/usr/bin/ip', '/sbin/ip']) {
    if (existsSync(b)) {
      const missing = binaries.filter(x => !existsSync(x));
      return missing.length ? `missing ${missing.join(', ')}` : undefined;
    }
  }
  return 'iproute2 missing';
}

/**
 * Network namespaces, veth links and processes of one test file, all named
 * after a per-run prefix and all removed by `destroy()` (also on process exit,
 * so a crashed run leaves nothing behind). Only TEST-NET and 2001:db8::/32
 * addresses are ever assigned.
 */
export class NetnsLab {
  readonly prefix: string;
  private readonly namespaces: string[] = [];
  private readonly children = new Set<ChildProcess>();
  private readonly onExit = () => this.destroySync();
  private links = 0;
  /** Set once destroy() began: a test still running after a timeout must not
   * start processes that nobody would stop. */
  private destroyed = false;

  constructor(tag: string) {
    this.prefix = `pb${tag}${process.pid % 100000}`;
    process.once('exit', this.onExit);
  }

  ns(name: string): string {
    return `${this.prefix}-${name}`;
  }

  async addNamespace(name: string): Promise<string> {
    const ns = this.ns(name);
    await run('ip', ['netns', 'add', ns]);
    this.namespaces.push(ns);
    await run('ip', ['-n', ns, 'link', 'set', 'lo', 'up']);
    return ns;
  }

  /** A veth pair between two namespaces with addresses (CIDR form) on each end. */
  async link(
    a: string,
    b: string,
    addrsA: string[],
    addrsB: string[],
  ): Promise<[string, string]> {
    const i = this.links++;
    const ifA = `${this.prefix.slice(0, 10)}a${i}`;
    const ifB = `${this.prefix.slice(0, 10)}b${i}`;
    await run('ip', [
      'link',
      'add',
      ifA,
      'netns',
      this.ns(a),
      'type',
      'veth',
      'peer',
      'name',
      ifB,
      'netns',
      this.ns(b),
    ]);
    for (const [ns, ifname, addrs] of [
      [a, ifA, addrsA],
      [b, ifB, addrsB],
    ] as const) {
      for (const addr of addrs) {
        const extra = addr.includes(':') ? ['nodad'] : [];
        await run('ip', [
          '-n',
          this.ns(ns),
          'addr',
          'add',
          addr,
          'dev',
          ifname,
          ...extra,
        ]);
      }
      await run('ip', ['-n', this.ns(ns), 'link', 'set', ifname, 'up']);
    }
    return [ifA, ifB];
  }

  /** Runs a command inside a namespace; resolves with stdout. */
  async exec(
    name: string,
    cmd: string,
    args: string[],
    timeoutMs = 20000,
  ): Promise<string> {
    const { stdout } = await run(
      'ip',
      ['netns', 'exec', this.ns(name), cmd, ...args],
      {
        timeout: timeoutMs,
        maxBuffer: 256 * 1024 * 1024,
      },
    );
    return stdout;
  }

  /** Starts a long-running process inside a namespace; killed by destroy(). */
  spawn(
    name: string,
    cmd: string,
    args: string[],
    opts: { cwd?: string } = {},
  ): ChildProcess {
    if (this.destroyed) throw new Error('lab already destroyed');
    const child = spawn('ip', ['netns', 'exec', this.ns(name), cmd, ...args], {
      stdio: ['pipe', 'pipe', 'pipe'],
      cwd: opts.cwd,
    });
    this.children.add(child);
    child.once('exit', () => this.children.delete(child));
    return child;
  }

  async destroy(): Promise<void> {
    this.destroyed = true;
    await Promise.all([...this.children].map(c => stopChild(c)));
    for (const ns of this.namespaces.splice(0)) {
      // Whatever a child left behind in the namespace (its own children) goes too.
      const pids = await run('ip', ['netns', 'pids', ns])
        .then(r => r.stdout.split('\n').filter(Boolean))
        .catch(() => []);
      for (const pid of pids) {
        try {
          process.kill(Number(pid), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      await run('ip', ['netns', 'delete', ns]).catch(() => undefined);
    }
    process.off('exit', this.onExit);
  }

  private destroySync() {
    for (const c of this.children) c.kill('SIGKILL');
    for (const ns of this.namespaces.splice(0)) {
      try {
        execFileSync('ip', ['netns', 'delete', ns]);
      } catch {
        // already gone
      }
    }
  }
}

/** SIGTERM, then SIGKILL after a grace period; resolves once it exited. */
export async function stopChild(
  child: ChildProcess,
  graceMs = 3000,
): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>(resolve =>
    child.once('exit', () => resolve()),
  );
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}

/** Polls `fn` every 100 ms until it returns a truthy value or time runs out. */
export async function eventually<T>(
  fn: () => Promise<T | undefined | false>,
  timeoutMs: number,
): Promise<T | undefined> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn().catch(() => undefined);
    if (v) return v;
    if (Date.now() > deadline) return undefined;
    await new Promise(r => setTimeout(r, 100));
  }
}
