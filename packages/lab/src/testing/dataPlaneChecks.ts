/*
 * What the end-to-end tests check on the data plane, shared by the portal path
 * (lab.e2e.test.ts) and the data plane alone (dataPlane.e2e.test.ts).
 */
import { waitFor } from '../exec';
import { APP_NAMESPACE } from '../kube/workloadObjects';
import { Lab } from '../Lab';
import {
  routerNeighborOwner,
  waitForAnswer,
  waitForIngress,
  waitForSilence,
} from '../labSteps';

/** The nodes running edge-api (the only ones eligible: externalTrafficPolicy Local). */
export const WORKLOAD_NODES = ['node-a', 'node-b'];

export const answerFrom = (body: string) => body.replace(/^edge-api on /, '');

/**
 * The Service gets `vip`, and the client reaches the workload through the node
 * that answered ARP for it (the router's neighbor entry); returns that node.
 */
export async function expectL2Served(
  lab: Lab,
  service: string,
  vip: string,
): Promise<string> {
  await waitForIngress(lab, service, [vip], 20_000);
  const body = await waitForAnswer(
    lab,
    vip,
    b => b.startsWith('edge-api on '),
    20_000,
  );
  const owner = answerFrom(body);
  expect(WORKLOAD_NODES).toContain(owner);
  expect(await routerNeighborOwner(lab, vip)).toBe(owner);
  return owner;
}

/** The Service gets `vip`; the router holds one route per workload node (ECMP); the client gets an answer. */
export async function expectEcmpServed(
  lab: Lab,
  service: string,
  vip: string,
): Promise<void> {
  await waitForIngress(lab, service, [vip], 20_000);
  const routed = await waitFor(
    `ECMP route to ${vip} via both workload nodes`,
    async () => {
      const nodes = await lab.router.routedTo(vip);
      return nodes.length === WORKLOAD_NODES.length ? nodes : undefined;
    },
    { timeoutMs: 30_000 },
  );
  expect(routed).toEqual(WORKLOAD_NODES);
  expect(await lab.router.nextHops(vip)).toEqual(['192.0.2.11', '192.0.2.12']);
  const body = await waitForAnswer(
    lab,
    vip,
    b => b.startsWith('edge-api on '),
    10_000,
  );
  expect(WORKLOAD_NODES).toContain(answerFrom(body));
}

/**
 * Kills the L2 owner's speaker (SIGKILL, the whole process): the other workload
 * node takes the L2 VIP over and the router keeps only its BGP route. Then starts
 * the speaker again and waits for its route to come back.
 */
export async function expectFailover(
  lab: Lab,
  l2Vip: string,
  owner: string,
  bgpVip: string,
): Promise<void> {
  const survivor = WORKLOAD_NODES.find(n => n !== owner)!;
  lab.speakers.get(owner)!.kill('SIGKILL');

  const body = await waitForAnswer(
    lab,
    l2Vip,
    b => answerFrom(b) === survivor,
    10_000,
  );
  expect(answerFrom(body)).toBe(survivor);
  expect(await routerNeighborOwner(lab, l2Vip)).toBe(survivor);

  const routed = await waitFor(
    `the route to ${bgpVip} via ${survivor} only`,
    async () => {
      const nodes = await lab.router.routedTo(bgpVip);
      return nodes.length === 1 ? nodes : undefined;
    },
    { timeoutMs: 15_000 },
  );
  expect(routed).toEqual([survivor]);
  await waitForAnswer(lab, bgpVip, b => answerFrom(b) === survivor, 10_000);

  lab.startSpeaker(owner);
  await waitFor(
    `the route to ${bgpVip} via both nodes again`,
    async () =>
      (await lab.router.routedTo(bgpVip)).length === 2 ? true : undefined,
    { timeoutMs: 30_000 },
  );
}

/** The Service loses its address and nothing answers on the VIP any more. */
export async function expectWithdrawn(
  lab: Lab,
  service: string,
  vip: string,
): Promise<void> {
  await waitForIngress(lab, service, [], 20_000);
  await waitForSilence(lab, vip, 20_000);
}

/**
 * A LoadBalancer Service made by hand, with no grant: the controller writes an
 * Event on it explaining how to request exposure, and gives it no address.
 */
export async function expectUngrantedPending(
  lab: Lab,
  name: string,
): Promise<void> {
  await lab.cluster.request(
    'POST',
    `/api/v1/namespaces/${APP_NAMESPACE}/services`,
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name, namespace: APP_NAMESPACE },
      spec: {
        type: 'LoadBalancer',
        selector: { app: 'edge-api' },
        ports: [{ port: 80, protocol: 'TCP' }],
      },
    },
  );
  const event = await waitFor(
    `an Event on ${APP_NAMESPACE}/${name}`,
    async () => {
      const events = await lab.cluster.list(
        `/api/v1/namespaces/${APP_NAMESPACE}/events`,
      );
      return events.find(
        e => (e.involvedObject as { name?: string })?.name === name,
      );
    },
    { timeoutMs: 20_000 },
  );
  expect(String(event.message)).toMatch(/ExposureGrant|exposure/i);
  // A few more seconds: it stays without an address.
  await new Promise(r => setTimeout(r, 2000));
  expect(await lab.cluster.ingressOf(APP_NAMESPACE, name)).toEqual([]);
}
