/*
 * The edge-api workload of the lab: a hostNetwork "Pod" inside a node namespace
 * that answers every HTTP request with its node's name, so the client can tell
 * which node a VIP led to. Usage: edgeApi.ts NODE_NAME PORT. Listens on all of the
 * namespace's addresses (0.0.0.0 inside a lab namespace), VIPs included.
 */
import { createServer } from 'node:http';

const [nodeName, port] = process.argv.slice(2);

const server = createServer((_req, res) => {
  res.setHeader('content-type', 'text/plain');
  res.end(`edge-api on ${nodeName}\n`);
});
server.listen(Number(port), '0.0.0.0', () =>
  process.stdout.write('listening\n'),
);

// Leave with the lab: a re-parented workload has outlived it.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) process.exit(0);
}, 1000);
process.once('SIGTERM', () => server.close(() => process.exit(0)));
