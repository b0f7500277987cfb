import { createConnection, createServer, Socket } from 'node:net';

/**
 * A TCP relay in front of the API server for faults the server itself cannot be
 * asked for: `cut()` drops every connection through it (watches included) and
 * refuses new ones until `restore()`, while the API server keeps serving everyone
 * else. TLS passes through untouched, so clients still verify the real server.
 */
export interface FaultProxy {
  /** `https://127.0.0.1:<port>`: give it to the client under test as its server. */
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

export async function startFaultProxy(target: URL): Promise<FaultProxy> {
  const sockets = new Set<Socket>();
  let open = true;
  const server = createServer(client => {
    if (!open) {
      client.destroy();
      return;
    }
    const upstream = createConnection({
      host: target.hostname,
      port: Number(target.port),
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.once('close', () => sockets.delete(socket));
      socket.on('error', () => {
        client.destroy();
        upstream.destroy();
      });
    }
    client.pipe(upstream).pipe(client);
  });
  await new Promise<void>(done => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no port');
  const dropAll = () => {
    for (const socket of sockets) socket.destroy();
  };
  return {
    url: `https://127.0.0.1:${address.port}`,
    cut() {
      open = false;
      dropAll();
    },
    restore() {
      open = true;
    },
    async close() {
      open = false;
      dropAll();
      await new Promise(done => server.close(done));
    },
  };
}
