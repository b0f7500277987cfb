/*
 * BGP: time from session Established to BIRD holding all N announced /32s
 * (198.18.0.0/15, the benchmarking range), for the Portico agent and for gobgpd
 * as the anchor speaker, side by side in one run against the same BIRD; the
 * ratio agent/gobgpd; both speakers' RSS while holding N routes; time to
 * withdraw everything.
 *
 * Topology (network namespaces, TEST-NET addresses only):
 *   agent 192.0.2.10 ── 192.0.2.1 BIRD 198.51.100.1 ── 198.51.100.2 gobgpd
 *
 * gobgpd gets its routes from an MRT table dump (`gobgp mrt inject`) while its
 * session to BIRD is administratively down, then the session is enabled. The
 * agent gets its desired set before it connects. "Established" is BIRD's own
 * timestamp for the session (ms resolution); "holding" is the first `birdc`
 * count that shows all N (polled every 20 ms).
 *
 *   sudo npx tsx bench/bgp.bench.ts [sizes, default 1000,10000,100000]
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AgentClient } from '../node-agent/src/bgp/testing/agentClient';
import { mrtTableDump } from '../node-agent/src/bgp/testing/mrt';
import { NetnsLab, stopChild } from '../node-agent/src/bgp/testing/netnsLab';
import { BirdRouter } from '../node-agent/src/bgp/testing/routers/bird';
import { GobgpRouter } from '../node-agent/src/bgp/testing/routers/gobgp';

const SIZES = (process.argv[2] ?? '1000,10000,100000').split(',').map(Number);
const TIMEOUT_MS = 180_000;

const BIRD_CONF = `router id 192.0.2.1;
timeformat protocol iso long ms;
protocol device {}
protocol bgp agent { local 192.0.2.1 as 65000; neighbor 192.0.2.10 as 64512;
  connect retry time 1; error wait time 1, 2; ipv4 { import all; export none; }; }
protocol bgp gobgp { local 198.51.100.1 as 65000; neighbor 198.51.100.2 as 64513;
  connect retry time 1; error wait time 1, 2; ipv4 { import all; export none; }; }
`;

const GOBGP_CONF = `[global.config]
  as = 64513
  router-id = "198.51.100.2"
[[neighbors]]
  [neighbors.config]
    neighbor-address = "198.51.100.1"
    peer-as = 65000
    admin-down = true
  [neighbors.transport.config]
    local-address = "198.51.100.2"
  [[neighbors.afi-safis]]
    [neighbors.afi-safis.config]
      afi-safi-name = "ipv4-unicast"
`;

function log(message: string) {
  process.stderr.write(`${message}\n`);
}

function prefixes(n: number): string[] {
  const base = (198 << 24) | (18 << 16);
  return Array.from({ length: n }, (_, i) => {
    const a = (base + i) >>> 0;
    return `${a >>> 24}.${(a >>> 16) & 255}.${(a >>> 8) & 255}.${a & 255}/32`;
  });
}

function rssMiB(pid: number | undefined): number {
  if (!pid) return NaN;
  const m = /VmRSS:\s+(\d+) kB/.exec(
    readFileSync(`/proc/${pid}/status`, 'utf8'),
  );
  return m ? Number(m[1]) / 1024 : NaN;
}

async function birdCount(bird: BirdRouter, protocol: string): Promise<number> {
  const out = await bird.birdc([
    'show',
    'route',
    'protocol',
    protocol,
    'count',
  ]);
  const m = /(\d+) of \d+ routes/.exec(out);
  return m ? Number(m[1]) : 0;
}

/** BIRD's timestamp of the protocol's last state change, if it is up. */
async function birdEstablishedAt(bird: BirdRouter, protocol: string) {
  const out = await bird.birdc(['show', 'protocols', protocol]);
  const m = new RegExp(
    `^${protocol}\\s+BGP\\s+\\S+\\s+up\\s+(\\d{4}-\\d\\d-\\d\\d) (\\d\\d:\\d\\d:\\d\\d\\.\\d{3})\\s+Established`,
    'm',
  ).exec(out);
  return m ? new Date(`${m[1]}T${m[2]}`).getTime() : undefined;
}

async function until<T>(
  fn: () => Promise<T | undefined>,
  what: string,
  every = 20,
) {
  const deadline = Date.now() + TIMEOUT_MS;
  for (;;) {
    const v = await fn();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise(r => setTimeout(r, every));
  }
}

interface Result {
  loadMs: number;
  withdrawMs: number;
  rss: number;
}

async function holdAll(bird: BirdRouter, protocol: string, n: number) {
  await until(
    async () => ((await birdCount(bird, protocol)) >= n ? true : undefined),
    `${n} routes`,
  );
  const heldAt = Date.now();
  const est = await until(
    () => birdEstablishedAt(bird, protocol),
    'Established',
  );
  return heldAt - est;
}

