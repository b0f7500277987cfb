/*
 * The namespace end of the API relay (see apiRelay.ts): listens on
 * 127.0.0.1:PORT inside a node's network namespace and carries each connection to
 * the unix socket of the root end. Usage: namespaceRelay.ts SOCKET_PATH PORT.
 * Prints "listening" once ready; exits when its parent (the lab) goes away.
 */
import { createConnection, createServer } from 'node:net';

const [socketPath, port] = process.argv.slice(2);

const server = createServer(inbound => {
  const outbound = createConnection(socketPath);
  const close = () => {
    inbound.destroy();
    outbound.destroy();
  };
  inbound.on('error', close);
  outbound.on('error', close);
  inbound.pipe(outbound).pipe(inbound);
});

server.listen(Number(port), '127.0.0.1', () => {
  process.stdout.write('listening\n');
});

// The lab kills this process on teardown; if the lab dies first, this process is
// re-parented, and leaves too rather than outlive it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000);
