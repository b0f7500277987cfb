import { ChildProcess, spawn } from 'node:child_process';
import { createConnection, createServer, Server, Socket } from 'node:net';
import { NAMESPACE_RELAY_SCRIPT } from '../paths';

/**
 * How agents inside the node namespaces reach the API server, which listens on the
 * root namespace's loopback: a unix socket carries the bytes across, because a
 * filesystem path is visible from every network namespace. So the lab adds no
 * address or route to the root namespace (none that could clash with the machine's
 * own networks or with another lab run), and the API server is never exposed on a
 * real interface. Inside each node, `namespaceRelay.ts` listens on 127.0.0.1:6443,
 * the way a kubelet reaches a local API server proxy.
 */
export class ApiRelay {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly relays: ChildProcess[] = [];

  constructor(
    private readonly target: { host: string; port: number },
    readonly socketPath: string,
  ) {}

  async start(): Promise<void> {
    this.server = createServer(inbound => {
      const outbound = createConnection(this.target.port, this.target.host);
      for (const s of [inbound, outbound]) {
        this.sockets.add(s);
        s.once('close', () => this.sockets.delete(s));
        s.on('error', () => {
          inbound.destroy();
          outbound.destroy();
        });
      }
      inbound.pipe(outbound).pipe(inbound);
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(this.socketPath, resolve);
    });
  }

  /** Starts the relay end inside `netns`, listening on 127.0.0.1:`port`; resolves once it listens. */
  async openIn(netns: string, port: number): Promise<void> {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        netns,
        process.execPath,
        '--import',
        'tsx',
        NAMESPACE_RELAY_SCRIPT,
        this.socketPath,
        String(port),
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    this.relays.push(child);
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`relay in ${netns} did not start`)),
        15_000,
      );
      child.stdout?.once('data', () => {
        clearTimeout(timer);
        resolve();
      });
      child.once('exit', code => {
        clearTimeout(timer);
        reject(new Error(`relay in ${netns} exited with ${code}`));
      });
    });
  }

  async stop(): Promise<void> {
    for (const child of this.relays) {
      if (child.exitCode === null && child.signalCode === null)
        child.kill('SIGKILL');
    }
    for (const socket of this.sockets) socket.destroy();
    await new Promise<void>(resolve =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }
}
