import { execIn, waitFor } from './exec';
import { APP_NAMESPACE } from './kube/workloadObjects';
import { Lab } from './Lab';
import { LabUser } from './portal/PortalClient';

/** The fields of an exposure request the lab looks at (openapi.yaml `ExposureRequest`). */
export interface ExposureRequest {
  id: string;
  state: string;
  serviceName: string;
  pool: string;
  address?: string;
  expiresAt?: string;
  reasons: Array<{ code: string; verdict: string; message: string }>;
}

/** What alice asks for on edge-api's behalf, through the REST API (the request page's path). */
export function requestBody(
  serviceName: string,
  extra: Record<string, unknown>,
) {
  return {
    entityRef: 'component:default/edge-api',
    owner: 'group:default/team-payments',
    cluster: 'lab',
    namespace: APP_NAMESPACE,
    serviceName,
    ports: [{ port: 80, protocol: 'TCP' }],
    justification: 'Portico lab',
    ...extra,
  };
}

/** Waits until the client's `GET http://VIP/` answer satisfies `accept`; returns it. */
export function waitForAnswer(
  lab: Lab,
  vip: string,
  accept: (body: string) => boolean,
  timeoutMs: number,
): Promise<string> {
  return waitFor(
    `an answer from http://${vip}/ accepted by the check`,
    async () => {
      const body = await lab.fetchFromClient(vip);
      return body !== undefined && accept(body) ? body : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** Waits until nothing answers on `http://VIP/` from the client. */
export function waitForSilence(
  lab: Lab,
  vip: string,
  timeoutMs: number,
): Promise<true> {
  return waitFor(
    `http://${vip}/ to stop answering`,
    async () =>
      (await lab.fetchFromClient(vip)) === undefined ? true : undefined,
    { timeoutMs, intervalMs: 500 },
  );
}

/** Waits until the Service's `status.loadBalancer.ingress` is exactly `expected`. */
export function waitForIngress(
  lab: Lab,
  serviceName: string,
  expected: string[],
  timeoutMs: number,
): Promise<string[]> {
  return waitFor(
    `Service ${APP_NAMESPACE}/${serviceName} to have ingress [${expected.join(
      ', ',
    )}]`,
    async () => {
      const ips = await lab.cluster.ingressOf(APP_NAMESPACE, serviceName);
      return JSON.stringify(ips.sort()) === JSON.stringify([...expected].sort())
        ? ips
        : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}

/** The node whose eth0 MAC the router's neighbor entry for `vip` points at (the L2 owner it uses). */
export async function routerNeighborOwner(
  lab: Lab,
  vip: string,
): Promise<string | undefined> {
  const neigh = JSON.parse(
    (await execIn(lab.topology.router.netns, 'ip', [
      '-j',
      'neigh',
      'show',
      vip,
      'dev',
      'eth0',
    ])) || '[]',
  ) as Array<{ lladdr?: string }>;
  const mac = neigh[0]?.lladdr;
  if (!mac) return undefined;
  for (const node of lab.topology.nodes) {
    const link = JSON.parse(
      await execIn(node.netns, 'ip', ['-j', 'link', 'show', 'eth0']),
    ) as Array<{
      address: string;
    }>;
    if (link[0]?.address === mac) return node.name;
  }
  return undefined;
}

/**
 * Runs a scaffolder template as `user` through the scaffolder API, as the
 * frontend's "Create" page does, and waits for the task to end; returns its status.
 */
export async function runTemplate(
  lab: Lab,
  user: LabUser,
  templateRef: string,
  values: Record<string, unknown>,
  timeoutMs = 30_000,
): Promise<{ id: string; status: string }> {
  const client = lab.as(user);
  const { id } = await client.post<{ id: string }>('/api/scaffolder/v2/tasks', {
    templateRef,
    values,
  });
  return waitFor(
    `scaffolder task ${id} to finish`,
    async () => {
      const task = await client.get<{ id: string; status: string }>(
        `/api/scaffolder/v2/tasks/${id}`,
      );
      return ['completed', 'failed', 'cancelled'].includes(task.status)
        ? task
        : undefined;
    },
    { timeoutMs, intervalMs: 500 },
  );
}
