/*
 * Runs one node's L2 announcer as its own process, for the namespace tests and the
 * failover bench (killing this process is a real node death). Usage, inside the
 * node's network namespace:
 *   ip netns exec NS node --import tsx node-agent/src/l2/testing/runAgent.ts '<json>'
 * where the JSON is { settings, vips, workloadPort? }. Prints one JSON object per
 * line on stdout: {"type":"status",...} on every change, {"type":"conflict",...}.
 * With workloadPort, also serves HTTP on it: `/` answers the node name (the
 * stand-in workload that proves VIP traffic reaches the owner), `/metrics` the
 * Prometheus metrics.
 */
import { execFileSync } from 'child_process';
import { createServer } from 'http';
import { Registry } from 'prom-client';
import { z } from 'zod';
import { L2Announcer } from '../announcer/L2Announcer';

const argsSchema = z.object({
  settings: z.record(z.unknown()),
  vips: z.array(
    z.object({
      address: z.string(),
      nodes: z.array(z.string()),
      interfaces: z.array(z.string()).optional(),
      nodeScores: z.record(z.number()).optional(),
    }),
  ),
  workloadPort: z.number().int().optional(),
});

function print(object: unknown): void {
  process.stdout.write(`${JSON.stringify(object)}\n`);
}

/**
 * This runner answers ARP/NDP for whatever it is told: only inside a namespace the
 * lab made (named `pl2-…`, see lab.ts), never on the host's own network.
 * `ip netns identify` names the namespace this process (inherited by the child) is in.
 */
function refuseOutsideLab(): void {
  const netns = execFileSync('ip', ['netns', 'identify'], {
    encoding: 'utf8',
  }).trim();
  if (!netns.startsWith('pl2-')) {
    throw new Error(
      `runAgent only runs inside an L2 lab namespace (ip netns exec pl2-…), not in "${netns}"`,
    );
  }
}

async function main(): Promise<void> {
  refuseOutsideLab();
  const args = argsSchema.parse(JSON.parse(process.argv[2] ?? '{}'));
  const registry = new Registry();
  const announcer = await L2Announcer.start({
    settings: args.settings as never,
    registry,
    logger: {
      info: (message, fields) =>
        print({ type: 'log', level: 'info', message, ...fields }),
      warn: (message, fields) =>
        print({ type: 'log', level: 'warn', message, ...fields }),
    },
  });
  let last = '';
  announcer.on('change', status => {
    const line = JSON.stringify(status);
    if (line !== last) {
      last = line;
      print({ type: 'status', ...status });
    }
  });
  announcer.on('conflict', conflict =>
    print({ type: 'conflict', ...conflict }),
  );
  announcer.setDesired(args.vips);

  const server = args.workloadPort
    ? createServer(async (req, res) => {
        if (req.url === '/metrics') {
          res.setHeader('content-type', registry.contentType);
          res.end(await registry.metrics());
          return;
        }
        res.end(`${announcer.status().node}\n`);
      }).listen(args.workloadPort, '::')
    : undefined;

  const shutdown = async () => {
    await announcer.stop();
    server?.close();
    print({ type: 'stopped' });
    process.exit(0);
  };
  process.once('SIGTERM', shutdown);
  process.once('SIGINT', shutdown);
}

main().catch(error => {
  print({ type: 'fatal', message: String(error?.stack ?? error) });
  process.exit(1);
});
