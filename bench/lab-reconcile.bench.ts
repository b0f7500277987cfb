/*
 * Reconcile latency on the lab's data plane (packages/lab, without the portal):
 * from an ExposureGrant written to the API server (what the portal does when it
 * approves) to the controller's Service status, and to the announcement — for a
 * BGP pool, the router's ECMP route via both nodes with an endpoint; for an L2
 * pool, the owner's ARP reply to the router — and back when the grant is deleted.
 * The lab's cluster is a real kube-apiserver and etcd; the grant is written as
 * the portal writes it (server-side apply as its ServiceAccount), and the
 * controller and speakers watch as theirs. Stages are polled every 10-20 ms (an
 * ARP probe waits up to 200 ms for a reply), so figures carry that resolution.
 *
 *   sudo npx tsx bench/lab-reconcile.bench.ts [rounds per pool]
 */
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { execIn, waitFor } from '../packages/lab/src/exec';
import {
  exposureGrant,
  labPoolObjects,
} from '../packages/lab/src/kube/labPoolObjects';
import { APP_NAMESPACE } from '../packages/lab/src/kube/workloadObjects';
import { Lab } from '../packages/lab/src/Lab';

const ROUNDS = Number(process.argv[2] ?? 10);

interface Case {
  label: string;
  service: string;
  pool: string;
  address: (round: number) => string;
  announced: (lab: Lab, vip: string) => Promise<boolean>;
}

/** Whether some node answers ARP for `vip` on the router's segment side. */
async function arpAnswered(lab: Lab, vip: string): Promise<boolean> {
  return execIn(
    lab.topology.router.netns,
    'arping',
    ['-q', '-c', '1', '-W', '0.2', '-i', 'eth0', vip],
    2_000,
  ).then(
    () => true,
    () => false,
  );
}

const CASES: Case[] = [
  {
    label: 'BGP pool: ECMP route at the router via both nodes',
    service: 'edge-api-internal',
    pool: 'internal-bgp',
    address: i => `203.0.113.${10 + (i % 20)}`,
    announced: async (lab, vip) =>
      (await lab.router.routedTo(vip)).length === 2,
  },
  {
    label: 'L2 pool: the owner answers ARP',
    service: 'edge-api-preview',
    pool: 'preview',
    address: i => `192.0.2.${120 + (i % 8)}`,
    announced: arpAnswered,
  },
];

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function elapsed(
  start: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<number> {
  await waitFor(what, async () => ((await check()) ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 10,
  });
  return Date.now() - start;
}

async function round(lab: Lab, c: Case, i: number): Promise<number[]> {
  const vip = c.address(i);
  const name = `bench-${c.pool}-${i}`;
  const ingress = () => lab.cluster.ingressOf(APP_NAMESPACE, c.service);

  const start = Date.now();
  await lab.cluster.applyGrant(exposureGrant(name, c.service, vip, c.pool));
  const status = await elapsed(start, `status ${vip}`, async () =>
    (await ingress()).includes(vip),
  );
  const announced = await elapsed(start, `announcement of ${vip}`, () =>
    c.announced(lab, vip),
  );

  const revoke = Date.now();
  await lab.cluster.request(
    'DELETE',
    `/apis/portico.dev/v1alpha1/exposuregrants/${name}`,
  );
  const cleared = await elapsed(
    revoke,
    `status of ${c.service} cleared`,
    async () => (await ingress()).length === 0,
  );
  const withdrawn = await elapsed(
    revoke,
    `withdrawal of ${vip}`,
    async () => !(await c.announced(lab, vip)),
  );
  return [status, announced, cleared, withdrawn];
}

const percentile = (xs: number[], p: number) =>
  [...xs].sort((a, b) => a - b)[
    Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))
  ];

async function main(): Promise<void> {
  const lab = await Lab.up({
    dir: mkdtempSync(join(tmpdir(), 'portico-lab-bench-')),
    portal: false,
    log,
  });
  const rows: string[] = [];
  try {
    if (lab.missing.length > 0) throw new Error(lab.missing.join('; '));
    await lab.cluster.apply(labPoolObjects());
    await waitFor(
      'BGP sessions with all three nodes',
      async () =>
        (await lab.router.establishedNodes()).length === 3 ? true : undefined,
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    for (const c of CASES) {
      const samples: number[][] = [];
      for (let i = 0; i < ROUNDS; i++) {
        samples.push(await round(lab, c, i));
        log(
          `${c.label}: round ${i + 1}/${ROUNDS}: ${samples[i].join(' / ')} ms`,
        );
      }
      const cell = (k: number) => {
        const column = samples.map(s => s[k]);
        return `${percentile(column, 50)} / ${percentile(
          column,
          90,
        )} / ${Math.max(...column)}`;
      };
      rows.push(
        `| ${c.label} | ${ROUNDS} | ${[0, 1, 2, 3].map(cell).join(' | ')} |`,
      );
    }
  } finally {
    await lab.down();
  }
  process.stdout.write(
    [
      '## Lab reconcile: ExposureGrant change → Service status → announcement',
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${
        process.version
      }. ` +
        'The machine is shared and noisy: read the figures as orders of magnitude.',
      '',
      'Milliseconds (p50 / p90 / max) from writing the grant, and from deleting it.',
      'Anchor: MetalLB documents no figure for this path; its controller and speakers',
      'react to the same watch events, so the floor is the watch round trip plus one',
      'status write (status) and one BGP UPDATE or gratuitous ARP (announced).',
      '',
      '| pool | rounds | grant → status | grant → announced | delete → status cleared | delete → withdrawn |',
      '|---|---|---|---|---|---|',
      ...rows,
      '',
    ].join('\n'),
  );
}

main().then(
  () => process.exit(0),
  error => {
    log(String(error?.stack ?? error));
    process.exit(1);
  },
);
