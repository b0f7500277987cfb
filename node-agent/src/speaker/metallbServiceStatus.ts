import type { V1Service } from '@kubernetes/client-node';
import { Address4, Address6 } from 'ip-address';
import type { Route } from '../bgp/announcer/types';
import type { L2Status } from '../l2';
import type { DesiredServiceStatus } from '../kube/metallbStatusWriter';
import { currentAddresses } from '../controller/serviceRequest';

function inPrefix(address: string, prefix: string): boolean {
  try {
    if (address.includes(':') !== prefix.includes(':')) return false;
    return address.includes(':')
      ? new Address6(address).isInSubnet(new Address6(prefix))
      : new Address4(address).isInSubnet(new Address4(prefix));
  } catch {
    return false;
  }
}

/**
 * The ServiceL2Status and ServiceBGPStatus objects MetalLB's speaker on this node
 * would have: L2, one per Service whose address this node answers for, with the
 * interfaces; BGP, one per Service this node advertises, with the peers it is
 * advertised to (whatever the session state, as MetalLB documents).
 */
export function desiredServiceStatuses(
  services: V1Service[],
  l2: L2Status | undefined,
  bgpRoutes: Map<string, Route[]>,
): { l2: DesiredServiceStatus[]; bgp: DesiredServiceStatus[] } {
  const announced = new Map(
    (l2?.vips ?? []).filter(v => v.announcing).map(v => [v.address, v]),
  );
  const outL2: DesiredServiceStatus[] = [];
  const outBgp: DesiredServiceStatus[] = [];
  for (const svc of services) {
    const serviceNamespace = svc.metadata?.namespace ?? 'default';
    const serviceName = svc.metadata?.name ?? '';
    const addresses = currentAddresses(svc);
    const interfaces = new Set<string>();
    for (const ip of addresses) {
      for (const i of announced.get(ip)?.interfaces ?? []) interfaces.add(i);
    }
    if (addresses.some(ip => announced.has(ip))) {
      outL2.push({
        serviceNamespace,
        serviceName,
        interfaces: [...interfaces].sort().map(name => ({ name })),
      });
    }
    const peers = [...bgpRoutes]
      .filter(([, routes]) =>
        routes.some(r => addresses.some(ip => inPrefix(ip, r.prefix))),
      )
      .map(([peer]) => peer)
      .sort();
    if (peers.length > 0) outBgp.push({ serviceNamespace, serviceName, peers });
  }
  const order = (a: DesiredServiceStatus, b: DesiredServiceStatus) =>
    `${a.serviceNamespace}/${a.serviceName}`.localeCompare(
      `${b.serviceNamespace}/${b.serviceName}`,
    );
  return { l2: outL2.sort(order), bgp: outBgp.sort(order) };
}
