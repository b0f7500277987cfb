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
  static start(lab: NetnsLab, ns: string): AgentClient {
    // Test harness only, run from source: never part of a build.
    // eslint-disable-next-line no-restricted-syntax
    const script = path.join(__dirname, 'agentProcess.ts');
    const child = lab.spawn(ns, process.execPath, ['--import', 'tsx', script], {
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

  /** Resolves once every named peer is Established (or false on timeout). */
  async waitEstablished(names: string[], timeoutMs = 30000): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      const { peers } = await this.status();
      const up = new Set(
        peers.filter(p => p.state === 'Established').map(p => p.name),
      );
      if (names.every(n => up.has(n))) return true;
      await new Promise(r => setTimeout(r, 200));
    }
    return false;
  }
}
