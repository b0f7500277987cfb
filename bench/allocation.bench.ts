/*
 * Allocation benchmark (`npx tsx bench/allocation.bench.ts`).
 *
 * 1. Concurrent HTTP clients creating exposure requests against one automatic
 *    pool through the exposure router alone (real ExposureService, knex store
 *    and migrations; authentication replaced by a header naming the user, every
 *    permission allowed, no catalog: not the stack users run), on a
 *    SQLite file and on PostgreSQL (PORTICO_TEST_POSTGRES_URL; skipped when
 *    unset). Prints throughput and p50/p99 latency, and checks for duplicates.
 * 2. The pure allocator: cost of one allocation (lowest free + mark taken) and
 *    of building the taken set from sorted database rows, for pools of /24,
 *    /16, /8 and an IPv6 /64 with 0, 10k and 1M addresses taken.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import express from 'express';
import knexFactory, { Knex } from 'knex';
import {
  exposureConfigSchema,
  parseRange,
  poolPolicySchema,
} from '@portico/plugin-exposure-common';
import { PoolLayout } from '../plugins/exposure-backend/src/allocator/PoolLayout';
import { DatabaseExposureStore } from '../plugins/exposure-backend/src/database/DatabaseExposureStore';
import { ExposureService } from '../plugins/exposure-backend/src/service/ExposureService';
import { createRouter } from '../plugins/exposure-backend/src/service/router';

const REQUESTS_PER_RUN = Number(process.env.BENCH_REQUESTS ?? 600);
const CLIENTS = [1, 8, 32];
const deadline = AbortSignal.timeout(8 * 60_000);

const config = exposureConfigSchema.parse({
  segments: [
    {
      name: 'bench',
      cidrs: ['198.18.0.0/15', '2001:db8::/32'],
      clusters: ['bench'],
    },
  ],
  pools: [
    {
      name: 'bench',
      segment: 'bench',
      intent: 'internal',
      addresses: ['198.18.0.0/16'],
      policy: { approval: 'automatic' },
    },
  ],
});

const silentLogger: any = {
  info() {},
  warn() {},
  error() {},
  debug() {},
  child() {
    return silentLogger;
  },
};

async function startApi(knex: Knex): Promise<{ server: Server; url: string }> {
  const store = await DatabaseExposureStore.create({
    database: { getClient: async () => knex } as any,
  });
  const service = new ExposureService({ store, config, logger: silentLogger });
  const credentials = (req: any) => ({
    $$type: '@backstage/BackstageCredentials',
    principal: { type: 'user', userEntityRef: String(req.headers['x-user']) },
  });
  const router = await createRouter({
    service,
    httpAuth: { credentials: async (req: any) => credentials(req) } as any,
    userInfo: {
      getUserInfo: async () => ({
        userEntityRef: 'user:default/bench',
        ownershipEntityRefs: ['group:default/bench'],
      }),
    } as any,
    permissions: {
      authorize: async (requests: unknown[]) =>
        requests.map(() => ({ result: 'ALLOW' })),
    } as any,
    // Every permission is allowed, so the caller is an admin: the catalog
    // check for components is not on this path.
    catalog: {} as any,
  });
  const app = express();
  app.use('/api/exposure', router);
  app.use((error: any, _req: any, res: any, _next: any) => {
    const status =
      error.name === 'ConflictError'
        ? 409
        : error.name === 'InputError'
        ? 400
        : 500;
    res
      .status(status)
      .json({ error: { name: error.name, message: error.message } });
  });
  const server = createServer(app);
  // Longer than any pause between requests: otherwise the server may close a
  // kept-alive socket just as a client reuses it (ECONNRESET).
  server.keepAliveTimeout = 120_000;
  server.headersTimeout = 121_000;
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}/api/exposure` };
}

function percentile(sorted: number[], p: number): number {
  return sorted[
    Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))
  ];
}

async function runClients(
  urls: string[],
  clients: number,
  total: number,
  offset: number,
) {
  const latencies: number[] = [];
  const addresses: string[] = [];
  let next = 0;
  let failures = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: clients }, async (_, client) => {
      const url = urls[client % urls.length];
      while (next < total && !deadline.aborted) {
        const i = offset + next++;
        const t0 = performance.now();
        let res: Response;
        try {
          res = await fetch(`${url}/requests`, {
            method: 'POST',
            headers: {
              'content-type': 'application/json',
              'x-user': 'user:default/bench',
            },
            body: JSON.stringify({
              entityRef: `component:default/svc-${i}`,
              owner: 'group:default/bench',
              cluster: 'bench',
              namespace: 'bench',
              serviceName: `svc-${i}`,
              ports: [{ port: 443 }],
              pool: 'bench',
            }),
            signal: deadline,
          });
        } catch {
          if (deadline.aborted) break;
          failures++;
          continue;
        }
        const body: any = await res.json();
        latencies.push(performance.now() - t0);
        if (res.status === 201) addresses.push(body.address);
        else failures++;
      }
    }),
  );
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  return {
    throughput: latencies.length / seconds,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
    addresses,
    failures,
  };
}

async function httpBench(
  engine: string,
  makeKnex: () => Promise<Knex>,
  cleanup: () => Promise<void>,
  replicas = 1,
) {
  const rows: string[] = [];
  // Each replica: its own connection pool and HTTP server on one database.
  const knexes: Knex[] = [];
  const apis: { server: Server; url: string }[] = [];
  for (let r = 0; r < replicas; r++) {
    const knex = await makeKnex();
    knexes.push(knex);
    apis.push(await startApi(knex));
  }
  const urls = apis.map(a => a.url);
  try {
    const seen = new Set<string>();
    let offset = 0;
    for (const clients of CLIENTS) {
      const r = await runClients(urls, clients, REQUESTS_PER_RUN, offset);
      offset += REQUESTS_PER_RUN;
      const duplicates = r.addresses.filter(
        a => seen.has(a) || !seen.add(a),
      ).length;
      rows.push(
        `| ${engine} | ${clients} | ${REQUESTS_PER_RUN} | ${r.throughput.toFixed(
          0,
        )} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} | ${duplicates} | ${
          r.failures
        } |`,
      );
    }
  } finally {
    for (const { server } of apis) {
      await new Promise(resolve => server.close(resolve));
    }
    for (const knex of knexes) await knex.destroy();
    await cleanup();
  }
  return rows;
}

async function sqliteBench() {
  const dir = mkdtempSync(join(tmpdir(), 'portico-bench-'));
  return httpBench(
    'SQLite (file)',
    async () =>
      knexFactory({
        client: 'better-sqlite3',
        connection: { filename: join(dir, 'exposure.sqlite') },
        useNullAsDefault: true,
      }),
    async () => rmSync(dir, { recursive: true, force: true }),
  );
}

async function postgresBench(baseUrl: string, replicas: number) {
  const name = `portico_bench_${process.pid}_${replicas}`;
  const admin = knexFactory({ client: 'pg', connection: baseUrl });
  await admin.raw(`create database ${name}`);
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  return httpBench(
    replicas === 1 ? 'PostgreSQL' : `PostgreSQL, ${replicas} replicas`,
    async () =>
      knexFactory({
        client: 'pg',
        connection: url.toString(),
        pool: { min: 0, max: 10 },
      }),
    async () => {
      await admin.raw(`drop database if exists ${name}`);
      await admin.destroy();
    },
    replicas,
  );
}

function allocatorBench(): string[] {
  const rows: string[] = [];
  const pools: [string, string][] = [
    ['/24', '10.0.0.0/24'],
    ['/16', '10.0.0.0/16'],
    ['/8', '10.0.0.0/8'],
    ['IPv6 /64', '2001:db8:1::/64'],
  ];
  const layoutOf = (cidr: string) =>
    new PoolLayout(
      {
        name: 'p',
        segment: 's',
        intent: 'internal',
        addresses: [cidr],
        advertisement: { type: 'l2' },
        policy: poolPolicySchema.parse({}),
      } as any,
      {
        name: 's',
        cidrs: [cidr],
        modes: ['l2'],
        bgpPeers: [],
        reserved: [],
        clusters: [],
      },
    );
  // Warm the JIT on both families so the first timed rows are not compile time.
  for (const cidr of ['10.0.0.0/16', '2001:db8:1::/64']) {
    const warm = layoutOf(cidr);
    const start = parseRange(cidr).start;
    const set = warm.takenWith(
      Array.from({ length: 20_000 }, (_, i) => start + BigInt(i) * 2n),
    );
    for (let i = 0; i < 5_000; i++) set.add(warm.lowestFree(set)!);
  }
  for (const [label, cidr] of pools) {
    const layout = layoutOf(cidr);
    const range = parseRange(cidr);
    if (deadline.aborted) break;
    const size = range.end - range.start + 1n;
    for (const taken of [0, 10_000, 1_000_000]) {
      if (BigInt(taken) >= size) {
        rows.push(
          `| ${label} | ${taken.toLocaleString(
            'en',
          )} | n/a (pool smaller) | | | | |`,
        );
        continue;
      }
      for (const pattern of ['packed', 'scattered'] as const) {
        if (taken === 0 && pattern === 'scattered') continue;
        // packed: the first N addresses (what lowest-first allocation leaves);
        // scattered: every other address, the worst case for interval count.
        const step = pattern === 'packed' ? 1n : 2n;
        const values = Array.from(
          { length: taken },
          (_, i) => range.start + BigInt(i) * step,
        );
        const t0 = performance.now();
        const set = layout.takenWith(values);
        const buildMs = performance.now() - t0;
        const picks = 1000;
        const t1 = performance.now();
        let first: bigint | undefined;
        for (let i = 0; i < picks; i++) first = layout.lowestFree(set);
        const lookupUs = ((performance.now() - t1) * 1000) / picks;
        const t2 = performance.now();
        if (first !== undefined) set.add(first);
        const markUs = (performance.now() - t2) * 1000;
        rows.push(
          `| ${label} | ${taken.toLocaleString(
            'en',
          )} | ${pattern} | ${set.intervalCount.toLocaleString(
            'en',
          )} | ${buildMs.toFixed(1)} | ${lookupUs.toFixed(
            2,
          )} | ${markUs.toFixed(0)} |`,
        );
      }
    }
  }
  return rows;
}

async function main() {
  console.log(
    '### Allocation through the exposure router alone (stubbed auth, no permission framework, no catalog)\n',
  );
  console.log(
    `Not the stack users run: sign-in, the permission framework and the catalog module are left out, so these figures are an upper bound of the router, store and allocator. Caveat: shared, noisy 2-core machine; compare rows of one run, not absolute figures. Each row: ${REQUESTS_PER_RUN} POST /requests into one automatic /16 pool.\n`,
  );
  console.log(
    '| database | concurrent clients | requests | requests/s | p50 ms | p99 ms | duplicate addresses | failed |',
  );
  console.log('|---|---|---|---|---|---|---|---|');
  for (const row of await sqliteBench()) console.log(row);
  const pg = process.env.PORTICO_TEST_POSTGRES_URL;
  if (pg) {
    for (const row of await postgresBench(pg, 1)) console.log(row);
    for (const row of await postgresBench(pg, 2)) console.log(row);
  } else {
    console.log(
      '| PostgreSQL | skipped: PORTICO_TEST_POSTGRES_URL not set | | | | | | |',
    );
  }
  console.log('\n### Allocator cost (pure, in memory)\n');
  console.log(
    "Build: turning the pool's sorted leased addresses into the taken-interval set (done once per allocation transaction). Lookup: one lowest-free search (binary search over taken intervals), averaged over 1000. Mark: adding the picked address to the set, needed only to retry after a unique-constraint conflict (an array splice, O(intervals)).\n",
  );
  console.log(
    '| pool | taken | pattern | taken intervals | build ms | lookup µs | mark µs |',
  );
  console.log('|---|---|---|---|---|---|---|');
  for (const row of allocatorBench()) console.log(row);
}

main().then(
  () => process.exit(0),
  error => {
    console.error(error);
    process.exit(1);
  },
);
