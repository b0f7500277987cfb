/**
 * The agent side of interop tests and the benchmark: a BgpSpeaker in its own
 * process (started with `ip netns exec NS node --import tsx agentProcess.ts`),
 * driven by JSON lines on stdin and answering JSON lines on stdout. SIGTERM
 * stops it the way the real agent stops: withdraw everything, then Cease.
 */
import { createInterface } from 'node:readline';
import { BgpSpeaker } from '../speaker';

type Command =
  | {
      id: number;
      cmd: 'setPeers';
      peers: Parameters<BgpSpeaker['setPeers']>[0];
    }
  | {
      id: number;
      cmd: 'setRoutes';
      peer: string;
      routes: Parameters<BgpSpeaker['setRoutes']>[1];
    }
  | { id: number; cmd: 'routeRange'; peer: string; base: string; count: number }
  | { id: number; cmd: 'settled' }
  | { id: number; cmd: 'status' }
  | { id: number; cmd: 'stop' };

const listenPort = Number(process.env.BGP_AGENT_LISTEN_PORT ?? 0);
const speaker = new BgpSpeaker({
  backoff: { initialMs: 300, maxMs: 3000 },
  listen: listenPort ? { port: listenPort } : undefined,
  log:
    process.env.BGP_AGENT_DEBUG === '1'
      ? (level, message, fields) =>
          process.stderr.write(
            `${level} ${message} ${JSON.stringify(fields)}\n`,
          )
      : undefined,
});

function reply(id: number, result: unknown) {
  process.stdout.write(`${JSON.stringify({ id, result })}\n`);
}

/** `count` consecutive /32s from `base` (the benchmark's 198.18.0.0/15 range). */
function range(base: string, count: number) {
  const start = base.split('.').reduce((n, o) => n * 256 + Number(o), 0);
  return Array.from({ length: count }, (_, i) => {
    const n = start + i;
    return {
      prefix: `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${
        n & 255
      }/32`,
    };
  });
}

let stopping = false;
async function stop(code: number) {
  if (stopping) return;
  stopping = true;
  await speaker.stop('agent stopped');
  process.exit(code);
}
process.on('SIGTERM', () => void stop(0));

const ready = speaker.listen();

createInterface({ input: process.stdin }).on('line', async line => {
  await ready;
  const c = JSON.parse(line) as Command;
  switch (c.cmd) {
    case 'setPeers':
      await speaker.setPeers(c.peers);
      reply(c.id, true);
      break;
    case 'setRoutes':
      speaker.setRoutes(c.peer, c.routes);
      reply(c.id, true);
      break;
    case 'routeRange':
      speaker.setRoutes(c.peer, range(c.base, c.count));
      reply(c.id, true);
      break;
    case 'settled':
      await speaker.settled();
      reply(c.id, true);
      break;
    case 'status':
      reply(c.id, { peers: speaker.status(), rss: process.memoryUsage().rss });
      break;
    default:
      reply(c.id, true);
      await stop(0);
  }
});
