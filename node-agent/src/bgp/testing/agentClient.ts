import type { ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import path from 'node:path';
import type { PeerConfig } from '../peerConfig';
import type { Route } from '../announcer/types';
import type { PeerStatus } from '../status';
import type { NetnsLab } from './netnsLab';

/** Drives an agentProcess child over its stdin/stdout. */
export class AgentClient {
  private nextId = 1;
  private readonly pending = new Map<number, (v: unknown) => void>();
  readonly stderr: string[] = [];

  constructor(readonly child: ChildProcess) {
    createInterface({ input: child.stdout! }).on('line', line => {
      try {
        const { id, result } = JSON.parse(line);
        this.pending.get(id)?.(result);
        this.pending.delete(id);
      } catch {
        // not a reply
      }
    });
    child.stderr!.on('data', d => this.stderr.push(String(d)));
  }

  /** Starts the agent inside the lab namespace `ns`. */
  static start(
    lab: NetnsLab,
    ns: string,
    opts: { listenPort?: number } = {},
  ): AgentClient {
    // Test harness only, run from source: never part of a build.
    // eslint-disable-next-line no-restricted-syntax
    const script = path.join(__dirname, 'agentProcess.ts');
    const env = opts.listenPort
      ? ['env', `BGP_AGENT_LISTEN_PORT=${opts.listenPort}`]
      : [];
    const [cmd, ...args] = [
      ...env,
      process.execPath,
      '--import',
      'tsx',
      script,
    ];
    const child = lab.spawn(ns, cmd, args, {
      // eslint-disable-next-line no-restricted-syntax
      cwd: path.resolve(__dirname, '../../..'),
    });
    return new AgentClient(child);
  }

  private call<T>(cmd: Record<string, unknown>, timeoutMs = 30000): Promise<T> {
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(
          new Error(`agent did not answer ${cmd.cmd}: ${this.stderr.join('')}`),
        );
      }, timeoutMs);
      this.pending.set(id, v => {
        clearTimeout(timer);
        resolve(v as T);
      });
      this.child.stdin!.write(`${JSON.stringify({ id, ...cmd })}\n`);
    });
  }

  setPeers(peers: PeerConfig[]) {
    return this.call<boolean>({ cmd: 'setPeers', peers });
  }
  setRoutes(peer: string, routes: Route[]) {
    return this.call<boolean>({ cmd: 'setRoutes', peer, routes });
  }
  routeRange(peer: string, base: string, count: number) {
    return this.call<boolean>({ cmd: 'routeRange', peer, base, count });
  }
  settled() {
    return this.call<boolean>({ cmd: 'settled' }, 120000);
  }
  status() {
    return this.call<{ peers: PeerStatus[]; rss: number }>({ cmd: 'status' });
  }

  /**
   * Resolves once every named peer is Established: `true`, or on timeout a
   * description of the peers that are not (so a failing test says why).
   */
  async waitEstablished(
    names: string[],
    timeoutMs = 30000,
  ): Promise<true | string> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const { peers } = await this.status();
      const down = names.map(
        n =>
          peers.find(p => p.name === n) ?? {
            name: n,
            state: 'missing',
            lastError: undefined,
          },
      );
      const notUp = down.filter(p => p.state !== 'Established');
      if (notUp.length === 0) return true;
      if (Date.now() > deadline) {
        return notUp
          .map(p => `${p.name}: ${p.state} (${p.lastError ?? 'no error'})`)
          .join('; ');
      }
      await new Promise(r => setTimeout(r, 200));
    }
  }
}
