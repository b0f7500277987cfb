import { ObjectStore, StoreEvent } from '../store/ObjectStore';
import { isJsonObject, JsonObject, KubeObject } from '../types';

const SERVICES = '/services';

/**
 * Which cluster IPs and node ports stored Services hold, kept current from the
 * store's events so allocating for one more Service does not scan all of them.
 */
export class ServiceAllocations {
  private readonly ips = new Map<string, number>();
  private readonly ports = new Map<number, number>();

  constructor(store: ObjectStore) {
    for (const service of store.list(SERVICES)) this.count(service, 1);
    store.subscribe(event => this.onEvent(event));
  }

  hasIP(ip: string): boolean {
    return this.ips.has(ip);
  }

  hasNodePort(port: number): boolean {
    return this.ports.has(port);
  }

  private onEvent(event: StoreEvent): void {
    if (event.groupResource !== SERVICES) return;
    if (event.previous) this.count(event.previous, -1);
    if (event.type !== 'DELETED') this.count(event.object, 1);
  }

  private count(service: KubeObject, delta: number): void {
    const spec = isJsonObject(service.spec) ? service.spec : {};
    const ips = Array.isArray(spec.clusterIPs)
      ? (spec.clusterIPs as string[])
      : [];
    for (const ip of new Set([spec.clusterIP as string, ...ips])) {
      if (typeof ip === 'string' && ip && ip !== 'None')
        bump(this.ips, ip, delta);
    }
    for (const port of (spec.ports as JsonObject[] | undefined) ?? []) {
      if (typeof port.nodePort === 'number')
        bump(this.ports, port.nodePort, delta);
    }
  }
}

function bump<K>(map: Map<K, number>, key: K, delta: number): void {
  const next = (map.get(key) ?? 0) + delta;
  if (next > 0) map.set(key, next);
  else map.delete(key);
}
