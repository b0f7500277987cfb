/*
 * The exposure API through the backend users run (`npx tsx bench/backend-stack.bench.ts`):
 * the real `packages/backend` process with Backstage sign-in (demo users'
 * tokens), the permission framework with Portico's policy, the catalog with the
 * exposure entity provider, and the exposure plugin, on a SQLite file and on
 * PostgreSQL (PORTICO_TEST_POSTGRES_URL) with one and with two replicas.
 *
 * 1. Throughput and latency: 32 clients, each request a new Service, in an
 *    automatic pool; then the same clients at 90 % pool fill (cost ratio).
 * 2. Catalog: time from `201 Created` to the VIP Resource in the catalog.
 * 3. Durability: PostgreSQL, two replicas, BENCH_DURABILITY_REQUESTS (10k)
 *    requests; one replica is killed with SIGKILL mid-burst and clients retry
 *    with their Idempotency-Key on the other: lost, duplicated and doubly
 *    allocated requests are counted, and the audit chain is verified.
 *
 * Only loopback is used; the pools are in the benchmarking range 198.18.0.0/15.
 */
import { performance } from 'node:perf_hooks';
import {
  checkDurability,
  listAllocations,
  percentile,
  runExposureLoad,
  verifyAudit,
} from '../packages/backend/src/__testUtils__/exposureLoad';
import {
  RealBackend,
  demoUserToken,
  startRealBackend,
} from '../packages/backend/src/__testUtils__/realBackend';
import { vipEntityName } from '../plugins/catalog-backend-module-exposure/src/provider/entities';

const CLIENTS = 32;
const REQUESTS = Number(process.env.BENCH_REQUESTS ?? 600);
const DURABILITY_REQUESTS = Number(
  process.env.BENCH_DURABILITY_REQUESTS ?? 10_000,
);
const FILL_POOL_SIZE = 2048;
const ALICE = 'user:default/alice';
const PAT = 'user:default/pat';

/** The bench's segment and pools, on top of the shipped demo config. */
const exposure = {
  exposure: {
    segments: [
      {
        name: 'bench',
        cidrs: ['198.18.0.0/15'],
        modes: ['l2'],
        clusters: ['bench'],
      },
    ],
    pools: [
      {
        name: 'bench-bulk',
        segment: 'bench',
        intent: 'internal',
        addresses: ['198.18.0.0/16'],
        policy: { approval: 'automatic' },
      },
      {
        name: 'bench-fill',
        segment: 'bench',
        intent: 'internal',
        addresses: ['198.19.0.0/21'],
        policy: { approval: 'automatic' },
      },
    ],
  },
};

let run = 0;
function body(pool: string, prefix: string) {
  return (i: number) => ({
    entityRef: 'component:default/edge-api',
    owner: 'group:default/team-payments',
    cluster: 'bench',
    namespace: 'bench',
    serviceName: `${prefix}-${i}`,
    ports: [{ port: 443, protocol: 'TCP', targetPort: 8443 }],
    pool,
    justification: 'benchmark',
  });
}

async function load(
  urls: string[],
  token: string,
  pool: string,
  count: number,
  clients = CLIENTS,
) {
  const prefix = `r${++run}`;
  const started = performance.now();
  const outcomes = await runExposureLoad({
    urls: () => urls,
    token,
    count,
    clients,
    body: body(pool, prefix),
    key: i => `${prefix}-${i}`,
  });
  const seconds = (performance.now() - started) / 1000;
  const ok = outcomes.filter(o => o.status === 201);
  const latencies = ok.map(o => o.latencyMs);
  return {
    perSecond: ok.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    failed: outcomes.length - ok.length,
    statuses: [...new Set(outcomes.map(o => o.status))].join(','),
  };
}

