/*
 * The node agent controller's decision pass (node-agent/src/controller): one full
 * planReconcile over N LoadBalancer Services — parse the MetalLB config and grants,
 * allocate every address (audit: MetalLB rules; enforce: from grants), diff against
 * the Service status — as the leader runs it after every change. Pure computation,
 * no API server; addresses come from the benchmarking range 198.18.0.0/15.
 *
 *   npx tsx bench/controller-allocation.bench.ts
 */
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import type { V1Service } from '@kubernetes/client-node';
import { planReconcile } from '../node-agent/src/controller/plan';
import { buildSnapshot, RawCluster } from '../node-agent/src/kube/snapshot';

function cluster(n: number, settled: boolean, withGrants: boolean): RawCluster {
  const services: V1Service[] = [];
  const grants: unknown[] = [];
  for (let i = 0; i < n; i++) {
    const ip = `198.18.${Math.floor(i / 250)}.${(i % 250) + 1}`;
    services.push({
      metadata: {
        name: `svc-${i}`,
        namespace: `team-${i % 50}`,
        creationTimestamp: new Date(1_700_000_000_000 + i * 1000),
      },
      spec: { type: 'LoadBalancer', ports: [{ port: 443, protocol: 'TCP' }] },
      status: settled ? { loadBalancer: { ingress: [{ ip }] } } : {},
    });
    if (withGrants) {
      grants.push({
        metadata: { name: `grant-${i}` },
        spec: {
          service: { namespace: `team-${i % 50}`, name: `svc-${i}` },
          addresses: [ip],
          pool: 'bulk',
          requestId: `r-${i}`,
          owner: 'group:default/bench',
        },
      });
    }
  }
  return {
    services,
    endpointSlices: [],
    nodes: [],
    namespaces: [],
    leases: [],
    grants,
    pools: [
      {
        apiVersion: 'metallb.io/v1beta1',
        kind: 'IPAddressPool',
        metadata: { name: 'bulk', namespace: 'metallb-system' },
        spec: { addresses: ['198.18.0.0/15'], avoidBuggyIPs: true },
      },
    ],
    l2Advertisements: [],
    bgpAdvertisements: [],
    peers: [],
  };
}

function measure(n: number, mode: 'audit' | 'enforce', settled: boolean) {
  const raw = cluster(n, settled, mode === 'enforce');
  const options = {
    mode,
    loadBalancerClass: 'portico.dev/load-balancer',
    now: new Date('2026-01-01T00:00:00Z'),
  };
  planReconcile(buildSnapshot(raw), options); // warm-up
  const times: number[] = [];
  let writes = 0;
  for (let round = 0; round < 5; round++) {
    const start = process.hrtime.bigint();
    const plan = planReconcile(buildSnapshot(raw), options);
    times.push(Number(process.hrtime.bigint() - start) / 1e6);
    writes = plan.writes.length;
  }
  times.sort((a, b) => a - b);
  return { median: times[2], max: times[4], writes };
}

setFlagsFromString('--expose-gc');
const gc: () => void = runInNewContext('gc');
const kept: unknown[] = [];

function heapAfter(n: number): number {
  gc();
  const before = process.memoryUsage().heapUsed;
  const snapshot = buildSnapshot(cluster(n, true, true));
  const plan = planReconcile(snapshot, {
    mode: 'enforce',
    loadBalancerClass: 'portico.dev/load-balancer',
    now: new Date('2026-01-01T00:00:00Z'),
  });
  kept.push(snapshot, plan);
  gc();
  const used = process.memoryUsage().heapUsed - before;
  if (plan.decisions.size !== n) throw new Error('not every Service decided');
  return used / 2 ** 20;
}

const rows: string[] = [];
for (const n of [1_000, 10_000]) {
  for (const [mode, settled, label] of [
    ['audit', false, 'audit, nothing assigned yet'],
    ['audit', true, 'audit, all settled'],
    ['enforce', false, 'enforce, grants, nothing assigned yet'],
    ['enforce', true, 'enforce, grants, all settled'],
  ] as const) {
    const r = measure(n, mode, settled);
    rows.push(
      `| ${n.toLocaleString('en')} | ${label} | ${r.median.toFixed(
        1,
      )} | ${r.max.toFixed(1)} | ${r.writes} |`,
    );
  }
}

console.log(
  '| Services | case | pass median (ms) | pass max (ms) | status writes |',
);
console.log('|---:|---|---:|---:|---:|');
console.log(rows.join('\n'));
console.log('');
console.log(
  `Heap held by the view snapshot and the plan for 10,000 granted Services (after GC): ${heapAfter(
    10_000,
  ).toFixed(1)} MiB.`,
);
console.log('');
console.log(
  '_Shared, noisy 2-core machine: compare rows of one run, not absolute figures._',
);
