/*
 * Reconcile latency on the lab (packages/lab): from the portal's answer to an
 * exposure request (automatic pools, so the answer is the allocation) to each stage
 * of the path — the ExposureGrant in the cluster, the Service's status written by
 * the controller, the announcement (the router's ECMP route for a BGP VIP; the
 * client's first answer through the L2 owner for an L2 VIP) — and back on release.
 * Every stage is polled (20 ms for the cluster and the router, each client fetch
 * takes a few ms), so figures carry that much resolution.
 *
 *   sudo npx tsx bench/lab-reconcile.bench.ts [rounds per pool]
 */
import { mkdtempSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { waitFor } from '../packages/lab/src/exec';
import { APP_NAMESPACE } from '../packages/lab/src/kube/workloadObjects';
import { Lab } from '../packages/lab/src/Lab';
import { ExposureRequest, requestBody } from '../packages/lab/src/labSteps';

const ROUNDS = Number(process.argv[2] ?? 5);

interface Case {
  label: string;
  service: string;
  extra: () => Record<string, unknown>;
  /** When the VIP counts as announced. */
  announced: (lab: Lab, vip: string) => Promise<boolean>;
}

const CASES: Case[] = [
  {
    label: 'BGP pool (router ECMP route via both nodes)',
    service: 'edge-api-internal',
    extra: () => ({ pool: 'internal-bgp' }),
    announced: async (lab, vip) =>
      (await lab.router.routedTo(vip)).length === 2,
  },
  {
    label: 'L2 pool (client answered through the owner)',
    service: 'edge-api-preview',
    extra: () => ({
      pool: 'preview',
      expiresAt: new Date(Date.now() + 3_600_000).toISOString(),
    }),
    announced: async (lab, vip) =>
      (await lab.fetchFromClient(vip)) !== undefined,
  },
];

function log(message: string): void {
  process.stderr.write(`${message}\n`);
}

async function since(
  start: number,
  what: string,
  check: () => Promise<boolean>,
): Promise<number> {
  await waitFor(what, async () => ((await check()) ? true : undefined), {
    timeoutMs: 30_000,
    intervalMs: 20,
  });
  return Date.now() - start;
}

async function hasGrant(lab: Lab, service: string): Promise<boolean> {
  const grants = await lab.cluster.list(
    '/apis/portico.dev/v1alpha1/exposuregrants',
  );
  return grants.some(g => {
    const spec = g.spec as { service?: { namespace?: string; name?: string } };
    return (
      spec.service?.namespace === APP_NAMESPACE && spec.service.name === service
    );
  });
}

async function round(lab: Lab, c: Case): Promise<number[]> {
  const start = Date.now();
  const request = await lab
    .as('alice')
    .post<ExposureRequest>(
      '/api/exposure/requests',
      requestBody(c.service, c.extra()),
    );
  const vip = request.address!;
  const answered = Date.now() - start;
  const grant = await since(start, 'grant', () => hasGrant(lab, c.service));
  const status = await since(start, 'status', async () =>
    (await lab.cluster.ingressOf(APP_NAMESPACE, c.service)).includes(vip),
  );
  const announced = await since(start, 'announcement', () =>
    c.announced(lab, vip),
  );

  const releaseStart = Date.now();
  await lab
    .as('alice')
    .post(`/api/exposure/requests/${request.id}/release`, { comment: 'bench' });
  const withdrawn = await since(
    releaseStart,
    'withdrawal',
    async () => !(await c.announced(lab, vip)),
  );
  return [answered, grant, status, announced, withdrawn];
}

const median = (xs: number[]) =>
  [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

async function main(): Promise<void> {
  const lab = await Lab.up({
    dir: mkdtempSync(join(tmpdir(), 'portico-lab-bench-')),
    log,
  });
  const rows: string[] = [];
  try {
    for (const c of CASES) {
      const samples: number[][] = [];
      for (let i = 0; i < ROUNDS; i++) {
        samples.push(await round(lab, c));
        log(
          `${c.label}: round ${i + 1}/${ROUNDS}: ${samples[i].join(' / ')} ms`,
        );
      }
      const column = (k: number) => samples.map(s => s[k]);
      const cell = (k: number) =>
        `${median(column(k))} (max ${Math.max(...column(k))})`;
      rows.push(
        `| ${c.label} | ${ROUNDS} | ${[0, 1, 2, 3, 4].map(cell).join(' | ')} |`,
      );
    }
  } finally {
    await lab.down();
  }
  process.stdout.write(
    [
      '## Lab reconcile: exposure request → grant → Service status → announcement',
      '',
      `Machine: ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, Node ${
        process.version
      }. ` + 'Shared and noisy: read the figures as orders of magnitude.',
      '',
      'Milliseconds from the portal\'s answer to the request (median, max); "withdrawn" is from the release\'s start.',
      '',
      '| pool | rounds | portal answer | grant in cluster | Service status | announced | withdrawn after release |',
      '|---|---|---|---|---|---|---|',
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
