import { join } from 'node:path';
import { freePort, ManagedProcess, startProcess, waitUntil } from './processes';

export interface Etcd {
  url: string;
  process: ManagedProcess;
  /** Compacts etcd's history up to now: watches resumed from before get 410 Gone. */
  compact(): Promise<void>;
  stop(): Promise<void>;
}

async function gateway(
  url: string,
  path: string,
  body: unknown,
): Promise<Record<string, unknown>> {
  const response = await fetch(`${url}${path}`, {
    method: 'POST',
    body: JSON.stringify(body),
  });
  if (!response.ok) {
    throw new Error(
      `etcd ${path}: ${response.status} ${await response.text()}`,
    );
  }
  return (await response.json()) as Record<string, unknown>;
}

/** Starts a one-member etcd on loopback with its data under `dir`. */
export async function startEtcd(binary: string, dir: string): Promise<Etcd> {
  const clientPort = await freePort();
  const peerPort = await freePort();
  const url = `http://127.0.0.1:${clientPort}`;
  const peer = `http://127.0.0.1:${peerPort}`;
  const etcd = startProcess(binary, [
    '--name=test',
    `--data-dir=${join(dir, 'etcd')}`,
    `--listen-client-urls=${url}`,
    `--advertise-client-urls=${url}`,
    `--listen-peer-urls=${peer}`,
    `--initial-advertise-peer-urls=${peer}`,
    `--initial-cluster=test=${peer}`,
    // Test data need not survive a power cut; fsync would dominate start-up.
    '--unsafe-no-fsync',
    '--log-level=warn',
  ]);
  await waitUntil(
    'etcd',
    etcd,
    async () => (await fetch(`${url}/health`)).ok,
    30_000,
  );
  return {
    url,
    process: etcd,
    async compact() {
      const range = await gateway(url, '/v3/kv/range', {
        key: Buffer.from('/').toString('base64'),
      });
      const revision = (range.header as { revision: string }).revision;
      await gateway(url, '/v3/kv/compaction', { revision, physical: true });
    },
    stop: () => etcd.stop(),
  };
}
