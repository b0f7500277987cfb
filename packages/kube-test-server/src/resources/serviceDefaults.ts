import { Address4 } from 'ip-address';
import { statusErrors } from '../http/status';
import { isJsonObject, JsonObject, KubeObject } from '../types';

/**
 * What apiserver's Service registry fills in: type, session affinity, port protocol
 * and targetPort, a cluster IP from the service range, node ports for NodePort and
 * LoadBalancer Services, traffic policies, and an empty load-balancer status. On
 * update, allocated values the new object leaves out are carried over.
 */
export class ServiceDefaults {
  private readonly network: bigint;
  private readonly size: bigint;
  /** Where the next search for a free cluster IP starts (offset in the range). */
  private nextOffset = 2n;

  constructor(
    serviceCidr: string,
    private readonly ipInUse: (ip: string) => boolean,
    private readonly nodePortInUse: (port: number) => boolean,
  ) {
    const range = new Address4(serviceCidr);
    this.network = range.startAddress().bigInt();
    this.size = range.endAddress().bigInt() - this.network + 1n;
  }

  onCreate(service: KubeObject): void {
    const spec = this.defaultSpec(service);
    if (
      spec.type !== 'ExternalName' &&
      (spec.clusterIP === undefined || spec.clusterIP === '')
    ) {
      spec.clusterIP = this.allocateIP();
    }
    this.finish(spec);
    service.status = { loadBalancer: {} };
  }

  onUpdate(service: KubeObject, previous: KubeObject): void {
    const spec = this.defaultSpec(service);
    const old = (
      isJsonObject(previous.spec) ? previous.spec : {}
    ) as JsonObject;
    if (spec.type !== 'ExternalName') {
      if (spec.clusterIP === undefined || spec.clusterIP === '')
        spec.clusterIP = old.clusterIP ?? this.allocateIP();
      if (spec.clusterIPs === undefined && old.clusterIP === spec.clusterIP)
        spec.clusterIPs = old.clusterIPs;
      for (const key of ['ipFamilies', 'ipFamilyPolicy'] as const)
        spec[key] ??= old[key];
    }
    const oldPorts = Array.isArray(old.ports)
      ? (old.ports as JsonObject[])
      : [];
    for (const port of (spec.ports as JsonObject[] | undefined) ?? []) {
      const before = oldPorts.find(
        p => p.port === port.port && p.protocol === port.protocol,
      );
      if (port.nodePort === undefined && before?.nodePort !== undefined)
        port.nodePort = before.nodePort;
    }
    this.finish(spec);
  }

  private defaultSpec(service: KubeObject): JsonObject {
    if (!isJsonObject(service.spec)) service.spec = {};
    const spec = service.spec as JsonObject;
    spec.type ??= 'ClusterIP';
    spec.sessionAffinity ??= 'None';
    for (const port of (spec.ports as JsonObject[] | undefined) ?? []) {
      port.protocol ??= 'TCP';
      port.targetPort ??= port.port;
    }
    return spec;
  }

  private finish(spec: JsonObject): void {
    if (spec.type === 'ExternalName') return;
    if (spec.clusterIP !== 'None') {
      spec.clusterIPs ??= [spec.clusterIP];
    } else {
      spec.clusterIPs ??= ['None'];
    }
    spec.ipFamilies ??= ['IPv4'];
    spec.ipFamilyPolicy ??= 'SingleStack';
    spec.internalTrafficPolicy ??= 'Cluster';
    if (spec.type === 'NodePort' || spec.type === 'LoadBalancer') {
      spec.externalTrafficPolicy ??= 'Cluster';
      const wantsNodePorts =
        spec.type === 'NodePort' ||
        spec.allocateLoadBalancerNodePorts !== false;
      if (spec.type === 'LoadBalancer')
        spec.allocateLoadBalancerNodePorts ??= true;
      if (wantsNodePorts) {
        const used = new Set<number>();
        for (const port of (spec.ports as JsonObject[] | undefined) ?? []) {
          if (typeof port.nodePort === 'number') used.add(port.nodePort);
        }
        for (const port of (spec.ports as JsonObject[] | undefined) ?? []) {
          port.nodePort ??= this.allocateNodePort(used);
        }
      }
    }
  }

  private allocateIP(): string {
    // Offsets 0 and 1 are the network address and the `kubernetes` Service's IP;
    // the last one is the broadcast address. Search on from the last allocation.
    const first = 2n;
    const count = this.size - 3n;
    for (let tried = 0n; tried < count; tried += 1n) {
      const offset = first + ((this.nextOffset - first + tried) % count);
      const candidate = Address4.fromBigInt(
        this.network + offset,
      ).correctForm();
      if (!this.ipInUse(candidate)) {
        this.nextOffset = offset + 1n;
        return candidate;
      }
    }
    throw statusErrors.invalid('', 'Service', '', [
      { field: 'spec.clusterIPs', message: 'Internal error: range is full' },
    ]);
  }

  private allocateNodePort(taken: Set<number>): number {
    for (let port = 30000; port <= 32767; port += 1) {
      if (!taken.has(port) && !this.nodePortInUse(port)) {
        taken.add(port);
        return port;
      }
    }
    throw statusErrors.invalid('', 'Service', '', [
      {
        field: 'spec.ports.nodePort',
        message: 'Internal error: range is full',
      },
    ]);
  }
}
