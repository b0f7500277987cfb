import type {
  V1EndpointSlice,
  V1Lease,
  V1Namespace,
  V1Node,
  V1Secret,
  V1Service,
} from '@kubernetes/client-node';
import { GrantInfo, parseGrants } from './grants';
import {
  ConfigProblem,
  MetalLBConfig,
  MetalLBObjects,
  parseMetalLBConfig,
} from './metallbConfig';

/** The raw contents of every cache, as the informers hold them. */
export interface RawCluster extends MetalLBObjects {
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  nodes: V1Node[];
  namespaces: V1Namespace[];
  leases: V1Lease[];
  grants: unknown[];
  /** Trimmed to what `passwordSecret` needs (see peerSecrets.ts). */
  secrets?: V1Secret[];
}

/** One consistent, typed view of the cluster that both roles read. */
export interface ClusterSnapshot {
  services: V1Service[];
  endpointSlices: V1EndpointSlice[];
  nodes: V1Node[];
  namespaceLabels: Map<string, Record<string, string>>;
  leases: V1Lease[];
  grants: GrantInfo[];
  metallb: MetalLBConfig;
  /** MetalLB objects and grants that could not be used, with the reason. */
  problems: ConfigProblem[];
}

export function buildSnapshot(raw: RawCluster): ClusterSnapshot {
  const metallb = parseMetalLBConfig(raw);
  const grants = parseGrants(raw.grants);
  return {
    services: raw.services,
    endpointSlices: raw.endpointSlices,
    nodes: raw.nodes,
    namespaceLabels: new Map(
      raw.namespaces.map(n => [
        n.metadata?.name ?? '',
        n.metadata?.labels ?? {},
      ]),
    ),
    leases: raw.leases,
    grants: grants.grants,
    metallb,
    problems: [...metallb.problems, ...grants.problems],
  };
}

/** EndpointSlices of one Service (label `kubernetes.io/service-name`). */
export function slicesOf(
  snapshot: Pick<ClusterSnapshot, 'endpointSlices'>,
  namespace: string,
  name: string,
): V1EndpointSlice[] {
  return snapshot.endpointSlices.filter(
    s =>
      s.metadata?.namespace === namespace &&
      s.metadata?.labels?.['kubernetes.io/service-name'] === name,
  );
}
