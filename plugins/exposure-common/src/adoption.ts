import type { ServicePort } from './schema/api';

/**
 * Adoption of a cluster that already runs MetalLB: what its Services hold,
 * mapped to catalog owners and portal pools (`POST /clusters/:cluster/adoption`).
 */

/** A Service holding an address that would become an active allocation. */
export interface AdoptionCandidate {
  namespace: string;
  serviceName: string;
  address: string;
  /** The portal pool whose addresses contain it. */
  pool: string;
  segment: string;
  owner: string;
  /** The catalog entity, when found by `backstage.io/kubernetes-id`. */
  entityRef?: string;
  /** How the owner was found. */
  ownerFrom: 'catalog' | 'namespace-rule';
  ports: ServicePort[];
}

export type AdoptionSkipReason =
  | 'no-owner'
  | 'no-portal-pool'
  | 'reserved'
  | 'held-on-another-cluster'
  | 'held-by-another-allocation'
  | 'already-managed'
  /** The cluster's pool holding it has another name than the portal pool: grants would name a pool the agent refuses as overlapping. */
  | 'cluster-pool-name-differs';

export interface AdoptionSkipped {
  namespace: string;
  serviceName: string;
  address: string;
  reason: AdoptionSkipReason;
  message: string;
}

/** An IPAddressPool of the cluster whose addresses no portal pool holds. */
export interface UnmatchedClusterPool {
  name: string;
  addresses: string[];
  /** An `exposure.pools` entry to add to app-config, as YAML. */
  suggestedConfig: string;
}

export interface AdoptionReport {
  cluster: string;
  dryRun: boolean;
  /** Identifies this dry run's candidates; a confirmation must send it back. */
  token: string;
  adopt: AdoptionCandidate[];
  skipped: AdoptionSkipped[];
  unmatchedPools: UnmatchedClusterPool[];
  /** Services `enforce` would strip of their address if switched on after this adoption. */
  enforceWouldRemove: Array<{
    namespace: string;
    serviceName: string;
    addresses: string[];
  }>;
  /** Set by a confirmed run: the requests created. */
  adopted?: Array<{
    requestId: string;
    namespace: string;
    serviceName: string;
    address: string;
  }>;
}

export interface AdoptionRequestBody {
  /** Default true: report only. */
  dryRun?: boolean;
  /** With `dryRun: false`: the token of the dry run being confirmed. */
  token?: string;
}