/** Milliseconds from 201 to the VIP Resource in the catalog, for `n` VIPs. */
async function catalogDelays(url: string, token: string, n: number) {
  const delays: number[] = [];
  for (let i = 0; i < n; i++) {
    const [created] = await runExposureLoad({
      urls: () => [url],
      token,
      count: 1,
      clients: 1,
      body: body('bench-bulk', `catalog${++run}`),
      key: () => `catalog-${run}`,
    });
    if (created.status !== 201) throw new Error(`status ${created.status}`);
    const name = vipEntityName('bench-bulk', created.address!);
    const started = performance.now();
    for (;;) {
      const res = await fetch(
        `${url}/api/catalog/entities/by-name/resource/default/${name}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      if (res.ok) break;
      if (performance.now() - started > 60_000) {
        throw new Error(`${name} not in the catalog after 60 s`);
      }
      await new Promise(r => setTimeout(r, 25));
    }
    delays.push(performance.now() - started);
  }
  return delays;
}

async function startReplicas(
  database: Parameters<typeof startRealBackend>[0],
  replicas: number,
): Promise<RealBackend[]> {
  const first = await startRealBackend(database, { extraConfig: exposure });
  const rest = [];
  for (let i = 1; i < replicas; i++) {
    rest.push(
      await startRealBackend(database, {
        extraConfig: exposure,
        shareDatabaseWith: first,
      }),
    );
  }
  return [first, ...rest];
}

type Row = Record<string, string | number>;

async function scenario(
  name: string,
  database: Parameters<typeof startRealBackend>[0],
  replicas: number,
): Promise<Row> {
  const backends = await startReplicas(database, replicas);
  try {
    const urls = backends.map(b => b.url);
    const alice = await demoUserToken(urls[0], ALICE);
    const pat = await demoUserToken(urls[0], PAT);
    await load(urls, alice, 'bench-bulk', 64); // warm-up
    const steady = await load(urls, alice, 'bench-bulk', REQUESTS);
    const empty = await load(urls, alice, 'bench-fill', 200);
    // Fill to 90 % (not measured), then measure the next 150.
    await load(
      urls,
      alice,
      'bench-fill',
      Math.round(FILL_POOL_SIZE * 0.9) - 200,
    );
    const full = await load(urls, alice, 'bench-fill', 150);
    const delays = await catalogDelays(urls[0], alice, 5);
    const allocations = await listAllocations(urls[0], pat);
    const addresses = new Set(allocations.map(a => a.address));
    const audit = await verifyAudit(urls[0], pat);
    return {
      stack: name,
      'alloc/s': steady.perSecond.toFixed(0),
      'p50 ms': steady.p50.toFixed(0),
      'p99 ms': steady.p99.toFixed(0),
      failed: steady.failed + empty.failed + full.failed,
      'ms/alloc at 90 % ÷ empty': (empty.perSecond / full.perSecond).toFixed(2),
      'catalog p50 / max ms': `${percentile(delays, 50).toFixed(
        0,
      )} / ${Math.max(...delays).toFixed(0)}`,
      'duplicate addresses': allocations.length - addresses.size,
      'audit chain': audit.valid ? `valid (${audit.checked})` : audit.reason!,
    };
  } finally {
    await Promise.all(backends.map(b => b.stop()));
  }
}

async function durability(url: string): Promise<Row> {
  const database = { client: 'pg' as const, url };
  const [one, two] = await startReplicas(database, 2);
  try {
    const alice = await demoUserToken(one.url, ALICE);
    const pat = await demoUserToken(one.url, PAT);
    let live = [one.url, two.url];
    let killedAt = -1;
    const started = performance.now();
    const outcomes = await runExposureLoad({
      urls: () => live,
      token: alice,
      count: DURABILITY_REQUESTS,
      clients: CLIENTS,
      body: body('bench-bulk', 'durable'),
      key: i => `durable-${i}`,
      onProgress: done => {
        if (killedAt < 0 && done >= DURABILITY_REQUESTS * 0.3) {
          killedAt = done;
          one.kill();
          live = [two.url];
        }
      },
    });
    const seconds = (performance.now() - started) / 1000;
    const allocations = await listAllocations(two.url, pat);
    const audit = await verifyAudit(two.url, pat);
    const result = checkDurability(outcomes, allocations);
    return {
      run: `${DURABILITY_REQUESTS} requests, 2 replicas, SIGKILL after ${killedAt}`,
      seconds: seconds.toFixed(0),
      acknowledged: result.acknowledged,
      'not acknowledged': result.failed,
      retried: result.retried,
      'lost acknowledged': result.lost,
      duplicates: result.duplicates,
      'double allocations': result.doubleAllocations,
      'audit chain': audit.valid ? `valid (${audit.checked})` : audit.reason!,
    };
  } finally {
    await Promise.all([one.stop(), two.stop()]);
  }
}

function table(rows: Row[]): string {
  const columns = Object.keys(rows[0]);
  return [
    `| ${columns.join(' | ')} |`,
    `| ${columns.map(() => '---').join(' | ')} |`,
    ...rows.map(r => `| ${columns.map(c => r[c]).join(' | ')} |`),
  ].join('\n');
}

async function main() {
  const pg = process.env.PORTICO_TEST_POSTGRES_URL;
  const rows: Row[] = [];
  rows.push(
    await scenario('SQLite, 1 replica', { client: 'better-sqlite3' }, 1),
  );
  if (pg) {
    rows.push(
      await scenario('PostgreSQL, 1 replica', { client: 'pg', url: pg }, 1),
    );
    rows.push(
      await scenario('PostgreSQL, 2 replicas', { client: 'pg', url: pg }, 2),
    );
  }
  console.log(
    `Real backend stack (sign-in tokens, permission policy, catalog and its exposure provider), ${CLIENTS} clients, ${REQUESTS} requests measured per row:\n`,
  );
  console.log(table(rows));
  if (pg) {
    console.log('\nDurability (clients retry with their Idempotency-Key):\n');
    console.log(table([await durability(pg)]));
  } else {
    console.log('\nNo PostgreSQL (PORTICO_TEST_POSTGRES_URL): rows skipped.');
  }
}

main().catch(error => {
  console.error(error);
  process.exit(1);
});