async function runAgent(
  lab: NetnsLab,
  bird: BirdRouter,
  n: number,
): Promise<Result> {
  const agent = AgentClient.start(lab, 'agent');
  try {
    await agent.routeRange('bird', '198.18.0.0', 0);
    await agent.setPeers([
      {
        name: 'bird',
        myASN: 64512,
        peerASN: 65000,
        peerAddress: '192.0.2.1',
        sourceAddress: '192.0.2.10',
        routerID: '192.0.2.10',
      },
    ]);
    await agent.routeRange('bird', '198.18.0.0', n);
    const loadMs = await holdAll(bird, 'agent', n);
    await agent.settled();
    const rss = rssMiB(agent.child.pid);
    const t0 = Date.now();
    await agent.setRoutes('bird', []);
    await until(
      async () => ((await birdCount(bird, 'agent')) === 0 ? true : undefined),
      'withdraw',
    );
    return { loadMs, withdrawMs: Date.now() - t0, rss };
  } finally {
    await stopChild(agent.child);
  }
}

async function runGobgp(
  lab: NetnsLab,
  bird: BirdRouter,
  dir: string,
  n: number,
): Promise<Result> {
  const mrt = path.join(dir, `routes-${n}.mrt`);
  const dump = mrtTableDump(
    prefixes(n),
    { routerId: '198.51.100.2', address: '198.51.100.2', asn: 64513 },
    { origin: 0, asPath: [], nextHop: '198.51.100.2' },
  );
  // gobgp 3.x's `mrt inject` exits without closing its gRPC stream, so the
  // last records it sent can be lost; the dump is repeated (re-adding a path
  // is a no-op) and the load checked and retried below.
  writeFileSync(mrt, Buffer.concat([dump, dump, dump]));
  const gobgp = new GobgpRouter(lab, 'gobgp', GOBGP_CONF, dir);
  await gobgp.start();
  try {
    const loaded = async () => {
      const out = await gobgp.gobgp(['global', 'rib', 'summary', '-a', 'ipv4']);
      const m = /Destination: (\d+)/.exec(out);
      return m ? Number(m[1]) : 0;
    };
    for (let attempt = 0; attempt < 3 && (await loaded()) < n; attempt++) {
      await gobgp.gobgp(['mrt', 'inject', 'global', mrt], TIMEOUT_MS);
      await new Promise(r => setTimeout(r, 1000));
    }
    if ((await loaded()) !== n)
      throw new Error(`gobgpd loaded ${await loaded()} of ${n} routes`);
    await gobgp.gobgp(['neighbor', '198.51.100.1', 'enable']);
    const loadMs = await holdAll(bird, 'gobgp', n);
    const rss = rssMiB(gobgp.pid);
    const t0 = Date.now();
    await gobgp.gobgp(
      ['global', 'rib', 'del', 'all', '-a', 'ipv4'],
      TIMEOUT_MS,
    );
    await until(
      async () => ((await birdCount(bird, 'gobgp')) === 0 ? true : undefined),
      'withdraw',
    );
    return { loadMs, withdrawMs: Date.now() - t0, rss };
  } finally {
    await gobgp.stop();
  }
}

async function main() {
  const lab = new NetnsLab('bn');
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bgp-bench-'));
  const rows: string[] = [];
  try {
    await lab.addNamespace('agent');
    await lab.addNamespace('bird');
    await lab.addNamespace('gobgp');
    await lab.link('agent', 'bird', ['192.0.2.10/24'], ['192.0.2.1/24']);
    await lab.link('gobgp', 'bird', ['198.51.100.2/24'], ['198.51.100.1/24']);
    const bird = new BirdRouter(lab, 'bird', BIRD_CONF, dir);
    await bird.start();
    for (const n of SIZES) {
      log(`${n} routes: agent`);
      const a = await runAgent(lab, bird, n);
      log(`${n} routes: gobgpd`);
      const g = await runGobgp(lab, bird, dir, n);
      rows.push(
        `| ${n.toLocaleString('en')} | ${a.loadMs} | ${g.loadMs} | ${(
          a.loadMs / g.loadMs
        ).toFixed(2)} | ${a.rss.toFixed(0)} | ${g.rss.toFixed(0)} | ${
          a.withdrawMs
        } | ${g.withdrawMs} |`,
      );
    }
  } finally {
    await lab.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
  process.stdout.write(
    [
      '| routes | agent: Established → BIRD holds all (ms) | gobgpd (ms) | ratio agent/gobgpd | agent RSS (MiB) | gobgpd RSS (MiB) | agent withdraw all (ms) | gobgpd withdraw all (ms) |',
      '|---:|---:|---:|---:|---:|---:|---:|---:|',
      ...rows,
      '',
      'Shared, noisy 2-core machine: one run per size; compare the ratio, not absolute figures. Times include BIRD importing the routes and a 20 ms polling granularity.',
      '',
    ].join('\n'),
  );
}

main().catch(e => {
  log(e.stack);
  process.exit(1);
});
